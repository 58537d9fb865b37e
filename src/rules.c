/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The review rules, each defined once: the status transition table,
 *	  what approves a feedback, the state of a review queue group, and the
 *	  tenant's rule for a rating (auto-approval and a required reason).
 *
 * The transition table is the Review API's: to_review -> auto_approved is
 * not in it, because only a resubmission (a change of rating, comment or
 * reasons, recognised by the BEFORE UPDATE trigger from the row itself)
 * goes back through the tenant's rule, which may auto-approve.  The API
 * checks the rule's required reason before it writes; the trigger asks the
 * rule for the status of a resubmission.
 *
 * src/rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"

/*
 * allowed[from][to]: the transitions a reviewer or a direct UPDATE may
 * make.
 */
static const bool allowed[4][4] = {
	/* to:        to_review auto_approved reviewed dismissed */
	/* to_review */ {false, false, true, true},
	/* auto_appr */ {true, false, true, true},
	/* reviewed  */ {true, false, false, true},
	/* dismissed */ {true, false, true, false},
};

/* The tenant's rule for a rating: (tenant_id, rating as boolean) */
static FbQuery rule_query = {
	"SELECT s.auto_approve, s.reason_required FROM feedback.settings s"
	" WHERE s.tenant_id OPERATOR(pg_catalog.=) $1"
	"   AND s.rating OPERATOR(pg_catalog.=) $2::feedback.rating",
	2, {UUIDOID, BOOLOID}
};

/*
 * Raise PT409, naming both states, unless a status may change from one
 * value to the other.
 */
void
feedback_check_transition(uint8 from, uint8 to)
{
	if (from < 4 && to < 4 && allowed[from][to])
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEEDBACK_CONFLICT),
			 errmsg("cannot change the status of a feedback from %s to %s",
					feedback_status_name(from), feedback_status_name(to)),
			 errdetail("Allowed: to_review to reviewed or dismissed; auto_approved to to_review, reviewed or dismissed; reviewed to to_review or dismissed; dismissed to to_review or reviewed."),
			 errhint("Only the tenant's auto-approval rule makes feedback auto_approved, when its rating, comment or reasons change.")));
}

/*
 * Whether a status approves a feedback (so that its golden example is
 * active), and whether it names a reviewer (reviewed_by, reviewed_at).
 */
bool
feedback_status_approves(uint8 status)
{
	return status == FB_STATUS_AUTO_APPROVED || status == FB_STATUS_REVIEWED;
}

bool
feedback_status_has_reviewer(uint8 status)
{
	return status == FB_STATUS_REVIEWED || status == FB_STATUS_DISMISSED;
}

/*
 * The state of a review queue group from its counts: 0 only to review,
 * 1 mixed, 2 reviewed (as the generated column review_groups.state).
 */
int
feedback_group_state(int64 to_review, int64 reviewed)
{
	if (reviewed == 0)
		return 0;
	return to_review == 0 ? 2 : 1;
}

/*
 * The tenant's rule for a rating; without one, neither auto-approval nor a
 * required reason.  Must run inside an SPI connection.
 */
FeedbackRule
feedback_rule_for(Datum tenant_id, uint8 rating)
{
	FeedbackRule rule = {false, false};
	bool		isnull;

	if (fb_exec(&rule_query, (Datum[]) {tenant_id, BoolGetDatum(rating == FB_RATING_POSITIVE)},
				NULL, 1) > 0)
	{
		rule.auto_approve = DatumGetBool(fb_get(0, "auto_approve", &isnull));
		rule.reason_required = DatumGetBool(fb_get(0, "reason_required", &isnull));
	}
	return rule;
}

/*
 * The status that feedback with this content starts in, or goes back to
 * when its content changes: auto_approved when it has a rating whose rule
 * says so, else to_review.
 */
uint8
feedback_rule_status(FeedbackRule rule, bool has_rating)
{
	return has_rating && rule.auto_approve ? FB_STATUS_AUTO_APPROVED : FB_STATUS_TO_REVIEW;
}

/*
 * Raise 22023 when the rule requires a reason for this rating and the
 * feedback gives neither a comment nor a reason tag.
 */
void
feedback_check_reason(FeedbackRule rule, bool has_rating, uint8 rating, bool has_comment,
					  bool has_reasons)
{
	if (!has_rating || !rule.reason_required || has_comment || has_reasons)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("a reason is required for %s feedback in this tenant",
					feedback_rating_name(rating)),
			 errhint("Add a comment or a reason tag that says why.")));
}
