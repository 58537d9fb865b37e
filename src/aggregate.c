/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  feedback.status_summary(review_status): to_review when every input is
 *	  to_review, reviewed when none is, mixed otherwise, NULL over no rows.
 *
 * The state is an integer of two bits: SEEN_TO_REVIEW and SEEN_REVIEWED
 * (auto_approved and dismissed count as reviewed).  Partial states combine
 * with a bitwise or, so the aggregate runs in parallel.
 *
 * src/aggregate.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "fmgr.h"
#include "utils/builtins.h"

#define SEEN_TO_REVIEW	0x1
#define SEEN_REVIEWED	0x2

PG_FUNCTION_INFO_V1(feedback_status_summary_accum);
/*
 * Transition function: fold one status (NULLs are skipped) into the state.
 */
Datum
feedback_status_summary_accum(PG_FUNCTION_ARGS)
{
	int32		state = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT32(0);

	if (!PG_ARGISNULL(1))
		state |= ((uint8) PG_GETARG_CHAR(1) == FB_STATUS_TO_REVIEW) ?
			SEEN_TO_REVIEW : SEEN_REVIEWED;
	PG_RETURN_INT32(state);
}

PG_FUNCTION_INFO_V1(feedback_status_summary_final);
/*
 * Final function: the summary word, or NULL when no status was seen.
 */
Datum
feedback_status_summary_final(PG_FUNCTION_ARGS)
{
	switch (PG_GETARG_INT32(0))
	{
		case SEEN_TO_REVIEW:
			PG_RETURN_TEXT_P(cstring_to_text("to_review"));
		case SEEN_REVIEWED:
			PG_RETURN_TEXT_P(cstring_to_text("reviewed"));
		case SEEN_TO_REVIEW | SEEN_REVIEWED:
			PG_RETURN_TEXT_P(cstring_to_text("mixed"));
		default:
			PG_RETURN_NULL();
	}
}
