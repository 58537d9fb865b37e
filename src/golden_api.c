/*-------------------------------------------------------------------------
 *
 * golden_api.c
 *	  The golden examples API: add_golden_example (a manual example),
 *	  golden_examples (a page of them), export_golden_examples (the chat
 *	  fine-tuning lines, each answer in its conversation) and
 *	  export_preference_pairs (reviewers' corrections as preference data for
 *	  DPO-style training, in OpenAI's or TRL's format).  The examples made
 *	  from feedback are kept by the feedback trigger (golden.c).
 *
 * src/golden_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

/* The select list and joins of the queries that return examples. */
#define EXAMPLE_SELECT \
	"SELECT g.id, g.feedback_id, g.conversation_id, g.message_id, g.source_type," \
	"       g.approval_type, g.prompt, g.original_response, g.golden_response, g.is_active," \
	"       g.approved_by, au.email AS approver_email, g.impersonated_by," \
	"       iu.email AS impersonator_email, g.created_at, g.updated_at" \
	"  FROM feedback.golden_example g" \
	"  LEFT JOIN feedback.users au ON au.id OPERATOR(pg_catalog.=) g.approved_by" \
	"  LEFT JOIN feedback.users iu ON iu.id OPERATOR(pg_catalog.=) g.impersonated_by"

static FbQuery manual_example_query = {
	"INSERT INTO feedback.golden_example AS g"
	"       (tenant_id, id, conversation_id, message_id, source_type, approval_type,"
	"        prompt, original_response, golden_response, is_active, created_at, updated_at,"
	"        approved_by, impersonated_by)"
	" SELECT $1, $2, am.conversation_id, am.id, 'manual', 'manual', (" PROMPT_OF_ANSWER "),"
	"        am.content, $4, true, $5, $5, $6, $7"
	"   FROM feedback.messages am"
	"  WHERE am.tenant_id OPERATOR(pg_catalog.=) $1 AND am.id OPERATOR(pg_catalog.=) $3"
	"    AND am.role OPERATOR(pg_catalog.=) 'assistant'"
	" RETURNING g.id",
	7, {UUIDOID, UUIDOID, UUIDOID, TEXTOID, TIMESTAMPTZOID, UUIDOID, UUIDOID}
};

static FbQuery example_by_id_query = {
	EXAMPLE_SELECT
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/*
 * The pages of examples, newest first: $1 tenant, $2 active only, $3
 * limit, $4 the offset, or $4 and $5 the position (created_at, id).
 */
#define EXAMPLES_OF_TENANT \
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND (g.is_active OR NOT $2)"
#define AFTER_POSITION " AND (g.created_at, g.id) OPERATOR(pg_catalog.<) ($4, $5)"
#define BEFORE_POSITION " AND (g.created_at, g.id) OPERATOR(pg_catalog.>) ($4, $5)"
#define EXAMPLES_PAGE_ARGTYPES {UUIDOID, BOOLOID, INT8OID, TIMESTAMPTZOID, UUIDOID}

static FbQuery examples_page_query = {
	EXAMPLE_SELECT EXAMPLES_OF_TENANT
	" ORDER BY g.created_at DESC, g.id DESC LIMIT $3 OFFSET $4",
	4, {UUIDOID, BOOLOID, INT8OID, INT8OID}
};

static FbQuery examples_after_query = {
	EXAMPLE_SELECT EXAMPLES_OF_TENANT AFTER_POSITION
	" ORDER BY g.created_at DESC, g.id DESC LIMIT $3",
	5, EXAMPLES_PAGE_ARGTYPES
};

static FbQuery examples_before_query = {
	"SELECT x.* FROM (" EXAMPLE_SELECT EXAMPLES_OF_TENANT BEFORE_POSITION
	"                 ORDER BY g.created_at, g.id LIMIT $3) x"
	" ORDER BY x.created_at DESC, x.id DESC",
	5, EXAMPLES_PAGE_ARGTYPES
};

/* Whether any example comes after, or before, a position ($3 unused). */
static FbQuery examples_any_after_query = {
	"SELECT EXISTS (SELECT FROM feedback.golden_example g" EXAMPLES_OF_TENANT AFTER_POSITION ") AS found",
	5, EXAMPLES_PAGE_ARGTYPES
};

static FbQuery examples_any_before_query = {
	"SELECT EXISTS (SELECT FROM feedback.golden_example g" EXAMPLES_OF_TENANT BEFORE_POSITION ") AS found",
	5, EXAMPLES_PAGE_ARGTYPES
};

static FbQuery examples_count_query = {
	"SELECT pg_catalog.count(*) AS total FROM feedback.golden_example g"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND (g.is_active OR NOT $2)",
	2, {UUIDOID, BOOLOID}
};

/* The most messages of context an export line may carry. */
#define CONTEXT_TURNS_MAX	50

/* The longest system prompt, in characters. */
#define SYSTEM_PROMPT_MAX_CHARS 32000

/*
 * The lines of an export: $1 tenant, $2 messages of context, $3 true for
 * preference pairs (only active negative examples, a reviewer's correction
 * of an answer, and of an answer to a question: both tools want the
 * prompt to end with the user's turn).  Per answer its most recently
 * approved or added active example (a model is never taught two answers
 * to one prompt from the same source answer), oldest first, with the $2
 * messages of its conversation before its question (before the answer
 * when no question precedes it), oldest first, as two arrays: roles and
 * contents.
 */
static FbQuery export_query = {
	"SELECT e.prompt, e.golden_response, e.original_response, x.roles, x.contents FROM ("
	"  SELECT DISTINCT ON (g.message_id) g.message_id, g.prompt, g.golden_response,"
	"         g.original_response, g.created_at, g.id"
	"    FROM feedback.golden_example g"
	"   WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.is_active"
	"     AND (NOT $3 OR (g.source_type OPERATOR(pg_catalog.=) 'negative' AND g.prompt IS NOT NULL))"
	"   ORDER BY g.message_id, g.updated_at DESC, g.id DESC) e"
	"  LEFT JOIN LATERAL ("
	"    SELECT pg_catalog.array_agg(c.role ORDER BY c.created_at, c.id) AS roles,"
	"           pg_catalog.array_agg(c.content ORDER BY c.created_at, c.id) AS contents"
	"      FROM (SELECT m.role, m.content, m.created_at, m.id"
	"              FROM feedback.messages am"
	"              LEFT JOIN LATERAL (" PROMPT_MESSAGE_OF_ANSWER("m.created_at, m.id") ") q ON true"
	"              JOIN feedback.messages m ON m.tenant_id OPERATOR(pg_catalog.=) $1"
	"               AND m.conversation_id OPERATOR(pg_catalog.=) am.conversation_id"
	"               AND (m.created_at, m.id) OPERATOR(pg_catalog.<)"
	"                   (COALESCE(q.created_at, am.created_at), COALESCE(q.id, am.id))"
	"             WHERE am.tenant_id OPERATOR(pg_catalog.=) $1"
	"               AND am.id OPERATOR(pg_catalog.=) e.message_id"
	"             ORDER BY m.created_at DESC, m.id DESC LIMIT $2) c) x ON true"
	" ORDER BY e.created_at, e.id",
	3, {UUIDOID, INT4OID, BOOLOID}
};

/*
 * The golden example object of result row `row` (EXAMPLE_SELECT).
 */
static Jsonb *
ExampleObject(int row)
{
	JsonbParseState *state = NULL;

	fb_json_begin(&state);
	fb_json_uuid(&state, "id", fb_get_val(row, "id"));
	fb_json_uuid(&state, "feedback_id", fb_get_val(row, "feedback_id"));
	fb_json_uuid(&state, "conversation_id", fb_get_val(row, "conversation_id"));
	fb_json_uuid(&state, "message_id", fb_get_val(row, "message_id"));
	fb_json_datum_text(&state, "source_type", fb_get_val(row, "source_type"));
	fb_json_datum_text(&state, "approval_type", fb_get_val(row, "approval_type"));
	fb_json_datum_text(&state, "prompt", fb_get_val(row, "prompt"));
	fb_json_datum_text(&state, "original_response", fb_get_val(row, "original_response"));
	fb_json_datum_text(&state, "golden_response", fb_get_val(row, "golden_response"));
	fb_json_datum_bool(&state, "is_active", fb_get_val(row, "is_active"));
	fb_json_user(&state, "approved_by", fb_get_val(row, "approved_by"),
				 fb_get_text(row, "approver_email"));
	fb_json_user(&state, "impersonated_by", fb_get_val(row, "impersonated_by"),
				 fb_get_text(row, "impersonator_email"));
	fb_json_timestamp(&state, "created_at", fb_get_val(row, "created_at"));
	fb_json_timestamp(&state, "updated_at", fb_get_val(row, "updated_at"));
	return fb_json_end(&state);
}

PG_FUNCTION_INFO_V1(feedback_add_golden_example);
/*
 * add_golden_example(tenant_id, message_id, golden_response): a manual
 * example for an answer (reviewer).
 */
Datum
feedback_add_golden_example(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	Datum		values[7];
	bool		nulls[7] = {false};
	Jsonb	   *example;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	fb_require_arg(fcinfo, 1, "message_id");
	fb_require_arg(fcinfo, 2, "golden_response");
	fb_check_text_arg(fcinfo, 2, "golden_response", CONTENT_MAX_CHARS);
	if (VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(2)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("golden_response must not be empty"),
				 errhint("Pass the answer the model should have given.")));
	values[0] = PG_GETARG_DATUM(0);
	values[1] = UUIDPGetDatum(fb_uuid_random());
	values[2] = PG_GETARG_DATUM(1);
	values[3] = PG_GETARG_DATUM(2);
	values[4] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	values[5] = UUIDPGetDatum(&caller.user_id);
	values[6] = UUIDPGetDatum(&caller.actor_id);
	nulls[6] = !caller.impersonating;
	if (fb_exec(&manual_example_query, values, nulls, 1) == 0)
		feedback_answer_not_found(values[2]);
	fb_exec(&example_by_id_query, values, NULL, 1);
	example = ExampleObject(0);
	feedback_notify("example_activated", values[0], values[1]);
	PG_RETURN_DATUM(fb_finish_jsonb(example));
}

/* The filter of a golden examples cursor. */
#define ACTIVE_ONLY 0x01

/*
 * The link itself when an example lies beyond its position (it leads
 * somewhere), else NULL.
 */
static FbCursor *
LinkIfAny(Datum tenant, FbCursor *link)
{
	bool		isnull;

	fb_exec(link->before ? &examples_any_before_query : &examples_any_after_query,
			(Datum[]) {tenant, BoolGetDatum(link->flags & ACTIVE_ONLY), Int64GetDatum(link->limit),
				TimestampTzGetDatum(link->at), UUIDPGetDatum(&link->id)}, NULL, 1);
	return DatumGetBool(fb_get(0, "found", &isnull)) ? link : NULL;
}

PG_FUNCTION_INFO_V1(feedback_golden_examples);
/*
 * golden_examples(tenant_id, active_only, limit, offset, cursor): a page of
 * the tenant's examples, newest first: {count, next, previous, results}.
 * next and previous carry cursors (keyset paging); a given cursor
 * overrides the other arguments.
 */
Datum
feedback_golden_examples(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	JsonbParseState *state = NULL;
	Datum		tenant;
	bool		active_only;
	int			limit;
	FbCursor	cursor;
	bool		by_cursor = !PG_ARGISNULL(4);
	FbCursor   *next = NULL;
	FbCursor   *previous = NULL;
	bool		isnull;
	int			n;
	int			i;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	tenant = PG_GETARG_DATUM(0);
	if (by_cursor)
	{
		fb_cursor_decode(text_to_cstring(PG_GETARG_TEXT_PP(4)), 'g', tenant, &cursor);
		if ((cursor.flags & ~ACTIVE_ONLY) != 0 || cursor.text != NULL)
			fb_cursor_malformed("its filters are unknown");
		active_only = cursor.flags & ACTIVE_ONLY;
		limit = cursor.limit;
	}
	else
	{
		fb_require_arg(fcinfo, 1, "active_only");
		fb_check_page(fcinfo, 2, 3);
		active_only = PG_GETARG_BOOL(1);
		limit = PG_GETARG_INT32(2);
	}

	fb_exec(&examples_count_query, (Datum[]) {tenant, BoolGetDatum(active_only)}, NULL, 1);

	fb_json_begin(&state);
	fb_json_int(&state, "count", DatumGetInt64(fb_get(0, "total", &isnull)));
	fb_json_key(&state, "results");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	if (by_cursor)
		n = fb_exec(cursor.before ? &examples_before_query : &examples_after_query,
					(Datum[]) {tenant, BoolGetDatum(active_only), Int64GetDatum(limit),
						TimestampTzGetDatum(cursor.at), UUIDPGetDatum(&cursor.id)}, NULL, 0);
	else
		n = fb_exec(&examples_page_query,
					(Datum[]) {tenant, BoolGetDatum(active_only), Int64GetDatum(limit),
						Int64GetDatum(PG_GETARG_INT32(3))}, NULL, 0);
	for (i = 0; i < n; i++)
		fb_json_elem(&state, ExampleObject(i));
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);

	/* the links lead from the first and the last example, where anything is beyond them */
	if (n > 0)
	{
		uint8		flags = active_only ? ACTIVE_ONLY : 0;

		previous = fb_cursor_at('g', true, tenant, limit, fb_get_val(0, "created_at"),
								fb_get_val(0, "id"), flags, NULL);
		next = fb_cursor_at('g', false, tenant, limit, fb_get_val(n - 1, "created_at"),
							fb_get_val(n - 1, "id"), flags, NULL);
		previous = LinkIfAny(tenant, previous);
		next = LinkIfAny(tenant, next);
	}
	fb_json_cursor_link(&state, "next", next);
	fb_json_cursor_link(&state, "previous", previous);
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

/* What an export writes per answer. */
typedef enum ExportFormat
{
	EXPORT_CHAT,				/* {"messages": [..., assistant]} */
	EXPORT_OPENAI_PAIR,			/* OpenAI's preference fine-tuning */
	EXPORT_TRL_PAIR				/* TRL's conversational preference format */
} ExportFormat;

/*
 * Push one chat message {"role": role, "content": content} into an open
 * array.
 */
static void
PushMessage(JsonbParseState **state, const char *role, const char *content)
{
	fb_json_begin(state);
	fb_json_text(state, "role", role);
	fb_json_text(state, "content", content);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * Push key: [{"role": "assistant", "content": content}] into an open
 * object.
 */
static void
PushAnswer(JsonbParseState **state, const char *key, const char *content)
{
	fb_json_key(state, key);
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	PushMessage(state, "assistant", content);
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

/*
 * Push the messages that lead to the answer of export row `row` into an
 * open array: the system prompt (when given), the context, the question
 * (none when the answer answers none: a null content is no message).
 */
static void
PushPromptMessages(JsonbParseState **state, int row, const char *system_prompt)
{
	FbValue		roles = fb_get_val(row, "roles");
	FbValue		contents = fb_get_val(row, "contents");
	const char *question = fb_get_text(row, "prompt");

	if (system_prompt != NULL)
		PushMessage(state, "system", system_prompt);
	if (!roles.isnull && !contents.isnull)
	{
		Datum	   *role_elems;
		Datum	   *content_elems;
		bool	   *role_nulls;
		bool	   *content_nulls;
		int			n;
		int			i;

		deconstruct_array(DatumGetArrayTypeP(roles.value), TEXTOID, -1, false, TYPALIGN_INT,
						  &role_elems, &role_nulls, &n);
		deconstruct_array(DatumGetArrayTypeP(contents.value), TEXTOID, -1, false, TYPALIGN_INT,
						  &content_elems, &content_nulls, &n);
		for (i = 0; i < n; i++)
			PushMessage(state, TextDatumGetCString(role_elems[i]),
						content_nulls[i] ? NULL : TextDatumGetCString(content_elems[i]));
	}
	if (question != NULL)
		PushMessage(state, "user", question);
}

/*
 * The line of export row `row` in a format.
 */
static Jsonb *
ExportLine(int row, ExportFormat format, const char *system_prompt)
{
	JsonbParseState *state = NULL;
	const char *golden = fb_get_text(row, "golden_response");

	fb_json_begin(&state);
	if (format == EXPORT_OPENAI_PAIR)
	{
		fb_json_key(&state, "input");
		fb_json_begin(&state);
	}
	fb_json_key(&state, format == EXPORT_TRL_PAIR ? "prompt" : "messages");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	PushPromptMessages(&state, row, system_prompt);
	if (format == EXPORT_CHAT)
		PushMessage(&state, "assistant", golden);
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	if (format == EXPORT_OPENAI_PAIR)
	{
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
		PushAnswer(&state, "preferred_output", golden);
		PushAnswer(&state, "non_preferred_output", fb_get_text(row, "original_response"));
	}
	else if (format == EXPORT_TRL_PAIR)
	{
		PushAnswer(&state, "chosen", golden);
		PushAnswer(&state, "rejected", fb_get_text(row, "original_response"));
	}
	return fb_json_end(&state);
}

/*
 * The pair format named by argument format_arg: openai or trl, else 22023.
 */
static ExportFormat
PairFormat(FunctionCallInfo fcinfo, int format_arg)
{
	char	   *format;

	fb_require_arg(fcinfo, format_arg, "format");
	format = text_to_cstring(PG_GETARG_TEXT_PP(format_arg));
	if (strcmp(format, "openai") != 0 && strcmp(format, "trl") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("format must be openai or trl, not \"%s\"", fb_quotable(format)),
				 errhint("openai writes OpenAI's preference fine-tuning lines, trl the conversational preference format of Hugging Face TRL.")));
	return strcmp(format, "openai") == 0 ? EXPORT_OPENAI_PAIR : EXPORT_TRL_PAIR;
}

/*
 * The export of a set-returning function called name: the caller (a
 * reviewer of tenant argument 0) is checked first, then the arguments: the
 * pair format at format_arg (none, chat lines, when it is 0), context_turns
 * and system_prompt at context_arg and context_arg + 1.  The lines are read
 * through a cursor, a batch at a time, so that memory stays flat however
 * many there are.
 */
static Datum
Export(FunctionCallInfo fcinfo, const char *name, int format_arg, int context_arg)
{
	FeedbackCaller caller;
	FbJsonbSet	set;
	MemoryContext batch;
	MemoryContext old;
	Portal		cursor;
	ExportFormat format;
	int32		context_turns;
	char	   *system_prompt = NULL;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	fb_jsonb_set_begin(fcinfo, name, &set);
	format = format_arg > 0 ? PairFormat(fcinfo, format_arg) : EXPORT_CHAT;
	fb_require_arg(fcinfo, context_arg, "context_turns");
	context_turns = PG_GETARG_INT32(context_arg);
	if (context_turns < 0 || context_turns > CONTEXT_TURNS_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("context_turns must be between 0 and %d, not %d", CONTEXT_TURNS_MAX, context_turns),
				 errhint("It counts the messages before each question, user and assistant alike.")));
	if (!PG_ARGISNULL(context_arg + 1))
	{
		system_prompt = text_to_cstring(PG_GETARG_TEXT_PP(context_arg + 1));
		if (pg_mbstrlen(system_prompt) > SYSTEM_PROMPT_MAX_CHARS)
			ereport(ERROR,
					(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
					 errmsg("system_prompt has %d characters; at most %d are allowed",
							pg_mbstrlen(system_prompt), SYSTEM_PROMPT_MAX_CHARS)));
		if (system_prompt[0] == '\0')
			system_prompt = NULL;
	}
	batch = AllocSetContextCreate(CurrentMemoryContext, "export batch", ALLOCSET_DEFAULT_SIZES);
	cursor = SPI_cursor_open(NULL, fb_prepare(&export_query),
							 (Datum[]) {PG_GETARG_DATUM(0), Int32GetDatum(context_turns),
								 BoolGetDatum(format != EXPORT_CHAT)},
							 NULL, true);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(cursor, true, 1000);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(batch);
		for (i = 0; i < SPI_processed; i++)
			fb_jsonb_set_put(&set, ExportLine((int) i, format, system_prompt));
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(cursor);
	SPI_finish();
	return fb_jsonb_set_end(&set);
}

PG_FUNCTION_INFO_V1(feedback_export_golden_examples);
/*
 * export_golden_examples(tenant_id, context_turns, system_prompt): one chat
 * fine-tuning line per answer with an active example, oldest first.
 */
Datum
feedback_export_golden_examples(PG_FUNCTION_ARGS)
{
	return Export(fcinfo, "export_golden_examples", 0, 1);
}

PG_FUNCTION_INFO_V1(feedback_export_preference_pairs);
/*
 * export_preference_pairs(tenant_id, format, context_turns, system_prompt):
 * one preference pair per answer a reviewer corrected (the correction
 * preferred over the answer), oldest first, in OpenAI's or TRL's format.
 */
Datum
feedback_export_preference_pairs(PG_FUNCTION_ARGS)
{
	return Export(fcinfo, "export_preference_pairs", 1, 2);
}
