/*-------------------------------------------------------------------------
 *
 * queue_api.c
 *	  The review queue API: grouped_by_conversation, verify_review_groups
 *	  and rebuild_review_groups, over the group state the triggers keep
 *	  (queue.c).
 *
 * The index (tenant_id, archived, state, latest_updated_at, group_id) of
 * feedback.review_groups orders every bucket, and a page is a merge of the
 * buckets its filter keeps: up to six ordered index range scans, then the
 * page's own feedback.  verify_review_groups recomputes everything from
 * the feedback and reports any difference; rebuild_review_groups rebuilds
 * a tenant's groups (after a bulk load with the triggers off).
 *
 * A search forms groups from the matching feedback only, found through
 * trigram indexes on the comments (feedback.feedback_comments, kept by the
 * trigger) and on the giver's email, so its cost follows the matches, not
 * the tenant.
 *
 * src/queue_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

static FbQuery counts_query = {
	"SELECT n.archived, n.state, pg_catalog.sum(n.groups)::pg_catalog.int8 AS groups"
	"  FROM feedback.review_group_counts n WHERE n.tenant_id OPERATOR(pg_catalog.=) $1"
	" GROUP BY n.archived, n.state",
	1, {UUIDOID}
};

/* The longest search, in characters: its cost grows with its length. */
#define SEARCH_MAX_CHARS 256

/*
 * One bucket of the page: its ordered range (all of it, or after or before
 * a position), enabled by a parameter.  The parameters of every page
 * query: $1 tenant, $2-$7 the buckets (not archived: to_review, mixed,
 * reviewed; then archived), $8 limit, $9 and $10 the offset, or the
 * position (latest_updated_at, group_id).
 */
#define PAGE_BUCKET(archived, state, param, range, dir, limit) \
	"(SELECT g.group_id, g.ungrouped, g.latest_updated_at FROM feedback.review_groups g" \
	"  WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND " archived \
	"    AND g.state OPERATOR(pg_catalog.=) " state "::pg_catalog.int2 AND " param range \
	"  ORDER BY g.latest_updated_at " dir ", g.group_id " dir \
	"  LIMIT " limit ")"
#define BUCKETS(range, dir, limit) \
	PAGE_BUCKET("NOT g.archived", "0", "$2", range, dir, limit) " UNION ALL " \
	PAGE_BUCKET("NOT g.archived", "1", "$3", range, dir, limit) " UNION ALL " \
	PAGE_BUCKET("NOT g.archived", "2", "$4", range, dir, limit) " UNION ALL " \
	PAGE_BUCKET("g.archived", "0", "$5", range, dir, limit) " UNION ALL " \
	PAGE_BUCKET("g.archived", "1", "$6", range, dir, limit) " UNION ALL " \
	PAGE_BUCKET("g.archived", "2", "$7", range, dir, limit)
#define AFTER_POSITION \
	" AND (g.latest_updated_at, g.group_id) OPERATOR(pg_catalog.<) ($9, $10)"
#define BEFORE_POSITION \
	" AND (g.latest_updated_at, g.group_id) OPERATOR(pg_catalog.>) ($9, $10)"
#define PAGE_ARGTYPES \
	{UUIDOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, INT8OID, TIMESTAMPTZOID, UUIDOID}

/* The columns both page queries return, read by name. */
#define GROUP_COLUMNS \
	" p.group_id, p.ungrouped, c.title AS conversation_title," \
	" c.created_at AS conversation_created_at, c.agent_name, p.archived," \
	" p.feedback_count::pg_catalog.int8 AS feedback_count," \
	" p.to_review_count::pg_catalog.int8 AS to_review_count," \
	" p.reviewed_count::pg_catalog.int8 AS reviewed_count," \
	" p.positive_count::pg_catalog.int8 AS positive_count," \
	" p.negative_count::pg_catalog.int8 AS negative_count, p.latest_updated_at"
#define ITEM_COLUMNS \
	" f.id, f.status, f.comment, f.rating, f.user_id, u.email, f.updated_at"
#define CONVERSATION_JOIN \
	"  LEFT JOIN feedback.conversations c ON NOT p.ungrouped" \
	"   AND c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) p.group_id"

/*
 * A page of the maintained groups: the buckets merged, then the page's
 * groups with their feedback, newest first.  page_limit limits the merge.
 */
#define PAGE_QUERY(range, dir, bucket_limit, page_limit) \
	"WITH keys AS MATERIALIZED (" \
	"  SELECT k.group_id, k.ungrouped, k.latest_updated_at FROM (" \
	BUCKETS(range, dir, bucket_limit) \
	"  ) k ORDER BY k.latest_updated_at " dir ", k.group_id " dir " " page_limit ")" \
	"SELECT" GROUP_COLUMNS "," ITEM_COLUMNS \
	"  FROM keys k" \
	"  JOIN feedback.review_groups p ON p.tenant_id OPERATOR(pg_catalog.=) $1" \
	"   AND p.group_id OPERATOR(pg_catalog.=) k.group_id AND p.ungrouped OPERATOR(pg_catalog.=) k.ungrouped" \
	CONVERSATION_JOIN \
	"  CROSS JOIN LATERAL (" \
	"    (SELECT i.id, i.status, i.comment, i.rating, i.user_id, i.updated_at FROM feedback.feedback i" \
	"      WHERE i.tenant_id OPERATOR(pg_catalog.=) $1 AND NOT p.ungrouped" \
	"        AND i.conversation_id OPERATOR(pg_catalog.=) p.group_id)" \
	"    UNION ALL" \
	"    (SELECT i.id, i.status, i.comment, i.rating, i.user_id, i.updated_at FROM feedback.feedback i" \
	"      WHERE i.tenant_id OPERATOR(pg_catalog.=) $1 AND p.ungrouped" \
	"        AND i.id OPERATOR(pg_catalog.=) p.group_id)) f" \
	"  JOIN feedback.users u ON u.id OPERATOR(pg_catalog.=) f.user_id" \
	" ORDER BY k.latest_updated_at DESC, k.group_id DESC, f.updated_at DESC, f.id DESC"

/* By offset ($9): a direct call's limit and offset. */
static FbQuery page_query = {
	PAGE_QUERY("", "DESC", "$8 OPERATOR(pg_catalog.+) $9", "LIMIT $8 OFFSET $9"),
	9, {UUIDOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, INT8OID, INT8OID}
};

/* The page after a position: keyset paging, one range scan per bucket. */
static FbQuery page_after_query = {
	PAGE_QUERY(AFTER_POSITION, "DESC", "$8", "LIMIT $8"),
	10, PAGE_ARGTYPES
};

/* The page before a position. */
static FbQuery page_before_query = {
	PAGE_QUERY(BEFORE_POSITION, "ASC", "$8", "LIMIT $8"),
	10, PAGE_ARGTYPES
};

/* Whether any group comes after a position ($8 unused). */
static FbQuery any_after_query = {
	"SELECT EXISTS (" BUCKETS(AFTER_POSITION, "DESC", "1") ") AS found",
	10, PAGE_ARGTYPES
};

/* Whether any group comes before a position ($8 unused). */
static FbQuery any_before_query = {
	"SELECT EXISTS (" BUCKETS(BEFORE_POSITION, "ASC", "1") ") AS found",
	10, PAGE_ARGTYPES
};

/*
 * A page of groups formed from the feedback matching a search: $1 tenant,
 * $2 ILIKE pattern, $3 include archived, $4-$6 states kept (to_review,
 * mixed, reviewed), $7 limit, $8 offset, $9 0 for the page at the offset,
 * 1 for the page after the position ($10, $11), 2 for the one before it.
 * The page is the groups ranked lo + 1 to hi (columns lo and hi, with the
 * number of groups in total); a page past the end is one row of NULLs but
 * for them.
 */
static FbQuery search_query = {
	"WITH rows AS MATERIALIZED ("
	"  SELECT f.id, f.status, f.comment, f.rating, f.user_id, f.updated_at,"
	"         COALESCE(f.conversation_id, f.id) AS group_id, f.conversation_id IS NULL AS ungrouped"
	"    FROM feedback.feedback_comments s"
	"    JOIN feedback.feedback f ON f.tenant_id OPERATOR(pg_catalog.=) $1"
	"     AND f.id OPERATOR(pg_catalog.=) s.feedback_id"
	"   WHERE s.tenant_id OPERATOR(pg_catalog.=) $1 AND s.comment OPERATOR(pg_catalog.~~*) $2"
	"  UNION"
	"  SELECT f.id, f.status, f.comment, f.rating, f.user_id, f.updated_at,"
	"         COALESCE(f.conversation_id, f.id), f.conversation_id IS NULL"
	"    FROM feedback.users u"
	"    JOIN feedback.feedback f ON f.tenant_id OPERATOR(pg_catalog.=) $1"
	"     AND f.user_id OPERATOR(pg_catalog.=) u.id"
	"   WHERE u.email OPERATOR(pg_catalog.~~*) $2"
	"), groups AS MATERIALIZED ("
	"  SELECT r.group_id, r.ungrouped, pg_catalog.count(*) AS feedback_count,"
	"         pg_catalog.count(*) FILTER (WHERE r.status OPERATOR(pg_catalog.=) 'to_review'::feedback.review_status) AS to_review_count,"
	"         pg_catalog.count(*) FILTER (WHERE r.status OPERATOR(pg_catalog.<>) 'to_review'::feedback.review_status) AS reviewed_count,"
	"         pg_catalog.count(*) FILTER (WHERE r.rating OPERATOR(pg_catalog.=) 'positive'::feedback.rating) AS positive_count,"
	"         pg_catalog.count(*) FILTER (WHERE r.rating OPERATOR(pg_catalog.=) 'negative'::feedback.rating) AS negative_count,"
	"         pg_catalog.max(r.updated_at) AS latest_updated_at"
	"    FROM rows r GROUP BY r.group_id, r.ungrouped"
	"), kept AS MATERIALIZED ("
	"  SELECT g.*, a.archived FROM groups g"
	"   CROSS JOIN LATERAL (SELECT COALESCE((SELECT c.is_archived FROM feedback.conversations c"
	"                        WHERE NOT g.ungrouped AND c.tenant_id OPERATOR(pg_catalog.=) $1"
	"                          AND c.id OPERATOR(pg_catalog.=) g.group_id), false) AS archived) a"
	"   WHERE ($3 OR NOT a.archived)"
	"     AND CASE WHEN g.reviewed_count OPERATOR(pg_catalog.=) 0 THEN $4"
	"              WHEN g.to_review_count OPERATOR(pg_catalog.=) 0 THEN $6 ELSE $5 END"
	"), ranked AS MATERIALIZED ("
	"  SELECT k.*, pg_catalog.row_number() OVER (ORDER BY k.latest_updated_at DESC, k.group_id DESC) AS rn"
	"    FROM kept k"
	"), counts AS MATERIALIZED ("
	"  SELECT pg_catalog.count(*) AS total,"
	"         pg_catalog.count(*) FILTER (WHERE (r.latest_updated_at, r.group_id) OPERATOR(pg_catalog.>=) ($10, $11)) AS upto,"
	"         pg_catalog.count(*) FILTER (WHERE (r.latest_updated_at, r.group_id) OPERATOR(pg_catalog.>) ($10, $11)) AS ahead"
	"    FROM ranked r"
	"), bounds AS MATERIALIZED ("
	"  SELECT c.total,"
	"         CASE $9 WHEN 1 THEN c.upto WHEN 2 THEN GREATEST(c.ahead OPERATOR(pg_catalog.-) $7, 0) ELSE $8 END AS lo,"
	"         CASE $9 WHEN 1 THEN c.upto OPERATOR(pg_catalog.+) $7 WHEN 2 THEN c.ahead"
	"              ELSE $8 OPERATOR(pg_catalog.+) $7 END AS hi"
	"    FROM counts c"
	"), page AS MATERIALIZED ("
	"  SELECT r.* FROM ranked r, bounds b"
	"   WHERE r.rn OPERATOR(pg_catalog.>) b.lo AND r.rn OPERATOR(pg_catalog.<=) b.hi"
	")"
	"SELECT" GROUP_COLUMNS "," ITEM_COLUMNS ", t.total, t.lo, t.hi"
	"  FROM bounds t"
	"  LEFT JOIN page p ON true"
	"  LEFT JOIN LATERAL (SELECT c.title, c.created_at, c.agent_name FROM feedback.conversations c"
	"                      WHERE NOT p.ungrouped AND c.tenant_id OPERATOR(pg_catalog.=) $1"
	"                        AND c.id OPERATOR(pg_catalog.=) p.group_id) c ON true"
	"  LEFT JOIN rows f ON f.group_id OPERATOR(pg_catalog.=) p.group_id"
	"   AND f.ungrouped OPERATOR(pg_catalog.=) p.ungrouped"
	"  LEFT JOIN feedback.users u ON u.id OPERATOR(pg_catalog.=) f.user_id"
	" ORDER BY p.latest_updated_at DESC, p.group_id DESC, f.updated_at DESC, f.id DESC",
	11, {UUIDOID, TEXTOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, INT8OID, INT8OID, INT4OID,
	TIMESTAMPTZOID, UUIDOID}
};

/*
 * An ILIKE pattern matching s literally anywhere: %, _ and \ escaped.
 */
static char *
LiteralPattern(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '%');
	for (; *s; s++)
	{
		if (*s == '%' || *s == '_' || *s == '\\')
			appendStringInfoChar(&buf, '\\');
		appendStringInfoChar(&buf, *s);
	}
	appendStringInfoChar(&buf, '%');
	return buf.data;
}

/*
 * Push one queue item (a feedback of a group) from result row i.
 */
static void
PushItem(JsonbParseState **state, int i)
{
	FbValue		rating = fb_get_val(i, "rating");
	bool		positive = !rating.isnull && (uint8) DatumGetChar(rating.value) == FB_RATING_POSITIVE;

	fb_json_begin(state);
	fb_json_uuid(state, "id", fb_get_val(i, "id"));
	fb_json_text(state, "status",
				 feedback_status_name((uint8) DatumGetChar(fb_get_val(i, "status").value)));
	fb_json_datum_text(state, "feedback", fb_get_val(i, "comment"));
	fb_json_datum_bool(state, "is_positive", rating.isnull ? FB_NULL : FB_VALUE(BoolGetDatum(positive)));
	fb_json_text(state, "rating", rating.isnull ? NULL : feedback_rating_name(positive));
	fb_json_user(state, "given_by", fb_get_val(i, "user_id"), fb_get_text(i, "email"));
	fb_json_timestamp(state, "updated_at", fb_get_val(i, "updated_at"));
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * Push the groups of the n result rows (GROUP_COLUMNS, ITEM_COLUMNS, one
 * row per feedback, ordered by group then feedback) as an array.
 */
static void
PushGroups(JsonbParseState **state, int n)
{
	int			i = 0;

	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	while (i < n && !fb_get_val(i, "group_id").isnull)
	{
		Datum		group_id = fb_get_val(i, "group_id").value;
		bool		ungrouped = DatumGetBool(fb_get_val(i, "ungrouped").value);
		int64		to_review = DatumGetInt64(fb_get_val(i, "to_review_count").value);
		int64		reviewed = DatumGetInt64(fb_get_val(i, "reviewed_count").value);
		static const char *const summaries[] = {"to_review", "mixed", "reviewed"};

		fb_json_begin(state);
		fb_json_uuid(state, "conversation_id", ungrouped ? FB_NULL : FB_VALUE(group_id));
		fb_json_datum_text(state, "conversation_title", fb_get_val(i, "conversation_title"));
		fb_json_timestamp(state, "conversation_created_at",
						  fb_get_val(i, "conversation_created_at"));
		fb_json_datum_text(state, "agent_name", fb_get_val(i, "agent_name"));
		fb_json_bool(state, "conversation_is_archived",
					 DatumGetBool(fb_get_val(i, "archived").value));
		fb_json_int(state, "feedback_count", DatumGetInt64(fb_get_val(i, "feedback_count").value));
		fb_json_int(state, "to_review_count", to_review);
		fb_json_int(state, "reviewed_count", reviewed);
		fb_json_int(state, "positive_count", DatumGetInt64(fb_get_val(i, "positive_count").value));
		fb_json_int(state, "negative_count", DatumGetInt64(fb_get_val(i, "negative_count").value));
		fb_json_text(state, "status_summary", summaries[feedback_group_state(to_review, reviewed)]);
		fb_json_timestamp(state, "latest_updated_at", fb_get_val(i, "latest_updated_at"));
		fb_json_bool(state, "has_unreviewed", to_review > 0);
		fb_json_key(state, "feedbacks");
		pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
		for (; i < n &&
			 DatumGetBool(DirectFunctionCall2(uuid_eq, fb_get_val(i, "group_id").value, group_id)) &&
			 DatumGetBool(fb_get_val(i, "ungrouped").value) == ungrouped; i++)
			PushItem(state, i);
		pushJsonbValue(state, WJB_END_ARRAY, NULL);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

/* The filters of a queue cursor: the states kept, and archived groups. */
#define KEEP_TO_REVIEW	0x01
#define KEEP_MIXED		0x02
#define KEEP_REVIEWED	0x04
#define KEEP_ARCHIVED	0x08

/* What a page of the queue is: from the call's arguments or its cursor. */
typedef struct QueuePage
{
	uint8		keep;			/* KEEP_* */
	char	   *search;			/* NULL when none */
	int			limit;
	int			offset;
	FbCursor   *cursor;			/* NULL for the page at offset */
} QueuePage;

/*
 * Raise 22023 unless a search has at most SEARCH_MAX_CHARS characters.
 */
static void
CheckSearch(const char *search)
{
	if (pg_mbstrlen(search) > SEARCH_MAX_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("search must have at most %d characters", SEARCH_MAX_CHARS),
				 errhint("Search for a word or a phrase of the comment, or part of an email.")));
}

/*
 * The page a call asks for: its cursor when it gives one (which overrides
 * every other paging argument and filter), else its arguments.
 */
static void
PageOfCall(FunctionCallInfo fcinfo, QueuePage *page)
{
	char	   *status;

	memset(page, 0, sizeof(*page));
	if (!PG_ARGISNULL(6))
	{
		page->cursor = palloc(sizeof(FbCursor));
		fb_cursor_decode(text_to_cstring(PG_GETARG_TEXT_PP(6)), 'q', PG_GETARG_DATUM(0), page->cursor);
		page->keep = page->cursor->flags;
		if ((page->keep & ~(KEEP_TO_REVIEW | KEEP_MIXED | KEEP_REVIEWED | KEEP_ARCHIVED)) != 0 ||
			(page->keep & (KEEP_TO_REVIEW | KEEP_MIXED | KEEP_REVIEWED)) == 0)
			fb_cursor_malformed("its filters are unknown");
		page->search = page->cursor->text;
		if (page->search != NULL)
			CheckSearch(page->search);
		page->limit = page->cursor->limit;
		return;
	}

	fb_require_arg(fcinfo, 3, "include_archived");
	fb_check_page(fcinfo, 4, 5);
	page->limit = PG_GETARG_INT32(4);
	page->offset = PG_GETARG_INT32(5);
	page->keep = KEEP_TO_REVIEW | KEEP_MIXED | KEEP_REVIEWED | (PG_GETARG_BOOL(3) ? KEEP_ARCHIVED : 0);
	page->search = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (page->search != NULL && page->search[0] == '\0')
		page->search = NULL;
	if (page->search != NULL)
		CheckSearch(page->search);

	status = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (status != NULL)
	{
		uint8		word;

		if (strcmp(status, "mixed") == 0)
			page->keep &= ~(KEEP_TO_REVIEW | KEEP_REVIEWED);
		else if (!feedback_status_parse(status, strlen(status), &word) ||
				 (word != FB_STATUS_TO_REVIEW && word != FB_STATUS_REVIEWED))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid status filter \"%s\"", fb_quotable(status)),
					 errhint("Use to_review (groups with anything to review), reviewed (fully reviewed) or mixed, or leave it null.")));
		else if (word == FB_STATUS_TO_REVIEW)
			page->keep &= ~KEEP_REVIEWED;
		else
			page->keep &= ~(KEEP_TO_REVIEW | KEEP_MIXED);
	}
}

/*
 * The link to the page after (or before) the group at row of the result.
 */
static FbCursor *
LinkFrom(const QueuePage *page, Datum tenant, int row, bool before)
{
	return fb_cursor_at('q', before, tenant, page->limit, fb_get_val(row, "latest_updated_at"),
						fb_get_val(row, "group_id"), page->keep, page->search);
}

/*
 * Whether any group of the page's buckets comes after (or before) a link's
 * position: where there is one, the link leads somewhere.
 */
static bool
AnyBeyond(Datum tenant, const QueuePage *page, const FbCursor *link)
{
	bool		isnull;

	fb_exec(link->before ? &any_before_query : &any_after_query,
			(Datum[]) {tenant, BoolGetDatum(page->keep & KEEP_TO_REVIEW),
				BoolGetDatum(page->keep & KEEP_MIXED), BoolGetDatum(page->keep & KEEP_REVIEWED),
				BoolGetDatum((page->keep & KEEP_ARCHIVED) && (page->keep & KEEP_TO_REVIEW)),
				BoolGetDatum((page->keep & KEEP_ARCHIVED) && (page->keep & KEEP_MIXED)),
				BoolGetDatum((page->keep & KEEP_ARCHIVED) && (page->keep & KEEP_REVIEWED)),
				Int64GetDatum(page->limit), TimestampTzGetDatum(link->at), UUIDPGetDatum(&link->id)},
			NULL, 1);
	return DatumGetBool(fb_get(0, "found", &isnull));
}

PG_FUNCTION_INFO_V1(feedback_grouped_by_conversation);
/*
 * grouped_by_conversation(tenant_id, status, search, include_archived,
 * limit, offset, cursor): the review queue, {count, next, previous,
 * results}.  next and previous carry cursors (keyset paging); a direct call
 * may also page by limit and offset.
 */
Datum
feedback_grouped_by_conversation(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	Datum		tenant;
	QueuePage	page;
	int64		count = 0;
	int64		lo = 0;
	int64		hi = 0;
	JsonbParseState *state = NULL;
	FbCursor   *next = NULL;
	FbCursor   *previous = NULL;
	bool		isnull;
	bool		found;
	int			n;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	tenant = PG_GETARG_DATUM(0);
	PageOfCall(fcinfo, &page);

	if (page.search == NULL)
	{
		bool		keep[3] = {page.keep & KEEP_TO_REVIEW, page.keep & KEEP_MIXED,
		page.keep & KEEP_REVIEWED};
		int			rows = fb_exec(&counts_query, &tenant, NULL, 0);
		int			i;
		Datum		values[10];

		for (i = 0; i < rows; i++)
		{
			bool		archived = DatumGetBool(fb_get(i, "archived", &isnull));
			int			s = DatumGetInt16(fb_get(i, "state", &isnull));

			/* buckets are numbered to_review 0, mixed 1, reviewed 2 */
			if ((!archived || (page.keep & KEEP_ARCHIVED)) && keep[s])
				count += DatumGetInt64(fb_get(i, "groups", &isnull));
		}
		values[0] = tenant;
		for (i = 0; i < 3; i++)
		{
			values[1 + i] = BoolGetDatum(keep[i]);
			values[4 + i] = BoolGetDatum(keep[i] && (page.keep & KEEP_ARCHIVED));
		}
		values[7] = Int64GetDatum(page.limit);
		if (page.cursor == NULL)
			values[8] = Int64GetDatum(page.offset);
		else
		{
			values[8] = TimestampTzGetDatum(page.cursor->at);
			values[9] = UUIDPGetDatum(&page.cursor->id);
		}
		n = fb_exec(page.cursor == NULL ? &page_query :
					(page.cursor->before ? &page_before_query : &page_after_query), values, NULL, 0);
	}
	else
	{
		Datum		values[11];
		bool		nulls[11] = {false};

		values[0] = tenant;
		values[1] = CStringGetTextDatum(LiteralPattern(page.search));
		values[2] = BoolGetDatum(page.keep & KEEP_ARCHIVED);
		values[3] = BoolGetDatum(page.keep & KEEP_TO_REVIEW);
		values[4] = BoolGetDatum(page.keep & KEEP_MIXED);
		values[5] = BoolGetDatum(page.keep & KEEP_REVIEWED);
		values[6] = Int64GetDatum(page.limit);
		values[7] = Int64GetDatum(page.offset);
		values[8] = Int32GetDatum(page.cursor == NULL ? 0 : (page.cursor->before ? 2 : 1));
		values[9] = page.cursor == NULL ? (Datum) 0 : TimestampTzGetDatum(page.cursor->at);
		values[10] = page.cursor == NULL ? (Datum) 0 : UUIDPGetDatum(&page.cursor->id);
		nulls[9] = nulls[10] = page.cursor == NULL;
		n = fb_exec(&search_query, values, nulls, 0);
		count = DatumGetInt64(fb_get(0, "total", &isnull));
		lo = DatumGetInt64(fb_get(0, "lo", &isnull));
		hi = DatumGetInt64(fb_get(0, "hi", &isnull));
	}

	fb_json_begin(&state);
	fb_json_int(&state, "count", count);
	fb_json_key(&state, "results");
	PushGroups(&state, n);

	/* the links lead from the first and the last group, where anything is beyond them */
	found = n > 0 && !fb_get_val(0, "group_id").isnull;
	if (found)
	{
		previous = LinkFrom(&page, tenant, 0, true);
		next = LinkFrom(&page, tenant, n - 1, false);
		if (page.search != NULL)
		{
			previous = lo > 0 ? previous : NULL;
			next = hi < count ? next : NULL;
		}
		else
		{
			previous = AnyBeyond(tenant, &page, previous) ? previous : NULL;
			next = AnyBeyond(tenant, &page, next) ? next : NULL;
		}
	}
	fb_json_cursor_link(&state, "next", next);
	fb_json_cursor_link(&state, "previous", previous);
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

/*
 * The groups of a tenant ($1) recomputed from its feedback, in the columns
 * of review_groups but state.
 */
#define RECOMPUTED_GROUPS \
	"SELECT COALESCE(f.conversation_id, f.id) AS group_id, f.conversation_id IS NULL AS ungrouped," \
	"       COALESCE(pg_catalog.bool_or(c.is_archived), false) AS archived," \
	"       pg_catalog.count(*)::pg_catalog.int4 AS feedback_count," \
	"       (pg_catalog.count(*) FILTER (WHERE f.status OPERATOR(pg_catalog.=) 'to_review'::feedback.review_status))::pg_catalog.int4 AS to_review_count," \
	"       (pg_catalog.count(*) FILTER (WHERE f.status OPERATOR(pg_catalog.<>) 'to_review'::feedback.review_status))::pg_catalog.int4 AS reviewed_count," \
	"       (pg_catalog.count(*) FILTER (WHERE f.rating OPERATOR(pg_catalog.=) 'positive'::feedback.rating))::pg_catalog.int4 AS positive_count," \
	"       (pg_catalog.count(*) FILTER (WHERE f.rating OPERATOR(pg_catalog.=) 'negative'::feedback.rating))::pg_catalog.int4 AS negative_count," \
	"       pg_catalog.max(f.updated_at) AS latest_updated_at" \
	"  FROM feedback.feedback f" \
	"  LEFT JOIN feedback.conversations c ON c.tenant_id OPERATOR(pg_catalog.=) f.tenant_id" \
	"   AND c.id OPERATOR(pg_catalog.=) f.conversation_id" \
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1" \
	" GROUP BY 1, 2"

#define GROUP_FIELDS(alias) \
	"pg_catalog.jsonb_build_object('archived', " alias ".archived, 'feedback_count', " alias ".feedback_count," \
	" 'to_review_count', " alias ".to_review_count, 'reviewed_count', " alias ".reviewed_count," \
	" 'positive_count', " alias ".positive_count, 'negative_count', " alias ".negative_count," \
	" 'latest_updated_at', " SQL_UTC_TIME(alias ".latest_updated_at") ")"

#define STATE_OF(alias) \
	"CASE WHEN " alias ".reviewed_count OPERATOR(pg_catalog.=) 0 THEN 0" \
	" WHEN " alias ".to_review_count OPERATOR(pg_catalog.=) 0 THEN 2 ELSE 1 END"

/*
 * Every difference between a tenant's maintained groups, bucket counts and
 * search comments and their recomputation, as a JSON array.
 */
static FbQuery verify_query = {
	"WITH r AS MATERIALIZED (" RECOMPUTED_GROUPS "),"
	" m AS MATERIALIZED (SELECT g.group_id, g.ungrouped, g.archived, g.feedback_count, g.to_review_count,"
	"        g.reviewed_count, g.positive_count, g.negative_count, g.latest_updated_at"
	"   FROM feedback.review_groups g WHERE g.tenant_id OPERATOR(pg_catalog.=) $1),"
	" group_diffs AS ("
	"  SELECT pg_catalog.jsonb_build_object('kind', 'group',"
	"         'group_id', COALESCE(r.group_id, m.group_id), 'ungrouped', COALESCE(r.ungrouped, m.ungrouped),"
	"         'recomputed', CASE WHEN r.group_id IS NULL THEN NULL ELSE " GROUP_FIELDS("r") " END,"
	"         'maintained', CASE WHEN m.group_id IS NULL THEN NULL ELSE " GROUP_FIELDS("m") " END) AS d"
	"    FROM r FULL JOIN m ON m.group_id OPERATOR(pg_catalog.=) r.group_id"
	"     AND m.ungrouped OPERATOR(pg_catalog.=) r.ungrouped"
	"   WHERE r.group_id IS NULL OR m.group_id IS NULL"
	"      OR r.archived OPERATOR(pg_catalog.<>) m.archived"
	"      OR r.feedback_count OPERATOR(pg_catalog.<>) m.feedback_count"
	"      OR r.to_review_count OPERATOR(pg_catalog.<>) m.to_review_count"
	"      OR r.reviewed_count OPERATOR(pg_catalog.<>) m.reviewed_count"
	"      OR r.positive_count OPERATOR(pg_catalog.<>) m.positive_count"
	"      OR r.negative_count OPERATOR(pg_catalog.<>) m.negative_count"
	"      OR r.latest_updated_at OPERATOR(pg_catalog.<>) m.latest_updated_at),"
	" rc AS (SELECT r.archived, (" STATE_OF("r") ")::pg_catalog.int2 AS state,"
	"               pg_catalog.count(*)::pg_catalog.int8 AS n FROM r GROUP BY 1, 2),"
	" mc AS (SELECT n.archived, n.state, pg_catalog.sum(n.groups)::pg_catalog.int8 AS n"
	"          FROM feedback.review_group_counts n WHERE n.tenant_id OPERATOR(pg_catalog.=) $1"
	"         GROUP BY 1, 2),"
	" count_diffs AS ("
	"  SELECT pg_catalog.jsonb_build_object('kind', 'count',"
	"         'archived', COALESCE(rc.archived, mc.archived), 'state', COALESCE(rc.state, mc.state),"
	"         'recomputed', COALESCE(rc.n, 0), 'maintained', COALESCE(mc.n, 0)) AS d"
	"    FROM rc FULL JOIN mc ON mc.archived OPERATOR(pg_catalog.=) rc.archived"
	"     AND mc.state OPERATOR(pg_catalog.=) rc.state"
	"   WHERE COALESCE(rc.n, 0) OPERATOR(pg_catalog.<>) COALESCE(mc.n, 0)),"
	" comment_diffs AS ("
	"  SELECT pg_catalog.jsonb_build_object('kind', 'comment', 'feedback_id', COALESCE(f.id, s.feedback_id),"
	"         'recomputed', f.comment, 'maintained', s.comment) AS d"
	"    FROM (SELECT f.id, f.comment FROM feedback.feedback f"
	"           WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.comment IS NOT NULL) f"
	"    FULL JOIN (SELECT s.feedback_id, s.comment FROM feedback.feedback_comments s"
	"                WHERE s.tenant_id OPERATOR(pg_catalog.=) $1) s"
	"      ON s.feedback_id OPERATOR(pg_catalog.=) f.id"
	"   WHERE f.comment IS DISTINCT FROM s.comment)"
	"SELECT COALESCE(pg_catalog.jsonb_agg(x.d), '[]'::pg_catalog.jsonb) AS differences"
	"  FROM (SELECT d FROM group_diffs UNION ALL SELECT d FROM count_diffs"
	"        UNION ALL SELECT d FROM comment_diffs) x",
	1, {UUIDOID}
};

static FbQuery clear_groups_query = {
	"DELETE FROM feedback.review_groups g WHERE g.tenant_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery clear_counts_query = {
	"DELETE FROM feedback.review_group_counts n WHERE n.tenant_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery clear_comments_query = {
	"DELETE FROM feedback.feedback_comments s WHERE s.tenant_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery rebuild_comments_query = {
	"INSERT INTO feedback.feedback_comments (tenant_id, feedback_id, comment)"
	" SELECT $1, f.id, f.comment FROM feedback.feedback f"
	"  WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.comment IS NOT NULL",
	1, {UUIDOID}
};

static FbQuery rebuild_groups_query = {
	"INSERT INTO feedback.review_groups (tenant_id, group_id, ungrouped, archived, feedback_count,"
	"       to_review_count, reviewed_count, positive_count, negative_count, latest_updated_at)"
	" SELECT $1, r.group_id, r.ungrouped, r.archived, r.feedback_count, r.to_review_count,"
	"        r.reviewed_count, r.positive_count, r.negative_count, r.latest_updated_at"
	"   FROM (" RECOMPUTED_GROUPS ") r",
	1, {UUIDOID}
};

static FbQuery rebuild_counts_query = {
	"INSERT INTO feedback.review_group_counts (tenant_id, archived, state, slot, groups)"
	" SELECT $1, g.archived, g.state, 0, pg_catalog.count(*) FROM feedback.review_groups g"
	"  WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 GROUP BY g.archived, g.state",
	1, {UUIDOID}
};

PG_FUNCTION_INFO_V1(feedback_verify_review_groups);
/*
 * verify_review_groups(tenant_id): recompute the tenant's groups, bucket
 * counts and search comments from its feedback and return every
 * difference from the maintained state ([] when they agree).
 */
Datum
feedback_verify_review_groups(PG_FUNCTION_ARGS)
{
	bool		isnull;

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_connect();
	fb_exec(&verify_query, (Datum[]) {PG_GETARG_DATUM(0)}, NULL, 1);
	PG_RETURN_DATUM(fb_finish_jsonb(DatumGetJsonbP(fb_get(0, "differences", &isnull))));
}

PG_FUNCTION_INFO_V1(feedback_rebuild_review_groups);
/*
 * rebuild_review_groups(tenant_id): replace the tenant's groups, counts and
 * search comments by their recomputation; returns the number of groups.
 */
Datum
feedback_rebuild_review_groups(PG_FUNCTION_ARGS)
{
	Datum		tenant;
	int64		groups;

	fb_require_arg(fcinfo, 0, "tenant_id");
	tenant = PG_GETARG_DATUM(0);
	fb_connect();
	fb_exec(&clear_groups_query, &tenant, NULL, 0);
	fb_exec(&clear_counts_query, &tenant, NULL, 0);
	groups = fb_exec(&rebuild_groups_query, &tenant, NULL, 0);
	fb_exec(&rebuild_counts_query, &tenant, NULL, 0);
	fb_exec(&clear_comments_query, &tenant, NULL, 0);
	fb_exec(&rebuild_comments_query, &tenant, NULL, 0);
	SPI_finish();
	PG_RETURN_INT64(groups);
}
