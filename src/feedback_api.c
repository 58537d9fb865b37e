/*-------------------------------------------------------------------------
 *
 * feedback_api.c
 *	  The feedback API: submit, put_conversation_feedback, get, for_message,
 *	  thread_reactions, patch and delete.
 *
 * One feedback exists per (tenant, answer, user, kind), whichever call gave
 * it: submit and put_conversation_feedback both end in WriteFeedback, an
 * INSERT ... ON CONFLICT on that key, so concurrent writers of one answer
 * never fail and the last one wins.  The DO UPDATE only fires when rating,
 * comment or reasons change, so an exact repeat writes nothing and keeps
 * updated_at.  Such a change is a resubmission: the feedback trigger puts
 * it back to review (or auto-approval, by the tenant's rule) and clears
 * the reviewer fields, for these calls and a direct UPDATE alike.  The
 * calls only name who acts (change_by, change_impersonated_by).
 *
 * Ungrouped feedback (no answer) has no such key; a client_feedback_id
 * makes its submits idempotent through the (tenant, user, key) unique key.
 * Every key ever stored on a feedback stays bound to it (keys.c): a key
 * bound elsewhere is PT409, and an older key of the same feedback is a late
 * retry, which gets the feedback as it is.  An advisory lock per (tenant,
 * user, key) makes two concurrent first uses see each other.
 *
 * Members see only their own feedback, and what they may not see is PT404
 * exactly like a row that does not exist.
 *
 * src/feedback_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#define CONTEXT_MAX_BYTES	8192	/* of context::text */
#define LABEL_MAX_CHARS		64

/* The seed of the hash that keys the advisory lock of a client key. */
#define CLIENT_KEY_LOCK_SEED 0x46424b43	/* "FBKC" */

/* What a call asks to store. */
typedef struct FeedbackInput
{
	FbValue		message_id;
	bool		has_rating;
	uint8		rating;
	char	   *comment;		/* NULL when there is none */
	Datum		reasons;		/* text[], normalized */
	char	   *kind;
	char	   *source_surface;
	FbValue		client_feedback_id;
	FbValue		turn_id;
	FbValue		context;
} FeedbackInput;

/*
 * An answer and the tenant's rule for a rating in one probe: (tenant_id,
 * id, rating as boolean).  The rule columns are NULL when there is no rule.
 * The answer is locked against deletion until the feedback is written: a
 * call that waited for delete_conversation or delete_message finds no
 * answer (PT404) rather than failing on the foreign key.
 * The rating is never NULL: a join condition folded to false leaves Citus
 * unable to route the join by tenant.
 */
static FbQuery answer_rule_query = {
	"SELECT am.conversation_id, am.role, am.is_complete, am.turn_id, s.auto_approve,"
	"       s.reason_required, c.title, (" PROMPT_OF_ANSWER ") AS prompt"
	"  FROM feedback.messages am"
	"  LEFT JOIN feedback.settings s ON s.tenant_id OPERATOR(pg_catalog.=) am.tenant_id"
	"   AND s.rating OPERATOR(pg_catalog.=) $3::feedback.rating"
	"  LEFT JOIN feedback.conversations c ON c.tenant_id OPERATOR(pg_catalog.=) am.tenant_id"
	"   AND c.id OPERATOR(pg_catalog.=) am.conversation_id"
	" WHERE am.tenant_id OPERATOR(pg_catalog.=) $1 AND am.id OPERATOR(pg_catalog.=) $2"
	"   FOR KEY SHARE OF am",
	3, {UUIDOID, UUIDOID, BOOLOID}
};

/*
 * The columns, values and change rule shared by the two upserts.  A
 * replacement stores every field it is given: it writes when rating,
 * comment or reasons change (a resubmission, which the trigger sends back
 * through the tenant's rule), or when another field given differs
 * (source_surface always; turn_id ($17, NULL when not given), context and
 * client_feedback_id when given), which keeps the status.  An exact repeat
 * writes nothing.
 */
#define UPSERT_INSERT \
	"INSERT INTO feedback.feedback AS f" \
	"       (tenant_id, id, conversation_id, message_id, turn_id, user_id, impersonated_by," \
	"        rating, comment, reasons, kind, source_surface, client_feedback_id, status," \
	"        context, created_at, updated_at)" \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8::feedback.rating, $9, $10, $11, $12, $13," \
	"         $14::feedback.review_status, $15, $16, $16)"
#define UPSERT_UPDATE \
	" DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment," \
	"       reasons = EXCLUDED.reasons, turn_id = COALESCE($17, f.turn_id)," \
	"       impersonated_by = EXCLUDED.impersonated_by, source_surface = EXCLUDED.source_surface," \
	"       client_feedback_id = COALESCE(EXCLUDED.client_feedback_id, f.client_feedback_id)," \
	"       context = COALESCE(EXCLUDED.context, f.context), updated_at = EXCLUDED.updated_at," \
	"       change_by = EXCLUDED.user_id, change_impersonated_by = EXCLUDED.impersonated_by" \
	" WHERE f.rating IS DISTINCT FROM EXCLUDED.rating" \
	"    OR f.comment IS DISTINCT FROM EXCLUDED.comment" \
	"    OR f.reasons OPERATOR(pg_catalog.<>) EXCLUDED.reasons" \
	"    OR f.source_surface OPERATOR(pg_catalog.<>) EXCLUDED.source_surface" \
	"    OR ($17 IS NOT NULL AND f.turn_id IS DISTINCT FROM $17)" \
	"    OR (EXCLUDED.context IS NOT NULL AND f.context IS DISTINCT FROM EXCLUDED.context)" \
	"    OR (EXCLUDED.client_feedback_id IS NOT NULL" \
	"        AND f.client_feedback_id IS DISTINCT FROM EXCLUDED.client_feedback_id)" \
	" RETURNING f.xmax OPERATOR(pg_catalog.=) '0'::pg_catalog.xid AS inserted," \
	"           f.id, f.tenant_id, f.conversation_id, f.message_id, f.turn_id, f.user_id," \
	"           f.impersonated_by, f.rating, f.comment, f.reasons, f.kind, f.source_surface," \
	"           f.client_feedback_id, f.status, f.reviewed_by, f.reviewed_at, f.corrected_response," \
	"           f.context, f.suggested_action_type, f.suggested_action_data, f.created_at, f.updated_at"
#define UPSERT_ARGTYPES \
	{UUIDOID, UUIDOID, UUIDOID, UUIDOID, UUIDOID, UUIDOID, UUIDOID, BOOLOID, TEXTOID, \
	 TEXTARRAYOID, TEXTOID, TEXTOID, UUIDOID, TEXTOID, JSONBOID, TIMESTAMPTZOID, UUIDOID}

/* The feedback object's columns the upserts return, after the "inserted" flag. */
static const int upsert_returning[] = {
	FB_COL_ID, FB_COL_TENANT_ID, FB_COL_CONVERSATION_ID, FB_COL_MESSAGE_ID, FB_COL_TURN_ID,
	FB_COL_USER_ID, FB_COL_IMPERSONATED_BY, FB_COL_RATING, FB_COL_COMMENT, FB_COL_REASONS,
	FB_COL_KIND, FB_COL_SOURCE_SURFACE, FB_COL_CLIENT_FEEDBACK_ID, FB_COL_STATUS,
	FB_COL_REVIEWED_BY, FB_COL_REVIEWED_AT, FB_COL_CORRECTED_RESPONSE, FB_COL_CONTEXT,
	FB_COL_SUGGESTED_ACTION_TYPE, FB_COL_SUGGESTED_ACTION_DATA, FB_COL_CREATED_AT,
	FB_COL_UPDATED_AT
};

/* Feedback on an answer: one per (tenant, answer, user, kind). */
static FbQuery upsert_answer_query = {
	UPSERT_INSERT " ON CONFLICT (tenant_id, message_id, user_id, kind)" UPSERT_UPDATE,
	17, UPSERT_ARGTYPES
};

/* Ungrouped feedback: idempotent per client key when there is one. */
static FbQuery upsert_ungrouped_query = {
	UPSERT_INSERT " ON CONFLICT (tenant_id, user_id, client_feedback_id)" UPSERT_UPDATE,
	17, UPSERT_ARGTYPES
};

/* The id of a user's feedback on an answer: (tenant_id, message_id, user_id, kind) */
static FbQuery answer_feedback_id_query = {
	"SELECT f.id FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.message_id OPERATOR(pg_catalog.=) $2"
	"   AND f.user_id OPERATOR(pg_catalog.=) $3 AND f.kind OPERATOR(pg_catalog.=) $4",
	4, {UUIDOID, UUIDOID, UUIDOID, TEXTOID}
};

/*
 * The id of a user's ungrouped feedback with a key, the one the upsert
 * met: (tenant_id, user_id, client_feedback_id)
 */
static FbQuery key_feedback_id_query = {
	"SELECT f.id FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.user_id OPERATOR(pg_catalog.=) $2"
	"   AND f.client_feedback_id OPERATOR(pg_catalog.=) $3",
	3, {UUIDOID, UUIDOID, UUIDOID}
};

/* The latest message of a conversation: (tenant_id, conversation_id) */
static FbQuery latest_message_query = {
	"SELECT m.id, m.role, m.is_complete FROM feedback.messages m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1"
	"   AND m.conversation_id OPERATOR(pg_catalog.=) $2"
	" ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
	2, {UUIDOID, UUIDOID}
};

/* Withdraw a user's feedback on an answer: (tenant_id, message_id, user_id, kind) */
static FbQuery withdraw_query = {
	"DELETE FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.message_id OPERATOR(pg_catalog.=) $2"
	"   AND f.user_id OPERATOR(pg_catalog.=) $3 AND f.kind OPERATOR(pg_catalog.=) $4",
	4, {UUIDOID, UUIDOID, UUIDOID, TEXTOID}
};

/* A feedback for a change by its author, locked: (tenant_id, id) */
static FbQuery lock_feedback_query = {
	"SELECT f.user_id, f.message_id, f.rating, f.comment, f.reasons, f.kind"
	"  FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2"
	" FOR UPDATE",
	2, {UUIDOID, UUIDOID}
};

/* An author's change: $7 the author, $8 the impersonator; see the file header. */
static FbQuery patch_query = {
	"UPDATE feedback.feedback f"
	"   SET rating = $3::feedback.rating, comment = $4, reasons = $5, kind = $6,"
	"       impersonated_by = $8, updated_at = $9, change_by = $7, change_impersonated_by = $8"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2",
	9, {UUIDOID, UUIDOID, BOOLOID, TEXTOID, TEXTARRAYOID, TEXTOID, UUIDOID, UUIDOID,
		TIMESTAMPTZOID}
};

static FbQuery delete_query = {
	"DELETE FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/* The acting user's feedback on an answer, message_reaction first. */
static FbQuery for_message_query = {
	FEEDBACK_SELECT
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.message_id OPERATOR(pg_catalog.=) $2"
	"   AND f.user_id OPERATOR(pg_catalog.=) $3"
	" ORDER BY f.kind OPERATOR(pg_catalog.=) 'message_reaction' DESC, f.updated_at DESC"
	" LIMIT 1",
	3, {UUIDOID, UUIDOID, UUIDOID}
};

/* The acting user's feedback in a conversation, oldest first. */
static FbQuery thread_query = {
	FEEDBACK_SELECT
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.conversation_id OPERATOR(pg_catalog.=) $2"
	"   AND f.user_id OPERATOR(pg_catalog.=) $3"
	" ORDER BY f.created_at, f.id",
	3, {UUIDOID, UUIDOID, UUIDOID}
};

/*
 * Set PostgREST's response status for this transaction.
 */
static void
SetResponseStatus(const char *status)
{
	(void) set_config_option("response.status", status, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
}

/*
 * Raise 22023 unless a label (kind, source_surface) has 1..64 characters.
 */
static void
CheckLabel(const char *value, const char *name)
{
	int			chars = pg_mbstrlen(value);

	if (chars < 1 || chars > LABEL_MAX_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have 1 to %d characters", name, LABEL_MAX_CHARS)));
}

/*
 * Raise 22023 unless context is a JSON object, 22001 when its text is
 * longer than CONTEXT_MAX_BYTES.
 */
static void
CheckContext(Jsonb *context)
{
	if (!JB_ROOT_IS_OBJECT(context))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("context must be a JSON object"),
				 errhint("Send for example {\"query_id\": 123, \"source\": \"search\"}.")));
	fb_check_json_bytes(context, "context", CONTEXT_MAX_BYTES,
						"Keep context to a few identifiers such as query_id and source.");
}

/*
 * Take the transaction's advisory lock on a user's idempotency key, so that
 * two first uses of one key see each other.  It is keyed by tenant, user
 * and key: no other tenant's or user's key waits for it.
 */
static void
LockClientKey(const pg_uuid_t *tenant, const pg_uuid_t *user, const pg_uuid_t *key)
{
	unsigned char bytes[3 * UUID_LEN];

	memcpy(bytes, tenant->data, UUID_LEN);
	memcpy(bytes + UUID_LEN, user->data, UUID_LEN);
	memcpy(bytes + 2 * UUID_LEN, key->data, UUID_LEN);
	DirectFunctionCall1(pg_advisory_xact_lock_int8,
						Int64GetDatum((int64) hash_bytes_extended(bytes, sizeof(bytes), CLIENT_KEY_LOCK_SEED)));
}

/*
 * Store feedback for the caller: the one upsert behind submit and
 * put_conversation_feedback.  Fills row (indexed by FB_COL_*) with the
 * stored feedback, and returns whether it is new.
 */
static bool
WriteFeedback(FeedbackCaller *caller, FeedbackInput *in, FbValue *row)
{
	Datum		tenant = UUIDPGetDatum(&caller->tenant_id);
	Datum		user = UUIDPGetDatum(&caller->user_id);
	Datum		values[17];
	bool		nulls[17] = {false};
	FbValue		conversation_id = FB_NULL;
	FbValue		turn_id = in->turn_id;
	FbValue		title = FB_NULL;
	FbValue		user_message = FB_NULL;
	FbQuery    *upsert;
	FeedbackRule rule = {false, false};
	bool		isnull;

	fb_require_content(in->has_rating, in->comment);
	fb_check_comment(in->comment);
	CheckLabel(in->kind, "kind");
	CheckLabel(in->source_surface, "source_surface");
	if (!in->context.isnull)
		CheckContext(DatumGetJsonbP(in->context.value));

	if (in->message_id.isnull)
		rule = in->has_rating ? feedback_rule_for(tenant, in->rating) : rule;
	else
	{
		if (fb_exec(&answer_rule_query, (Datum[]) {tenant, in->message_id.value,
					BoolGetDatum(in->rating == FB_RATING_POSITIVE)}, NULL, 1) == 0 ||
			strcmp(fb_get_text(0, "role"), "assistant") != 0)
			feedback_answer_not_found(in->message_id.value);
		if (!DatumGetBool(fb_get(0, "is_complete", &isnull)))
			ereport(ERROR,
					(errcode(ERRCODE_FEEDBACK_CONFLICT),
					 errmsg("answer %s is still streaming", fb_uuid_text(DatumGetUUIDP(in->message_id.value))),
					 errhint("Give feedback once the answer is complete.")));
		conversation_id = fb_get_val(0, "conversation_id");
		if (turn_id.isnull)
			turn_id = fb_get_val(0, "turn_id");
		rule.auto_approve = DatumGetBool(fb_get(0, "auto_approve", &isnull));
		rule.reason_required = DatumGetBool(fb_get(0, "reason_required", &isnull));
		title = fb_get_val(0, "title");
		user_message = fb_get_val(0, "prompt");
	}

	if (!in->client_feedback_id.isnull)
	{
		LockClientKey(&caller->tenant_id, &caller->user_id,
					  DatumGetUUIDP(in->client_feedback_id.value));
		if (feedback_client_key_bound(tenant, user, in->client_feedback_id.value))
		{
			FbValue		used_on = fb_get_val(0, "message_id");
			bool		same_answer = used_on.isnull ? in->message_id.isnull :
				(!in->message_id.isnull &&
				 DatumGetBool(DirectFunctionCall2(uuid_eq, used_on.value, in->message_id.value)));
			FbValue		current = fb_get_val(0, "client_feedback_id");

			if (!same_answer || strcmp(fb_get_text(0, "kind"), in->kind) != 0)
				feedback_client_key_conflict(in->client_feedback_id.value);
			/* an older key: a late retry gets the feedback as it is */
			if (current.isnull ||
				!DatumGetBool(DirectFunctionCall2(uuid_eq, current.value, in->client_feedback_id.value)))
			{
				feedback_object_values_by_id(tenant, fb_get_val(0, "id").value, row);
				return false;
			}
		}
	}

	values[0] = tenant;
	values[1] = UUIDPGetDatum(fb_uuid_random());
	values[2] = conversation_id.value;
	nulls[2] = conversation_id.isnull;
	values[3] = in->message_id.value;
	nulls[3] = in->message_id.isnull;
	values[4] = turn_id.value;
	nulls[4] = turn_id.isnull;
	values[5] = user;
	values[6] = UUIDPGetDatum(&caller->actor_id);
	nulls[6] = !caller->impersonating;
	values[7] = BoolGetDatum(in->rating == FB_RATING_POSITIVE);
	nulls[7] = !in->has_rating;
	values[8] = in->comment ? CStringGetTextDatum(in->comment) : (Datum) 0;
	nulls[8] = in->comment == NULL;
	values[9] = in->reasons;
	values[10] = CStringGetTextDatum(in->kind);
	values[11] = CStringGetTextDatum(in->source_surface);
	values[12] = in->client_feedback_id.value;
	nulls[12] = in->client_feedback_id.isnull;
	values[13] = CStringGetTextDatum(feedback_status_name(feedback_rule_status(rule, in->has_rating)));
	values[14] = in->context.value;
	nulls[14] = in->context.isnull;
	values[15] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	values[16] = in->turn_id.value;
	nulls[16] = in->turn_id.isnull;

	upsert = in->message_id.isnull ? &upsert_ungrouped_query : &upsert_answer_query;
	if (fb_exec(upsert, values, nulls, 0) > 0)
	{
		bool		created = DatumGetBool(fb_get(0, "inserted", &isnull));
		int			i;

		/*
		 * The tenant's reason rule holds for what is written: the trigger
		 * checks a replacement, this a new feedback; an exact repeat or a
		 * late retry writes nothing and is not refused.
		 */
		if (created)
			feedback_check_reason(rule, in->has_rating, in->rating, in->comment != NULL,
								  fb_reasons_any(in->reasons));

		/* what the upsert wrote, and the rest of the object from what we know */
		for (i = 0; i < (int) lengthof(upsert_returning); i++)
			row[upsert_returning[i]] = fb_val(0, i + 2);
		row[FB_COL_USER_EMAIL] = FB_VALUE(CStringGetTextDatum(caller->email));
		row[FB_COL_IMPERSONATOR_EMAIL] = caller->impersonating ?
			FB_VALUE(CStringGetTextDatum(caller->actor_email)) : FB_NULL;
		row[FB_COL_USER_MESSAGE] = user_message;
		row[FB_COL_CONVERSATION_TITLE] = title;
		row[FB_COL_REVIEWER_EMAIL] = FB_NULL;
		/* a change of other fields than the content keeps the review and its reviewer */
		if (!row[FB_COL_REVIEWED_BY].isnull)
			feedback_object_values_by_id(tenant, row[FB_COL_ID].value, row);
		return created;
	}

	/* An exact repeat: nothing was written. */
	if (in->message_id.isnull)
		fb_exec(&key_feedback_id_query, (Datum[]) {tenant, user, in->client_feedback_id.value},
				NULL, 1);
	else
		fb_exec(&answer_feedback_id_query, (Datum[]) {tenant, in->message_id.value, user, values[10]},
				NULL, 1);
	feedback_object_values_by_id(tenant, fb_get(0, "id", &isnull), row);
	return false;
}

/*
 * Copy a uuid datum out of SPI's tuple memory.
 */
static Datum
CopyUuid(Datum d)
{
	pg_uuid_t  *copy = palloc(sizeof(pg_uuid_t));

	memcpy(copy, DatumGetUUIDP(d), sizeof(pg_uuid_t));
	return UUIDPGetDatum(copy);
}

PG_FUNCTION_INFO_V1(feedback_submit);
/*
 * submit(tenant_id, message_id, rating, comment, reasons, kind,
 * source_surface, client_feedback_id, turn_id, context): give feedback on
 * an answer (or ungrouped feedback with message_id NULL), replacing the
 * caller's earlier feedback on that answer.  response.status is 201 when
 * the feedback is new, 200 otherwise.
 */
Datum
feedback_submit(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	FeedbackInput in;
	FbValue		row[FB_OBJECT_COLUMNS + 1];

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 5, "kind");
	fb_require_arg(fcinfo, 6, "source_surface");

	in.message_id = PG_ARGISNULL(1) ? FB_NULL : FB_VALUE(PG_GETARG_DATUM(1));
	in.has_rating = !PG_ARGISNULL(2);
	in.rating = in.has_rating ? (uint8) PG_GETARG_CHAR(2) : 0;
	in.comment = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	if (in.comment != NULL && in.comment[0] == '\0')
		in.comment = NULL;
	in.reasons = fb_reasons_from_array(PG_ARGISNULL(4) ? FB_NULL : FB_VALUE(PG_GETARG_DATUM(4)));
	in.kind = text_to_cstring(PG_GETARG_TEXT_PP(5));
	in.source_surface = text_to_cstring(PG_GETARG_TEXT_PP(6));
	in.client_feedback_id = PG_ARGISNULL(7) ? FB_NULL : FB_VALUE(PG_GETARG_DATUM(7));
	in.turn_id = PG_ARGISNULL(8) ? FB_NULL : FB_VALUE(PG_GETARG_DATUM(8));
	in.context = PG_ARGISNULL(9) ? FB_NULL : FB_VALUE(PG_GETARG_DATUM(9));

	SetResponseStatus(WriteFeedback(&caller, &in, row) ? "201" : "200");
	PG_RETURN_DATUM(fb_finish_jsonb(feedback_object_from(row)));
}

PG_FUNCTION_INFO_V1(feedback_put_conversation_feedback);
/*
 * put_conversation_feedback(tenant_id, conversation_id, body): rate the
 * conversation's latest answer, fully replacing the caller's feedback on
 * it.  body keys: rating (POSITIVE, NEGATIVE or null) and comment; an
 * absent key is cleared, and a result with neither withdraws the feedback.
 */
Datum
feedback_put_conversation_feedback(PG_FUNCTION_ARGS)
{
	static const char *const keys[] = {"rating", "comment", NULL};
	const char *hint = "Send {\"rating\": \"POSITIVE\" | \"NEGATIVE\" | null, \"comment\": \"...\"} with at least one of the two keys.";
	FeedbackCaller caller;
	FeedbackInput in;
	Jsonb	   *body;
	JsonbValue *rating;
	JsonbValue *comment;
	Datum		tenant = PG_GETARG_DATUM(0);
	Datum		answer;
	bool		isnull;
	JsonbParseState *state = NULL;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 1, "conversation_id");
	body = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	fb_body_check_keys(body, "body", keys, hint);
	rating = fb_body_key(body, "rating");
	comment = fb_body_key(body, "comment");
	if (rating == NULL && comment == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("body needs a rating or a comment key"),
				 errhint("%s", hint)));

	memset(&in, 0, sizeof(in));
	in.has_rating = rating != NULL && fb_body_rating(rating, "rating", &in.rating);
	in.comment = comment != NULL ? fb_body_comment(comment, "comment") : NULL;
	in.reasons = fb_reasons_from_strings(NULL, 0);
	in.kind = "message_reaction";
	in.source_surface = "api";
	in.client_feedback_id = FB_NULL;
	in.turn_id = FB_NULL;
	in.context = FB_NULL;

	feedback_require_conversation(tenant, PG_GETARG_DATUM(1), false);
	if (fb_exec(&latest_message_query, (Datum[]) {tenant, PG_GETARG_DATUM(1)}, NULL, 1) == 0 ||
		strcmp(fb_get_text(0, "role"), "assistant") != 0 ||
		!DatumGetBool(fb_get(0, "is_complete", &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_CONFLICT),
				 errmsg("conversation %s is not completed", fb_uuid_text(PG_GETARG_UUID_P(1))),
				 errdetail("Its latest message must be a complete answer."),
				 errhint("Retry once the assistant has finished answering.")));
	answer = CopyUuid(fb_get(0, "id", &isnull));
	in.message_id = FB_VALUE(answer);

	fb_json_begin(&state);
	fb_json_uuid(&state, "conversation_id", FB_VALUE(PG_GETARG_DATUM(1)));
	if (in.has_rating || in.comment != NULL)
	{
		FbValue		row[FB_OBJECT_COLUMNS + 1];

		WriteFeedback(&caller, &in, row);
		fb_json_text(&state, "rating", in.has_rating ?
					 (in.rating == FB_RATING_POSITIVE ? "POSITIVE" : "NEGATIVE") : NULL);
		fb_json_text(&state, "comment", in.comment);
		fb_json_timestamp(&state, "updated_at", row[FB_COL_UPDATED_AT]);
	}
	else
	{
		fb_exec(&withdraw_query, (Datum[]) {tenant, answer, UUIDPGetDatum(&caller.user_id),
					CStringGetTextDatum(in.kind)}, NULL, 0);
		fb_json_null(&state, "rating");
		fb_json_null(&state, "comment");
		fb_json_timestamp(&state, "updated_at",
						  FB_VALUE(TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())));
	}
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

PG_FUNCTION_INFO_V1(feedback_get);
/*
 * get(tenant_id, id): one feedback object.
 */
Datum
feedback_get(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	Jsonb	   *result;
	bool		isnull;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 1, "id");
	result = feedback_object_by_id(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
	if (result == NULL || !feedback_can_see(&caller, fb_get(0, "user_id", &isnull)))
		feedback_not_found(PG_GETARG_DATUM(1));
	PG_RETURN_DATUM(fb_finish_jsonb(result));
}

PG_FUNCTION_INFO_V1(feedback_for_message);
/*
 * for_message(tenant_id, message_id): the acting user's feedback on an
 * answer, or SQL NULL when there is none.
 */
Datum
feedback_for_message(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 1, "message_id");
	feedback_require_answer(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
	if (fb_exec(&for_message_query, (Datum[]) {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1),
				UUIDPGetDatum(&caller.user_id)}, NULL, 1) == 0)
	{
		SPI_finish();
		PG_RETURN_NULL();
	}
	PG_RETURN_DATUM(fb_finish_jsonb(feedback_object(0)));
}

PG_FUNCTION_INFO_V1(feedback_thread_reactions);
/*
 * thread_reactions(tenant_id, conversation_id): the acting user's feedback
 * objects in a conversation, oldest first.
 */
Datum
feedback_thread_reactions(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	JsonbParseState *state = NULL;
	JsonbValue *array;
	int			n;
	int			i;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 1, "conversation_id");
	feedback_require_conversation(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), false);

	n = fb_exec(&thread_query, (Datum[]) {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1),
				UUIDPGetDatum(&caller.user_id)}, NULL, 0);
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
		fb_json_elem(&state, feedback_object(i));
	array = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	PG_RETURN_DATUM(fb_finish_jsonb(JsonbValueToJsonb(array)));
}

/*
 * Lock a feedback the caller may see; PT404 when it does not exist or may
 * not be seen.  The row is result row 0 of lock_feedback_query.
 */
static void
LockVisibleFeedback(FeedbackCaller *caller, Datum tenant, Datum id)
{
	bool		isnull;

	if (fb_exec(&lock_feedback_query, (Datum[]) {tenant, id}, NULL, 1) == 0 ||
		!feedback_can_see(caller, fb_get(0, "user_id", &isnull)))
		feedback_not_found(id);
}

/*
 * Raise 42501 unless the caller wrote the locked feedback (or, when
 * admin_may, is an admin).
 */
static void
RequireAuthor(FeedbackCaller *caller, bool admin_may, const char *action)
{
	bool		isnull;

	if (!DatumGetBool(DirectFunctionCall2(uuid_eq, fb_get(0, "user_id", &isnull),
										  UUIDPGetDatum(&caller->user_id))) &&
		!(admin_may && caller->role == FB_ROLE_ADMIN))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only the author%s may %s this feedback", admin_may ? " or an admin" : "", action),
				 errhint("Reviewers change the review status with feedback.set_status or feedback.update.")));
}

PG_FUNCTION_INFO_V1(feedback_patch);
/*
 * patch(tenant_id, id, changes): partial update by the feedback's author.
 * Keys present are set (null clears), absent keys are kept.
 */
Datum
feedback_patch(PG_FUNCTION_ARGS)
{
	static const char *const keys[] = {"rating", "is_positive", "reaction", "comment",
	"feedback", "reasons", "kind", NULL};
	const char *hint = "Allowed keys: rating, is_positive, reaction, comment, feedback (the comment), reasons, kind.";
	FeedbackCaller caller;
	Datum		tenant = PG_GETARG_DATUM(0);
	Datum		id = PG_GETARG_DATUM(1);
	Jsonb	   *changes;
	FeedbackContent before;
	FeedbackContent content;
	char	   *kind;
	bool		content_changed;
	bool		isnull;
	FbValue		message_id;
	const char *old_kind;
	JsonbValue *v;
	bool		kind_changed;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 1, "id");
	changes = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	fb_body_check_keys(changes, "changes", keys, hint);
	LockVisibleFeedback(&caller, tenant, id);
	RequireAuthor(&caller, false, "patch");

	fb_content_from_row(0, &before);
	old_kind = kind = fb_get_text(0, "kind");
	message_id = fb_get_val(0, "message_id");

	content = before;
	fb_body_content(changes, &content);
	if ((v = fb_body_key(changes, "kind")) != NULL)
	{
		if (v->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kind must be a string")));
		kind = pnstrdup(v->val.string.val, v->val.string.len);
		CheckLabel(kind, "kind");
	}
	fb_require_content(content.has_rating, content.comment);

	content_changed = !fb_content_equal(&before, &content);
	kind_changed = strcmp(kind, old_kind) != 0;

	if (content_changed || kind_changed)
	{
		Datum		values[9];
		bool		nulls[9] = {false};

		if (kind_changed && !message_id.isnull &&
			fb_exec(&answer_feedback_id_query, (Datum[]) {tenant, message_id.value,
						UUIDPGetDatum(&caller.user_id), CStringGetTextDatum(kind)}, NULL, 1) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEEDBACK_CONFLICT),
					 errmsg("you already gave feedback of kind \"%s\" on this answer", fb_quotable(kind)),
					 errhint("Patch that feedback (%s) instead.",
							 fb_uuid_text(DatumGetUUIDP(fb_get(0, "id", &isnull))))));

		values[0] = tenant;
		values[1] = id;
		values[2] = BoolGetDatum(content.rating == FB_RATING_POSITIVE);
		nulls[2] = !content.has_rating;
		values[3] = content.comment ? CStringGetTextDatum(content.comment) : (Datum) 0;
		nulls[3] = content.comment == NULL;
		values[4] = content.reasons;
		values[5] = CStringGetTextDatum(kind);
		values[6] = UUIDPGetDatum(&caller.user_id);
		values[7] = UUIDPGetDatum(&caller.actor_id);
		nulls[7] = !caller.impersonating;
		values[8] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		fb_exec(&patch_query, values, nulls, 0);
	}
	PG_RETURN_DATUM(fb_finish_jsonb(feedback_object_by_id(tenant, id)));
}

PG_FUNCTION_INFO_V1(feedback_delete);
/*
 * delete(tenant_id, id): delete a feedback, by its author or an admin.
 */
Datum
feedback_delete(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 1, "id");
	LockVisibleFeedback(&caller, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
	RequireAuthor(&caller, true, "delete");
	fb_exec(&delete_query, (Datum[]) {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)}, NULL, 0);
	SPI_finish();
	PG_RETURN_VOID();
}
