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
 * and by review status, and in reasons a map of how many negative feedback
 * give each reason.  Weeks are summed from days.
 *
 * A change of a feedback takes its old part out and puts its new part in;
 * when both fall on the same row (a review, a new rating) one delta does
 * both, in one statement for the three grains, reasons included.  Each
 * writer adds to its own slot of a row (the transaction's id chooses it,
 * see fb_counter_slot), so concurrent writers to one tenant rarely wait on
 * each other; a count is the sum over the slots.  A row can hold a
 * negative number in one slot, never in the sum.
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
#include "utils/jsonb.h"
#include "utils/numeric.h"

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
	FbValue		agent_name;		/* read by ReadAgent */
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
 * kind, $7 source_surface, $8 slot, $9-$16 the deltas, $17 the delta of
 * the reasons ({"reason": n}).  The rows in the same order for every
 * writer: concurrent writers in one slot lock them in the same order.
 */
#define COUNTS_ROW(grain, start) \
	" ($1, '" grain "', " start ", $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
#define COUNTS_SUM(column) \
	column " = s." column " OPERATOR(pg_catalog.+) EXCLUDED." column
static FbQuery counts_add_query = {
	"INSERT INTO feedback.stats_counts AS s"
	"       (tenant_id, grain, bucket_start, agent_name, kind, source_surface, slot, feedback,"
	"        positive, negative, comment_only, to_review, auto_approved, reviewed, dismissed, reasons)"
	" VALUES" COUNTS_ROW("hour", "$2") "," COUNTS_ROW("day", "$3") "," COUNTS_ROW("month", "$4")
	" ON CONFLICT (tenant_id, grain, bucket_start, agent_name, kind, source_surface, slot) DO UPDATE"
	"   SET " COUNTS_SUM("feedback") ", " COUNTS_SUM("positive") ", " COUNTS_SUM("negative") ","
	"       " COUNTS_SUM("comment_only") ", " COUNTS_SUM("to_review") ", " COUNTS_SUM("auto_approved") ","
	"       " COUNTS_SUM("reviewed") ", " COUNTS_SUM("dismissed") ","
	"       reasons = feedback.stats_add_reasons(s.reasons, EXCLUDED.reasons)",
	17, {UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID,
		INT2OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, JSONBOID}
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
 * The count of a reason in a map of reason counts.
 */
static int64
ReasonCount(const JsonbValue *value)
{
	if (value->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reason counts must be a JSON object of integers")));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(value->val.numeric)));
}

/*
 * A change of the counters of one key: the counters, and the reasons of
 * negative feedback with their change (nonzero once merged).
 */
typedef struct StatsDelta
{
	int64		counters[SC_COUNT];
	int			n_reasons;
	int			max_reasons;	/* allocated */
	Datum	   *reasons;
	int64	   *reason_delta;
} StatsDelta;

/*
 * Add sign to the count of a reason in a delta.
 */
static void
AddReason(StatsDelta *delta, Datum reason, int sign)
{
	int			i;

	for (i = 0; i < delta->n_reasons; i++)
		if (SameText(delta->reasons[i], reason))
		{
			delta->reason_delta[i] += sign;
			return;
		}
	if (delta->n_reasons == delta->max_reasons)
	{
		delta->max_reasons = Max(8, 2 * delta->max_reasons);
		delta->reasons = delta->reasons ?
			repalloc(delta->reasons, sizeof(Datum) * delta->max_reasons) :
			palloc(sizeof(Datum) * delta->max_reasons);
		delta->reason_delta = delta->reason_delta ?
			repalloc(delta->reason_delta, sizeof(int64) * delta->max_reasons) :
			palloc(sizeof(int64) * delta->max_reasons);
	}
	delta->reasons[delta->n_reasons] = reason;
	delta->reason_delta[delta->n_reasons++] = sign;
}

/*
 * Add sign times a part to a delta: its counters, and each of its distinct
 * reasons if it is negative.
 */
static void
AddPart(StatsDelta *delta, const StatsPart *p, int sign)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	int			j;

	delta->counters[SC_FEEDBACK] += sign;
	delta->counters[p->rating == FB_RATING_POSITIVE ? SC_POSITIVE :
					p->rating == FB_RATING_NEGATIVE ? SC_NEGATIVE : SC_COMMENT_ONLY] += sign;
	delta->counters[status_counter[p->status]] += sign;
	if (p->rating != FB_RATING_NEGATIVE || p->reasons.isnull)
		return;
	deconstruct_array(DatumGetArrayTypeP(p->reasons.value), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			continue;
		for (j = 0; j < i && (nulls[j] || !SameText(elems[j], elems[i])); j++)
			;
		if (j == i)				/* its first occurrence */
			AddReason(delta, elems[i], sign);
	}
}

/*
 * The reasons of a delta as a JSON object {"reason": n}, the zeros left
 * out.
 */
static Datum
ReasonsObject(const StatsDelta *delta)
{
	JsonbParseState *state = NULL;
	int			i;

	fb_json_begin(&state);
	for (i = 0; i < delta->n_reasons; i++)
		if (delta->reason_delta[i] != 0)
			fb_json_int(&state, TextDatumGetCString(delta->reasons[i]), delta->reason_delta[i]);
	return JsonbPGetDatum(fb_json_end(&state));
}

/*
 * Apply a delta to the rows of a part's key, unless it changes nothing.
 */
static void
AddToCounts(const StatsPart *key, const StatsDelta *delta)
{
	Datum		values[9 + SC_COUNT];
	bool		nulls[9 + SC_COUNT] = {false};
	bool		any = false;
	int			i;

	for (i = 0; i < SC_COUNT; i++)
	{
		values[8 + i] = Int64GetDatum(delta->counters[i]);
		any |= delta->counters[i] != 0;
	}
	for (i = 0; i < delta->n_reasons; i++)
		any |= delta->reason_delta[i] != 0;
	if (!any)
		return;
	values[0] = key->tenant_id;
	values[1] = TimestampTzGetDatum(feedback_stats_bucket(key->created_at, FB_GRAIN_HOUR));
	values[2] = TimestampTzGetDatum(feedback_stats_bucket(key->created_at, FB_GRAIN_DAY));
	values[3] = TimestampTzGetDatum(feedback_stats_bucket(key->created_at, FB_GRAIN_MONTH));
	values[4] = key->agent_name.value;
	nulls[4] = key->agent_name.isnull;
	values[5] = key->kind;
	values[6] = key->source_surface;
	values[7] = Int16GetDatum(fb_counter_slot());
	values[8 + SC_COUNT] = ReasonsObject(delta);
	fb_exec(&counts_add_query, values, nulls, 0);
}

/*
 * Move a feedback's counts from its part before a change to its part
 * after it (either may be absent).
 */
static void
ApplyChange(const StatsPart *before, const StatsPart *after)
{
	StatsDelta	delta = {{0}};

	if (before->present && after->present && SameCountKey(before, after))
	{
		AddPart(&delta, after, 1);
		AddPart(&delta, before, -1);
		AddToCounts(after, &delta);
		return;
	}
	if (before->present)
	{
		AddPart(&delta, before, -1);
		AddToCounts(before, &delta);
	}
	if (after->present)
	{
		memset(&delta, 0, sizeof(delta));
		AddPart(&delta, after, 1);
		AddToCounts(after, &delta);
	}
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
		StatsDelta	delta = {{0}};

		part.agent_name = old_agent;
		AddPart(&delta, &part, -1);
		AddToCounts(&part, &delta);
		part.agent_name = new_agent;
		memset(&delta, 0, sizeof(delta));
		AddPart(&delta, &part, 1);
		AddToCounts(&part, &delta);
	}
}

PG_FUNCTION_INFO_V1(feedback_stats_add_reasons);
/*
 * stats_add_reasons(counts, delta): two maps {"reason": n} added key by
 * key, the zeros left out; how a change adds its reasons to a row of
 * stats_counts.
 */
Datum
feedback_stats_add_reasons(PG_FUNCTION_ARGS)
{
	Jsonb	   *counts = PG_GETARG_JSONB_P(0);
	Jsonb	   *delta = PG_GETARG_JSONB_P(1);
	JsonbParseState *state = NULL;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbIteratorToken tok;
	int			pass;

	fb_json_begin(&state);
	/* the keys of counts with delta's added, then delta's other keys */
	for (pass = 0; pass < 2; pass++)
	{
		Jsonb	   *from = pass == 0 ? counts : delta;
		Jsonb	   *other = pass == 0 ? delta : counts;

		if (!JB_ROOT_IS_OBJECT(from))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("reason counts must be a JSON object of integers")));
		it = JsonbIteratorInit(&from->root);
		while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
		{
			JsonbValue *in_other;
			int64		sum;

			if (tok != WJB_KEY)
				continue;
			JsonbIteratorNext(&it, &value, true);
			in_other = JB_ROOT_IS_OBJECT(other) ?
				findJsonbValueFromContainer(&other->root, JB_FOBJECT, &key) : NULL;
			if (pass == 1 && in_other != NULL)
				continue;		/* added in the first pass */
			sum = ReasonCount(&value) + (in_other ? ReasonCount(in_other) : 0);
			if (sum != 0)
				fb_json_int(&state, pnstrdup(key.val.string.val, key.val.string.len), sum);
		}
	}
	PG_RETURN_JSONB_P(fb_json_end(&state));
}
