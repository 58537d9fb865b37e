/*-------------------------------------------------------------------------
 *
 * privileges.c
 *	  feedback.grant_api(role, jwt_only) and feedback.grant_ingest(role):
 *	  EXECUTE on one set of API functions and USAGE on the schema, nothing
 *	  else.  With jwt_only, the role becomes a member of the NOLOGIN role
 *	  feedback_jwt_only (made on first use), whose members accept only a
 *	  verified token as the acting user (identity.c); without it, the role
 *	  leaves that role.
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
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

/* The feedback and review API, for the application's web role. */
static const char *const api_functions[] = {
	"whoami", "submit", "put_conversation_feedback", "get", "for_message",
	"thread_reactions", "patch", "delete", "set_status", "history", "update",
	"grouped_by_conversation", "configure", "settings", "add_golden_example",
	"golden_examples", "export_golden_examples", "export_preference_pairs", "stats",
	"verify_stats", NULL
};

/* The ingest API, for the chat application's trusted backend. */
static const char *const ingest_functions[] = {
	"put_user", "put_member", "put_conversation", "put_message", "set_suggestion",
	"claim_suggestions", "remove_member", "delete_conversation", "delete_message", "erase_user", NULL
};

/*
 * Grant USAGE on schema feedback and EXECUTE on every function of the
 * schema named in names (all overloads) to role, with more statements to
 * run after them (or NULL).
 */
static void
GrantFunctions(Oid role, const char *const *names, const char *more)
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

	if (more != NULL)
		appendStringInfoString(&sql, more);

	fb_connect();
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not grant: %s", sql.data);
	SPI_finish();
}

PG_FUNCTION_INFO_V1(feedback_grant_api);
/*
 * grant_api(role, jwt_only): let role call the feedback and review API;
 * with jwt_only, only with a verified token.
 */
Datum
feedback_grant_api(PG_FUNCTION_ARGS)
{
	Oid			role;
	bool		jwt_only;
	Oid			jwt_only_role;
	const char *grantee;
	const char *more = NULL;

	fb_require_arg(fcinfo, 0, "role");
	fb_require_arg(fcinfo, 1, "jwt_only");
	role = PG_GETARG_OID(0);
	jwt_only = PG_GETARG_BOOL(1);
	jwt_only_role = get_role_oid(FEEDBACK_JWT_ONLY_ROLE, true);
	grantee = quote_identifier(GetUserNameFromId(role, false));
	if (jwt_only)
		more = psprintf("%sGRANT %s TO %s;",
						OidIsValid(jwt_only_role) ? "" : "CREATE ROLE " FEEDBACK_JWT_ONLY_ROLE " NOLOGIN;",
						FEEDBACK_JWT_ONLY_ROLE, grantee);
	else if (OidIsValid(jwt_only_role) && is_member_of_role_nosuper(role, jwt_only_role))
		more = psprintf("REVOKE %s FROM %s;", FEEDBACK_JWT_ONLY_ROLE, grantee);
	GrantFunctions(role, api_functions, more);
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
	GrantFunctions(PG_GETARG_OID(0), ingest_functions, NULL);
	PG_RETURN_VOID();
}
