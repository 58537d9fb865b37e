/*-------------------------------------------------------------------------
 *
 * distribute.c
 *	  feedback.distribute(shard_count): turn the extension's tables into
 *	  Citus tables distributed by tenant_id, users a reference table.
 *
 * The memberships -> users foreign key is dropped before users becomes a
 * reference table and added back after memberships is distributed: Citus
 * cannot recreate an extension-owned table it has already pulled into its
 * metadata.  The trigger that keeps the review queue and announces changes
 * is disabled while Citus copies the existing feedback into its shards: the
 * copy inserts every row again, and the queue it would count twice is
 * copied as it stands.  The local copy Citus leaves behind in each table
 * it distributed is truncated, and its notices about the copies are kept
 * quiet.  Running it again on tables distributed this way does nothing; a
 * table distributed any other way is an error.
 *
 * The triggers run on the worker that holds a shard.  A direct UPDATE of
 * feedback.feedback takes its acting user from the session's settings, so
 * distribute() makes citus.propagate_set_commands = 'local' the database's
 * default: a SET LOCAL feedback.user_id (or feedback.impersonate_email) in
 * a transaction then reaches the workers with the statement.  It sets it
 * for its own session too; other sessions opened before it keep theirs.
 *
 * src/distribute.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/guc.h"

/* The tenant-keyed tables, conversations first (the others colocate with it). */
static const char *const tenant_tables[] = {
	"feedback.conversations", "feedback.memberships", "feedback.messages", "feedback.feedback",
	"feedback.client_keys",
	"feedback.status_history", "feedback.settings", "feedback.golden_example",
	"feedback.review_groups", "feedback.review_group_counts", "feedback.feedback_comments",
	"feedback.stats_counts", NULL
};

/* How a table is distributed now: partition method and column, or no row. */
static FbQuery partition_query = {
	"SELECT p.partmethod::text AS method,"
	"       pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) AS column_name"
	"  FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
	1, {TEXTOID}
};

/* Distributing populated tables one after another in one transaction. */
static FbQuery sequential_query = {
	"SELECT pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true)",
	0, {InvalidOid}
};

static FbQuery reference_query = {
	"SELECT pg_catalog.create_reference_table('feedback.users')", 0, {InvalidOid}
};

static FbQuery first_table_query = {
	"SELECT pg_catalog.create_distributed_table($1::pg_catalog.regclass, 'tenant_id', shard_count => $2)",
	2, {TEXTOID, INT4OID}
};

static FbQuery colocated_table_query = {
	"SELECT pg_catalog.create_distributed_table($1::pg_catalog.regclass, 'tenant_id',"
	"                                           colocate_with => 'feedback.conversations')",
	1, {TEXTOID}
};

static FbQuery fk_exists_query = {
	"SELECT 1 FROM pg_catalog.pg_constraint c"
	" WHERE c.conname OPERATOR(pg_catalog.=) 'memberships_user_id_fkey'"
	"   AND c.conrelid OPERATOR(pg_catalog.=) 'feedback.memberships'::pg_catalog.regclass",
	0, {InvalidOid}
};

/*
 * Run before users becomes a reference table, and again once memberships
 * is distributed so that the command reaches the workers: CREATE EXTENSION
 * made their copies of the table with the key, which adding it back would
 * otherwise find there already.
 */
static FbQuery drop_fk_query = {
	"ALTER TABLE feedback.memberships DROP CONSTRAINT IF EXISTS memberships_user_id_fkey", 0, {InvalidOid}
};

static FbQuery add_fk_query = {
	"ALTER TABLE feedback.memberships ADD CONSTRAINT memberships_user_id_fkey"
	" FOREIGN KEY (user_id) REFERENCES feedback.users (id)", 0, {InvalidOid}
};

/* Free the space of the rows a table held before Citus copied them. */
static FbQuery truncate_local_query = {
	"SELECT pg_catalog.truncate_local_data_after_distributing_table($1::pg_catalog.regclass)",
	1, {TEXTOID}
};

/*
 * The copy of existing feedback into shards must not reach the triggers of
 * derived state (one statement each: Citus takes one subcommand at a time).
 */
static FbQuery pause_triggers_queries[] = {
	{"ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_after_change", 0, {InvalidOid}},
	{"ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_stats_after_change", 0, {InvalidOid}}
};

static FbQuery resume_triggers_queries[] = {
	{"ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_after_change", 0, {InvalidOid}},
	{"ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_stats_after_change", 0, {InvalidOid}}
};

/*
 * Run each of n statements without parameters.
 */
static void
ExecAll(FbQuery *queries, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		fb_exec(&queries[i], NULL, NULL, 0);
}

/*
 * How table is distributed: 'n' reference, 'h' hash (by *column), or 0
 * when it is not a Citus table.
 */
static char
Distribution(const char *table, char **column)
{
	if (fb_exec(&partition_query, (Datum[]) {CStringGetTextDatum(table)}, NULL, 1) == 0)
		return 0;
	*column = fb_get_text(0, "column_name");
	return fb_get_text(0, "method")[0];
}

/*
 * Raise 55000 for a table already distributed another way.
 */
static void
pg_attribute_noreturn()
DistributedOtherwise(const char *table, const char *how)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s is already distributed another way (%s)", table, how),
			 errdetail("feedback.distribute makes users a reference table and every other table hash-distributed by tenant_id."),
			 errhint("Citus cannot redistribute a table that belongs to an extension: dump the data (pg_dump --data-only --schema=feedback), drop and create the extension again, run feedback.distribute, then restore.")));
}

/*
 * ALTER DATABASE <this one> SET name = value, built as a statement rather
 * than as SQL text: the database name is an identifier, not a parameter.
 */
static void
SetDatabaseDefault(const char *name, const char *value)
{
	AlterDatabaseSetStmt *stmt = makeNode(AlterDatabaseSetStmt);
	VariableSetStmt *set = makeNode(VariableSetStmt);
	A_Const    *arg = makeNode(A_Const);

#if PG_VERSION_NUM >= 150000
	arg->val.sval.type = T_String;
	arg->val.sval.sval = pstrdup(value);
#else
	arg->val.type = T_String;
	arg->val.val.str = pstrdup(value);
#endif
	arg->location = -1;
	set->kind = VAR_SET_VALUE;
	set->name = pstrdup(name);
	set->args = list_make1(arg);
	stmt->dbname = get_database_name(MyDatabaseId);
	stmt->setstmt = set;
	AlterDatabaseSet(stmt);
}

PG_FUNCTION_INFO_V1(feedback_distribute);
/*
 * distribute(shard_count): see the file header.  Returns what it did.
 */
Datum
feedback_distribute(PG_FUNCTION_ARGS)
{
	int			shard_count = PG_ARGISNULL(0) ? 32 : PG_GETARG_INT32(0);
	const char *unsafe_triggers;
	char	   *column = NULL;
	char		how;
	int			made = 0;
	bool		made_now[lengthof(tenant_tables)] = {false};
	bool		paused = false;
	int			quiet;
	int			i;
	JsonbParseState *state = NULL;

	if (shard_count < 1 || shard_count > 64000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shard_count must be between 1 and 64000, not %d", shard_count)));
	if (!OidIsValid(get_extension_oid("citus", true)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("Citus is not installed"),
				 errhint("feedback.distribute turns the tables into Citus tables: install Citus and run CREATE EXTENSION citus first.")));
	unsafe_triggers = GetConfigOption("citus.enable_unsafe_triggers", true, false);
	if (unsafe_triggers == NULL || strcmp(unsafe_triggers, "on") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("citus.enable_unsafe_triggers must be on"),
				 errdetail("The review queue, the history and the golden examples are kept by triggers on distributed tables."),
				 errhint("Set citus.enable_unsafe_triggers = on (ALTER SYSTEM, then reload) and run feedback.distribute again.")));

	fb_connect();
	quiet = fb_set_for_now("client_min_messages", "warning");
	fb_exec(&sequential_query, NULL, NULL, 0);
	how = Distribution("feedback.users", &column);
	if (how != 0 && how != 'n')
		DistributedOtherwise("feedback.users", "not a reference table");
	for (i = 0; tenant_tables[i] != NULL; i++)
	{
		char		t = Distribution(tenant_tables[i], &column);

		if (t != 0 && (t != 'h' || strcmp(column, "tenant_id") != 0))
			DistributedOtherwise(tenant_tables[i], t == 'h' ? psprintf("by %s", column) : "not by hash");
	}

	if (how == 0)
	{
		fb_exec(&drop_fk_query, NULL, NULL, 0);
		fb_exec(&reference_query, NULL, NULL, 0);
		made++;
	}
	for (i = 0; tenant_tables[i] != NULL; i++)
	{
		if (Distribution(tenant_tables[i], &column) != 0)
			continue;
		if (!paused)
		{
			ExecAll(pause_triggers_queries, lengthof(pause_triggers_queries));
			paused = true;
		}
		if (i == 0)
			fb_exec(&first_table_query, (Datum[]) {CStringGetTextDatum(tenant_tables[i]),
						Int32GetDatum(shard_count)}, NULL, 0);
		else
			fb_exec(&colocated_table_query, (Datum[]) {CStringGetTextDatum(tenant_tables[i])},
					NULL, 0);
		made_now[i] = true;
		made++;
	}
	if (paused)
		ExecAll(resume_triggers_queries, lengthof(resume_triggers_queries));
	if (fb_exec(&fk_exists_query, NULL, NULL, 1) == 0)
	{
		fb_exec(&drop_fk_query, NULL, NULL, 0);
		fb_exec(&add_fk_query, NULL, NULL, 0);
	}
	if (how == 0)
		fb_exec(&truncate_local_query, (Datum[]) {CStringGetTextDatum("feedback.users")}, NULL, 0);
	for (i = 0; tenant_tables[i] != NULL; i++)
		if (made_now[i])
			fb_exec(&truncate_local_query, (Datum[]) {CStringGetTextDatum(tenant_tables[i])},
					NULL, 0);
	SetDatabaseDefault("citus.propagate_set_commands", "local");
	(void) set_config_option("citus.propagate_set_commands", "local", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SET, true, 0, false);
	fb_reset_for_now(quiet);

	fb_json_begin(&state);
	fb_json_int(&state, "tables_distributed_now", made);
	fb_json_text(&state, "reference", "feedback.users");
	fb_json_text(&state, "distribution_column", "tenant_id");
	fb_json_int(&state, "shard_count", shard_count);
	fb_json_text(&state, "propagate_set_commands", "local");
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}
