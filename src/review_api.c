/*-------------------------------------------------------------------------
 *
 * review.c
 *	  The review API: set_status, update, history, configure and settings,
 *	  and the status transition table.
 *
 * A status change locks the feedback first (SELECT ... FOR UPDATE), so two
 * reviewers changing one feedback at once are serialized and the second is
 * checked against the status the first left: the history never holds an
 * illegal pair.  The transition table (rules.c) is enforced, the reviewer
 * named and the history written by the BEFORE UPDATE trigger (triggers.c),
 * for the API and a direct UPDATE alike: a review call's UPDATE carries
 * who acts and the note in the columns change_by, change_impersonated_by
 * and change_note.
 *
 * src/review.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"

static FbQuery lock_query = {
	"SELECT f.status, f.rating, f.comment, f.reasons, f.corrected_response"
	"  FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2"
	" FOR UPDATE",
	2, {UUIDOID, UUIDOID}
};

static FbQuery review_query = {
	"UPDATE feedback.feedback f"
	"   SET status = $3::feedback.review_status, rating = $4::feedback.rating, comment = $5,"
	"       corrected_response = $6, change_by = $7, change_impersonated_by = $8,"
	"       change_note = $9, reasons = $10"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2",
	10, {UUIDOID, UUIDOID, TEXTOID, BOOLOID, TEXTOID, TEXTOID, UUIDOID, UUIDOID, TEXTOID,
	TEXTARRAYOID}
};

static FbQuery history_query = {
	"SELECT h.from_status::text AS from_status, h.to_status::text AS to_status, h.changed_by,"
	"       u.email AS by_email, h.impersonated_by, iu.email AS impersonator_email,"
	"       h.changed_at, h.note"
	"  FROM feedback.status_history h"
	"  LEFT JOIN feedback.users u ON u.id OPERATOR(pg_catalog.=) h.changed_by"
	"  LEFT JOIN feedback.users iu ON iu.id OPERATOR(pg_catalog.=) h.impersonated_by"
	" WHERE h.tenant_id OPERATOR(pg_catalog.=) $1 AND h.feedback_id OPERATOR(pg_catalog.=) $2"
	" ORDER BY h.id",
	2, {UUIDOID, UUIDOID}
};

static FbQuery author_query = {
	"SELECT f.user_id FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

static FbQuery configure_query = {
	"INSERT INTO feedback.settings AS s"
	"       (tenant_id, rating, auto_approve, reason_required, updated_by, updated_at,"
	"        impersonated_by)"
	" VALUES ($1, $2::feedback.rating, $3, $4, $5, $6, $7)"
	" ON CONFLICT (tenant_id, rating) DO UPDATE"
	"   SET auto_approve = EXCLUDED.auto_approve, reason_required = EXCLUDED.reason_required,"
	"       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at,"
	"       impersonated_by = EXCLUDED.impersonated_by"
	" WHERE s.auto_approve OPERATOR(pg_catalog.<>) EXCLUDED.auto_approve"
	"    OR s.reason_required OPERATOR(pg_catalog.<>) EXCLUDED.reason_required",
	7, {UUIDOID, BOOLOID, BOOLOID, BOOLOID, UUIDOID, TIMESTAMPTZOID, UUIDOID}
};

static FbQuery settings_query = {
	"SELECT s.rating OPERATOR(pg_catalog.=) 'positive'::feedback.rating AS positive,"
	"       s.auto_approve, s.reason_required, s.updated_by, u.email AS updater_email,"
	"       s.impersonated_by, iu.email AS impersonator_email, s.updated_at"
	"  FROM feedback.settings s"
	"  LEFT JOIN feedback.users u ON u.id OPERATOR(pg_catalog.=) s.updated_by"
	"  LEFT JOIN feedback.users iu ON iu.id OPERATOR(pg_catalog.=) s.impersonated_by"
	" WHERE s.tenant_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

/* The state of a locked feedback and what a review call changes of it. */
typedef struct Review
{
	uint8		status;
	FeedbackContent content;
	char	   *corrected_response;
} Review;

/*
 * Lock the feedback for a review; PT404 when it does not exist.
 */
static void
LockForReview(Datum tenant, Datum id, Review *review)
{
	bool		isnull;

	if (fb_exec(&lock_query, (Datum[]) {tenant, id}, NULL, 1) == 0)
		feedback_not_found(id);
	review->status = (uint8) DatumGetChar(fb_get(0, "status", &isnull));
	fb_content_from_row(0, &review->content);
	review->corrected_response = fb_get_text(0, "corrected_response");
}

/*
 * Write a review (status, content, correction) by the caller when it
 * changes anything, with note for the history.  The trigger decides the
 * rest: a changed rating or comment is a resubmission, which goes back
 * through the tenant's rule, recorded as by this reviewer.
 */
static void
WriteReview(FeedbackCaller *caller, Datum tenant, Datum id, const Review *before,
			const Review *after, const char *note)
{
	Datum		values[10];
	bool		nulls[10] = {false};

	if (before->status == after->status && fb_content_equal(&before->content, &after->content) &&
		fb_same_text(before->corrected_response, after->corrected_response))
		return;

	values[0] = tenant;
	values[1] = id;
	values[2] = CStringGetTextDatum(feedback_status_name(after->status));
	values[3] = BoolGetDatum(after->content.rating == FB_RATING_POSITIVE);
	nulls[3] = !after->content.has_rating;
	values[4] = after->content.comment ? CStringGetTextDatum(after->content.comment) : (Datum) 0;
	nulls[4] = after->content.comment == NULL;
	values[5] = after->corrected_response ? CStringGetTextDatum(after->corrected_response) : (Datum) 0;
	nulls[5] = after->corrected_response == NULL;
	values[6] = UUIDPGetDatum(&caller->user_id);
	values[7] = UUIDPGetDatum(&caller->actor_id);
	nulls[7] = !caller->impersonating;
	values[8] = note ? CStringGetTextDatum(note) : (Datum) 0;
	nulls[8] = note == NULL;
	values[9] = after->content.reasons;
	fb_exec(&review_query, values, nulls, 0);
}

PG_FUNCTION_INFO_V1(feedback_set_status);
/*
 * set_status(tenant_id, id, status, note, corrected_response): change a
 * feedback's review status (reviewer).  A corrected_response, for negative
 * feedback, becomes the golden answer of its example.
 */
Datum
feedback_set_status(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	Datum		tenant = PG_GETARG_DATUM(0);
	Datum		id = PG_GETARG_DATUM(1);
	Review		before;
	Review		after;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	fb_require_arg(fcinfo, 1, "id");
	fb_require_arg(fcinfo, 2, "status");
	fb_check_text_arg(fcinfo, 3, "note", NOTE_MAX_CHARS);
	fb_check_text_arg(fcinfo, 4, "corrected_response", CONTENT_MAX_CHARS);
	LockForReview(tenant, id, &before);

	after = before;
	after.status = (uint8) PG_GETARG_CHAR(2);
	if (!PG_ARGISNULL(4))
	{
		if (!before.content.has_rating || before.content.rating != FB_RATING_NEGATIVE)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("corrected_response is only for negative feedback"),
					 errhint("A positive answer is its own golden response; leave corrected_response null.")));
		after.corrected_response = text_to_cstring(PG_GETARG_TEXT_PP(4));
	}
	WriteReview(&caller, tenant, id, &before, &after,
				PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)));
	PG_RETURN_DATUM(fb_finish_jsonb(feedback_object_by_id(tenant, id)));
}

PG_FUNCTION_INFO_V1(feedback_update);
/*
 * update(tenant_id, id, changes): a reviewer's PATCH (seed 000): the key
 * status, and every content key of patch with the same names and aliases
 * (rating, is_positive, reaction, comment, feedback, reasons).
 */
Datum
feedback_update(PG_FUNCTION_ARGS)
{
	static const char *const keys[] = {"status", "rating", "is_positive", "reaction", "comment",
	"feedback", "reasons", NULL};
	const char *hint = "Allowed keys: status (to_review, reviewed, dismissed), rating, is_positive, reaction, comment, feedback (the comment), reasons.";
	FeedbackCaller caller;
	Datum		tenant = PG_GETARG_DATUM(0);
	Datum		id = PG_GETARG_DATUM(1);
	Jsonb	   *changes;
	JsonbValue *v;
	Review		before;
	Review		after;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_REVIEWER);
	fb_require_arg(fcinfo, 1, "id");
	changes = PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2);
	fb_body_check_keys(changes, "changes", keys, hint);
	LockForReview(tenant, id, &before);

	after = before;
	if ((v = fb_body_key(changes, "status")) != NULL)
	{
		if (v->type != jbvString ||
			!feedback_status_parse(v->val.string.val, v->val.string.len, &after.status))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid status in changes"),
					 errhint("Send one of to_review (or pending), reviewed, dismissed.")));
	}
	fb_body_content(changes, &after.content);
	fb_require_content(after.content.has_rating, after.content.comment);

	WriteReview(&caller, tenant, id, &before, &after, NULL);
	PG_RETURN_DATUM(fb_finish_jsonb(feedback_object_by_id(tenant, id)));
}

PG_FUNCTION_INFO_V1(feedback_history);
/*
 * history(tenant_id, id): the feedback's status changes, oldest first,
 * each {from, to, by, impersonated_by, at, note}.  Members may read the
 * history of their own feedback.
 */
Datum
feedback_history(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	Datum		tenant = PG_GETARG_DATUM(0);
	Datum		id = PG_GETARG_DATUM(1);
	JsonbParseState *state = NULL;
	bool		isnull;
	int			n;
	int			i;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	fb_require_arg(fcinfo, 1, "id");
	if (fb_exec(&author_query, (Datum[]) {tenant, id}, NULL, 1) == 0 ||
		!feedback_can_see(&caller, fb_get(0, "user_id", &isnull)))
		feedback_not_found(id);

	n = fb_exec(&history_query, (Datum[]) {tenant, id}, NULL, 0);
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		fb_json_begin(&state);
		fb_json_datum_text(&state, "from", fb_get_val(i, "from_status"));
		fb_json_datum_text(&state, "to", fb_get_val(i, "to_status"));
		fb_json_user(&state, "by", fb_get_val(i, "changed_by"), fb_get_text(i, "by_email"));
		fb_json_user(&state, "impersonated_by", fb_get_val(i, "impersonated_by"),
					 fb_get_text(i, "impersonator_email"));
		fb_json_timestamp(&state, "at", fb_get_val(i, "changed_at"));
		fb_json_datum_text(&state, "note", fb_get_val(i, "note"));
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	PG_RETURN_DATUM(fb_finish_jsonb(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_ARRAY, NULL))));
}

/*
 * The tenant's settings object: {tenant_id, positive: {...}, negative:
 * {...}}, each rule {auto_approve, reason_required, updated_by,
 * impersonated_by, updated_at} (the last three null while it was never
 * configured).
 */
static Jsonb *
SettingsObject(Datum tenant)
{
	JsonbParseState *state = NULL;
	int			row_of[2] = {-1, -1};
	int			n = fb_exec(&settings_query, &tenant, NULL, 0);
	int			i;

	for (i = 0; i < n; i++)
	{
		bool		isnull;

		row_of[DatumGetBool(fb_get(i, "positive", &isnull)) ? FB_RATING_POSITIVE : FB_RATING_NEGATIVE] = i;
	}

	fb_json_begin(&state);
	fb_json_uuid(&state, "tenant_id", FB_VALUE(tenant));
	for (i = FB_RATING_POSITIVE; i >= FB_RATING_NEGATIVE; i--)
	{
		int			row = row_of[i];
		bool		isnull;

		fb_json_key(&state, feedback_rating_name(i));
		fb_json_begin(&state);
		fb_json_bool(&state, "auto_approve",
					 row >= 0 && DatumGetBool(fb_get(row, "auto_approve", &isnull)));
		fb_json_bool(&state, "reason_required",
					 row >= 0 && DatumGetBool(fb_get(row, "reason_required", &isnull)));
		fb_json_user(&state, "updated_by", row >= 0 ? fb_get_val(row, "updated_by") : FB_NULL,
					 row >= 0 ? fb_get_text(row, "updater_email") : NULL);
		fb_json_user(&state, "impersonated_by",
					 row >= 0 ? fb_get_val(row, "impersonated_by") : FB_NULL,
					 row >= 0 ? fb_get_text(row, "impersonator_email") : NULL);
		fb_json_timestamp(&state, "updated_at", row >= 0 ? fb_get_val(row, "updated_at") : FB_NULL);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	return fb_json_end(&state);
}

PG_FUNCTION_INFO_V1(feedback_configure);
/*
 * configure(tenant_id, rating, auto_approve, reason_required): set the
 * tenant's rule for a rating (admin).  Returns the settings.
 */
Datum
feedback_configure(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	Datum		values[7];
	bool		nulls[7] = {false};

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_ADMIN);
	fb_require_arg(fcinfo, 1, "rating");
	fb_require_arg(fcinfo, 2, "auto_approve");
	fb_require_arg(fcinfo, 3, "reason_required");

	values[0] = PG_GETARG_DATUM(0);
	values[1] = BoolGetDatum((uint8) PG_GETARG_CHAR(1) == FB_RATING_POSITIVE);
	values[2] = PG_GETARG_DATUM(2);
	values[3] = PG_GETARG_DATUM(3);
	values[4] = UUIDPGetDatum(&caller.user_id);
	values[5] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	values[6] = UUIDPGetDatum(&caller.actor_id);
	nulls[6] = !caller.impersonating;
	fb_exec(&configure_query, values, nulls, 0);
	PG_RETURN_DATUM(fb_finish_jsonb(SettingsObject(PG_GETARG_DATUM(0))));
}

PG_FUNCTION_INFO_V1(feedback_settings);
/*
 * settings(tenant_id): the tenant's rules by rating (any member).
 */
Datum
feedback_settings(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);
	PG_RETURN_DATUM(fb_finish_jsonb(SettingsObject(PG_GETARG_DATUM(0))));
}
