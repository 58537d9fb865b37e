/*-------------------------------------------------------------------------
 *
 * golden.c
 *	  Golden examples as derived state: the one example each approved,
 *	  rated feedback on an answer yields, kept by the feedback trigger in
 *	  the same transaction.  The API on them is in golden_api.c.
 *
 * A feedback is approved when it has a rating and its status is
 * auto_approved or reviewed.  Its example has the question answered as
 * prompt and the answer as original_response; golden_response is the
 * answer for positive feedback and the reviewer's corrected_response for
 * negative feedback, whose example stays inactive until there is one.
 * Leaving approval deactivates the example (it is kept), approval again
 * reactivates it.  Ungrouped feedback has no answer and yields none.
 *
 * An example made from a feedback has the feedback's id, and the feedback
 * trigger keeps it on every change, INSERT included: a restore inserts the
 * approved feedback and so rebuilds their examples, which pg_dump leaves
 * out (the filter of pg_extension_config_dump in the install script says
 * which: keep it in step with feedback_keep_golden_example).  Its
 * approved_by is the reviewer (NULL for auto-approval) and impersonated_by
 * who impersonated them; a manual example names the reviewer who added it.
 * Its times are the feedback's updated_at (the time of the change that
 * approved or changed it), so a restore rebuilds its updated_at; its
 * created_at becomes that time too (docs/reference.md says so).
 *
 * src/golden.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"

/*
 * What an example takes from its answer, and whether the feedback's
 * example is active now (NULL when it has none): (tenant_id, answer,
 * feedback).
 */
static FbQuery example_answer_query = {
	"SELECT am.conversation_id, (" PROMPT_OF_ANSWER ") AS prompt, am.content,"
	"       (SELECT g.is_active FROM feedback.golden_example g"
	"         WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.feedback_id OPERATOR(pg_catalog.=) $3)"
	"         AS was_active"
	"  FROM feedback.messages am"
	" WHERE am.tenant_id OPERATOR(pg_catalog.=) $1 AND am.id OPERATOR(pg_catalog.=) $2",
	3, {UUIDOID, UUIDOID, UUIDOID}
};

/*
 * The example of a feedback: insert, or bring up to date.  $1 tenant, $2
 * feedback (also the example's id), $3 conversation, $4 answer, $5
 * source_type, $6 approval_type, $7 prompt, $8 original_response, $9
 * golden_response, $10 is_active, $11 now, $12 approved_by, $13
 * impersonated_by.  VALUES rather than INSERT ... SELECT from the answer:
 * Citus miscounts the rows of a routed INSERT ... SELECT whose conflict
 * updates nothing.
 */
static FbQuery example_upsert_query = {
	"INSERT INTO feedback.golden_example AS g"
	"       (tenant_id, id, feedback_id, conversation_id, message_id, source_type, approval_type,"
	"        prompt, original_response, golden_response, is_active, created_at, updated_at,"
	"        approved_by, impersonated_by)"
	" VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)"
	" ON CONFLICT (tenant_id, feedback_id) DO UPDATE"
	"   SET conversation_id = EXCLUDED.conversation_id, message_id = EXCLUDED.message_id,"
	"       source_type = EXCLUDED.source_type, approval_type = EXCLUDED.approval_type,"
	"       prompt = EXCLUDED.prompt, original_response = EXCLUDED.original_response,"
	"       golden_response = EXCLUDED.golden_response, is_active = EXCLUDED.is_active,"
	"       approved_by = EXCLUDED.approved_by, impersonated_by = EXCLUDED.impersonated_by,"
	"       updated_at = EXCLUDED.updated_at"
	" WHERE g.source_type OPERATOR(pg_catalog.<>) EXCLUDED.source_type"
	"    OR g.approval_type OPERATOR(pg_catalog.<>) EXCLUDED.approval_type"
	"    OR g.message_id IS DISTINCT FROM EXCLUDED.message_id"
	"    OR g.prompt IS DISTINCT FROM EXCLUDED.prompt"
	"    OR g.original_response IS DISTINCT FROM EXCLUDED.original_response"
	"    OR g.golden_response IS DISTINCT FROM EXCLUDED.golden_response"
	"    OR g.is_active OPERATOR(pg_catalog.<>) EXCLUDED.is_active"
	"    OR g.approved_by IS DISTINCT FROM EXCLUDED.approved_by"
	"    OR g.impersonated_by IS DISTINCT FROM EXCLUDED.impersonated_by"
	" RETURNING g.id",
	13, {UUIDOID, UUIDOID, UUIDOID, UUIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	BOOLOID, TIMESTAMPTZOID, UUIDOID, UUIDOID}
};

static FbQuery example_deactivate_query = {
	"UPDATE feedback.golden_example g SET is_active = false, updated_at = $3"
	" WHERE g.tenant_id OPERATOR(pg_catalog.=) $1 AND g.feedback_id OPERATOR(pg_catalog.=) $2"
	"   AND g.is_active"
	" RETURNING g.id",
	3, {UUIDOID, UUIDOID, TIMESTAMPTZOID}
};

/*
 * Keep the golden example of a feedback in step with it; see the file
 * header.  Called by the feedback trigger inside its SPI connection.
 */
void
feedback_keep_golden_example(Datum tenant_id, const ExampleSource *src)
{
	Datum		now = TimestampTzGetDatum(src->changed_at);
	bool		approved = !src->deleted && !src->rating.isnull && !src->message_id.isnull &&
		feedback_status_approves(src->status);
	bool		positive;
	bool		active;
	bool		was_active;
	bool		isnull;
	Datum		state;
	FbValue		original;
	Datum		values[13];
	bool		nulls[13] = {false};

	if (!approved)
	{
		if (fb_exec(&example_deactivate_query, (Datum[]) {tenant_id, src->feedback_id, now}, NULL, 1) > 0)
			feedback_notify("example_deactivated", tenant_id, fb_get(0, "id", &isnull));
		return;
	}

	positive = (uint8) DatumGetChar(src->rating.value) == FB_RATING_POSITIVE;
	active = positive || !src->corrected_response.isnull;
	if (fb_exec(&example_answer_query, (Datum[]) {tenant_id, src->message_id.value, src->feedback_id},
				NULL, 1) == 0)
		return;
	original = fb_get_val(0, "content");
	state = fb_get(0, "was_active", &isnull);
	was_active = !isnull && DatumGetBool(state);

	values[0] = tenant_id;
	values[1] = src->feedback_id;
	values[2] = fb_get(0, "conversation_id", &nulls[2]);
	values[3] = src->message_id.value;
	values[4] = CStringGetTextDatum(positive ? "positive" : "negative");
	values[5] = CStringGetTextDatum(src->status == FB_STATUS_AUTO_APPROVED ? "auto" : "manual");
	values[6] = fb_get(0, "prompt", &nulls[6]);
	values[7] = original.value;
	nulls[7] = original.isnull;
	values[8] = positive ? original.value : src->corrected_response.value;
	nulls[8] = positive ? original.isnull : src->corrected_response.isnull;
	values[9] = BoolGetDatum(active);
	values[10] = now;
	values[11] = src->approved_by.value;
	nulls[11] = src->approved_by.isnull;
	values[12] = src->impersonated_by.value;
	nulls[12] = src->impersonated_by.isnull;
	if (fb_exec(&example_upsert_query, values, nulls, 1) == 0 || active == was_active)
		return;
	feedback_notify(active ? "example_activated" : "example_deactivated", tenant_id,
					fb_get(0, "id", &isnull));
}
