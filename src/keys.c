/*-------------------------------------------------------------------------
 *
 * keys.c
 *	  Idempotency keys as derived state: every client_feedback_id ever
 *	  stored on a feedback stays bound to it in feedback.client_keys, kept
 *	  by the feedback trigger in the same transaction.
 *
 * The feedback's client_feedback_id column holds the most recently added
 * key; client_keys holds that one and every older one.  The trigger binds
 * a key whenever a row gets a new one, from an API call or a direct
 * statement alike, and refuses (PT409) a key already bound to another
 * feedback of the user.  A deleted feedback takes its keys with it (the
 * foreign key cascades).  pg_dump keeps only the older keys: the trigger
 * binds the current one again when a restore inserts the feedback.
 *
 * src/keys.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"

/* Bind a key: $1 tenant, $2 user, $3 key, $4 feedback, $5 when. */
static FbQuery bind_query = {
	"INSERT INTO feedback.client_keys (tenant_id, user_id, client_feedback_id, feedback_id, added_at)"
	" VALUES ($1, $2, $3, $4, $5)"
	" ON CONFLICT (tenant_id, user_id, client_feedback_id) DO NOTHING",
	5, {UUIDOID, UUIDOID, UUIDOID, UUIDOID, TIMESTAMPTZOID}
};

/*
 * The feedback a user's key is bound to, with what identifies it and its
 * current key: (tenant_id, user_id, key).
 */
static FbQuery bound_query = {
	"SELECT f.id, f.message_id, f.kind, f.client_feedback_id"
	"  FROM feedback.client_keys k"
	"  JOIN feedback.feedback f ON f.tenant_id OPERATOR(pg_catalog.=) k.tenant_id"
	"   AND f.id OPERATOR(pg_catalog.=) k.feedback_id"
	" WHERE k.tenant_id OPERATOR(pg_catalog.=) $1 AND k.user_id OPERATOR(pg_catalog.=) $2"
	"   AND k.client_feedback_id OPERATOR(pg_catalog.=) $3",
	3, {UUIDOID, UUIDOID, UUIDOID}
};

/*
 * Find the feedback a user's key is bound to: true, with it as result row
 * 0 (id, message_id, kind, client_feedback_id), or false when the key is
 * new.
 */
bool
feedback_client_key_bound(Datum tenant_id, Datum user_id, Datum key)
{
	return fb_exec(&bound_query, (Datum[]) {tenant_id, user_id, key}, NULL, 1) > 0;
}

/*
 * Raise PT409: key is bound to a feedback other than the one asking, the
 * one in result row 0 of feedback_client_key_bound.
 */
void
feedback_client_key_conflict(Datum key)
{
	FbValue		used_on = fb_get_val(0, "message_id");

	ereport(ERROR,
			(errcode(ERRCODE_FEEDBACK_CONFLICT),
			 errmsg("client_feedback_id %s is already used on another answer or kind",
					fb_uuid_text(DatumGetUUIDP(key))),
			 errdetail("Feedback %s, on %s, kind %s, has it.",
					   fb_uuid_text(DatumGetUUIDP(fb_get_val(0, "id").value)),
					   used_on.isnull ? "no answer" :
					   psprintf("answer %s", fb_uuid_text(DatumGetUUIDP(used_on.value))),
					   fb_get_text(0, "kind")),
			 errhint("Use a new client_feedback_id for each new feedback; repeat it only to retry the same one.")));
}

/*
 * Bind key to a user's feedback, for good; PT409 when it is bound to
 * another feedback.
 */
void
feedback_bind_client_key(Datum tenant_id, Datum user_id, Datum key, Datum feedback_id,
						 Datum added_at)
{
	if (fb_exec(&bind_query, (Datum[]) {tenant_id, user_id, key, feedback_id, added_at},
				NULL, 0) > 0)
		return;
	if (feedback_client_key_bound(tenant_id, user_id, key) &&
		!DatumGetBool(DirectFunctionCall2(uuid_eq, fb_get_val(0, "id").value, feedback_id)))
		feedback_client_key_conflict(key);
}
