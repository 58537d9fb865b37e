/*-------------------------------------------------------------------------
 *
 * golden.c
 *	  Golden examples: the one example each approved, rated feedback on an
 *	  answer yields (kept by the feedback trigger in the same transaction),
 *	  manual examples, paging and the fine-tuning export.
 *
 * A feedback is approved when it has a rating and its status is
 * auto_approved or reviewed.  Its example has the question answered as
 * prompt and the answer as original_response; golden_response is the
 * answer for positive feedback and the reviewer's corrected_response for
 * negative feedback, whose example stays inactive until there is one.
 * Leaving approval deactivates the example (it is kept), approval again
 * reactivates it.  Ungrouped feedback has no answer and yields none.
 *
 * src/golden.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#define EXAMPLE_COLUMNS \
	"g.id, g.feedback_id, g.conversation_id, g.message_id, g.source_type, g.approval_type," \
	" g.prompt, g.original_response, g.golden_response, g.is_active, g.created_at, g.updated_at"

/*
 * What an example takes from its answer, and whether the feedback's
 * example is active now (NULL when it has none): (tenant_id, answer,
 * feedback).
 */
static FbQuery example_answer_query = {
	"SELECT am.conversation_id, (" PROMPT_OF_ANSWER "), am.content,"
	"       (SELECT g.is_active FROM feedback.golden_example g"
	"         WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.feedback_id OPERATOR(pg_catalog.=) $3)"
	"  FROM feedback.messages am"
	" WHERE am.tenant_id OPERATOR(pg_catalog.=) $1 AND am.id OPERATOR(pg_catalog.=) $2",
	3, {UUIDOID, UUIDOID, UUIDOID}
};

/*
 * The example of a feedback: insert, or bring up to date.  $1 tenant, $2
 * new id, $3 feedback, $4 conversation, $5 answer, $6 source_type, $7
 * approval_type, $8 prompt, $9 original_response, $10 golden_response,
 * $11 is_active, $12 now.  VALUES rather than INSERT ... SELECT from the
 * answer: Citus miscounts the rows of a routed INSERT ... SELECT whose
 * conflict updates nothing.
 */
static FbQuery example_upsert_query = {
	"INSERT INTO feedback.golden_example AS g"
	"       (tenant_id, id, feedback_id, conversation_id, message_id, source_type, approval_type,"
	"        prompt, original_response, golden_response, is_active, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)"
	" ON CONFLICT (tenant_id, feedback_id) DO UPDATE"
	"   SET conversation_id = EXCLUDED.conversation_id, message_id = EXCLUDED.message_id,"
	"       source_type = EXCLUDED.source_type, approval_type = EXCLUDED.approval_type,"
	"       prompt = EXCLUDED.prompt, original_response = EXCLUDED.original_response,"
	"       golden_response = EXCLUDED.golden_response, is_active = EXCLUDED.is_active,"
	"       updated_at = EXCLUDED.updated_at"
	" WHERE g.source_type OPERATOR(pg_catalog.<>) EXCLUDED.source_type"
	"    OR g.approval_type OPERATOR(pg_catalog.<>) EXCLUDED.approval_type"
	"    OR g.message_id IS DISTINCT FROM EXCLUDED.message_id"
	"    OR g.prompt IS DISTINCT FROM EXCLUDED.prompt"
	"    OR g.original_response IS DISTINCT FROM EXCLUDED.original_response"
	"    OR g.golden_response IS DISTINCT FROM EXCLUDED.golden_response"
	"    OR g.is_active OPERATOR(pg_catalog.<>) EXCLUDED.is_active"
	" RETURNING g.id",
	12, {UUIDOID, UUIDOID, UUIDOID, UUIDOID, UUIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	BOOLOID, TIMESTAMPTZOID}
};

static FbQuery example_deactivate_query = {
	"UPDATE feedback.golden_example g SET is_active = false, updated_at = $3"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.feedback_id OPERATOR(pg_catalog.=) $2"
	"   AND g.is_active"
	" RETURNING g.id",
	3, {UUIDOID, UUIDOID, TIMESTAMPTZOID}
};

static FbQuery manual_example_query = {
	"INSERT INTO feedback.golden_example AS g"
	"       (tenant_id, id, conversation_id, message_id, source_type, approval_type,"
	"        prompt, original_response, golden_response, is_active, created_at, updated_at)"
	" SELECT $1, $2, am.conversation_id, am.id, 'manual', 'manual', (" PROMPT_OF_ANSWER "),"
	"        am.content, $4, true, $5, $5"
	"   FROM feedback.messages am"
	"  WHERE am.tenant_id OPERATOR(pg_catalog.=) $1 AND am.id OPERATOR(pg_catalog.=) $3"
	"    AND am.role OPERATOR(pg_catalog.=) 'assistant'"
	" RETURNING " EXAMPLE_COLUMNS,
	5, {UUIDOID, UUIDOID, UUIDOID, TEXTOID, TIMESTAMPTZOID}
};

static FbQuery examples_page_query = {
	"SELECT " EXAMPLE_COLUMNS " FROM feedback.golden_example g"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND (g.is_active OR NOT $2)"
	" ORDER BY g.created_at DESC, g.id DESC LIMIT $3 OFFSET $4",
	4, {UUIDOID, BOOLOID, INT8OID, INT8OID}
};

static FbQuery examples_count_query = {
	"SELECT pg_catalog.count(*) FROM feedback.golden_example g"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND (g.is_active OR NOT $2)",
	2, {UUIDOID, BOOLOID}
};

static FbQuery export_query = {
	"SELECT g.prompt, g.golden_response FROM feedback.golden_example g"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.is_active"
	" ORDER BY g.created_at, g.id",
	1, {UUIDOID}
};

/*
 * Keep the golden example of a feedback in step with it; see the file
 * header.  Called by the feedback trigger inside its SPI connection.
 */
void
feedback_keep_golden_example(Datum tenant_id, Datum feedback_id, FbValue message_id,
							 FbValue rating, uint8 status, FbValue corrected_response,
							 bool deleted)
{
	Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	bool		approved = !deleted && !rating.isnull && !message_id.isnull &&
		(status == FB_STATUS_AUTO_APPROVED || status == FB_STATUS_REVIEWED);
	bool		positive;
	bool		active;
	bool		was_active;
	Datum		state;
	bool		isnull;
	FbValue		conversation_id;
	FbValue		prompt;
	FbValue		original;
	Datum		values[12];
	bool		nulls[12] = {false};

	if (!approved)
	{
		if (fb_exec(&example_deactivate_query, (Datum[]) {tenant_id, feedback_id, now}, NULL, 1) > 0)
			feedback_notify("example_deactivated", tenant_id, fb_col(0, 1, &isnull));
		return;
	}

	positive = (uint8) DatumGetChar(rating.value) == FB_RATING_POSITIVE;
	active = positive || !corrected_response.isnull;
	if (fb_exec(&example_answer_query, (Datum[]) {tenant_id, message_id.value, feedback_id},
				NULL, 1) == 0)
		return;
	conversation_id = fb_val(0, 1);
	prompt = fb_val(0, 2);
	original = fb_val(0, 3);
	state = fb_col(0, 4, &isnull);
	was_active = !isnull && DatumGetBool(state);

	values[0] = tenant_id;
	values[1] = UUIDPGetDatum(fb_uuid_random());
	values[2] = feedback_id;
	values[3] = conversation_id.value;
	nulls[3] = conversation_id.isnull;
	values[4] = message_id.value;
	values[5] = CStringGetTextDatum(positive ? "positive" : "negative");
	values[6] = CStringGetTextDatum(status == FB_STATUS_AUTO_APPROVED ? "auto" : "manual");
	values[7] = prompt.value;
	nulls[7] = prompt.isnull;
	values[8] = original.value;
	nulls[8] = original.isnull;
	values[9] = positive ? original.value : corrected_response.value;
	nulls[9] = positive ? original.isnull : corrected_response.isnull;
	values[10] = BoolGetDatum(active);
	values[11] = now;
	if (fb_exec(&example_upsert_query, values, nulls, 1) == 0 || active == was_active)
		return;
	feedback_notify(active ? "example_activated" : "example_deactivated", tenant_id,
					fb_col(0, 1, &isnull));
}

/*
 * The golden example object of result row `row` (EXAMPLE_COLUMNS).
 */
static Jsonb *
ExampleObject(int row)
{
	JsonbParseState *state = NULL;

	fb_json_begin(&state);
	fb_json_uuid(&state, "id", fb_val(row, 1));
	fb_json_uuid(&state, "feedback_id", fb_val(row, 2));
	fb_json_uuid(&state, "conversation_id", fb_val(row, 3));
	fb_json_uuid(&state, "message_id", fb_val(row, 4));
	fb_json_datum_text(&state, "source_type", fb_val(row, 5));
	fb_json_datum_text(&state, "approval_type", fb_val(row, 6));
	fb_json_datum_text(&state, "prompt", fb_val(row, 7));
	fb_json_datum_text(&state, "original_response", fb_val(row, 8));
	fb_json_datum_text(&state, "golden_response", fb_val(row, 9));
	fb_json_datum_bool(&state, "is_active", fb_val(row, 10));
	fb_json_timestamp(&state, "created_at", fb_val(row, 11));
	fb_json_timestamp(&state, "updated_at", fb_val(row, 12));
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
	Datum		values[5];
	Jsonb	   *example;
	bool		isnull;

	fb_require_arg(fcinfo, 1, "message_id");
	fb_require_arg(fcinfo, 2, "golden_response");
	if (VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(2)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("golden_response must not be empty"),
				 errhint("Pass the answer the model should have given.")));
	fb_connect();
	feedback_resolve_caller(&caller, PG_GETARG_DATUM(0), PG_ARGISNULL(0), FB_ROLE_REVIEWER);

	values[0] = PG_GETARG_DATUM(0);
	values[1] = UUIDPGetDatum(fb_uuid_random());
	values[2] = PG_GETARG_DATUM(1);
	values[3] = PG_GETARG_DATUM(2);
	values[4] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	if (fb_exec(&manual_example_query, values, NULL, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_NOT_FOUND),
				 errmsg("answer %s not found", fb_uuid_text(PG_GETARG_UUID_P(1))),
				 errhint("message_id must be an assistant message of this tenant.")));
	example = ExampleObject(0);
	feedback_notify("example_activated", values[0], fb_col(0, 1, &isnull));
	PG_RETURN_DATUM(fb_finish_jsonb(example));
}

/*
 * Raise 22023 unless limit is 1..1000 and offset >= 0.
 */
void
fb_check_page(FunctionCallInfo fcinfo, int limit_arg, int offset_arg)
{
	fb_require_arg(fcinfo, limit_arg, "limit");
	fb_require_arg(fcinfo, offset_arg, "offset");
	if (PG_GETARG_INT32(limit_arg) < 1 || PG_GETARG_INT32(limit_arg) > 1000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must be between 1 and 1000, not %d", PG_GETARG_INT32(limit_arg))));
	if (PG_GETARG_INT32(offset_arg) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offset must not be negative, not %d", PG_GETARG_INT32(offset_arg))));
}

/*
 * key: a relative page reference "?limit=L&offset=O" followed by filters
 * (already URL-encoded, each starting with &), or null when offset < 0.
 */
void
fb_json_page_link(JsonbParseState **state, const char *key, int limit, int64 offset,
				  const char *filters)
{
	fb_json_text(state, key, offset < 0 ? NULL :
				 psprintf("?limit=%d&offset=" INT64_FORMAT "%s", limit, offset, filters));
}

PG_FUNCTION_INFO_V1(feedback_golden_examples);
/*
 * golden_examples(tenant_id, active_only, limit, offset): a page of the
 * tenant's examples, newest first: {count, next, previous, results}.
 */
Datum
feedback_golden_examples(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	JsonbParseState *state = NULL;
	bool		active_only;
	int			limit;
	int			offset;
	int64		count;
	const char *filters;
	bool		isnull;
	int			n;
	int			i;

	fb_require_arg(fcinfo, 1, "active_only");
	fb_check_page(fcinfo, 2, 3);
	active_only = PG_GETARG_BOOL(1);
	limit = PG_GETARG_INT32(2);
	offset = PG_GETARG_INT32(3);
	filters = active_only ? "" : "&active_only=false";

	fb_connect();
	feedback_resolve_caller(&caller, PG_GETARG_DATUM(0), PG_ARGISNULL(0), FB_ROLE_REVIEWER);
	fb_exec(&examples_count_query, (Datum[]) {PG_GETARG_DATUM(0), BoolGetDatum(active_only)}, NULL, 1);
	count = DatumGetInt64(fb_col(0, 1, &isnull));

	fb_json_begin(&state);
	fb_json_int(&state, "count", count);
	fb_json_page_link(&state, "next", limit, offset + limit < count ? offset + limit : -1, filters);
	fb_json_page_link(&state, "previous", limit, offset > 0 ? Max(offset - limit, 0) : -1, filters);
	fb_json_key(&state, "results");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	n = fb_exec(&examples_page_query, (Datum[]) {PG_GETARG_DATUM(0), BoolGetDatum(active_only),
				Int64GetDatum(limit), Int64GetDatum(offset)}, NULL, 0);
	for (i = 0; i < n; i++)
		fb_json_elem(&state, ExampleObject(i));
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

/*
 * One chat fine-tuning line: {"messages": [{"role": "user", "content":
 * prompt}, {"role": "assistant", "content": golden}]}.
 */
static Jsonb *
FineTuningLine(const char *prompt, const char *golden)
{
	JsonbParseState *state = NULL;

	fb_json_begin(&state);
	fb_json_key(&state, "messages");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	fb_json_begin(&state);
	fb_json_text(&state, "role", "user");
	fb_json_text(&state, "content", prompt);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	fb_json_begin(&state);
	fb_json_text(&state, "role", "assistant");
	fb_json_text(&state, "content", golden);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return fb_json_end(&state);
}

PG_FUNCTION_INFO_V1(feedback_export_golden_examples);
/*
 * export_golden_examples(tenant_id): one fine-tuning line per active
 * example, oldest first, read through a cursor so the export of a large
 * tenant does not hold all rows at once.
 */
Datum
feedback_export_golden_examples(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FeedbackCaller caller;
	Tuplestorestate *store;
	TupleDesc	desc;
	MemoryContext per_query;
	MemoryContext batch;
	MemoryContext old;
	Portal		cursor;
	char		nulls[1] = {' '};

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("export_golden_examples must be called in a context that accepts a set"),
				 errhint("Call it in FROM: SELECT * FROM feedback.export_golden_examples(...).")));

	per_query = rsinfo->econtext->ecxt_per_query_memory;
	old = MemoryContextSwitchTo(per_query);
	desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(desc, (AttrNumber) 1, "export_golden_examples", JSONBOID, -1, 0);
	store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);

	fb_connect();
	feedback_resolve_caller(&caller, PG_GETARG_DATUM(0), PG_ARGISNULL(0), FB_ROLE_REVIEWER);
	batch = AllocSetContextCreate(CurrentMemoryContext, "export batch", ALLOCSET_DEFAULT_SIZES);
	cursor = SPI_cursor_open(NULL, fb_prepare(&export_query), (Datum[]) {PG_GETARG_DATUM(0)},
							 nulls, true);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(cursor, true, 1000);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(batch);
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		line = JsonbPGetDatum(FineTuningLine(fb_col_text(i, 1), fb_col_text(i, 2)));
			bool		isnull = false;

			tuplestore_putvalues(store, desc, &line, &isnull);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(cursor);
	SPI_finish();

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	return (Datum) 0;
}
