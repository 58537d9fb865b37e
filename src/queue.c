/*-------------------------------------------------------------------------
 *
 * queue.c
 *	  The review queue: grouped_by_conversation, and the group state the
 *	  triggers keep so that a page costs the same for any tenant size.
 *
 * feedback.review_groups holds one row per group (a conversation, or one
 * ungrouped feedback) with its counts by status and rating, its latest
 * updated_at and whether its conversation is archived; its generated
 * column state is 0 (only to_review), 1 (mixed) or 2 (reviewed).  The
 * index (tenant_id, archived, state, latest_updated_at, group_id) orders
 * every bucket, and a page is a merge of the buckets its filter keeps:
 * up to six ordered index range scans, then the page's own feedback.
 * feedback.review_group_counts keeps the number of groups per bucket, in
 * 16 slots per bucket chosen by backend so that concurrent writers rarely
 * meet on one row; the exact count is a sum of at most 96 rows.
 *
 * The feedback trigger applies each change as a delta to its group
 * (feedback_keep_review_group) and the conversation trigger moves a
 * group between archived buckets, in the same transaction as the change.
 * The first feedback of a conversation reads the conversation's archived
 * flag FOR SHARE, so it waits for an archive in flight and never files its
 * group in the wrong bucket.  verify_review_groups recomputes everything
 * from the feedback and reports any difference; rebuild_review_groups
 * rebuilds a tenant's groups (after a bulk load with the triggers off).
 *
 * A search forms groups from the matching feedback only, found through
 * trigram indexes on the comment and on the giver's email, so its cost
 * follows the matches, not the tenant.
 *
 * src/queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#define COUNT_SLOTS 16

/* A feedback's part in its group. */
typedef struct Contribution
{
	bool		present;
	Datum		group_id;
	bool		ungrouped;
	bool		to_review;
	int			rating;			/* -1 none, else FB_RATING_* */
	TimestampTz updated_at;
} Contribution;

/* A change of a group's counts. */
typedef struct GroupDelta
{
	int			feedback;
	int			to_review;
	int			reviewed;
	int			positive;
	int			negative;
} GroupDelta;

#define GROUP_RETURNING \
	" RETURNING g.archived, g.feedback_count, g.to_review_count, g.reviewed_count," \
	"           g.latest_updated_at"

/*
 * Add to a group, creating it: $1 tenant, $2 group, $3 ungrouped, $4-$8
 * deltas, $9 updated_at.  A new group starts unarchived; ApplyDelta then
 * reads its conversation's flag (FOR SHARE) and corrects it.
 */
static FbQuery group_add_query = {
	"INSERT INTO feedback.review_groups AS g"
	"       (tenant_id, group_id, ungrouped, archived, feedback_count, to_review_count,"
	"        reviewed_count, positive_count, negative_count, latest_updated_at)"
	" VALUES ($1, $2, $3, false, $4, $5, $6, $7, $8, $9)"
	" ON CONFLICT (tenant_id, group_id, ungrouped) DO UPDATE"
	"   SET feedback_count = g.feedback_count OPERATOR(pg_catalog.+) EXCLUDED.feedback_count,"
	"       to_review_count = g.to_review_count OPERATOR(pg_catalog.+) EXCLUDED.to_review_count,"
	"       reviewed_count = g.reviewed_count OPERATOR(pg_catalog.+) EXCLUDED.reviewed_count,"
	"       positive_count = g.positive_count OPERATOR(pg_catalog.+) EXCLUDED.positive_count,"
	"       negative_count = g.negative_count OPERATOR(pg_catalog.+) EXCLUDED.negative_count,"
	"       latest_updated_at = GREATEST(g.latest_updated_at, EXCLUDED.latest_updated_at)"
	GROUP_RETURNING ", g.xmax OPERATOR(pg_catalog.=) '0'::pg_catalog.xid",
	9, {UUIDOID, UUIDOID, BOOLOID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, TIMESTAMPTZOID}
};

/* Take from a group: $1 tenant, $2 group, $3 ungrouped, $4-$8 deltas (negative) */
static FbQuery group_take_query = {
	"UPDATE feedback.review_groups g"
	"   SET feedback_count = g.feedback_count OPERATOR(pg_catalog.+) $4,"
	"       to_review_count = g.to_review_count OPERATOR(pg_catalog.+) $5,"
	"       reviewed_count = g.reviewed_count OPERATOR(pg_catalog.+) $6,"
	"       positive_count = g.positive_count OPERATOR(pg_catalog.+) $7,"
	"       negative_count = g.negative_count OPERATOR(pg_catalog.+) $8"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.group_id OPERATOR(pg_catalog.=) $2"
	"   AND g.ungrouped OPERATOR(pg_catalog.=) $3"
	GROUP_RETURNING ", false",
	8, {UUIDOID, UUIDOID, BOOLOID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID}
};

/* A group's latest updated_at from its feedback: $1 tenant, $2 group, $3 ungrouped */
static FbQuery group_latest_query = {
	"UPDATE feedback.review_groups g"
	"   SET latest_updated_at = (SELECT pg_catalog.max(f.updated_at) FROM feedback.feedback f"
	"                             WHERE f.tenant_id OPERATOR(pg_catalog.=) $1"
	"                               AND ((NOT $3 AND f.conversation_id OPERATOR(pg_catalog.=) $2)"
	"                                 OR ($3 AND f.id OPERATOR(pg_catalog.=) $2)))"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.group_id OPERATOR(pg_catalog.=) $2"
	"   AND g.ungrouped OPERATOR(pg_catalog.=) $3",
	3, {UUIDOID, UUIDOID, BOOLOID}
};

static FbQuery group_delete_query = {
	"DELETE FROM feedback.review_groups g"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.group_id OPERATOR(pg_catalog.=) $2"
	"   AND g.ungrouped OPERATOR(pg_catalog.=) $3",
	3, {UUIDOID, UUIDOID, BOOLOID}
};

/* The archived flag of a conversation, waiting for an archive in flight. */
static FbQuery conversation_archived_query = {
	"SELECT c.is_archived FROM feedback.conversations c"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2"
	" FOR SHARE",
	2, {UUIDOID, UUIDOID}
};

/* Move a conversation's group between archived buckets: $1 tenant, $2 group, $3 archived */
static FbQuery group_archive_query = {
	"UPDATE feedback.review_groups g SET archived = $3"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.group_id OPERATOR(pg_catalog.=) $2"
	"   AND NOT g.ungrouped AND g.archived OPERATOR(pg_catalog.<>) $3"
	" RETURNING g.state",
	3, {UUIDOID, UUIDOID, BOOLOID}
};

static FbQuery count_add_query = {
	"INSERT INTO feedback.review_group_counts AS n (tenant_id, archived, state, slot, groups)"
	" VALUES ($1, $2, $3, $4, $5)"
	" ON CONFLICT (tenant_id, archived, state, slot) DO UPDATE"
	"   SET groups = n.groups OPERATOR(pg_catalog.+) EXCLUDED.groups",
	5, {UUIDOID, BOOLOID, INT2OID, INT2OID, INT8OID}
};

static FbQuery counts_query = {
	"SELECT n.archived, n.state, pg_catalog.sum(n.groups)::pg_catalog.int8"
	"  FROM feedback.review_group_counts n WHERE n.tenant_id OPERATOR(pg_catalog.=) $1"
	" GROUP BY n.archived, n.state",
	1, {UUIDOID}
};

/* One bucket of the page: its ordered range, enabled by a parameter. */
#define PAGE_BUCKET(archived, state, param) \
	"(SELECT g.group_id, g.ungrouped, g.latest_updated_at FROM feedback.review_groups g" \
	"  WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND " archived \
	"    AND g.state OPERATOR(pg_catalog.=) " state "::pg_catalog.int2 AND " param \
	"  ORDER BY g.latest_updated_at DESC, g.group_id DESC" \
	"  LIMIT $2 OPERATOR(pg_catalog.+) $3)"

/* The columns both page queries return, in this order. */
#define GROUP_COLUMNS \
	" p.group_id, p.ungrouped, c.title, c.created_at, c.agent_name, p.archived," \
	" p.feedback_count::pg_catalog.int8, p.to_review_count::pg_catalog.int8," \
	" p.reviewed_count::pg_catalog.int8, p.positive_count::pg_catalog.int8," \
	" p.negative_count::pg_catalog.int8, p.latest_updated_at"
#define ITEM_COLUMNS \
	" f.id, f.status, f.comment, f.rating, f.user_id, u.email, f.updated_at"
#define CONVERSATION_JOIN \
	"  LEFT JOIN feedback.conversations c ON NOT p.ungrouped" \
	"   AND c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) p.group_id"

/*
 * A page of the maintained groups: $1 tenant, $2 limit, $3 offset, $4-$9
 * the buckets (not archived: to_review, mixed, reviewed; then archived).
 */
static FbQuery page_query = {
	"WITH keys AS MATERIALIZED ("
	"  SELECT k.group_id, k.ungrouped, k.latest_updated_at FROM ("
	PAGE_BUCKET("NOT g.archived", "0", "$4") " UNION ALL "
	PAGE_BUCKET("NOT g.archived", "1", "$5") " UNION ALL "
	PAGE_BUCKET("NOT g.archived", "2", "$6") " UNION ALL "
	PAGE_BUCKET("g.archived", "0", "$7") " UNION ALL "
	PAGE_BUCKET("g.archived", "1", "$8") " UNION ALL "
	PAGE_BUCKET("g.archived", "2", "$9")
	"  ) k ORDER BY k.latest_updated_at DESC, k.group_id DESC LIMIT $2 OFFSET $3)"
	"SELECT" GROUP_COLUMNS "," ITEM_COLUMNS
	"  FROM keys k"
	"  JOIN feedback.review_groups p ON p.tenant_id OPERATOR(pg_catalog.=) $1"
	"   AND p.group_id OPERATOR(pg_catalog.=) k.group_id AND p.ungrouped OPERATOR(pg_catalog.=) k.ungrouped"
	CONVERSATION_JOIN
	"  CROSS JOIN LATERAL ("
	"    (SELECT i.id, i.status, i.comment, i.rating, i.user_id, i.updated_at FROM feedback.feedback i"
	"      WHERE i.tenant_id OPERATOR(pg_catalog.=) $1 AND NOT p.ungrouped"
	"        AND i.conversation_id OPERATOR(pg_catalog.=) p.group_id)"
	"    UNION ALL"
	"    (SELECT i.id, i.status, i.comment, i.rating, i.user_id, i.updated_at FROM feedback.feedback i"
	"      WHERE i.tenant_id OPERATOR(pg_catalog.=) $1 AND p.ungrouped"
	"        AND i.id OPERATOR(pg_catalog.=) p.group_id)) f"
	"  JOIN feedback.users u ON u.id OPERATOR(pg_catalog.=) f.user_id"
	" ORDER BY k.latest_updated_at DESC, k.group_id DESC, f.updated_at DESC, f.id DESC",
	9, {UUIDOID, INT8OID, INT8OID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID}
};

/*
 * A page of groups formed from the feedback matching a search: $1 tenant,
 * $2 ILIKE pattern, $3 include archived, $4-$6 states kept (to_review,
 * mixed, reviewed), $7 limit, $8 offset.  The last column is the number of
 * groups; a page past the end is one row of NULLs but for it.
 */
static FbQuery search_query = {
	"WITH rows AS MATERIALIZED ("
	"  SELECT f.id, f.status, f.comment, f.rating, f.user_id, f.updated_at,"
	"         COALESCE(f.conversation_id, f.id) AS group_id, f.conversation_id IS NULL AS ungrouped"
	"    FROM feedback.feedback f"
	"   WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.comment OPERATOR(pg_catalog.~~*) $2"
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
	"), page AS MATERIALIZED ("
	"  SELECT k.* FROM kept k ORDER BY k.latest_updated_at DESC, k.group_id DESC LIMIT $7 OFFSET $8"
	")"
	"SELECT" GROUP_COLUMNS "," ITEM_COLUMNS ", t.total"
	"  FROM (SELECT pg_catalog.count(*) AS total FROM kept) t"
	"  LEFT JOIN page p ON true"
	"  LEFT JOIN LATERAL (SELECT c.title, c.created_at, c.agent_name FROM feedback.conversations c"
	"                      WHERE NOT p.ungrouped AND c.tenant_id OPERATOR(pg_catalog.=) $1"
	"                        AND c.id OPERATOR(pg_catalog.=) p.group_id) c ON true"
	"  LEFT JOIN rows f ON f.group_id OPERATOR(pg_catalog.=) p.group_id"
	"   AND f.ungrouped OPERATOR(pg_catalog.=) p.ungrouped"
	"  LEFT JOIN feedback.users u ON u.id OPERATOR(pg_catalog.=) f.user_id"
	" ORDER BY p.latest_updated_at DESC, p.group_id DESC, f.updated_at DESC, f.id DESC",
	8, {UUIDOID, TEXTOID, BOOLOID, BOOLOID, BOOLOID, BOOLOID, INT8OID, INT8OID}
};

/*
 * The state bucket of a group's counts: 0 only to review, 1 mixed,
 * 2 reviewed (as the generated column review_groups.state).
 */
static int
BucketState(int64 to_review, int64 reviewed)
{
	if (reviewed == 0)
		return 0;
	return to_review == 0 ? 2 : 1;
}

/*
 * Add n groups to a bucket's count, in this backend's slot.
 */
static void
CountGroups(Datum tenant, bool archived, int state, int n)
{
	Datum		values[5];

	values[0] = tenant;
	values[1] = BoolGetDatum(archived);
	values[2] = Int16GetDatum(state);
	values[3] = Int16GetDatum(MyProcPid % COUNT_SLOTS);
	values[4] = Int64GetDatum(n);
	fb_exec(&count_add_query, values, NULL, 0);
}

/*
 * A feedback tuple's part in its group.
 */
static Contribution
ContributionOf(HeapTuple tuple, TupleDesc desc)
{
	Contribution c;
	FbValue		conversation = fb_tuple_value(tuple, desc, "conversation_id");
	FbValue		rating = fb_tuple_value(tuple, desc, "rating");

	c.present = true;
	c.ungrouped = conversation.isnull;
	c.group_id = c.ungrouped ? fb_tuple_value(tuple, desc, "id").value : conversation.value;
	c.to_review = (uint8) DatumGetChar(fb_tuple_value(tuple, desc, "status").value) ==
		FB_STATUS_TO_REVIEW;
	c.rating = rating.isnull ? -1 : (uint8) DatumGetChar(rating.value);
	c.updated_at = DatumGetTimestampTz(fb_tuple_value(tuple, desc, "updated_at").value);
	return c;
}

/*
 * Add sign times a contribution to a delta.
 */
static void
AddToDelta(GroupDelta *delta, const Contribution *c, int sign)
{
	delta->feedback += sign;
	if (c->to_review)
		delta->to_review += sign;
	else
		delta->reviewed += sign;
	if (c->rating == FB_RATING_POSITIVE)
		delta->positive += sign;
	else if (c->rating == FB_RATING_NEGATIVE)
		delta->negative += sign;
}

/*
 * Apply a delta to one group: added is the contribution that comes in (or
 * NULL), removed the one that goes (or NULL).  Keeps the bucket counts.
 */
static void
ApplyDelta(Datum tenant, const Contribution *key, const GroupDelta *delta,
		   const Contribution *added, const Contribution *removed)
{
	Datum		values[9];
	bool		isnull;
	bool		archived;
	bool		inserted;
	int64		count;
	int64		to_review;
	int64		reviewed;
	TimestampTz latest;
	int			old_state = -1;
	int			new_state = -1;

	values[0] = tenant;
	values[1] = key->group_id;
	values[2] = BoolGetDatum(key->ungrouped);
	values[3] = Int32GetDatum(delta->feedback);
	values[4] = Int32GetDatum(delta->to_review);
	values[5] = Int32GetDatum(delta->reviewed);
	values[6] = Int32GetDatum(delta->positive);
	values[7] = Int32GetDatum(delta->negative);
	values[8] = added ? TimestampTzGetDatum(added->updated_at) : (Datum) 0;

	if (fb_exec(added ? &group_add_query : &group_take_query, values, NULL, 1) == 0)
		return;					/* nothing to take from: no group */

	archived = DatumGetBool(fb_col(0, 1, &isnull));
	count = DatumGetInt32(fb_col(0, 2, &isnull));
	to_review = DatumGetInt32(fb_col(0, 3, &isnull));
	reviewed = DatumGetInt32(fb_col(0, 4, &isnull));
	latest = DatumGetTimestampTz(fb_col(0, 5, &isnull));
	inserted = DatumGetBool(fb_col(0, 6, &isnull));

	if (!inserted)
		old_state = BucketState(to_review - delta->to_review, reviewed - delta->reviewed);

	if (count <= 0)
		fb_exec(&group_delete_query, values, NULL, 0);
	else
	{
		new_state = BucketState(to_review, reviewed);
		if (removed && removed->updated_at >= latest &&
			!(added && added->updated_at >= removed->updated_at))
			fb_exec(&group_latest_query, values, NULL, 0);
		if (inserted && !key->ungrouped &&
			fb_exec(&conversation_archived_query, values, NULL, 1) > 0 &&
			DatumGetBool(fb_col(0, 1, &isnull)) != archived)
		{
			archived = !archived;
			fb_exec(&group_archive_query, (Datum[]) {tenant, key->group_id, BoolGetDatum(archived)},
					NULL, 0);
		}
	}

	if (old_state != new_state)
	{
		if (old_state >= 0)
			CountGroups(tenant, archived, old_state, -1);
		if (new_state >= 0)
			CountGroups(tenant, archived, new_state, 1);
	}
}

/*
 * Keep the group state in step with a change of one feedback: old is the
 * row before (NULL for an insert), new the row after (NULL for a delete).
 * Called by the feedback trigger inside its SPI connection.
 */
void
feedback_keep_review_group(Datum tenant_id, HeapTuple old, HeapTuple new, TupleDesc desc)
{
	Contribution before = {false};
	Contribution after = {false};
	GroupDelta	delta = {0};

	if (old)
		before = ContributionOf(old, desc);
	if (new)
		after = ContributionOf(new, desc);

	if (before.present && after.present && before.ungrouped == after.ungrouped &&
		DatumGetBool(DirectFunctionCall2(uuid_eq, before.group_id, after.group_id)))
	{
		if (before.to_review == after.to_review && before.rating == after.rating &&
			before.updated_at == after.updated_at)
			return;
		AddToDelta(&delta, &after, 1);
		AddToDelta(&delta, &before, -1);
		ApplyDelta(tenant_id, &after, &delta, &after, &before);
		return;
	}
	if (before.present)
	{
		AddToDelta(&delta, &before, -1);
		ApplyDelta(tenant_id, &before, &delta, NULL, &before);
	}
	if (after.present)
	{
		memset(&delta, 0, sizeof(delta));
		AddToDelta(&delta, &after, 1);
		ApplyDelta(tenant_id, &after, &delta, &after, NULL);
	}
}

PG_FUNCTION_INFO_V1(feedback_conversation_after_update);
/*
 * AFTER UPDATE OF feedback.conversations, when is_archived changes: move
 * the conversation's group to the other archived bucket.
 */
Datum
feedback_conversation_after_update(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	row;
	Datum		tenant;
	bool		archived;
	bool		isnull;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "feedback_conversation_after_update: not called as a trigger");
	desc = RelationGetDescr(trigdata->tg_relation);
	row = trigdata->tg_newtuple;
	tenant = fb_tuple_value(row, desc, "tenant_id").value;
	archived = DatumGetBool(fb_tuple_value(row, desc, "is_archived").value);

	fb_connect();
	if (fb_exec(&group_archive_query, (Datum[]) {tenant, fb_tuple_value(row, desc, "id").value,
				BoolGetDatum(archived)}, NULL, 1) > 0)
	{
		int			state = DatumGetInt16(fb_col(0, 1, &isnull));

		CountGroups(tenant, !archived, state, -1);
		CountGroups(tenant, archived, state, 1);
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * Append s to buf percent-encoded for a URL query (all but A-Z a-z 0-9 - . _ ~).
 */
static void
AppendUrlEncoded(StringInfo buf, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *) s; *p; p++)
	{
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
			appendStringInfoChar(buf, (char) *p);
		else
			appendStringInfo(buf, "%%%02X", *p);
	}
}

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
	FbValue		rating = fb_val(i, 16);
	bool		positive = !rating.isnull && (uint8) DatumGetChar(rating.value) == FB_RATING_POSITIVE;

	fb_json_begin(state);
	fb_json_uuid(state, "id", fb_val(i, 13));
	fb_json_text(state, "status", feedback_status_name((uint8) DatumGetChar(fb_val(i, 14).value)));
	fb_json_datum_text(state, "feedback", fb_val(i, 15));
	fb_json_datum_bool(state, "is_positive", rating.isnull ? FB_NULL : FB_VALUE(BoolGetDatum(positive)));
	fb_json_text(state, "rating", rating.isnull ? NULL : feedback_rating_name(positive));
	fb_json_user(state, "given_by", fb_val(i, 17), fb_col_text(i, 18));
	fb_json_timestamp(state, "updated_at", fb_val(i, 19));
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
	while (i < n && !fb_val(i, 1).isnull)
	{
		Datum		group_id = fb_val(i, 1).value;
		bool		ungrouped = DatumGetBool(fb_val(i, 2).value);
		int64		to_review = DatumGetInt64(fb_val(i, 8).value);
		int64		reviewed = DatumGetInt64(fb_val(i, 9).value);
		static const char *const summaries[] = {"to_review", "mixed", "reviewed"};

		fb_json_begin(state);
		fb_json_uuid(state, "conversation_id", ungrouped ? FB_NULL : FB_VALUE(group_id));
		fb_json_datum_text(state, "conversation_title", fb_val(i, 3));
		fb_json_timestamp(state, "conversation_created_at", fb_val(i, 4));
		fb_json_datum_text(state, "agent_name", fb_val(i, 5));
		fb_json_bool(state, "conversation_is_archived", DatumGetBool(fb_val(i, 6).value));
		fb_json_int(state, "feedback_count", DatumGetInt64(fb_val(i, 7).value));
		fb_json_int(state, "to_review_count", to_review);
		fb_json_int(state, "reviewed_count", reviewed);
		fb_json_int(state, "positive_count", DatumGetInt64(fb_val(i, 10).value));
		fb_json_int(state, "negative_count", DatumGetInt64(fb_val(i, 11).value));
		fb_json_text(state, "status_summary", summaries[BucketState(to_review, reviewed)]);
		fb_json_timestamp(state, "latest_updated_at", fb_val(i, 12));
		fb_json_bool(state, "has_unreviewed", to_review > 0);
		fb_json_key(state, "feedbacks");
		pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
		for (; i < n && DatumGetBool(DirectFunctionCall2(uuid_eq, fb_val(i, 1).value, group_id)) &&
			 DatumGetBool(fb_val(i, 2).value) == ungrouped; i++)
			PushItem(state, i);
		pushJsonbValue(state, WJB_END_ARRAY, NULL);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

PG_FUNCTION_INFO_V1(feedback_grouped_by_conversation);
/*
 * grouped_by_conversation(tenant_id, status, search, include_archived,
 * limit, offset): the review queue, {count, next, previous, results}.
 */
Datum
feedback_grouped_by_conversation(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	Datum		tenant = PG_GETARG_DATUM(0);
	bool		states[3] = {true, true, true};	/* to_review, mixed, reviewed */
	char	   *status = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *search = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	bool		include_archived;
	int			limit;
	int			offset;
	int64		count = 0;
	StringInfoData filters;
	JsonbParseState *state = NULL;
	bool		isnull;
	int			n;

	fb_require_arg(fcinfo, 3, "include_archived");
	fb_check_page(fcinfo, 4, 5);
	include_archived = PG_GETARG_BOOL(3);
	limit = PG_GETARG_INT32(4);
	offset = PG_GETARG_INT32(5);
	if (search != NULL && search[0] == '\0')
		search = NULL;

	initStringInfo(&filters);
	if (status != NULL)
	{
		uint8		word;

		if (strcmp(status, "mixed") == 0)
			states[0] = states[2] = false;
		else if (feedback_status_parse(status, strlen(status), &word) &&
				 (word == FB_STATUS_TO_REVIEW || word == FB_STATUS_REVIEWED))
		{
			states[2] = word == FB_STATUS_TO_REVIEW ? false : true;
			states[0] = states[1] = word == FB_STATUS_TO_REVIEW;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid status filter \"%s\"", fb_quotable(status)),
					 errhint("Use to_review (groups with anything to review), reviewed (fully reviewed) or mixed, or leave it null.")));
		appendStringInfoString(&filters, "&status=");
		AppendUrlEncoded(&filters, status);
	}
	if (search != NULL)
	{
		appendStringInfoString(&filters, "&search=");
		AppendUrlEncoded(&filters, search);
	}
	if (include_archived)
		appendStringInfoString(&filters, "&include_archived=true");

	fb_connect();
	feedback_resolve_caller(&caller, tenant, PG_ARGISNULL(0), FB_ROLE_REVIEWER);

	if (search == NULL)
	{
		int			rows = fb_exec(&counts_query, &tenant, NULL, 0);
		int			i;

		for (i = 0; i < rows; i++)
		{
			bool		archived = DatumGetBool(fb_col(i, 1, &isnull));
			int			s = DatumGetInt16(fb_col(i, 2, &isnull));

			/* buckets are numbered to_review 0, mixed 1, reviewed 2 */
			if ((include_archived || !archived) && states[s])
				count += DatumGetInt64(fb_col(i, 3, &isnull));
		}
		n = fb_exec(&page_query, (Datum[]) {tenant, Int64GetDatum(limit), Int64GetDatum(offset),
					BoolGetDatum(states[0]), BoolGetDatum(states[1]), BoolGetDatum(states[2]),
					BoolGetDatum(include_archived && states[0]),
					BoolGetDatum(include_archived && states[1]),
					BoolGetDatum(include_archived && states[2])}, NULL, 0);
	}
	else
	{
		n = fb_exec(&search_query, (Datum[]) {tenant, CStringGetTextDatum(LiteralPattern(search)),
					BoolGetDatum(include_archived), BoolGetDatum(states[0]),
					BoolGetDatum(states[1]), BoolGetDatum(states[2]),
					Int64GetDatum(limit), Int64GetDatum(offset)}, NULL, 0);
		count = DatumGetInt64(fb_col(0, 20, &isnull));
	}

	fb_json_begin(&state);
	fb_json_int(&state, "count", count);
	fb_json_page_link(&state, "next", limit, offset + (int64) limit < count ? offset + (int64) limit : -1,
					  filters.data);
	fb_json_page_link(&state, "previous", limit, offset > 0 ? Max(offset - limit, 0) : -1, filters.data);
	fb_json_key(&state, "results");
	PushGroups(&state, n);
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
	" 'latest_updated_at', " alias ".latest_updated_at)"

#define STATE_OF(alias) \
	"CASE WHEN " alias ".reviewed_count OPERATOR(pg_catalog.=) 0 THEN 0" \
	" WHEN " alias ".to_review_count OPERATOR(pg_catalog.=) 0 THEN 2 ELSE 1 END"

/*
 * Every difference between a tenant's maintained groups and bucket counts
 * and their recomputation, as a JSON array.
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
	"   WHERE COALESCE(rc.n, 0) OPERATOR(pg_catalog.<>) COALESCE(mc.n, 0))"
	"SELECT COALESCE(pg_catalog.jsonb_agg(x.d), '[]'::pg_catalog.jsonb)"
	"  FROM (SELECT d FROM group_diffs UNION ALL SELECT d FROM count_diffs) x",
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
 * verify_review_groups(tenant_id): recompute the tenant's groups and
 * bucket counts from its feedback and return every difference from the
 * maintained state ([] when they agree).
 */
Datum
feedback_verify_review_groups(PG_FUNCTION_ARGS)
{
	bool		isnull;

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_connect();
	fb_exec(&verify_query, (Datum[]) {PG_GETARG_DATUM(0)}, NULL, 1);
	PG_RETURN_DATUM(fb_finish_jsonb(DatumGetJsonbP(fb_col(0, 1, &isnull))));
}

PG_FUNCTION_INFO_V1(feedback_rebuild_review_groups);
/*
 * rebuild_review_groups(tenant_id): replace the tenant's groups and counts
 * by their recomputation; returns the number of groups.
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
	SPI_finish();
	PG_RETURN_INT64(groups);
}
