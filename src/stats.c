/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  The analytics counters as derived state: what each bucket of time
 *	  holds, kept by the feedback trigger in the same transaction as every
 *	  change, so that stats() (stats_api.c) reads O(buckets x groups) rows
 *	  however much feedback a tenant has.
 *
 * feedback.stats_counts holds, per tenant, grain (hour, day, month),
 * bucket start (UTC), agent_name (the conversation's), kind and
 * source_surface, the number of feedback created in that bucket as they
 * are now: in all, by rating (positive, negative, no rating: comment_only)
 * and by review status.  feedback.stats_reasons holds, per tenant, grain
 * and bucket, how many negative feedback give each reason.  Weeks are
 * summed from days.
 *
 * A change of a feedback takes its old part out and puts its new part in;
 * when both fall on the same row (a review, a new rating) one delta does
 * both.  Each writer adds to its own slot of a row (the transaction's id
 * chooses it, see fb_counter_slot), so concurrent writers to one tenant
 * rarely wait on each other; a count is the sum over the slots.  A row
 * can hold a negative number in one slot, never in the sum.
 *
 * The agent of a feedback is its conversation's current agent_name, read
 * FOR SHARE: a change of the agent_name (the conversation trigger,
 * feedback_move_stats) waits for the feedback writers of that
 * conversation in flight and moves every feedback of it from the old
 * agent to the new one; writers that come after it wait for it and read
 * the new name.
 *
 * src/stats.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"

/* The counters of stats_counts, in the order of its columns. */
typedef enum StatsCounter
{
	SC_FEEDBACK,
	SC_POSITIVE,
	SC_NEGATIVE,
	SC_COMMENT_ONLY,
	SC_TO_REVIEW,
	SC_AUTO_APPROVED,
	SC_REVIEWED,
	SC_DISMISSED,
	SC_COUNT
} StatsCounter;

/* The counters for each review status, in FeedbackStatus order. */
static const StatsCounter status_counter[] = {
	SC_TO_REVIEW, SC_AUTO_APPROVED, SC_REVIEWED, SC_DISMISSED
};

/* A feedback's part in the counters: where it counts, and what. */
typedef struct StatsPart
{
	bool		present;
	Datum		tenant_id;
	TimestampTz created_at;
	FbValue		conversation_id;
	FbValue		agent_name;		/* read by AgentOf */
	Datum		kind;
	Datum		source_surface;
	int			rating;			/* -1 none, else FB_RATING_* */
	uint8		status;
	FbValue		reasons;		/* text[] */
} StatsPart;

/* The agent of a conversation, waiting for a change of it in flight. */
static FbQuery agent_query = {
	"SELECT c.agent_name FROM feedback.conversations c"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2"
	" FOR SHARE",
	2, {UUIDOID, UUIDOID}
};

/*
 * Add to the counters of one key in its three grains: $1 tenant, $2-$4
 * the hour, day and month the feedback was created in, $5 agent_name, $6
 * kind, $7 source_surface, $8 slot, $9-$16 the deltas.  The rows in the
 * same order for every writer: concurrent writers in one slot lock them
 * in the same order.
 */
#define COUNTS_ROW(grain, start) \
	" ($1, '" grain "', " start ", $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
#define COUNTS_SUM(column) \
	column " = s." column " OPERATOR(pg_catalog.+) EXCLUDED." column
static FbQuery counts_add_query = {
	"INSERT INTO feedback.stats_counts AS s"
	"       (tenant_id, grain, bucket_start, agent_name, kind, source_surface, slot, feedback,"
	"        positive, negative, comment_only, to_review, auto_approved, reviewed, dismissed)"
	" VALUES" COUNTS_ROW("hour", "$2") "," COUNTS_ROW("day", "$3") "," COUNTS_ROW("month", "$4")
	" ON CONFLICT (tenant_id, grain, bucket_start, agent_name, kind, source_surface, slot) DO UPDATE"
	"   SET " COUNTS_SUM("feedback") ", " COUNTS_SUM("positive") ", " COUNTS_SUM("negative") ","
	"       " COUNTS_SUM("comment_only") ", " COUNTS_SUM("to_review") ", " COUNTS_SUM("auto_approved") ","
	"       " COUNTS_SUM("reviewed") ", " COUNTS_SUM("dismissed"),
	16, {UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID,
		INT2OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID}
};

/*
 * Add to the count of one reason of negative feedback in the three
 * grains: $1 tenant, $2-$4 hour, day and month, $5 reason, $6 slot, $7
 * the delta.
 */
static FbQuery reason_add_query = {
	"INSERT INTO feedback.stats_reasons AS s (tenant_id, grain, bucket_start, reason, slot, negative)"
	" VALUES ($1, 'hour', $2, $5, $6, $7), ($1, 'day', $3, $5, $6, $7), ($1, 'month', $4, $5, $6, $7)"
	" ON CONFLICT (tenant_id, grain, bucket_start, reason, slot) DO UPDATE"
	"   SET negative = s.negative OPERATOR(pg_catalog.+) EXCLUDED.negative",
	7, {UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, INT2OID, INT8OID}
};

/* The feedback of a conversation, in the columns of a part. */
static FbQuery conversation_feedback_query = {
	"SELECT f.tenant_id, f.created_at, f.conversation_id, f.kind, f.source_surface, f.rating,"
	"       f.status, f.reasons"
	"  FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.conversation_id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/*
 * The start of the bucket of the given grain that ts falls in (UTC; weeks
 * start on Monday).  Infinite times are their own bucket.
 */
TimestampTz
feedback_stats_bucket(TimestampTz ts, FbGrain grain)
{
	TimestampTz day;

	if (TIMESTAMP_NOT_FINITE(ts))
		return ts;
	if (grain == FB_GRAIN_HOUR)
		return ts - ts % USECS_PER_HOUR - (ts % USECS_PER_HOUR < 0 ? USECS_PER_HOUR : 0);
	day = ts - ts % USECS_PER_DAY - (ts % USECS_PER_DAY < 0 ? USECS_PER_DAY : 0);
	if (grain == FB_GRAIN_DAY)
		return day;
	if (grain == FB_GRAIN_WEEK)
	{
		/* j2day: 0 is Sunday; Monday starts the week */
		int			dow = j2day((int) (day / USECS_PER_DAY) + POSTGRES_EPOCH_JDATE);

		return day - ((dow + 6) % 7) * USECS_PER_DAY;
	}
	else
	{
		struct pg_tm tm;
		fsec_t		fsec;
		TimestampTz month;

		if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range")));
		tm.tm_mday = 1;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		if (tm2timestamp(&tm, 0, NULL, &month) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("the month of %s is out of range", fb_format_timestamp(ts))));
		return month;
	}
}

/*
 * A feedback tuple's part in the counters; its agent is read later.
 */
static StatsPart
PartOfTuple(HeapTuple tuple, TupleDesc desc)
{
	StatsPart	p;
	FbValue		rating = fb_tuple_value(tuple, desc, "rating");

	p.present = true;
	p.tenant_id = fb_tuple_value(tuple, desc, "tenant_id").value;
	p.created_at = DatumGetTimestampTz(fb_tuple_value(tuple, desc, "created_at").value);
	p.conversation_id = fb_tuple_value(tuple, desc, "conversation_id");
	p.agent_name = FB_NULL;
	p.kind = fb_tuple_value(tuple, desc, "kind").value;
	p.source_surface = fb_tuple_value(tuple, desc, "source_surface").value;
	p.rating = rating.isnull ? -1 : (uint8) DatumGetChar(rating.value);
	p.status = (uint8) DatumGetChar(fb_tuple_value(tuple, desc, "status").value);
	p.reasons = fb_tuple_value(tuple, desc, "reasons");
	return p;
}

/*
 * Add sign times a part's counters to delta.
 */
static void
AddCounters(int64 *delta, const StatsPart *p, int sign)
{
	delta[SC_FEEDBACK] += sign;
	delta[p->rating == FB_RATING_POSITIVE ? SC_POSITIVE :
		  p->rating == FB_RATING_NEGATIVE ? SC_NEGATIVE : SC_COMMENT_ONLY] += sign;
	delta[status_counter[p->status]] += sign;
}

/*
 * Read the agent of a part's conversation (none for ungrouped feedback),
 * locking the conversation: see the file header.
 */
static void
ReadAgent(StatsPart *p)
{
	if (p->conversation_id.isnull)
		return;
	if (fb_exec(&agent_query, (Datum[]) {p->tenant_id, p->conversation_id.value}, NULL, 1) > 0)
		p->agent_name = fb_val(0, 1);
}

/*
 * Whether two text values are equal, byte for byte.
 */
static bool
SameText(Datum a, Datum b)
{
	return DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID, a, b));
}

/*
 * Whether two parts count in the same rows of stats_counts.
 */
static bool
SameCountKey(const StatsPart *a, const StatsPart *b)
{
	return DatumGetBool(DirectFunctionCall2(uuid_eq, a->tenant_id, b->tenant_id)) &&
		a->created_at == b->created_at &&
		a->agent_name.isnull == b->agent_name.isnull &&
		(a->agent_name.isnull || SameText(a->agent_name.value, b->agent_name.value)) &&
		SameText(a->kind, b->kind) && SameText(a->source_surface, b->source_surface);
}

/*
 * The three bucket starts (hour, day, month) of a part, as parameters
 * $2-$4 of the add queries.
 */
static void
BucketValues(const StatsPart *p, Datum *values)
{
	values[1] = TimestampTzGetDatum(feedback_stats_bucket(p->created_at, FB_GRAIN_HOUR));
	values[2] = TimestampTzGetDatum(feedback_stats_bucket(p->created_at, FB_GRAIN_DAY));
	values[3] = TimestampTzGetDatum(feedback_stats_bucket(p->created_at, FB_GRAIN_MONTH));
}

/*
 * Add a delta to the rows of a part's key, unless it is all zeros.
 */
static void
AddToCounts(const StatsPart *key, const int64 *delta)
{
	Datum		values[8 + SC_COUNT];
	bool		nulls[8 + SC_COUNT] = {false};
	bool		any = false;
	int			i;

	for (i = 0; i < SC_COUNT; i++)
	{
		values[8 + i] = Int64GetDatum(delta[i]);
		any |= delta[i] != 0;
	}
	if (!any)
		return;
	values[0] = key->tenant_id;
	BucketValues(key, values);
	values[4] = key->agent_name.value;
	nulls[4] = key->agent_name.isnull;
	values[5] = key->kind;
	values[6] = key->source_surface;
	values[7] = Int16GetDatum(fb_counter_slot());
	fb_exec(&counts_add_query, values, nulls, 0);
}

/*
 * The distinct reasons a part counts, in their order (none unless it is
 * negative): into *reasons, their number returned.
 */
static int
CountedReasons(const StatsPart *p, Datum **reasons)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	int			kept = 0;

	*reasons = NULL;
	if (!p->present || p->rating != FB_RATING_NEGATIVE || p->reasons.isnull)
		return 0;
	deconstruct_array(DatumGetArrayTypeP(p->reasons.value), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	*reasons = palloc(sizeof(Datum) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		int			j;

		if (nulls[i])
			continue;
		for (j = 0; j < kept && !SameText((*reasons)[j], elems[i]); j++)
			;
		if (j == kept)
			(*reasons)[kept++] = elems[i];
	}
	return kept;
}

/*
 * Add sign times a part's reasons to the reason counts.
 */
static void
AddToReasons(const StatsPart *p, Datum *reasons, int n, int sign)
{
	Datum		values[7];
	int			i;

	values[0] = p->tenant_id;
	BucketValues(p, values);
	values[5] = Int16GetDatum(fb_counter_slot());
	values[6] = Int64GetDatum(sign);
	for (i = 0; i < n; i++)
	{
		values[4] = reasons[i];
		fb_exec(&reason_add_query, values, NULL, 0);
	}
}

/*
 * Whether two lists of reasons hold the same reasons in the same order.
 */
static bool
SameReasons(Datum *a, int na, Datum *b, int nb)
{
	int			i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!SameText(a[i], b[i]))
			return false;
	return true;
}

/*
 * Move a feedback's counts from its part before a change to its part
 * after it (either may be absent).
 */
static void
ApplyChange(StatsPart *before, StatsPart *after)
{
	int64		delta[SC_COUNT] = {0};
	Datum	   *old_reasons;
	Datum	   *new_reasons;
	int			n_old = CountedReasons(before, &old_reasons);
	int			n_new = CountedReasons(after, &new_reasons);

	if (before->present && after->present && SameCountKey(before, after))
	{
		AddCounters(delta, after, 1);
		AddCounters(delta, before, -1);
		AddToCounts(after, delta);
	}
	else
	{
		if (before->present)
		{
			AddCounters(delta, before, -1);
			AddToCounts(before, delta);
		}
		if (after->present)
		{
			memset(delta, 0, sizeof(delta));
			AddCounters(delta, after, 1);
			AddToCounts(after, delta);
		}
	}

	if (n_old > 0 && n_new > 0 && before->created_at == after->created_at &&
		DatumGetBool(DirectFunctionCall2(uuid_eq, before->tenant_id, after->tenant_id)) &&
		SameReasons(old_reasons, n_old, new_reasons, n_new))
		return;
	AddToReasons(before, old_reasons, n_old, -1);
	AddToReasons(after, new_reasons, n_new, 1);
}

/*
 * Keep the counters in step with a change of one feedback: old is the row
 * before (NULL for an insert), new the row after (NULL for a delete).
 * Called by the stats trigger inside its SPI connection.
 */
void
feedback_keep_stats(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	StatsPart	before = {false};
	StatsPart	after = {false};

	if (old)
	{
		before = PartOfTuple(old, desc);
		ReadAgent(&before);
	}
	if (new)
	{
		after = PartOfTuple(new, desc);
		if (old && !before.conversation_id.isnull && !after.conversation_id.isnull &&
			DatumGetBool(DirectFunctionCall2(uuid_eq, before.tenant_id, after.tenant_id)) &&
			DatumGetBool(DirectFunctionCall2(uuid_eq, before.conversation_id.value,
											 after.conversation_id.value)))
			after.agent_name = before.agent_name;
		else
			ReadAgent(&after);
	}
	ApplyChange(&before, &after);
}

/*
 * Move the counts of a conversation's feedback from its old agent_name to
 * its new one; called by the conversation trigger inside its SPI
 * connection, the conversation locked by the update.
 */
void
feedback_move_stats(Datum tenant_id, Datum conversation_id, FbValue old_agent, FbValue new_agent)
{
	SPITupleTable *rows;
	uint64		n;
	uint64		i;

	fb_exec(&conversation_feedback_query, (Datum[]) {tenant_id, conversation_id}, NULL, 0);
	rows = SPI_tuptable;
	n = SPI_processed;
	for (i = 0; i < n; i++)
	{
		StatsPart	part = PartOfTuple(rows->vals[i], rows->tupdesc);
		int64		delta[SC_COUNT] = {0};

		part.agent_name = old_agent;
		AddCounters(delta, &part, -1);
		AddToCounts(&part, delta);
		part.agent_name = new_agent;
		memset(delta, 0, sizeof(delta));
		AddCounters(delta, &part, 1);
		AddToCounts(&part, delta);
	}
}
