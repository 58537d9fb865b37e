/*-------------------------------------------------------------------------
 *
 * triggers.c
 *	  The triggers of feedback.feedback, in the same transaction as every
 *	  change, whoever makes it (the API or a direct UPDATE):
 *
 *	  - feedback_before_update (BEFORE UPDATE, when the status changes):
 *	    enforces the transition table (PT409 naming both states) and, for a
 *	    change that did not say who reviewed, sets reviewed_by (the acting
 *	    user, if any), reviewed_at and updated_at.
 *	  - feedback_after_change (AFTER INSERT, UPDATE, DELETE): writes one
 *	    history row per status change, keeps the review queue's group and
 *	    the golden example (of an inserted feedback: see submit), and
 *	    announces the change with NOTIFY feedback_events.
 *
 * The extension's own resubmissions (a changed rating, comment or reasons
 * going back to to_review or auto_approved) are exempt from the table: they
 * run through fb_exec_change with system set.  A note for the history rows
 * travels the same way.  Both are backend-local and reset even on error.
 *
 * src/triggers.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/rel.h"

/* The statement running now changes feedback as the extension itself. */
static bool system_change = false;

/* The note of the status changes the running statement makes. */
static const char *change_note = NULL;

static FbQuery history_insert_query = {
	"INSERT INTO feedback.status_history"
	"       (tenant_id, feedback_id, from_status, to_status, changed_by, changed_at, note)"
	" VALUES ($1, $2, $3::feedback.review_status, $4::feedback.review_status, $5, $6, $7)",
	7, {UUIDOID, UUIDOID, TEXTOID, TEXTOID, UUIDOID, TIMESTAMPTZOID, TEXTOID}
};

/*
 * Execute a statement that changes feedback; see the file header.
 */
int
fb_exec_change(FbQuery *query, Datum *values, const bool *isnull, bool system, const char *note)
{
	int			processed;

	system_change = system;
	change_note = note;
	PG_TRY();
	{
		processed = fb_exec(query, values, isnull, 0);
	}
	PG_FINALLY();
	{
		system_change = false;
		change_note = NULL;
	}
	PG_END_TRY();
	return processed;
}

/*
 * Whether this backend runs a task of a Citus distributed query: Citus
 * names the backends it opens "citus_internal gpid=...".  Such a backend's
 * transaction may be committed in two phases, which NOTIFY forbids, and
 * nobody listens there.
 */
static bool
InCitusTask(void)
{
	const char *name = GetConfigOption("application_name", true, false);

	return name != NULL && strncmp(name, "citus_internal", strlen("citus_internal")) == 0;
}

/*
 * NOTIFY feedback_events with {"event", "tenant_id", "id"}; delivered
 * after commit, as NOTIFY is.  Not from a Citus task (see InCitusTask).
 */
void
feedback_notify(const char *event, Datum tenant_id, Datum id)
{
	if (!feedback_notify_events_setting || InCitusTask())
		return;
	Async_Notify("feedback_events",
				 psprintf("{\"event\": \"%s\", \"tenant_id\": \"%s\", \"id\": \"%s\"}", event,
						  fb_uuid_text(DatumGetUUIDP(tenant_id)), fb_uuid_text(DatumGetUUIDP(id))));
}

/*
 * Column name of a trigger tuple.
 */
FbValue
fb_tuple_value(HeapTuple tuple, TupleDesc desc, const char *name)
{
	FbValue		v;
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "the table has no column \"%s\"", name);
	v.value = heap_getattr(tuple, attnum, desc, &v.isnull);
	return v;
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
 * Whether two values of a column are the same (both NULL counts).
 */
static bool
SameValue(FbValue a, FbValue b, int16 typlen, bool typbyval)
{
	if (a.isnull || b.isnull)
		return a.isnull == b.isnull;
	return datumIsEqual(a.value, b.value, typbyval, typlen);
}

/*
 * Whether rating, comment or reasons differ between two versions.
 */
static bool
ContentChanged(HeapTuple old, HeapTuple new, TupleDesc desc)
{
	return !SameValue(fb_tuple_value(old, desc, "rating"), fb_tuple_value(new, desc, "rating"), 1, true) ||
		!SameValue(fb_tuple_value(old, desc, "comment"), fb_tuple_value(new, desc, "comment"), -1, false) ||
		!SameValue(fb_tuple_value(old, desc, "reasons"), fb_tuple_value(new, desc, "reasons"), -1, false);
}

/*
 * Whether a status approves a feedback (for its golden example).
 */
static bool
Approved(uint8 status)
{
	return status == FB_STATUS_AUTO_APPROVED || status == FB_STATUS_REVIEWED;
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

PG_FUNCTION_INFO_V1(feedback_before_update);
/*
 * BEFORE UPDATE OF feedback.feedback, when the status changes.
 */
Datum
feedback_before_update(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = TriggerContext(fcinfo, "feedback_before_update");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	old = trigdata->tg_trigtuple;
	HeapTuple	new = trigdata->tg_newtuple;
	uint8		from = TupleStatus(old, desc);
	uint8		to = TupleStatus(new, desc);
	Datum		now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	int			cols[3];
	Datum		values[3];
	bool		nulls[3] = {false};
	int			n = 0;

	if (from == to || system_change)
		return PointerGetDatum(new);

	if (!feedback_transition_allowed(from, to))
		ereport(ERROR,
				(errcode(ERRCODE_FEEDBACK_CONFLICT),
				 errmsg("cannot change the status of a feedback from %s to %s",
						feedback_status_name(from), feedback_status_name(to)),
				 errdetail("Allowed: to_review to reviewed or dismissed; auto_approved to to_review, reviewed or dismissed; reviewed to to_review or dismissed; dismissed to to_review or reviewed."),
				 errhint("Only auto-approval at submit makes feedback auto_approved.")));

	/* who reviewed and when, unless the change said so itself */
	if (SameValue(fb_tuple_value(old, desc, "reviewed_at"), fb_tuple_value(new, desc, "reviewed_at"),
				  8, FLOAT8PASSBYVAL) &&
		SameValue(fb_tuple_value(old, desc, "reviewed_by"), fb_tuple_value(new, desc, "reviewed_by"),
				  UUID_LEN, false))
	{
		pg_uuid_t  *actor = palloc(sizeof(pg_uuid_t));
		const char *user = feedback_user_id_setting;
		bool		known = user != NULL && fb_uuid_parse(user, actor);

		cols[n] = SPI_fnumber(desc, "reviewed_at");
		values[n] = now;
		n++;
		cols[n] = SPI_fnumber(desc, "reviewed_by");
		values[n] = known ? UUIDPGetDatum(actor) : (Datum) 0;
		nulls[n] = !known;
		n++;
	}
	if (SameValue(fb_tuple_value(old, desc, "updated_at"), fb_tuple_value(new, desc, "updated_at"),
				  8, FLOAT8PASSBYVAL))
	{
		cols[n] = SPI_fnumber(desc, "updated_at");
		values[n] = now;
		n++;
	}
	if (n == 0)
		return PointerGetDatum(new);
	return PointerGetDatum(heap_modify_tuple_by_cols(new, desc, n, cols, values, nulls));
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
	HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	Datum		tenant = fb_tuple_value(row, desc, "tenant_id").value;
	Datum		id = fb_tuple_value(row, desc, "id").value;
	uint8		status = TupleStatus(row, desc);
	bool		keep_example;
	const char *name;

	fb_connect();
	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		/*
		 * A new feedback's example, if it is auto-approved at once, is made
		 * by submit itself: restoring a dump inserts approved feedback whose
		 * examples the dump restores next.
		 */
		name = "created";
		keep_example = false;
	}
	else if (deleted)
	{
		/* only an approved feedback can leave an active example behind */
		name = "deleted";
		keep_example = Approved(status);
	}
	else
	{
		HeapTuple	old = trigdata->tg_trigtuple;
		uint8		from = TupleStatus(old, desc);
		bool		content_changed = ContentChanged(old, row, desc);

		name = (from != status && !content_changed) ? "status_changed" : "replaced";
		if (from != status)
		{
			FbValue		by = system_change ? fb_tuple_value(row, desc, "user_id") :
				fb_tuple_value(row, desc, "reviewed_by");
			Datum		values[7];
			bool		nulls[7] = {false};

			values[0] = tenant;
			values[1] = id;
			values[2] = CStringGetTextDatum(feedback_status_name(from));
			values[3] = CStringGetTextDatum(feedback_status_name(status));
			values[4] = by.value;
			nulls[4] = by.isnull;
			values[5] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
			values[6] = change_note ? CStringGetTextDatum(change_note) : (Datum) 0;
			nulls[6] = change_note == NULL;
			fb_exec(&history_insert_query, values, nulls, 0);
		}
		/* an example changes only with an approved feedback, before or after */
		keep_example = (Approved(from) || Approved(status)) &&
			(from != status || content_changed ||
			!SameValue(fb_tuple_value(old, desc, "corrected_response"),
					   fb_tuple_value(row, desc, "corrected_response"), -1, false) ||
			!SameValue(fb_tuple_value(old, desc, "message_id"),
					   fb_tuple_value(row, desc, "message_id"), UUID_LEN, false));
	}

	feedback_keep_review_group(tenant, TRIGGER_FIRED_BY_INSERT(event) ? NULL : trigdata->tg_trigtuple,
							   deleted ? NULL : row, desc);
	if (keep_example)
		feedback_keep_golden_example(tenant, id, fb_tuple_value(row, desc, "message_id"),
									 fb_tuple_value(row, desc, "rating"), status,
									 fb_tuple_value(row, desc, "corrected_response"), deleted);
	feedback_notify(name, tenant, id);
	SPI_finish();
	return PointerGetDatum(NULL);
}
