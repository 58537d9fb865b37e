/*-------------------------------------------------------------------------
 *
 * stats_api.c
 *	  The analytics API: stats (what product teams chart), verify_stats
 *	  (the counters against a recomputation from the rows) and
 *	  rebuild_stats (for DBAs, after a bulk load).  The counters are kept
 *	  by the feedback trigger (stats.c).
 *
 * stats reads the counters of the buckets asked for, O(buckets x groups)
 * rows whatever the number of feedback; verify_stats and rebuild_stats
 * read every feedback of the tenant, counting in SQL on their own (not
 * through stats.c), so that verify_stats checks the triggers' arithmetic.
 *
 * src/stats_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/numeric.h"

#define STATS_MAX_BUCKETS	1000	/* the most buckets stats returns */
#define STATS_TOP_REASONS	10		/* the most reasons it names */

/* A bucket size of stats: its name, and the grain of counters it reads. */
typedef struct BucketSize
{
	const char *name;
	FbGrain		grain;
	const char *counters;		/* the grain of counters summed */
} BucketSize;

static const BucketSize bucket_sizes[] = {
	{"hour", FB_GRAIN_HOUR, "hour"},
	{"day", FB_GRAIN_DAY, "day"},
	{"week", FB_GRAIN_WEEK, "day"},
	{"month", FB_GRAIN_MONTH, "month"},
	{NULL}
};

/* The columns stats can group by. */
static const char *const group_columns[] = {"agent_name", "kind", "source_surface", NULL};

/*
 * The buckets of a range with their groups: $1 tenant, $2 grain of
 * counters, $3 and $4 the range, $5 whether to sum days into weeks, $6 the
 * column to group by (NULL: none).  Empty buckets are left out (their
 * reasons sum to nothing).  The maps of reasons come as they are, for
 * TopReasons to sum: in C that is a magnitude faster than jsonb_each.
 */
static FbQuery buckets_query = {
	"WITH b AS ("
	"  SELECT CASE WHEN $5 THEN pg_catalog.date_trunc('week', s.bucket_start, 'UTC')"
	"              ELSE s.bucket_start END AS start,"
	"         CASE $6 WHEN 'agent_name' THEN s.agent_name WHEN 'kind' THEN s.kind"
	"                 WHEN 'source_surface' THEN s.source_surface END AS grp,"
	"         pg_catalog.sum(s.feedback)::pg_catalog.int8 AS feedback,"
	"         pg_catalog.sum(s.positive)::pg_catalog.int8 AS positive,"
	"         pg_catalog.sum(s.negative)::pg_catalog.int8 AS negative,"
	"         pg_catalog.sum(s.comment_only)::pg_catalog.int8 AS comment_only,"
	"         pg_catalog.sum(s.to_review)::pg_catalog.int8 AS to_review,"
	"         pg_catalog.sum(s.auto_approved)::pg_catalog.int8 AS auto_approved,"
	"         pg_catalog.sum(s.reviewed)::pg_catalog.int8 AS reviewed,"
	"         pg_catalog.sum(s.dismissed)::pg_catalog.int8 AS dismissed,"
	"         pg_catalog.array_agg(s.reasons)"
	"           FILTER (WHERE s.reasons OPERATOR(pg_catalog.<>) '{}'::pg_catalog.jsonb) AS reasons"
	"    FROM feedback.stats_counts s"
	"   WHERE s.tenant_id OPERATOR(pg_catalog.=) $1 AND s.grain OPERATOR(pg_catalog.=) $2"
	"     AND s.bucket_start OPERATOR(pg_catalog.>=) $3 AND s.bucket_start OPERATOR(pg_catalog.<) $4"
	"   GROUP BY 1, 2)"
	"SELECT b.start, b.grp, b.feedback, b.positive, b.negative, b.comment_only, b.to_review,"
	"       b.auto_approved, b.reviewed, b.dismissed,"
	"       CASE WHEN b.positive OPERATOR(pg_catalog.+) b.negative OPERATOR(pg_catalog.>) 0"
	"            THEN (b.positive::pg_catalog.float8 OPERATOR(pg_catalog./)"
	"                  (b.positive OPERATOR(pg_catalog.+) b.negative))::pg_catalog.numeric"
	"       END AS positive_rate, b.reasons"
	"  FROM b WHERE b.feedback OPERATOR(pg_catalog.<>) 0"
	" ORDER BY b.start, b.grp COLLATE pg_catalog.\"C\"",
	6, {UUIDOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, BOOLOID, TEXTOID}
};

/* The grains of counters, as a relation grains(grain). */
#define GRAINS "(VALUES ('hour'), ('day'), ('month')) AS grains(grain)"

/* The key of a row of counts, and the start of its bucket in a grain. */
#define COUNT_KEY "grains.grain, pg_catalog.date_trunc(grains.grain, f.created_at, 'UTC') AS bucket_start," \
	" c.agent_name, f.kind, f.source_surface"
#define FEEDBACK_IN_GRAINS \
	"  FROM feedback.feedback f" \
	"  LEFT JOIN feedback.conversations c ON c.tenant_id OPERATOR(pg_catalog.=) f.tenant_id" \
	"   AND c.id OPERATOR(pg_catalog.=) f.conversation_id" \
	" CROSS JOIN " GRAINS

/* Two rows of counts have the same key (the agent may be NULL in both). */
#define SAME_COUNT_KEY(a, b) \
	a ".grain OPERATOR(pg_catalog.=) " b ".grain" \
	" AND " a ".bucket_start OPERATOR(pg_catalog.=) " b ".bucket_start" \
	" AND (" a ".agent_name IS NULL) OPERATOR(pg_catalog.=) (" b ".agent_name IS NULL)" \
	" AND COALESCE(" a ".agent_name, '') OPERATOR(pg_catalog.=) COALESCE(" b ".agent_name, '')" \
	" AND " a ".kind OPERATOR(pg_catalog.=) " b ".kind" \
	" AND " a ".source_surface OPERATOR(pg_catalog.=) " b ".source_surface"

/*
 * A tenant's ($1) counters recomputed from its feedback, in the columns of
 * stats_counts but slot.  reasons counts each distinct reason once per
 * negative feedback that gives it.
 */
#define RECOMPUTED_COUNTS \
	"SELECT n.*, COALESCE(m.reasons, '{}'::pg_catalog.jsonb) AS reasons FROM (" \
	"SELECT " COUNT_KEY "," \
	"       pg_catalog.count(*) AS feedback," \
	"       pg_catalog.count(*) FILTER (WHERE f.rating OPERATOR(pg_catalog.=) 'positive'::feedback.rating) AS positive," \
	"       pg_catalog.count(*) FILTER (WHERE f.rating OPERATOR(pg_catalog.=) 'negative'::feedback.rating) AS negative," \
	"       pg_catalog.count(*) FILTER (WHERE f.rating IS NULL) AS comment_only," \
	"       pg_catalog.count(*) FILTER (WHERE f.status OPERATOR(pg_catalog.=) 'to_review'::feedback.review_status) AS to_review," \
	"       pg_catalog.count(*) FILTER (WHERE f.status OPERATOR(pg_catalog.=) 'auto_approved'::feedback.review_status) AS auto_approved," \
	"       pg_catalog.count(*) FILTER (WHERE f.status OPERATOR(pg_catalog.=) 'reviewed'::feedback.review_status) AS reviewed," \
	"       pg_catalog.count(*) FILTER (WHERE f.status OPERATOR(pg_catalog.=) 'dismissed'::feedback.review_status) AS dismissed" \
	FEEDBACK_IN_GRAINS \
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1" \
	" GROUP BY 1, 2, 3, 4, 5) n" \
	" LEFT JOIN (SELECT k.grain, k.bucket_start, k.agent_name, k.kind, k.source_surface," \
	"                   pg_catalog.jsonb_object_agg(k.reason, k.n) AS reasons" \
	"              FROM (SELECT " COUNT_KEY ", r.reason, pg_catalog.count(*) AS n" \
	FEEDBACK_IN_GRAINS \
	"                   CROSS JOIN LATERAL (SELECT DISTINCT x.reason" \
	"                                         FROM pg_catalog.unnest(f.reasons) AS x(reason)" \
	"                                        WHERE x.reason IS NOT NULL) AS r" \
	"                 WHERE f.tenant_id OPERATOR(pg_catalog.=) $1" \
	"                   AND f.rating OPERATOR(pg_catalog.=) 'negative'::feedback.rating" \
	"                 GROUP BY 1, 2, 3, 4, 5, 6) k" \
	"             GROUP BY 1, 2, 3, 4, 5) m ON " SAME_COUNT_KEY("m", "n")

/* The counters of a row of counts as a JSON object. */
#define COUNTS_OBJECT(a) \
	"pg_catalog.jsonb_build_object('feedback', COALESCE(" a ".feedback, 0)," \
	" 'positive', COALESCE(" a ".positive, 0), 'negative', COALESCE(" a ".negative, 0)," \
	" 'comment_only', COALESCE(" a ".comment_only, 0), 'to_review', COALESCE(" a ".to_review, 0)," \
	" 'auto_approved', COALESCE(" a ".auto_approved, 0), 'reviewed', COALESCE(" a ".reviewed, 0)," \
	" 'dismissed', COALESCE(" a ".dismissed, 0), 'reasons', COALESCE(" a ".reasons, '{}'::pg_catalog.jsonb))"

/*
 * Every bucket (grain, start, group, or reason) where the counters differ
 * from their recomputation, as a JSON array: $1 tenant.
 */
static FbQuery verify_query = {
	"WITH r AS (" RECOMPUTED_COUNTS "),"
	" m AS (SELECT s.grain, s.bucket_start, s.agent_name, s.kind, s.source_surface,"
	"              pg_catalog.sum(s.feedback) AS feedback, pg_catalog.sum(s.positive) AS positive,"
	"              pg_catalog.sum(s.negative) AS negative, pg_catalog.sum(s.comment_only) AS comment_only,"
	"              pg_catalog.sum(s.to_review) AS to_review, pg_catalog.sum(s.auto_approved) AS auto_approved,"
	"              pg_catalog.sum(s.reviewed) AS reviewed, pg_catalog.sum(s.dismissed) AS dismissed,"
	"              (SELECT COALESCE(pg_catalog.jsonb_object_agg(e.key, e.n) FILTER (WHERE e.n OPERATOR(pg_catalog.<>) 0),"
	"                               '{}'::pg_catalog.jsonb)"
	"                 FROM (SELECT j.key, pg_catalog.sum(j.value::pg_catalog.int8) AS n"
	"                         FROM pg_catalog.unnest(pg_catalog.array_agg(s.reasons)) AS x(reasons),"
	"                              pg_catalog.jsonb_each_text(x.reasons) AS j"
	"                        GROUP BY 1) e) AS reasons"
	"         FROM feedback.stats_counts s WHERE s.tenant_id OPERATOR(pg_catalog.=) $1"
	"        GROUP BY 1, 2, 3, 4, 5)"
	"SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('grain', COALESCE(r.grain, m.grain),"
	"           'start', " SQL_UTC_TIME("COALESCE(r.bucket_start, m.bucket_start)") ","
	"           'agent_name', CASE WHEN r.grain IS NULL THEN m.agent_name ELSE r.agent_name END,"
	"           'kind', COALESCE(r.kind, m.kind), 'source_surface', COALESCE(r.source_surface, m.source_surface),"
	"           'counted', " COUNTS_OBJECT("m") ", 'recomputed', " COUNTS_OBJECT("r") ")"
	"         ORDER BY COALESCE(r.bucket_start, m.bucket_start), COALESCE(r.grain, m.grain),"
	"                  COALESCE(r.agent_name, m.agent_name), COALESCE(r.kind, m.kind),"
	"                  COALESCE(r.source_surface, m.source_surface)),"
	"                '[]'::pg_catalog.jsonb) AS differences"
	"  FROM r FULL JOIN m ON " SAME_COUNT_KEY("r", "m")
	" WHERE " COUNTS_OBJECT("m") " OPERATOR(pg_catalog.<>) " COUNTS_OBJECT("r"),
	1, {UUIDOID}
};

static FbQuery clear_counts_query = {
	"DELETE FROM feedback.stats_counts s WHERE s.tenant_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery rebuild_counts_query = {
	"INSERT INTO feedback.stats_counts (tenant_id, grain, bucket_start, agent_name, kind, source_surface,"
	"       slot, feedback, positive, negative, comment_only, to_review, auto_approved, reviewed, dismissed,"
	"       reasons)"
	" SELECT $1, r.grain, r.bucket_start, r.agent_name, r.kind, r.source_surface, 0, r.feedback,"
	"        r.positive, r.negative, r.comment_only, r.to_review, r.auto_approved, r.reviewed, r.dismissed,"
	"        r.reasons"
	"   FROM (" RECOMPUTED_COUNTS ") r",
	1, {UUIDOID}
};

/*
 * The bucket size called name, or 22023.
 */
static const BucketSize *
ParseBucket(const char *name)
{
	int			i;

	for (i = 0; bucket_sizes[i].name != NULL; i++)
		if (strcmp(bucket_sizes[i].name, name) == 0)
			return &bucket_sizes[i];
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("bucket \"%s\" is not a bucket size", fb_quotable(name)),
			 errhint("Use hour, day, week or month.")));
}

/*
 * The group_by column called name, or 22023.
 */
static const char *
ParseGroupBy(const char *name)
{
	int			i;

	for (i = 0; group_columns[i] != NULL; i++)
		if (strcmp(group_columns[i], name) == 0)
			return group_columns[i];
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("group_by \"%s\" is not a column stats can group by", fb_quotable(name)),
			 errhint("Use agent_name, kind or source_surface, or leave group_by out for no groups.")));
}

/*
 * The number of buckets of a size from the bucket starting at from to the
 * one starting at to.
 */
static int64
BucketsBetween(TimestampTz from, TimestampTz to, FbGrain grain)
{
	struct pg_tm a;
	struct pg_tm b;
	fsec_t		fsec;

	switch (grain)
	{
		case FB_GRAIN_HOUR:
			return (to - from) / USECS_PER_HOUR;
		case FB_GRAIN_DAY:
			return (to - from) / USECS_PER_DAY;
		case FB_GRAIN_WEEK:
			return (to - from) / (7 * USECS_PER_DAY);
		case FB_GRAIN_MONTH:
			break;
	}
	if (timestamp2tm(from, NULL, &a, &fsec, NULL, NULL) != 0 ||
		timestamp2tm(to, NULL, &b, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return (int64) (b.tm_year - a.tm_year) * 12 + (b.tm_mon - a.tm_mon);
}

/* A reason, its name pointing into a map of reasons, and its count. */
typedef struct ReasonKey
{
	const char *name;
	int			len;
} ReasonKey;

typedef struct ReasonCount
{
	ReasonKey	key;			/* first: the hash table's key */
	int64		count;
} ReasonCount;

/*
 * The hash of a reason, and whether two are the same (0), for the table
 * that sums them.
 */
static uint32
ReasonHash(const void *key, Size keysize)
{
	const ReasonKey *k = key;

	return hash_bytes((const unsigned char *) k->name, k->len);
}

static int
ReasonMatch(const void *a, const void *b, Size keysize)
{
	const ReasonKey *x = a;
	const ReasonKey *y = b;

	return x->len == y->len && memcmp(x->name, y->name, x->len) == 0 ? 0 : 1;
}

/*
 * Order reasons by count, most first, then by name in byte order.
 */
static int
ByCount(const void *a, const void *b)
{
	const ReasonCount *x = a;
	const ReasonCount *y = b;
	int			c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = memcmp(x->key.name, y->key.name, Min(x->key.len, y->key.len));
	return c != 0 ? c : (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

/*
 * Add the reason counts of one map to sums.  Maps hold their keys in one
 * canonical order, so a map often has the keys of the one before at the
 * same places: those reuse its entries (*last, *n_last) without a lookup.
 */
static void
SumReasons(HTAB *sums, Jsonb *map, ReasonCount ***last, int *n_last)
{
	JsonbIterator *it = JsonbIteratorInit(&map->root);
	JsonbValue	key;
	JsonbValue	value;
	JsonbIteratorToken tok;
	int			n = JB_ROOT_COUNT(map);
	int			i = 0;

	if (n > *n_last)
	{
		ReasonCount **more = palloc0(sizeof(ReasonCount *) * n);

		if (*last)
			memcpy(more, *last, sizeof(ReasonCount *) * *n_last);
		*last = more;
		*n_last = n;
	}
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		ReasonCount *entry = (*last)[i];

		if (tok != WJB_KEY)
			continue;
		JsonbIteratorNext(&it, &value, true);
		if (entry == NULL || entry->key.len != key.val.string.len ||
			memcmp(entry->key.name, key.val.string.val, key.val.string.len) != 0)
		{
			ReasonKey	k;
			bool		found;

			k.name = key.val.string.val;
			k.len = key.val.string.len;
			entry = hash_search(sums, &k, HASH_ENTER, &found);
			if (!found)
				entry->count = 0;
			(*last)[i] = entry;
		}
		if (value.type == jbvNumeric)
			entry->count += DatumGetInt64(DirectFunctionCall1(numeric_int8,
															  NumericGetDatum(value.val.numeric)));
		i++;
	}
}

/*
 * Push top_negative_reasons: the maps of reasons of the rows the buckets
 * query returned (n), summed, the most given first (at most
 * STATS_TOP_REASONS), then by name.
 */
static void
TopReasons(JsonbParseState **state, int n)
{
	HASHCTL		ctl;
	HTAB	   *sums;
	HASH_SEQ_STATUS seq;
	ReasonCount *entry;
	ReasonCount *sorted;
	ReasonCount **last = NULL;
	int			n_last = 0;
	int			kept = 0;
	int			row;
	int			i;

	ctl.keysize = sizeof(ReasonKey);
	ctl.entrysize = sizeof(ReasonCount);
	ctl.hash = ReasonHash;
	ctl.match = ReasonMatch;
	ctl.hcxt = CurrentMemoryContext;
	sums = hash_create("top_negative_reasons", 64, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	for (row = 0; row < n; row++)
	{
		FbValue		maps = fb_get_val(row, "reasons");
		Datum	   *elems;
		bool	   *nulls;
		int			n_maps;

		if (maps.isnull)
			continue;
		deconstruct_array(DatumGetArrayTypeP(maps.value), JSONBOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n_maps);
		for (i = 0; i < n_maps; i++)
			if (!nulls[i])
				SumReasons(sums, DatumGetJsonbP(elems[i]), &last, &n_last);
	}

	sorted = palloc(sizeof(ReasonCount) * Max(hash_get_num_entries(sums), 1));
	hash_seq_init(&seq, sums);
	while ((entry = hash_seq_search(&seq)) != NULL)
		if (entry->count > 0)
			sorted[kept++] = *entry;
	if (kept > 0)
		qsort(sorted, kept, sizeof(ReasonCount), ByCount);

	fb_json_key(state, "top_negative_reasons");
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < kept && i < STATS_TOP_REASONS; i++)
	{
		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		fb_json_text(state, "reason", pnstrdup(sorted[i].key.name, sorted[i].key.len));
		fb_json_int(state, "count", sorted[i].count);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

PG_FUNCTION_INFO_V1(feedback_stats);
/*
 * stats(tenant_id, from, to, bucket, group_by): the tenant's feedback
 * created in [from, to), both rounded down to the start of their bucket,
 * counted by bucket (and group), with the top reasons of negative feedback.
 */
Datum
feedback_stats(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	const BucketSize *size;
	const char *group_by = NULL;
	TimestampTz from;
	TimestampTz to;
	int64		buckets;
	Datum		values[6];
	bool		nulls[6] = {false};
	JsonbParseState *state = NULL;
	int			n;
	int			i;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	fb_require_arg(fcinfo, 1, "from");
	fb_require_arg(fcinfo, 2, "to");
	fb_require_arg(fcinfo, 3, "bucket");
	fb_check_timestamp(PG_GETARG_TIMESTAMPTZ(1), "from");
	fb_check_timestamp(PG_GETARG_TIMESTAMPTZ(2), "to");
	size = ParseBucket(text_to_cstring(PG_GETARG_TEXT_PP(3)));
	if (!PG_ARGISNULL(4))
		group_by = ParseGroupBy(text_to_cstring(PG_GETARG_TEXT_PP(4)));
	from = feedback_stats_bucket(PG_GETARG_TIMESTAMPTZ(1), size->grain);
	to = feedback_stats_bucket(PG_GETARG_TIMESTAMPTZ(2), size->grain);
	if (to < from)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("to (%s) is before from (%s)", fb_format_timestamp(PG_GETARG_TIMESTAMPTZ(2)),
						fb_format_timestamp(PG_GETARG_TIMESTAMPTZ(1))),
				 errhint("The range is [from, to): pass the earlier time as from.")));
	buckets = BucketsBetween(from, to, size->grain);
	if (buckets > STATS_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the range holds " INT64_FORMAT " %s buckets; at most %d are allowed",
						buckets, size->name, STATS_MAX_BUCKETS),
				 errhint("Use a shorter range or a larger bucket.")));

	values[0] = PG_GETARG_DATUM(0);
	values[1] = CStringGetTextDatum(size->counters);
	values[2] = TimestampTzGetDatum(from);
	values[3] = TimestampTzGetDatum(to);
	values[4] = BoolGetDatum(size->grain == FB_GRAIN_WEEK);
	values[5] = group_by ? CStringGetTextDatum(group_by) : (Datum) 0;
	nulls[5] = group_by == NULL;

	fb_json_begin(&state);
	fb_json_key(&state, "buckets");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	n = fb_exec(&buckets_query, values, nulls, 0);
	for (i = 0; i < n; i++)
	{
		int			c;

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		fb_json_timestamp(&state, "start", fb_get_val(i, "start"));
		fb_json_datum_text(&state, "group", fb_get_val(i, "grp"));
		/* the counters: columns 3 to 10 */
		for (c = 3; c <= 10; c++)
			fb_json_int(&state, SPI_fname(SPI_tuptable->tupdesc, c), DatumGetInt64(fb_val(i, c).value));
		fb_json_datum_numeric(&state, "positive_rate", fb_get_val(i, "positive_rate"));
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);

	TopReasons(&state, n);
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

PG_FUNCTION_INFO_V1(feedback_verify_stats);
/*
 * verify_stats(tenant_id): every bucket (and group) where the counters
 * differ from a recomputation from the tenant's feedback; [] when they agree.
 */
Datum
feedback_verify_stats(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	bool		isnull;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	fb_exec(&verify_query, (Datum[]) {PG_GETARG_DATUM(0)}, NULL, 1);
	PG_RETURN_DATUM(fb_finish_jsonb(DatumGetJsonbP(fb_get(0, "differences", &isnull))));
}

PG_FUNCTION_INFO_V1(feedback_rebuild_stats);
/*
 * rebuild_stats(tenant_id): replace the tenant's counters by their
 * recomputation; returns the number of rows of counts written.
 */
Datum
feedback_rebuild_stats(PG_FUNCTION_ARGS)
{
	Datum		tenant;
	int64		rows;

	fb_require_arg(fcinfo, 0, "tenant_id");
	tenant = PG_GETARG_DATUM(0);
	fb_connect();
	fb_exec(&clear_counts_query, &tenant, NULL, 0);
	rows = fb_exec(&rebuild_counts_query, &tenant, NULL, 0);
	SPI_finish();
	PG_RETURN_INT64(rows);
}
