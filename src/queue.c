/*-------------------------------------------------------------------------
 *
 * queue.c
 *	  The review queue as derived state: the groups and bucket counts the
 *	  triggers keep, so that a page of grouped_by_conversation (queue_api.c)
 *	  costs the same for any tenant size.
 *
 * feedback.review_groups holds one row per group (a conversation, or one
 * ungrouped feedback) with its counts by status and rating, its latest
 * updated_at and whether its conversation is archived; its generated
 * column state is 0 (only to_review), 1 (mixed) or 2 (reviewed), the
 * group-state rule of rules.c.  feedback.review_group_counts keeps the
 * number of groups per (archived, state) bucket, in slots
 * (fb_counter_slot) so that concurrent writers rarely meet on one row; the
 * exact count is a sum of at most 48 rows.
 *
 * The search looks for comments in feedback.feedback_comments, a copy of
 * each feedback's comment with the trigram index: a change of anything but
 * the comment leaves that index alone, and the feedback's own indexes hold
 * no column a resubmission or a review changes (HOT updates).
 *
 * The feedback trigger applies each change as a delta to its group
 * (feedback_keep_review_group) and the conversation trigger moves a
 * group between archived buckets (feedback_move_review_group), in the same
 * transaction as the change.  The first feedback of a conversation reads
 * the conversation's archived flag FOR SHARE, so it waits for an archive
 * in flight and never files its group in the wrong bucket.
 *
 * src/queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/datum.h"

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

/*
 * The group after a change; the add and take queries append a column
 * inserted, whether the change created the group.
 */
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
	GROUP_RETURNING ", g.xmax OPERATOR(pg_catalog.=) '0'::pg_catalog.xid AS inserted",
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
	GROUP_RETURNING ", false AS inserted",
	8, {UUIDOID, UUIDOID, BOOLOID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID}
};

/*
 * A group's latest updated_at from its feedback: $1 tenant, $2 group, $3
 * ungrouped.  A statement that deletes several feedback of a group fires
 * the trigger once per row after all of them are gone: until the last one
 * empties the group, the group keeps its time.
 */
static FbQuery group_latest_query = {
	"UPDATE feedback.review_groups g"
	"   SET latest_updated_at = COALESCE((SELECT pg_catalog.max(f.updated_at) FROM feedback.feedback f"
	"                             WHERE f.tenant_id OPERATOR(pg_catalog.=) $1"
	"                               AND ((NOT $3 AND f.conversation_id OPERATOR(pg_catalog.=) $2)"
	"                                 OR ($3 AND f.id OPERATOR(pg_catalog.=) $2))), g.latest_updated_at)"
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

/* A feedback's comment for the search: $1 tenant, $2 feedback, $3 comment. */
static FbQuery comment_put_query = {
	"INSERT INTO feedback.feedback_comments AS s (tenant_id, feedback_id, comment)"
	" VALUES ($1, $2, $3)"
	" ON CONFLICT (tenant_id, feedback_id) DO UPDATE SET comment = EXCLUDED.comment",
	3, {UUIDOID, UUIDOID, TEXTOID}
};

static FbQuery comment_drop_query = {
	"DELETE FROM feedback.feedback_comments s"
	" WHERE s.tenant_id OPERATOR(pg_catalog.=) $1 AND s.feedback_id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
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

/*
 * Add n groups to a bucket's count, in this transaction's slot.
 */
static void
CountGroups(Datum tenant, bool archived, int state, int n)
{
	Datum		values[5];

	values[0] = tenant;
	values[1] = BoolGetDatum(archived);
	values[2] = Int16GetDatum(state);
	values[3] = Int16GetDatum(fb_counter_slot());
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

	archived = DatumGetBool(fb_get(0, "archived", &isnull));
	count = DatumGetInt32(fb_get(0, "feedback_count", &isnull));
	to_review = DatumGetInt32(fb_get(0, "to_review_count", &isnull));
	reviewed = DatumGetInt32(fb_get(0, "reviewed_count", &isnull));
	latest = DatumGetTimestampTz(fb_get(0, "latest_updated_at", &isnull));
	inserted = DatumGetBool(fb_get(0, "inserted", &isnull));

	if (!inserted)
		old_state = feedback_group_state(to_review - delta->to_review, reviewed - delta->reviewed);

	if (count <= 0)
		fb_exec(&group_delete_query, values, NULL, 0);
	else
	{
		new_state = feedback_group_state(to_review, reviewed);
		if (removed && removed->updated_at >= latest &&
			!(added && added->updated_at >= removed->updated_at))
			fb_exec(&group_latest_query, values, NULL, 0);
		if (inserted && !key->ungrouped &&
			fb_exec(&conversation_archived_query, values, NULL, 1) > 0 &&
			DatumGetBool(fb_get(0, "is_archived", &isnull)) != archived)
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

/*
 * Keep the search's copy of a feedback's comment in step with a change:
 * old is the row before (NULL for an insert), new the row after (NULL for
 * a delete).  Only a change of the comment (or of the id) writes.
 */
void
feedback_keep_search_comment(Datum tenant_id, HeapTuple old, HeapTuple new, TupleDesc desc)
{
	FbValue		was = old ? fb_tuple_value(old, desc, "comment") : FB_NULL;
	FbValue		now = new ? fb_tuple_value(new, desc, "comment") : FB_NULL;
	Datum		old_id = old ? fb_tuple_value(old, desc, "id").value : (Datum) 0;
	Datum		new_id = new ? fb_tuple_value(new, desc, "id").value : (Datum) 0;
	bool		same_id = old && new && DatumGetBool(DirectFunctionCall2(uuid_eq, old_id, new_id));

	if (same_id && was.isnull == now.isnull &&
		(was.isnull || datum_image_eq(was.value, now.value, false, -1)))
		return;
	if (!was.isnull && (now.isnull || !same_id))
		fb_exec(&comment_drop_query, (Datum[]) {tenant_id, old_id}, NULL, 0);
	if (!now.isnull)
		fb_exec(&comment_put_query, (Datum[]) {tenant_id, new_id, now.value}, NULL, 0);
}

/*
 * Move a conversation's group to the archived bucket it now belongs in;
 * called by the conversation trigger inside its SPI connection.
 */
void
feedback_move_review_group(Datum tenant_id, Datum conversation_id, bool archived)
{
	if (fb_exec(&group_archive_query, (Datum[]) {tenant_id, conversation_id, BoolGetDatum(archived)},
				NULL, 1) > 0)
	{
		bool		isnull;
		int			state = DatumGetInt16(fb_get(0, "state", &isnull));

		CountGroups(tenant_id, !archived, state, -1);
		CountGroups(tenant_id, archived, state, 1);
	}
}
