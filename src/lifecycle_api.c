/*-------------------------------------------------------------------------
 *
 * lifecycle_api.c
 *	  The data lifecycle, in the ingest API: remove_member,
 *	  delete_conversation, delete_message and erase_user.  Each runs in the
 *	  caller's transaction and returns {"deleted": {table: rows}}, every
 *	  table it deletes from named, zero rows included.
 *
 * Deleting messages takes what hangs on them: their feedback (the trigger
 * keeps the review queue), the feedback's idempotency keys and status
 * history, and the golden examples of the messages.  The messages are
 * locked first, so a submit under way finishes before them (and its
 * feedback goes with them) or waits and finds no answer (PT404; submit
 * locks the answer it writes on).  The feedback is deleted before its
 * history and examples, which happens after any review under way on it
 * has committed, so nothing that review wrote stays behind.
 *
 * erase_user is the right to erasure, across every tenant, and the one
 * call that reads every shard on a Citus cluster.  It first takes the
 * user's advisory lock exclusively (identity.c): every call acting as the
 * user holds it shared, so the erasure waits for them, and one that waited
 * for the erasure finds no user.  On Citus its statements run one shard
 * after another (citus.multi_shard_modify_mode = sequential): the users
 * reference table cannot be written after a parallel write to the
 * memberships that refer to it.  The user's feedback goes with its keys,
 * history and examples, then the memberships and the user; every other
 * reference to the user (a review, an approval, an impersonation, a
 * history entry, a settings change about someone else's data) keeps the
 * change and loses the person: it becomes NULL.
 *
 * src/lifecycle_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"

static FbQuery remove_member_query = {
	"DELETE FROM feedback.memberships m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

static FbQuery lock_conversation_query = {
	"SELECT c.id FROM feedback.conversations c"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2"
	" FOR UPDATE",
	2, {UUIDOID, UUIDOID}
};

static FbQuery lock_conversation_messages_query = {
	"SELECT m.id FROM feedback.messages m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.conversation_id OPERATOR(pg_catalog.=) $2"
	" FOR UPDATE",
	2, {UUIDOID, UUIDOID}
};

static FbQuery lock_message_query = {
	"SELECT m.id, m.conversation_id FROM feedback.messages m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.id OPERATOR(pg_catalog.=) $2"
	" FOR UPDATE",
	2, {UUIDOID, UUIDOID}
};

/* The keys of the feedback on messages: $1 tenant, $2 message ids. */
static FbQuery delete_message_keys_query = {
	"DELETE FROM feedback.client_keys k USING feedback.feedback f"
	" WHERE k.tenant_id OPERATOR(pg_catalog.=) $1 AND f.tenant_id OPERATOR(pg_catalog.=) $1"
	"   AND f.message_id OPERATOR(pg_catalog.=) ANY ($2) AND k.feedback_id OPERATOR(pg_catalog.=) f.id",
	2, {UUIDOID, UUIDARRAYOID}
};

static FbQuery delete_message_feedback_query = {
	"DELETE FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.message_id OPERATOR(pg_catalog.=) ANY ($2)"
	" RETURNING f.id",
	2, {UUIDOID, UUIDARRAYOID}
};

static FbQuery delete_history_query = {
	"DELETE FROM feedback.status_history h"
	" WHERE h.tenant_id OPERATOR(pg_catalog.=) $1 AND h.feedback_id OPERATOR(pg_catalog.=) ANY ($2)",
	2, {UUIDOID, UUIDARRAYOID}
};

static FbQuery delete_message_examples_query = {
	"DELETE FROM feedback.golden_example g"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.message_id OPERATOR(pg_catalog.=) ANY ($2)",
	2, {UUIDOID, UUIDARRAYOID}
};

static FbQuery delete_messages_query = {
	"DELETE FROM feedback.messages m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.id OPERATOR(pg_catalog.=) ANY ($2)",
	2, {UUIDOID, UUIDARRAYOID}
};

static FbQuery delete_conversation_query = {
	"DELETE FROM feedback.conversations c"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/* The replies to a deleted message answer nothing: $1 tenant, $2 conversation, $3 message. */
static FbQuery unlink_replies_query = {
	"UPDATE feedback.messages m SET reply_to = NULL"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.conversation_id OPERATOR(pg_catalog.=) $2"
	"   AND m.reply_to OPERATOR(pg_catalog.=) $3",
	3, {UUIDOID, UUIDOID, UUIDOID}
};

/* The user, locked: a put_member under way finishes first, a later one waits. */
static FbQuery lock_user_query = {
	"SELECT u.id FROM feedback.users u WHERE u.id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
	1, {UUIDOID}
};

static FbQuery erase_keys_query = {
	EVERY_SHARD
	"DELETE FROM feedback.client_keys k WHERE k.user_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

/* The user's feedback in every tenant, grouped by tenant. */
static FbQuery erase_feedback_query = {
	EVERY_SHARD
	"WITH gone AS (DELETE FROM feedback.feedback f WHERE f.user_id OPERATOR(pg_catalog.=) $1"
	"              RETURNING f.tenant_id, f.id)"
	"SELECT g.tenant_id, pg_catalog.array_agg(g.id) AS ids FROM gone g GROUP BY g.tenant_id",
	1, {UUIDOID}
};

static FbQuery erase_examples_query = {
	"DELETE FROM feedback.golden_example g"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.feedback_id OPERATOR(pg_catalog.=) ANY ($2)",
	2, {UUIDOID, UUIDARRAYOID}
};

static FbQuery erase_memberships_query = {
	EVERY_SHARD
	"DELETE FROM feedback.memberships m WHERE m.user_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery erase_user_query = {
	EVERY_SHARD
	"DELETE FROM feedback.users u WHERE u.id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

/* The references to the user that stay, without the person. */
static FbQuery unlink_feedback_query = {
	EVERY_SHARD
	"UPDATE feedback.feedback f"
	"   SET reviewed_by = NULLIF(f.reviewed_by, $1),"
	"       review_impersonated_by = NULLIF(f.review_impersonated_by, $1),"
	"       impersonated_by = NULLIF(f.impersonated_by, $1)"
	" WHERE f.reviewed_by OPERATOR(pg_catalog.=) $1 OR f.review_impersonated_by OPERATOR(pg_catalog.=) $1"
	"    OR f.impersonated_by OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery unlink_history_query = {
	EVERY_SHARD
	"UPDATE feedback.status_history h"
	"   SET changed_by = NULLIF(h.changed_by, $1), impersonated_by = NULLIF(h.impersonated_by, $1)"
	" WHERE h.changed_by OPERATOR(pg_catalog.=) $1 OR h.impersonated_by OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery unlink_examples_query = {
	EVERY_SHARD
	"UPDATE feedback.golden_example g"
	"   SET approved_by = NULLIF(g.approved_by, $1), impersonated_by = NULLIF(g.impersonated_by, $1)"
	" WHERE g.approved_by OPERATOR(pg_catalog.=) $1 OR g.impersonated_by OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

static FbQuery unlink_settings_query = {
	EVERY_SHARD
	"UPDATE feedback.settings s"
	"   SET updated_by = NULLIF(s.updated_by, $1), impersonated_by = NULLIF(s.impersonated_by, $1)"
	" WHERE s.updated_by OPERATOR(pg_catalog.=) $1 OR s.impersonated_by OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

/* The rows deleted from each table, in the order they were deleted. */
typedef struct Deleted
{
	int			n;
	const char *tables[8];
	int64		rows[8];
} Deleted;

/*
 * Count rows deleted from table.
 */
static void
Count(Deleted *deleted, const char *table, int64 rows)
{
	int			i;

	for (i = 0; i < deleted->n; i++)
		if (strcmp(deleted->tables[i], table) == 0)
			break;
	if (i == deleted->n)
	{
		Assert(deleted->n < (int) lengthof(deleted->tables));
		deleted->tables[deleted->n++] = table;
		deleted->rows[i] = 0;
	}
	deleted->rows[i] += rows;
}

/*
 * {"deleted": {table: rows, ...}}
 */
static Datum
DeletedResult(const Deleted *deleted)
{
	JsonbParseState *state = NULL;
	int			i;

	fb_json_begin(&state);
	fb_json_key(&state, "deleted");
	fb_json_begin(&state);
	for (i = 0; i < deleted->n; i++)
		fb_json_int(&state, deleted->tables[i], deleted->rows[i]);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return fb_finish_jsonb(fb_json_end(&state));
}

/*
 * The uuids in column col of the n result rows, as a uuid[] datum.
 */
static Datum
UuidArray(int n, const char *col)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = UUIDPGetDatum(fb_uuid_copy(DatumGetUUIDP(fb_get_val(i, col).value)));
	return PointerGetDatum(construct_array(elems, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
}

/*
 * Delete locked messages of a tenant and what hangs on them; see the file
 * header.
 */
static void
DeleteMessages(Datum tenant, Datum messages, Deleted *deleted)
{
	int			n;

	Count(deleted, "client_keys", fb_exec(&delete_message_keys_query, (Datum[]) {tenant, messages},
										  NULL, 0));
	n = fb_exec(&delete_message_feedback_query, (Datum[]) {tenant, messages}, NULL, 0);
	Count(deleted, "feedback", n);
	Count(deleted, "status_history", fb_exec(&delete_history_query,
											 (Datum[]) {tenant, UuidArray(n, "id")}, NULL, 0));
	Count(deleted, "golden_example", fb_exec(&delete_message_examples_query,
											 (Datum[]) {tenant, messages}, NULL, 0));
	Count(deleted, "messages", fb_exec(&delete_messages_query, (Datum[]) {tenant, messages},
									   NULL, 0));
}

PG_FUNCTION_INFO_V1(feedback_remove_member);
/*
 * remove_member(tenant_id, user_id): the user leaves the tenant; their
 * feedback stays.
 */
Datum
feedback_remove_member(PG_FUNCTION_ARGS)
{
	Deleted		deleted = {0};

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_require_arg(fcinfo, 1, "user_id");
	fb_connect();
	Count(&deleted, "memberships", fb_exec(&remove_member_query,
										   (Datum[]) {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)}, NULL, 0));
	if (deleted.rows[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
				 errmsg("user %s is not a member of tenant %s",
						fb_uuid_text(PG_GETARG_UUID_P(1)), fb_uuid_text(PG_GETARG_UUID_P(0))),
				 errhint("Check the tenant_id and the user id.")));
	PG_RETURN_DATUM(DeletedResult(&deleted));
}

PG_FUNCTION_INFO_V1(feedback_delete_conversation);
/*
 * delete_conversation(tenant_id, id): the conversation, its messages, and
 * what hangs on them.
 */
Datum
feedback_delete_conversation(PG_FUNCTION_ARGS)
{
	Datum		tenant;
	Datum		id;
	Deleted		deleted = {0};
	int			n;

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_require_arg(fcinfo, 1, "id");
	tenant = PG_GETARG_DATUM(0);
	id = PG_GETARG_DATUM(1);
	fb_connect();
	if (fb_exec(&lock_conversation_query, (Datum[]) {tenant, id}, NULL, 1) == 0)
		feedback_conversation_not_found(id);
	n = fb_exec(&lock_conversation_messages_query, (Datum[]) {tenant, id}, NULL, 0);
	DeleteMessages(tenant, UuidArray(n, "id"), &deleted);
	Count(&deleted, "conversations", fb_exec(&delete_conversation_query, (Datum[]) {tenant, id},
											 NULL, 0));
	PG_RETURN_DATUM(DeletedResult(&deleted));
}

PG_FUNCTION_INFO_V1(feedback_delete_message);
/*
 * delete_message(tenant_id, id): one message and what hangs on it; the
 * messages that replied to it reply to nothing.
 */
Datum
feedback_delete_message(PG_FUNCTION_ARGS)
{
	Datum		tenant;
	Datum		id;
	Datum		conversation;
	Deleted		deleted = {0};

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_require_arg(fcinfo, 1, "id");
	tenant = PG_GETARG_DATUM(0);
	id = PG_GETARG_DATUM(1);
	fb_connect();
	if (fb_exec(&lock_message_query, (Datum[]) {tenant, id}, NULL, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
				 errmsg("message %s not found", fb_uuid_text(DatumGetUUIDP(id))),
				 errhint("Check the tenant_id and the message id.")));
	conversation = UUIDPGetDatum(fb_uuid_copy(DatumGetUUIDP(fb_get_val(0, "conversation_id").value)));
	DeleteMessages(tenant, UuidArray(1, "id"), &deleted);
	fb_exec(&unlink_replies_query, (Datum[]) {tenant, conversation, id}, NULL, 0);
	PG_RETURN_DATUM(DeletedResult(&deleted));
}

PG_FUNCTION_INFO_V1(feedback_erase_user);
/*
 * erase_user(user_id): the right to erasure; see the file header.
 */
Datum
feedback_erase_user(PG_FUNCTION_ARGS)
{
	Datum		user;
	Deleted		deleted = {0};
	SPITupleTable *gone;
	uint64		tenants;
	uint64		i;
	int			sequential;

	fb_require_arg(fcinfo, 0, "user_id");
	user = PG_GETARG_DATUM(0);
	fb_connect();
	/* on Citus: the users reference table is written after memberships */
	sequential = fb_set_for_now("citus.multi_shard_modify_mode", "sequential");
	feedback_lock_user(DatumGetUUIDP(user), true);
	if (fb_exec(&lock_user_query, &user, NULL, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
				 errmsg("user %s not found", fb_uuid_text(DatumGetUUIDP(user))),
				 errhint("Check the user id; a user erased before is not found either.")));

	Count(&deleted, "client_keys", fb_exec(&erase_keys_query, &user, NULL, 0));
	tenants = fb_exec(&erase_feedback_query, &user, NULL, 0);
	gone = SPI_tuptable;
	Count(&deleted, "feedback", 0);
	Count(&deleted, "status_history", 0);
	Count(&deleted, "golden_example", 0);
	for (i = 0; i < tenants; i++)
	{
		bool		isnull;
		Datum		tenant = SPI_getbinval(gone->vals[i], gone->tupdesc, 1, &isnull);
		Datum		ids = SPI_getbinval(gone->vals[i], gone->tupdesc, 2, &isnull);

		Count(&deleted, "feedback", ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(ids)),
												   ARR_DIMS(DatumGetArrayTypeP(ids))));
		Count(&deleted, "status_history", fb_exec(&delete_history_query, (Datum[]) {tenant, ids},
												  NULL, 0));
		Count(&deleted, "golden_example", fb_exec(&erase_examples_query, (Datum[]) {tenant, ids},
												  NULL, 0));
	}
	Count(&deleted, "memberships", fb_exec(&erase_memberships_query, &user, NULL, 0));
	fb_exec(&unlink_feedback_query, &user, NULL, 0);
	fb_exec(&unlink_history_query, &user, NULL, 0);
	fb_exec(&unlink_examples_query, &user, NULL, 0);
	fb_exec(&unlink_settings_query, &user, NULL, 0);
	Count(&deleted, "users", fb_exec(&erase_user_query, &user, NULL, 0));
	fb_reset_for_now(sequential);
	PG_RETURN_DATUM(DeletedResult(&deleted));
}
