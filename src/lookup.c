/*-------------------------------------------------------------------------
 *
 * lookup.c
 *	  Finding what a call names, and what the caller may see of it: the
 *	  PT404 of a feedback, an answer or a conversation that does not exist
 *	  in the tenant (or may not be seen, which is reported the same way).
 *
 * src/lookup.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"

/* A message: (tenant_id, id) */
static FbQuery message_role_query = {
	"SELECT m.role FROM feedback.messages m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/* A conversation: (tenant_id, id) */
static FbQuery conversation_exists_query = {
	"SELECT FROM feedback.conversations c"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/* The same, locked against its deletion until the transaction ends. */
static FbQuery conversation_key_share_query = {
	"SELECT FROM feedback.conversations c"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2"
	" FOR KEY SHARE",
	2, {UUIDOID, UUIDOID}
};

/*
 * Raise PT404 for a feedback that does not exist or may not be seen.
 */
void
feedback_not_found(Datum id)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
			 errmsg("feedback %s not found", fb_uuid_text(DatumGetUUIDP(id))),
			 errhint("Check the tenant_id and the feedback id; members see only their own feedback.")));
}

/*
 * Whether the caller may see feedback given by author: its own, or any
 * for a reviewer or admin.
 */
bool
feedback_can_see(FeedbackCaller *caller, Datum author)
{
	return caller->role >= FB_ROLE_REVIEWER ||
		DatumGetBool(DirectFunctionCall2(uuid_eq, author, UUIDPGetDatum(&caller->user_id)));
}

/*
 * Raise PT404 for an answer that is not an assistant message of the tenant.
 */
void
feedback_answer_not_found(Datum message_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
			 errmsg("answer %s not found", fb_uuid_text(DatumGetUUIDP(message_id))),
			 errhint("message_id must be an assistant message of this tenant.")));
}

/*
 * Raise PT404 unless message_id is an answer of the tenant.
 */
void
feedback_require_answer(Datum tenant_id, Datum message_id)
{
	if (fb_exec(&message_role_query, (Datum[]) {tenant_id, message_id}, NULL, 1) == 0 ||
		strcmp(fb_get_text(0, "role"), "assistant") != 0)
		feedback_answer_not_found(message_id);
}

/*
 * Raise PT404 for a conversation that does not exist in the tenant.
 */
void
feedback_conversation_not_found(Datum conversation_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
			 errmsg("conversation %s not found", fb_uuid_text(DatumGetUUIDP(conversation_id))),
			 errhint("Check the tenant_id and the conversation id.")));
}

/*
 * Raise PT404 when the conversation does not exist in the tenant.  With
 * lock, a writer that is about to add to the conversation holds it against
 * delete_conversation: a deletion under way makes it wait, and then find no
 * conversation (rather than fail on a foreign key).  Only in a volatile
 * function.
 */
void
feedback_require_conversation(Datum tenant_id, Datum conversation_id, bool lock)
{
	if (fb_exec(lock ? &conversation_key_share_query : &conversation_exists_query,
				(Datum[]) {tenant_id, conversation_id}, NULL, 1) == 0)
		feedback_conversation_not_found(conversation_id);
}
