/*-------------------------------------------------------------------------
 *
 * privileges.c
 *	  feedback.grant_api(role) and feedback.grant_ingest(role): EXECUTE on
 *	  one set of API functions and USAGE on the schema, nothing else.
 *
 * GRANT takes no parameters, so the statement is built from the role's
 * quoted name and each function's catalog signature, never from text a
 * caller supplied.
 *
 * src/privileges.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

/* The feedback and review API, for the application's web role. */
static const char *const api_functions[] = {
	"whoami", "submit", "put_conversation_feedback", "get", "for_message",
	"thread_reactions", "patch", "delete", "set_status", "history", "update",
	"grouped_by_conversation", "configure", "settings", "add_golden_example",
	"golden_examples", "export_golden_examples", NULL
};

/* The ingest API, for the chat application's trusted backend. */
static const char *const ingest_functions[] = {
	"put_user", "put_member", "put_conversation", "put_message", "set_suggestion", NULL
};

/*
 * Grant USAGE on schema feedback and EXECUTE on every function of the
 * schema named in names (all overloads) to role.
 */
static void
GrantFunctions(Oid role, const char *const *names)
{
	Oid			nsp = get_namespace_oid("feedback", false);
	const char *grantee = quote_identifier(GetUserNameFromId(role, false));
	StringInfoData sql;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "GRANT USAGE ON SCHEMA feedback TO %s;", grantee);

	for (i = 0; names[i] != NULL; i++)
	{
		CatCList   *procs = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(names[i]));
		int			j;

		for (j = 0; j < procs->n_members; j++)
		{
			HeapTuple	tup = &procs->members[j]->tuple;
			Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);

			if (proc->pronamespace == nsp)
				appendStringInfo(&sql, "GRANT EXECUTE ON FUNCTION %s TO %s;",
								 format_procedure_qualified(proc->oid), grantee);
		}
		ReleaseSysCacheList(procs);
	}

	fb_connect();
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not grant: %s", sql.data);
	SPI_finish();
}

PG_FUNCTION_INFO_V1(feedback_grant_api);
/*
 * grant_api(role): let role call the feedback and review API.
 */
Datum
feedback_grant_api(PG_FUNCTION_ARGS)
{
	fb_require_arg(fcinfo, 0, "role");
	GrantFunctions(PG_GETARG_OID(0), api_functions);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(feedback_grant_ingest);
/*
 * grant_ingest(role): let role call the ingest API.
 */
Datum
feedback_grant_ingest(PG_FUNCTION_ARGS)
{
	fb_require_arg(fcinfo, 0, "role");
	GrantFunctions(PG_GETARG_OID(0), ingest_functions);
	PG_RETURN_VOID();
}
