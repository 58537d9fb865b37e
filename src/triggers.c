/*-------------------------------------------------------------------------
 *
 * triggers.c
 *	  Every trigger of the extension.  They run in the same transaction as
 *	  the change, whoever makes it (an API call or a direct statement), and
 *	  decide from OLD, NEW, the statement and rows of the same tenant alone:
 *	  on a Citus cluster they run on the worker that holds the shard, in
 *	  another process than the call.
 *
 *	  - feedback_before_update (BEFORE UPDATE OF feedback.feedback) decides
 *	    the status: a change of rating, comment or reasons that leaves the
 *	    status as it was is a resubmission, and the tenant's rule gives its
 *	    status (to_review, or auto_approved) and refuses (22023) a rating
 *	    that needs a reason and has none; any other status change must be
 *	    in the transition table (PT409 naming both states).  It names the
 *	    reviewer (reviewed_by, reviewed_at, review_impersonated_by) for
 *	    reviewed and dismissed and clears them otherwise, stamps updated_at,
 *	    and writes the status history.  New content clears the suggestion
 *	    and opens the enrichment work again (see work_api.c).
 *	  - feedback_after_change (AFTER INSERT, UPDATE, DELETE OF
 *	    feedback.feedback) keeps the review queue's group, the golden
 *	    example and the idempotency keys of the feedback, and announces the
 *	    change.
 *	  - feedback_stats_after_change (AFTER INSERT, UPDATE, DELETE OF
 *	    feedback.feedback) keeps the analytics counters: a trigger of its
 *	    own, so that a bulk load can turn it off like the other and rebuild
 *	    with rebuild_stats.
 *	  - conversation_after_update moves a conversation's queue group when it
 *	    is archived or restored, and the analytics counts of its feedback
 *	    when its agent_name changes.
 *
 * Who acts, and the note of a status change, travel in the statement: it
 * sets the columns change_by, change_impersonated_by and change_note of the
 * rows it updates, and the BEFORE trigger reads them and resets them to
 * NULL (a CHECK constraint makes sure no stored row keeps them).  A
 * statement that leaves them NULL, such as a DBA's direct UPDATE, acts as
 * the session's acting user, resolved as an API call would (the JWT, else
 * feedback.user_id, impersonation included): the only setting a trigger
 * reads.
 *
 * src/triggers.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/rel.h"

/* At most this many columns of a row are set by the BEFORE trigger. */
#define MAX_EDITS 14

static FbQuery history_insert_query = {
	"INSERT INTO feedback.status_history"
	"       (tenant_id, feedback_id, from_status, to_status, changed_by, impersonated_by,"
	"        changed_at, note)"
	" VALUES ($1, $2, $3::feedback.review_status, $4::feedback.review_status, $5, $6, $7, $8)",
	8, {UUIDOID, UUIDOID, TEXTOID, TEXTOID, UUIDOID, UUIDOID, TIMESTAMPTZOID, TEXTOID}
};

/* The columns a trigger sets in the row it returns. */
typedef struct RowEdit
{
	int			n;
	int			cols[MAX_EDITS];
	Datum		values[MAX_EDITS];
	bool		nulls[MAX_EDITS];
} RowEdit;

/*
 * Set a column of the row a BEFORE trigger returns.
 */
static void
SetColumn(RowEdit *edit, TupleDesc desc, const char *name, FbValue value)
{
	Assert(edit->n < MAX_EDITS);
	edit->cols[edit->n] = SPI_fnumber(desc, name);
	edit->values[edit->n] = value.value;
	edit->nulls[edit->n] = value.isnull;
	edit->n++;
}

/*
 * Whether a column has the same value in two versions of a row (both NULL
 * counts).  Values are compared as they are, not as stored: the stored
 * version of a long comment may be compressed where the new one is not.
 */
static bool
SameAttribute(HeapTuple a, HeapTuple b, TupleDesc desc, int attnum)
{
	Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
	bool		a_null;
	bool		b_null;
	Datum		va = heap_getattr(a, attnum, desc, &a_null);
	Datum		vb = heap_getattr(b, attnum, desc, &b_null);

	if (a_null || b_null)
		return a_null == b_null;
	return datum_image_eq(va, vb, att->attbyval, att->attlen);
}

/*
 * The same, for the column called name.
 */
static bool
SameColumn(HeapTuple a, HeapTuple b, TupleDesc desc, const char *name)
{
	return SameAttribute(a, b, desc, SPI_fnumber(desc, name));
}

/*
 * The status of a feedback tuple.
 */
static uint8
TupleStatus(HeapTuple tuple, TupleDesc desc)
{
	return (uint8) DatumGetChar(fb_tuple_value(tuple, desc, "status").value);
}

/*
 * Whether rating, comment or reasons differ between two versions: what
 * makes an update a resubmission.
 */
static bool
ContentChanged(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	return !SameColumn(old, new, desc, "rating") ||
		!SameColumn(old, new, desc, "comment") ||
		!SameColumn(old, new, desc, "reasons");
}

/*
 * Whether two versions of a feedback differ in the enrichment queue's
 * columns alone (a claim, a suggestion), if at all.
 */
static bool
OnlyWorkChanged(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	static const char *const work_columns[] = {"suggested_action_type", "suggested_action_data",
	"suggested_at", "suggestion_leased_until", NULL};
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		int			w;

		if (att->attisdropped)
			continue;
		for (w = 0; work_columns[w] != NULL && strcmp(work_columns[w], NameStr(att->attname)) != 0; w++)
			;
		if (work_columns[w] == NULL && !SameAttribute(old, new, desc, i + 1))
			return false;
	}
	return true;
}

/*
 * Check the trigger's calling context.
 */
static TriggerData *
TriggerContext(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "%s: not called as a trigger", name);
	return (TriggerData *) fcinfo->context;
}

/*
 * Refusals the caller caused (a transition the table forbids, a missing
 * reason) say what was wrong, not which statement of the extension ran
 * into it: they are raised without the error context of the statements
 * around the trigger (an API call's upsert, whose SQL psql would print).
 * The checks run no query; an error unwinds the context stack anyway.
 */
static void
CheckTransition(uint8 from, uint8 to)
{
	ErrorContextCallback *context = error_context_stack;

	error_context_stack = NULL;
	feedback_check_transition(from, to);
	error_context_stack = context;
}

static void
CheckReason(FeedbackRule rule, uint8 rating, bool has_comment, bool has_reasons)
{
	ErrorContextCallback *context = error_context_stack;

	error_context_stack = NULL;
	feedback_check_reason(rule, true, rating, has_comment, has_reasons);
	error_context_stack = context;
}

/*
 * The tenant's rule for new content of a feedback, refusing (22023) a
 * rating that needs a reason and has neither a comment nor a reason tag;
 * no rule for comment-only feedback.
 */
static FeedbackRule
RuleForContent(Datum tenant, HeapTuple new, TupleDesc desc)
{
	FbValue		rating = fb_tuple_value(new, desc, "rating");
	FbValue		comment = fb_tuple_value(new, desc, "comment");
	FeedbackRule rule = {false, false};

	if (rating.isnull)
		return rule;
	rule = feedback_rule_for(tenant, (uint8) DatumGetChar(rating.value));
	CheckReason(rule, (uint8) DatumGetChar(rating.value),
				!comment.isnull && VARSIZE_ANY_EXHDR(DatumGetPointer(comment.value)) > 0,
				fb_reasons_any(fb_tuple_value(new, desc, "reasons").value));
	return rule;
}

/*
 * The status an update leaves a feedback in: a resubmission's from the
 * tenant's rule for its new content, any other change as asked once the
 * transition table allows it.
 */
static uint8
DecideStatus(HeapTuple old, HeapTuple new, TupleDesc desc, bool content_changed, FeedbackRule rule)
{
	uint8		from = TupleStatus(old, desc);
	uint8		to = TupleStatus(new, desc);

	if (to != from)
	{
		CheckTransition(from, to);
		return to;
	}
	if (!content_changed)
		return to;
	return feedback_rule_status(rule, !fb_tuple_value(new, desc, "rating").isnull);
}

PG_FUNCTION_INFO_V1(feedback_before_update);
/*
 * BEFORE UPDATE OF feedback.feedback, for each row; see the file header.
 */
Datum
feedback_before_update(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = TriggerContext(fcinfo, "feedback_before_update");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	old = trigdata->tg_trigtuple;
	HeapTuple	new = trigdata->tg_newtuple;
	Datum		tenant = fb_tuple_value(new, desc, "tenant_id").value;
	uint8		from = TupleStatus(old, desc);
	bool		content_changed = ContentChanged(old, new, desc);
	bool		correction_changed = !SameColumn(old, new, desc, "corrected_response");
	FbValue		by = fb_tuple_value(new, desc, "change_by");
	FbValue		impersonator = fb_tuple_value(new, desc, "change_impersonated_by");
	FbValue		note = fb_tuple_value(new, desc, "change_note");
	bool		stated = !by.isnull || !impersonator.isnull || !note.isnull;
	FbValue		now = FB_VALUE(TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()));
	RowEdit		edit = {0};
	FeedbackRule rule = {false, false};
	MemoryContext caller_context;
	uint8		to;
	bool		names_reviewer;

	if (TupleStatus(new, desc) == from && !content_changed && !correction_changed && !stated)
		return PointerGetDatum(new);
	/* a row without these fails its NOT NULL constraint after this trigger */
	if (fb_tuple_value(new, desc, "tenant_id").isnull || fb_tuple_value(new, desc, "id").isnull ||
		fb_tuple_value(new, desc, "status").isnull || fb_tuple_value(new, desc, "reasons").isnull)
		return PointerGetDatum(new);

	caller_context = CurrentMemoryContext;
	fb_connect();
	if (content_changed)
		rule = RuleForContent(tenant, new, desc);
	to = DecideStatus(old, new, desc, content_changed, rule);
	if (to != TupleStatus(new, desc))
		SetColumn(&edit, desc, "status", FB_VALUE(CharGetDatum(to)));

	/*
	 * reviewed and dismissed name whoever set them, and no other status
	 * does; a new correction of reviewed feedback approves its example
	 * again, so it names its author too
	 */
	names_reviewer = feedback_status_has_reviewer(to) &&
		(to != from || (correction_changed && to == FB_STATUS_REVIEWED)) &&
		SameColumn(old, new, desc, "reviewed_by") && SameColumn(old, new, desc, "reviewed_at");
	if (by.isnull && (to != from || names_reviewer) &&
		!feedback_session_actor(tenant, &by, &impersonator))
		by = impersonator = FB_NULL;
	if (!feedback_status_has_reviewer(to))
	{
		SetColumn(&edit, desc, "reviewed_by", FB_NULL);
		SetColumn(&edit, desc, "reviewed_at", FB_NULL);
		SetColumn(&edit, desc, "review_impersonated_by", FB_NULL);
	}
	else if (names_reviewer)
	{
		SetColumn(&edit, desc, "reviewed_by", by);
		SetColumn(&edit, desc, "reviewed_at", now);
		SetColumn(&edit, desc, "review_impersonated_by", impersonator);
	}
	if ((to != from || content_changed || correction_changed) &&
		SameColumn(old, new, desc, "updated_at"))
		SetColumn(&edit, desc, "updated_at", now);

	if (to != from)
	{
		Datum		values[8];
		bool		nulls[8] = {false};

		values[0] = tenant;
		values[1] = fb_tuple_value(new, desc, "id").value;
		values[4] = by.value;
		nulls[4] = by.isnull;
		values[5] = impersonator.value;
		nulls[5] = impersonator.isnull;
		values[6] = now.value;
		values[7] = note.value;
		nulls[7] = note.isnull;

		/*
		 * A resubmission of reviewed or dismissed feedback that the rule
		 * auto-approves goes back to review, then to auto-approval: two
		 * steps of the transition table, each in the history.
		 */
		if (to == FB_STATUS_AUTO_APPROVED && from != FB_STATUS_TO_REVIEW)
		{
			values[2] = CStringGetTextDatum(feedback_status_name(from));
			values[3] = CStringGetTextDatum(feedback_status_name(FB_STATUS_TO_REVIEW));
			fb_exec(&history_insert_query, values, nulls, 0);
			from = FB_STATUS_TO_REVIEW;
		}
		values[2] = CStringGetTextDatum(feedback_status_name(from));
		values[3] = CStringGetTextDatum(feedback_status_name(to));
		fb_exec(&history_insert_query, values, nulls, 0);
	}

	/*
	 * new content needs a new suggestion: the enrichment work opens again,
	 * and a claim on the old content is cancelled (see work_api.c)
	 */
	if (content_changed)
	{
		FbValue		lease = fb_tuple_value(old, desc, "suggestion_leased_until");

		SetColumn(&edit, desc, "suggested_action_type", FB_NULL);
		SetColumn(&edit, desc, "suggested_action_data",
				  FB_VALUE(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"))));
		SetColumn(&edit, desc, "suggested_at", FB_NULL);
		SetColumn(&edit, desc, "suggestion_leased_until",
				  lease.isnull ? FB_NULL : FB_VALUE(TimestampTzGetDatum(DT_NOBEGIN)));
	}

	/* the statement's actor and note are consumed */
	if (stated)
	{
		SetColumn(&edit, desc, "change_by", FB_NULL);
		SetColumn(&edit, desc, "change_impersonated_by", FB_NULL);
		SetColumn(&edit, desc, "change_note", FB_NULL);
	}
	/* the row returned must outlive SPI_finish: build it in the caller's memory */
	MemoryContextSwitchTo(caller_context);
	new = heap_modify_tuple_by_cols(new, desc, edit.n, edit.cols, edit.values, edit.nulls);
	SPI_finish();
	return PointerGetDatum(new);
}

/*
 * What a feedback tuple's golden example is made from.
 */
static ExampleSource
ExampleSourceOf(HeapTuple row, TupleDesc desc, bool deleted)
{
	ExampleSource src;

	src.feedback_id = fb_tuple_value(row, desc, "id").value;
	src.message_id = fb_tuple_value(row, desc, "message_id");
	src.rating = fb_tuple_value(row, desc, "rating");
	src.status = TupleStatus(row, desc);
	src.corrected_response = fb_tuple_value(row, desc, "corrected_response");
	src.deleted = deleted;
	src.changed_at = deleted ? GetCurrentTransactionStartTimestamp() :
		DatumGetTimestampTz(fb_tuple_value(row, desc, "updated_at").value);
	if (src.status == FB_STATUS_REVIEWED)
	{
		src.approved_by = fb_tuple_value(row, desc, "reviewed_by");
		src.impersonated_by = fb_tuple_value(row, desc, "review_impersonated_by");
	}
	else
		src.approved_by = src.impersonated_by = FB_NULL;
	return src;
}

PG_FUNCTION_INFO_V1(feedback_after_change);
/*
 * AFTER INSERT, UPDATE or DELETE OF feedback.feedback, for each row.
 */
Datum
feedback_after_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = TriggerContext(fcinfo, "feedback_after_change");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	TriggerEvent event = trigdata->tg_event;
	bool		deleted = TRIGGER_FIRED_BY_DELETE(event);
	bool		inserted = TRIGGER_FIRED_BY_INSERT(event);
	HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	Datum		tenant = fb_tuple_value(row, desc, "tenant_id").value;
	uint8		status = TupleStatus(row, desc);
	bool		keep_example;
	const char *name;

	if (inserted || deleted)
	{
		/* only an approved feedback has, or leaves behind, an active example */
		name = inserted ? "created" : "deleted";
		keep_example = feedback_status_approves(status);
	}
	else
	{
		HeapTuple	old = trigdata->tg_trigtuple;
		uint8		from = TupleStatus(old, desc);
		bool		content_changed = ContentChanged(old, row, desc);

		/* a claim or a suggestion: nothing derived changes, nothing to announce */
		if (OnlyWorkChanged(old, row, desc))
			return PointerGetDatum(NULL);

		name = (from != status && !content_changed) ? "status_changed" : "replaced";
		/* an example changes only with an approved feedback, before or after */
		keep_example = (feedback_status_approves(from) || feedback_status_approves(status)) &&
			(from != status || content_changed ||
			 !SameColumn(old, row, desc, "corrected_response") ||
			 !SameColumn(old, row, desc, "message_id") ||
			 !SameColumn(old, row, desc, "reviewed_by") ||
			 !SameColumn(old, row, desc, "review_impersonated_by"));
	}

	fb_connect();
	feedback_keep_review_group(tenant, inserted ? NULL : trigdata->tg_trigtuple,
							   deleted ? NULL : row, desc);
	feedback_keep_search_comment(tenant, inserted ? NULL : trigdata->tg_trigtuple,
								 deleted ? NULL : row, desc);
	if (!deleted && !fb_tuple_value(row, desc, "client_feedback_id").isnull &&
		(inserted || !SameColumn(trigdata->tg_trigtuple, row, desc, "client_feedback_id")))
		feedback_bind_client_key(tenant, fb_tuple_value(row, desc, "user_id").value,
								 fb_tuple_value(row, desc, "client_feedback_id").value,
								 fb_tuple_value(row, desc, "id").value,
								 fb_tuple_value(row, desc, "updated_at").value);
	if (keep_example)
	{
		ExampleSource src = ExampleSourceOf(row, desc, deleted);

		feedback_keep_golden_example(tenant, &src);
	}
	feedback_notify(name, tenant, fb_tuple_value(row, desc, "id").value);
	SPI_finish();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(feedback_conversation_after_update);
/*
 * AFTER UPDATE OF feedback.conversations, when is_archived or agent_name
 * changes: move the conversation's group to the other archived bucket, and
 * the analytics counts of its feedback to the new agent.
 */
Datum
feedback_conversation_after_update(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = TriggerContext(fcinfo, "feedback_conversation_after_update");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	old = trigdata->tg_trigtuple;
	HeapTuple	row = trigdata->tg_newtuple;
	Datum		tenant = fb_tuple_value(row, desc, "tenant_id").value;
	Datum		id = fb_tuple_value(row, desc, "id").value;

	fb_connect();
	if (!SameColumn(old, row, desc, "is_archived"))
		feedback_move_review_group(tenant, id,
								   DatumGetBool(fb_tuple_value(row, desc, "is_archived").value));
	if (!SameColumn(old, row, desc, "agent_name"))
		feedback_move_stats(tenant, id, fb_tuple_value(old, desc, "agent_name"),
							fb_tuple_value(row, desc, "agent_name"));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * Whether two versions of a feedback count the same in the analytics
 * counters: the same bucket, group, rating, status and reasons.
 */
static bool
SameStatsPart(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	static const char *const stats_columns[] = {"tenant_id", "created_at", "conversation_id",
		"kind", "source_surface", "rating", "status", "reasons", NULL};
	int			i;

	for (i = 0; stats_columns[i] != NULL; i++)
		if (!SameColumn(old, new, desc, stats_columns[i]))
			return false;
	return true;
}

PG_FUNCTION_INFO_V1(feedback_stats_after_change);
/*
 * AFTER INSERT, UPDATE or DELETE OF feedback.feedback, for each row: keep
 * the analytics counters (stats.c).
 */
Datum
feedback_stats_after_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = TriggerContext(fcinfo, "feedback_stats_after_change");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	TriggerEvent event = trigdata->tg_event;
	HeapTuple	old = TRIGGER_FIRED_BY_INSERT(event) ? NULL : trigdata->tg_trigtuple;
	HeapTuple	new = TRIGGER_FIRED_BY_UPDATE(event) ? trigdata->tg_newtuple :
		TRIGGER_FIRED_BY_INSERT(event) ? trigdata->tg_trigtuple : NULL;

	if (old && new && SameStatsPart(old, new, desc))
		return PointerGetDatum(NULL);
	fb_connect();
	feedback_keep_stats(old, new, desc);
	SPI_finish();
	return PointerGetDatum(NULL);
}
