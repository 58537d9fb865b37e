/*-------------------------------------------------------------------------
 *
 * ingest_api.c
 *	  The ingest API, for the trusted backend of the chat application:
 *	  put_user, put_member, put_conversation, put_message, set_suggestion.
 *
 * Each is an idempotent upsert keyed by id that returns the stored object.
 * An exact repeat writes nothing (the ON CONFLICT ... WHERE clause skips
 * the update), so updated_at moves only when something changed; created_at
 * is set by the first call and kept.  Authorization is the EXECUTE
 * privilege given by feedback.grant_ingest: these calls need no acting
 * user.
 *
 * src/ingest_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/xact.h"
#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

/* First key of the advisory locks that serialize put_user by email. */
#define EMAIL_LOCK_CLASS 0x46424b45	/* "FBKE" */

#define USER_COLUMNS "u.id, u.email, u.can_impersonate, u.created_at, u.updated_at"

static FbQuery user_email_taken_query = {
	"SELECT u.id FROM feedback.users u"
	" WHERE pg_catalog.lower(u.email) OPERATOR(pg_catalog.=) pg_catalog.lower($1)"
	"   AND u.id OPERATOR(pg_catalog.<>) $2",
	2, {TEXTOID, UUIDOID}
};

static FbQuery user_upsert_query = {
	"INSERT INTO feedback.users AS u (id, email, can_impersonate, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $4)"
	" ON CONFLICT (id) DO UPDATE"
	"   SET email = EXCLUDED.email, can_impersonate = EXCLUDED.can_impersonate,"
	"       updated_at = EXCLUDED.updated_at"
	" WHERE u.email OPERATOR(pg_catalog.<>) EXCLUDED.email"
	"    OR u.can_impersonate OPERATOR(pg_catalog.<>) EXCLUDED.can_impersonate"
	" RETURNING " USER_COLUMNS,
	4, {UUIDOID, TEXTOID, BOOLOID, TIMESTAMPTZOID}
};

static FbQuery user_get_query = {
	"SELECT " USER_COLUMNS " FROM feedback.users u WHERE u.id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

/*
 * A user, held against erase_user until the transaction ends: an erasure
 * under way makes the caller wait, and then find no user.
 */
static FbQuery user_key_share_query = {
	"SELECT u.email FROM feedback.users u WHERE u.id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE",
	1, {UUIDOID}
};

#define MEMBER_COLUMNS "m.role, m.created_at, m.updated_at"

static FbQuery member_upsert_query = {
	"INSERT INTO feedback.memberships AS m (tenant_id, user_id, role, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $4)"
	" ON CONFLICT (tenant_id, user_id) DO UPDATE"
	"   SET role = EXCLUDED.role, updated_at = EXCLUDED.updated_at"
	" WHERE m.role OPERATOR(pg_catalog.<>) EXCLUDED.role"
	" RETURNING " MEMBER_COLUMNS,
	4, {UUIDOID, UUIDOID, TEXTOID, TIMESTAMPTZOID}
};

static FbQuery member_get_query = {
	"SELECT " MEMBER_COLUMNS " FROM feedback.memberships m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.user_id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

#define CONVERSATION_COLUMNS \
	"c.tenant_id, c.id, c.title, c.agent_name, c.is_archived, c.created_at, c.updated_at"

static FbQuery conversation_upsert_query = {
	"INSERT INTO feedback.conversations AS c"
	"       (tenant_id, id, title, agent_name, is_archived, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)"
	" ON CONFLICT (tenant_id, id) DO UPDATE"
	"   SET title = EXCLUDED.title, agent_name = EXCLUDED.agent_name,"
	"       is_archived = EXCLUDED.is_archived, updated_at = EXCLUDED.updated_at"
	" WHERE c.title IS DISTINCT FROM EXCLUDED.title"
	"    OR c.agent_name IS DISTINCT FROM EXCLUDED.agent_name"
	"    OR c.is_archived OPERATOR(pg_catalog.<>) EXCLUDED.is_archived"
	" RETURNING " CONVERSATION_COLUMNS,
	7, {UUIDOID, UUIDOID, TEXTOID, TEXTOID, BOOLOID, TIMESTAMPTZOID, TIMESTAMPTZOID}
};

static FbQuery conversation_get_query = {
	"SELECT " CONVERSATION_COLUMNS " FROM feedback.conversations c"
	" WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

#define MESSAGE_COLUMNS \
	"m.tenant_id, m.id, m.conversation_id, m.role, m.content, m.reply_to, m.turn_id," \
	" m.is_complete, m.created_at, m.updated_at"

static FbQuery message_get_query = {
	"SELECT " MESSAGE_COLUMNS " FROM feedback.messages m"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1 AND m.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

static FbQuery message_upsert_query = {
	"INSERT INTO feedback.messages AS m (tenant_id, id, conversation_id, role, content,"
	"       reply_to, turn_id, is_complete, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
	" ON CONFLICT (tenant_id, id) DO UPDATE"
	"   SET content = EXCLUDED.content, reply_to = EXCLUDED.reply_to,"
	"       turn_id = EXCLUDED.turn_id, is_complete = EXCLUDED.is_complete,"
	"       updated_at = EXCLUDED.updated_at"
	" WHERE m.content OPERATOR(pg_catalog.<>) EXCLUDED.content"
	"    OR m.reply_to IS DISTINCT FROM EXCLUDED.reply_to"
	"    OR m.turn_id IS DISTINCT FROM EXCLUDED.turn_id"
	"    OR m.is_complete OPERATOR(pg_catalog.<>) EXCLUDED.is_complete"
	" RETURNING " MESSAGE_COLUMNS,
	10, {UUIDOID, UUIDOID, UUIDOID, TEXTOID, TEXTOID, UUIDOID, UUIDOID, BOOLOID,
		TIMESTAMPTZOID, TIMESTAMPTZOID}
};

/*
 * Complete a feedback's enrichment: $1 tenant, $2 feedback, $3 and $4 the
 * suggestion, $5 now.  Not when a change of content cancelled the claim
 * (the lease is -infinity, see work_api.c); an exact repeat of a completed
 * one writes nothing.
 */
static FbQuery suggestion_update_query = {
	"UPDATE feedback.feedback f"
	"   SET suggested_action_type = $3, suggested_action_data = $4, suggested_at = $5,"
	"       suggestion_leased_until = NULL"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2"
	"   AND f.suggestion_leased_until IS DISTINCT FROM '-infinity'::pg_catalog.timestamptz"
	"   AND (f.suggested_at IS NULL OR f.suggestion_leased_until IS NOT NULL"
	"        OR f.suggested_action_type IS DISTINCT FROM $3"
	"        OR f.suggested_action_data OPERATOR(pg_catalog.<>) $4)",
	5, {UUIDOID, UUIDOID, TEXTOID, JSONBOID, TIMESTAMPTZOID}
};

/* Whether a feedback's claim was cancelled by a change of its content. */
static FbQuery claim_cancelled_query = {
	"SELECT f.suggestion_leased_until OPERATOR(pg_catalog.=) '-infinity'::pg_catalog.timestamptz AS cancelled"
	"  FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/*
 * Run an upsert; when the exact repeat wrote nothing, read the stored row
 * with get (whose parameters are the upsert's first nget).
 */
static void
UpsertOrGet(FbQuery *upsert, FbQuery *get, Datum *values, const bool *isnull)
{
	if (fb_exec(upsert, values, isnull, 1) == 0 && fb_exec(get, values, NULL, 1) == 0)
		elog(ERROR, "row vanished after upsert");
}

/*
 * Code point ranges an email may not hold: white space, and the format
 * characters (Unicode category Cf) and default-ignorable code points of
 * Unicode 15, which render as nothing or change how their neighbours do.
 */
static const pg_wchar invisible[][2] = {
	{0x0000, 0x0020},			/* controls and the space */
	{0x007F, 0x00A0},			/* DEL, the C1 controls, no-break space */
	{0x00AD, 0x00AD},			/* soft hyphen */
	{0x034F, 0x034F},			/* combining grapheme joiner */
	{0x0600, 0x0605},			/* Arabic number signs */
	{0x061C, 0x061C},			/* Arabic letter mark */
	{0x06DD, 0x06DD},			/* Arabic end of ayah */
	{0x070F, 0x070F},			/* Syriac abbreviation mark */
	{0x0890, 0x0891},			/* Arabic pound and piastre marks above */
	{0x08E2, 0x08E2},			/* Arabic disputed end of ayah */
	{0x115F, 0x1160},			/* Hangul fillers */
	{0x1680, 0x1680},			/* Ogham space mark */
	{0x17B4, 0x17B5},			/* Khmer inherent vowels */
	{0x180B, 0x180F},			/* Mongolian selectors and vowel separator */
	{0x2000, 0x200F},			/* spaces, zero-width characters, direction marks */
	{0x2028, 0x202F},			/* line and paragraph separators, embeddings, narrow space */
	{0x205F, 0x206F},			/* medium space, word joiner, invisible operators, isolates */
	{0x3000, 0x3000},			/* ideographic space */
	{0x3164, 0x3164},			/* Hangul filler */
	{0xFE00, 0xFE0F},			/* variation selectors */
	{0xFEFF, 0xFEFF},			/* zero-width no-break space */
	{0xFFA0, 0xFFA0},			/* halfwidth Hangul filler */
	{0xFFF0, 0xFFFB},			/* reserved ignorables, interlinear annotation */
	{0x110BD, 0x110BD},			/* Kaithi number sign */
	{0x110CD, 0x110CD},			/* Kaithi number sign above */
	{0x13430, 0x1343F},			/* Egyptian hieroglyph format controls */
	{0x1BCA0, 0x1BCA3},			/* shorthand format controls */
	{0x1D173, 0x1D17A},			/* musical formatting */
	{0xE0000, 0xE0FFF},			/* tags and variation selectors supplement */
};

/*
 * Whether a string holds white space or an invisible character.  Outside
 * UTF-8 databases, only ASCII's are known.
 */
static bool
HasInvisible(const char *str)
{
	int			len = strlen(str);
	pg_wchar   *chars = palloc(sizeof(pg_wchar) * (len + 1));
	int			n;
	int			i;
	int			r;

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		for (i = 0; i < len; i++)
			if ((unsigned char) str[i] <= ' ' || str[i] == 0x7f)
				return true;
		return false;
	}
	n = pg_mb2wchar_with_len(str, chars, len);
	for (i = 0; i < n; i++)
		for (r = 0; r < (int) lengthof(invisible); r++)
			if (chars[i] >= invisible[r][0] && chars[i] <= invisible[r][1])
				return true;
	return false;
}

/*
 * Raise 22023 unless email looks like an address: one @ with text on both
 * sides, no white space of any kind (Unicode spaces included) and no
 * invisible or format character (zero-width, direction controls), at most
 * 320 bytes.
 */
static void
CheckEmail(const char *email)
{
	const char *at = strchr(email, '@');
	bool		ok = strlen(email) <= 320 && at != NULL && at != email &&
		at[1] != '\0' && strchr(at + 1, '@') == NULL && !HasInvisible(email);

	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid email \"%s\"", fb_quotable(email)),
				 errdetail("An email has one @ with text on both sides, no white space or invisible characters of any kind, and at most 320 bytes.")));
}

PG_FUNCTION_INFO_V1(feedback_put_user);
/*
 * put_user(id, email, can_impersonate): create or update a user.
 */
Datum
feedback_put_user(PG_FUNCTION_ARGS)
{
	Datum		values[4];
	char	   *email;
	JsonbParseState *state = NULL;
	bool		isnull;

	fb_require_arg(fcinfo, 0, "id");
	fb_require_arg(fcinfo, 1, "email");
	fb_require_arg(fcinfo, 2, "can_impersonate");
	email = text_to_cstring(PG_GETARG_TEXT_PP(1));
	CheckEmail(email);

	values[0] = PG_GETARG_DATUM(0);
	values[1] = CStringGetTextDatum(email);
	values[2] = PG_GETARG_DATUM(2);
	values[3] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	/*
	 * Two calls giving one email to two ids would both pass the check below
	 * and one would fail on the unique index; serialize them per email so
	 * the second sees the first and gets PT409 (the check reads what is
	 * committed now: under REPEATABLE READ the transaction's snapshot may
	 * predate the first's commit).
	 */
	{
		char	   *lower = str_tolower(email, strlen(email), DEFAULT_COLLATION_OID);

		DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(EMAIL_LOCK_CLASS),
							Int32GetDatum((int32) hash_bytes((unsigned char *) lower,
															 strlen(lower))));
	}

	fb_connect();
	if (fb_exec_latest(&user_email_taken_query, (Datum[]) {values[1], values[0]}, NULL, 1) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_CONFLICT),
				 errmsg("email \"%s\" already belongs to user %s", fb_quotable(email),
						fb_uuid_text(DatumGetUUIDP(fb_get(0, "id", &isnull)))),
				 errhint("Emails are unique case-insensitively; update that user instead.")));
	UpsertOrGet(&user_upsert_query, &user_get_query, values, NULL);

	fb_json_begin(&state);
	fb_json_uuid(&state, "id", fb_get_val(0, "id"));
	fb_json_datum_text(&state, "email", fb_get_val(0, "email"));
	fb_json_datum_bool(&state, "can_impersonate", fb_get_val(0, "can_impersonate"));
	fb_json_timestamp(&state, "created_at", fb_get_val(0, "created_at"));
	fb_json_timestamp(&state, "updated_at", fb_get_val(0, "updated_at"));
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

PG_FUNCTION_INFO_V1(feedback_put_member);
/*
 * put_member(tenant_id, user_id, role): add a user to a tenant or change
 * its role.
 */
Datum
feedback_put_member(PG_FUNCTION_ARGS)
{
	Datum		values[4];
	char	   *role;
	char	   *email;
	JsonbParseState *state = NULL;

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_require_arg(fcinfo, 1, "user_id");
	fb_require_arg(fcinfo, 2, "role");
	role = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (feedback_role_parse(role) == FB_ROLE_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid role \"%s\"", fb_quotable(role)),
				 errhint("Use member, reviewer or admin.")));

	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = CStringGetTextDatum(role);
	values[3] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	fb_connect();
	if (fb_exec(&user_key_share_query, &values[1], NULL, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
				 errmsg("user %s not found", fb_uuid_text(DatumGetUUIDP(values[1]))),
				 errhint("Create the user with feedback.put_user first.")));
	email = fb_get_text(0, "email");
	UpsertOrGet(&member_upsert_query, &member_get_query, values, NULL);

	fb_json_begin(&state);
	fb_json_uuid(&state, "tenant_id", FB_VALUE(values[0]));
	fb_json_uuid(&state, "user_id", FB_VALUE(values[1]));
	fb_json_text(&state, "email", email);
	fb_json_datum_text(&state, "role", fb_get_val(0, "role"));
	fb_json_timestamp(&state, "created_at", fb_get_val(0, "created_at"));
	fb_json_timestamp(&state, "updated_at", fb_get_val(0, "updated_at"));
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

PG_FUNCTION_INFO_V1(feedback_put_conversation);
/*
 * put_conversation(tenant_id, id, title, agent_name, is_archived,
 * created_at): create or update a conversation.
 */
Datum
feedback_put_conversation(PG_FUNCTION_ARGS)
{
	Datum		values[7];
	bool		isnull[7] = {false};
	JsonbParseState *state = NULL;

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_require_arg(fcinfo, 1, "id");
	fb_require_arg(fcinfo, 4, "is_archived");
	fb_require_arg(fcinfo, 5, "created_at");
	fb_check_timestamp(PG_GETARG_TIMESTAMPTZ(5), "created_at");
	fb_check_text_arg(fcinfo, 2, "title", TITLE_MAX_CHARS);
	fb_check_text_arg(fcinfo, 3, "agent_name", AGENT_MAX_CHARS);

	for (int i = 0; i < 6; i++)
	{
		values[i] = PG_GETARG_DATUM(i);
		isnull[i] = PG_ARGISNULL(i);
	}
	values[6] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	fb_connect();
	UpsertOrGet(&conversation_upsert_query, &conversation_get_query, values, isnull);

	fb_json_begin(&state);
	fb_json_uuid(&state, "tenant_id", fb_get_val(0, "tenant_id"));
	fb_json_uuid(&state, "id", fb_get_val(0, "id"));
	fb_json_datum_text(&state, "title", fb_get_val(0, "title"));
	fb_json_datum_text(&state, "agent_name", fb_get_val(0, "agent_name"));
	fb_json_datum_bool(&state, "is_archived", fb_get_val(0, "is_archived"));
	fb_json_timestamp(&state, "created_at", fb_get_val(0, "created_at"));
	fb_json_timestamp(&state, "updated_at", fb_get_val(0, "updated_at"));
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

PG_FUNCTION_INFO_V1(feedback_put_message);
/*
 * put_message(tenant_id, id, conversation_id, role, content, reply_to,
 * turn_id, is_complete, created_at): create or update a message.  A
 * message keeps its conversation and role; reply_to names a user message
 * of the same conversation and is only for answers.
 */
Datum
feedback_put_message(PG_FUNCTION_ARGS)
{
	Datum		values[10];
	bool		isnull[10] = {false};
	char	   *role;
	JsonbParseState *state = NULL;
	bool		null;
	/* the object's keys, the names of the columns of MESSAGE_COLUMNS */
	const char *const keys[] = {"tenant_id", "id", "conversation_id", "role", "content",
		"reply_to", "turn_id", "is_complete", "created_at", "updated_at"};

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_require_arg(fcinfo, 1, "id");
	fb_require_arg(fcinfo, 2, "conversation_id");
	fb_require_arg(fcinfo, 3, "role");
	fb_require_arg(fcinfo, 4, "content");
	fb_require_arg(fcinfo, 7, "is_complete");
	fb_require_arg(fcinfo, 8, "created_at");
	fb_check_timestamp(PG_GETARG_TIMESTAMPTZ(8), "created_at");
	fb_check_text_arg(fcinfo, 4, "content", CONTENT_MAX_CHARS);
	role = text_to_cstring(PG_GETARG_TEXT_PP(3));
	if (strcmp(role, "user") != 0 && strcmp(role, "assistant") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid message role \"%s\"", fb_quotable(role)),
				 errhint("Use user for the person's messages and assistant for answers.")));
	if (!PG_ARGISNULL(5) && strcmp(role, "user") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reply_to is only for answers"),
				 errhint("Leave reply_to null for a user message.")));

	for (int i = 0; i < 9; i++)
	{
		values[i] = PG_GETARG_DATUM(i);
		isnull[i] = PG_ARGISNULL(i);
	}
	values[9] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	fb_connect();
	feedback_require_conversation(values[0], values[2], true);

	if (fb_exec(&message_get_query, values, NULL, 1) > 0 &&
		(!DatumGetBool(DirectFunctionCall2(uuid_eq, fb_get(0, "conversation_id", &null), values[2])) ||
		 strcmp(fb_get_text(0, "role"), role) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_CONFLICT),
				 errmsg("message %s already exists as %s message of conversation %s",
						fb_uuid_text(DatumGetUUIDP(values[1])),
						strcmp(fb_get_text(0, "role"), "user") == 0 ? "a user" : "an assistant",
						fb_uuid_text(DatumGetUUIDP(fb_get(0, "conversation_id", &null)))),
				 errhint("A message keeps its conversation and role; use a new id for a new message.")));

	if (!isnull[5])
	{
		if (fb_exec(&message_get_query, (Datum[]) {values[0], values[5]}, NULL, 1) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
					 errmsg("message %s (reply_to) not found",
							fb_uuid_text(DatumGetUUIDP(values[5]))),
					 errhint("Store the user message with feedback.put_message first.")));
		if (!DatumGetBool(DirectFunctionCall2(uuid_eq, fb_get(0, "conversation_id", &null),
											  values[2])) ||
			strcmp(fb_get_text(0, "role"), "user") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("reply_to must be a user message of the same conversation"),
					 errhint("Pass the id of the question this answer replies to.")));
	}

	UpsertOrGet(&message_upsert_query, &message_get_query, values, isnull);

	fb_json_begin(&state);
	for (int i = 0; i < 10; i++)
	{
		FbValue		v = fb_get_val(0, keys[i]);

		switch (i)
		{
			case 3:
			case 4:
				fb_json_datum_text(&state, keys[i], v);
				break;
			case 7:
				fb_json_datum_bool(&state, keys[i], v);
				break;
			case 8:
			case 9:
				fb_json_timestamp(&state, keys[i], v);
				break;
			default:
				fb_json_uuid(&state, keys[i], v);
		}
	}
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

PG_FUNCTION_INFO_V1(feedback_set_suggestion);
/*
 * set_suggestion(tenant_id, id, suggested_action_type,
 * suggested_action_data): set the suggested action of a feedback, for an
 * enrichment worker, which completes its enrichment (see work_api.c).  A
 * NULL suggested_action_data is stored as {}.
 */
Datum
feedback_set_suggestion(PG_FUNCTION_ARGS)
{
	Datum		values[5];
	bool		isnull[5] = {false};
	Jsonb	   *data;
	Jsonb	   *result;

	fb_require_arg(fcinfo, 0, "tenant_id");
	fb_require_arg(fcinfo, 1, "id");
	data = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	if (data != NULL && !JB_ROOT_IS_OBJECT(data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("suggested_action_data must be a JSON object"),
				 errhint("Pass an object such as {} or {\"url\": \"...\"}.")));
	fb_check_text_arg(fcinfo, 2, "suggested_action_type", ACTION_TYPE_MAX_CHARS);
	if (data != NULL)
		fb_check_json_bytes(data, "suggested_action_data", ACTION_DATA_MAX_BYTES,
							"Store a large result elsewhere and pass its reference.");
	if (data == NULL)
		data = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));

	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = PG_GETARG_DATUM(2);
	isnull[2] = PG_ARGISNULL(2);
	values[3] = JsonbPGetDatum(data);
	values[4] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	fb_connect();
	if (fb_exec(&suggestion_update_query, values, isnull, 0) == 0 &&
		fb_exec(&claim_cancelled_query, values, NULL, 1) > 0 &&
		DatumGetBool(fb_get_val(0, "cancelled").value))
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_CONFLICT),
				 errmsg("feedback %s changed after it was claimed", fb_uuid_text(DatumGetUUIDP(values[1]))),
				 errdetail("Its rating, comment or reasons changed: the suggestion was made for content it no longer has."),
				 errhint("Drop this suggestion; the feedback is back in the queue for feedback.claim_suggestions.")));
	result = feedback_object_by_id(values[0], values[1]);
	if (result == NULL)
		feedback_not_found(values[1]);
	PG_RETURN_DATUM(fb_finish_jsonb(result));
}
