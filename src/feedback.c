/*-------------------------------------------------------------------------
 *
 * feedback.c
 *	  Module entry point: the settings the extension defines, setting
 *	  another one for the span of a few statements, and the events the
 *	  extension announces with NOTIFY.
 *
 * src/feedback.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "commands/async.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/uuid.h"

PG_MODULE_MAGIC;

char	   *feedback_user_id_setting = NULL;
char	   *feedback_impersonate_email_setting = NULL;
bool		feedback_notify_events_setting = false;

void		_PG_init(void);

/*
 * Define feedback.user_id, feedback.impersonate_email and
 * feedback.notify_events.  A value set
 * before the library was loaded (a placeholder) is taken over.
 */
void
_PG_init(void)
{
	DefineCustomStringVariable("feedback.user_id",
							   "The acting user of feedback API calls (a uuid of feedback.users).",
							   "Set by a trusted application, usually with SET LOCAL. When empty, "
							   "the sub claim of request.jwt.claims is used.",
							   &feedback_user_id_setting,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable("feedback.impersonate_email",
							   "Email of the user an impersonating caller acts as.",
							   "Needs can_impersonate on the acting user. When empty, the "
							   "x-impersonate-email header of request.headers is used.",
							   &feedback_impersonate_email_setting,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomBoolVariable("feedback.notify_events",
							 "Announce every feedback and golden example change with NOTIFY feedback_events.",
							 "Off by default: NOTIFY serializes the commits of the transactions that "
							 "notify, and any login role may LISTEN.",
							 &feedback_notify_events_setting,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("feedback");
#else
	EmitWarningsOnPlaceholders("feedback");
#endif
}

/*
 * Set a setting a user may set (as a SET clause of a function would)
 * until the caller passes the returned level to AtEOXact_GUC(true, level);
 * an error before that undoes it with the transaction.  Returns 0, having
 * set nothing, when there is no such setting (an extension not loaded).
 */
int
fb_set_for_now(const char *name, const char *value)
{
	int			level;

	if (GetConfigOption(name, true, false) == NULL)
		return 0;
	level = NewGUCNestLevel();
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/*
 * Undo fb_set_for_now.
 */
void
fb_reset_for_now(int level)
{
	if (level > 0)
		AtEOXact_GUC(true, level);
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
						  DatumGetCString(DirectFunctionCall1(uuid_out, tenant_id)),
						  DatumGetCString(DirectFunctionCall1(uuid_out, id))));
}
