/*-------------------------------------------------------------------------
 *
 * work_api.c
 *	  Work for workers, and change streams: claim_suggestions (the leased
 *	  enrichment queue) and create_publication (the tables of record for
 *	  logical decoding).
 *
 * The enrichment queue is the feedback whose suggested_at is NULL: no
 * set_suggestion since its content last changed.  Two partial indexes
 * hold only that open work, oldest first, in a tenant and in all, so a
 * claim reads about as many index entries as it claims (and the leases of
 * other workers it steps over).  A claim leases each feedback until
 * suggestion_leased_until; while the lease runs no other claim gets it,
 * and an expired lease makes it claimable again, so a worker that dies
 * loses nothing.  Each candidate is taken with FOR UPDATE SKIP LOCKED, one
 * statement per feedback on its tenant's shard, so concurrent workers
 * never wait for each other and never share one.  Without a tenant, the
 * candidates come from every shard (the one statement here that reads
 * them all).
 *
 * set_suggestion (ingest_api.c) completes the work and ends the lease.  A
 * change of rating, comment or reasons (the feedback trigger) clears the
 * suggestion and opens the work again; a lease it ends becomes -infinity,
 * the mark of a claim cancelled by newer content, and the late
 * set_suggestion of that claim's worker is refused (PT409) rather than
 * stored against content it never saw.  A worker whose lease merely
 * expired still completes the work: the content is the one it saw.
 *
 * src/work_api.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#define CLAIM_MAX		1000	/* feedback in one claim */
#define LEASE_MIN		"1 second"
#define LEASE_MAX		"1 day"

/* Open work that no running lease holds, after a position (at, id). */
#define CLAIMABLE(now, at, id) \
	" f.suggested_at IS NULL" \
	" AND (f.suggestion_leased_until IS NULL OR f.suggestion_leased_until OPERATOR(pg_catalog.<) " now ")" \
	" AND (f.created_at, f.id) OPERATOR(pg_catalog.>) (" at ", " id ")"

/* A tenant's: $1 tenant, $2 now, $3 limit, $4 and $5 the position. */
static FbQuery tenant_candidates_query = {
	"SELECT f.tenant_id, f.id, f.created_at FROM feedback.feedback f"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND" CLAIMABLE("$2", "$4", "$5")
	" ORDER BY f.created_at, f.id LIMIT $3",
	5, {UUIDOID, TIMESTAMPTZOID, INT8OID, TIMESTAMPTZOID, UUIDOID}
};

/* Every tenant's: $1 now, $2 limit, $3 and $4 the position. */
static FbQuery all_candidates_query = {
	EVERY_SHARD
	"SELECT f.tenant_id, f.id, f.created_at FROM feedback.feedback f"
	" WHERE" CLAIMABLE("$1", "$3", "$4")
	" ORDER BY f.created_at, f.id LIMIT $2",
	4, {TIMESTAMPTZOID, INT8OID, TIMESTAMPTZOID, UUIDOID}
};

/*
 * Lease one candidate unless another claim holds it or took it meanwhile:
 * $1 tenant, $2 feedback, $3 the lease's end, $4 now.
 */
static FbQuery claim_query = {
	"UPDATE feedback.feedback f SET suggestion_leased_until = $3"
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1"
	"   AND f.id OPERATOR(pg_catalog.=) (SELECT c.id FROM feedback.feedback c"
	"        WHERE c.tenant_id OPERATOR(pg_catalog.=) $1 AND c.id OPERATOR(pg_catalog.=) $2"
	"          AND c.suggested_at IS NULL"
	"          AND (c.suggestion_leased_until IS NULL OR c.suggestion_leased_until OPERATOR(pg_catalog.<) $4)"
	"        FOR UPDATE SKIP LOCKED)"
	" RETURNING f.id",
	4, {UUIDOID, UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID}
};

/* The tables of record, which create_publication publishes. */
static const char *const record_tables[] = {
	"feedback.users", "feedback.memberships", "feedback.conversations", "feedback.messages",
	"feedback.feedback", "feedback.client_keys", "feedback.status_history", "feedback.settings",
	"feedback.golden_example", NULL
};

/*
 * An interval written in SQL.
 */
static Datum
IntervalOf(const char *text)
{
	return DirectFunctionCall3(interval_in, CStringGetDatum(text), ObjectIdGetDatum(InvalidOid),
							   Int32GetDatum(-1));
}

PG_FUNCTION_INFO_V1(feedback_claim_suggestions);
/*
 * claim_suggestions(limit, lease, tenant_id): lease up to limit feedback
 * whose enrichment is open, oldest first, and return their objects.
 */
Datum
feedback_claim_suggestions(PG_FUNCTION_ARGS)
{
	FbJsonbSet	set;
	int			limit;
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz until;
	bool		all_tenants = PG_ARGISNULL(2);
	Datum		position_at = TimestampTzGetDatum(DT_NOBEGIN);
	Datum		position_id = UUIDPGetDatum(palloc0(sizeof(pg_uuid_t)));
	int			claimed = 0;

	fb_require_arg(fcinfo, 0, "limit");
	fb_require_arg(fcinfo, 1, "lease");
	limit = PG_GETARG_INT32(0);
	if (limit < 1 || limit > CLAIM_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must be between 1 and %d, not %d", CLAIM_MAX, limit)));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, PG_GETARG_DATUM(1), IntervalOf(LEASE_MIN))) < 0 ||
		DatumGetInt32(DirectFunctionCall2(interval_cmp, PG_GETARG_DATUM(1), IntervalOf(LEASE_MAX))) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lease must be between %s and %s", LEASE_MIN, LEASE_MAX),
				 errhint("Lease a feedback for about as long as deciding its suggestion takes, with a margin.")));
	until = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval, TimestampTzGetDatum(now),
													PG_GETARG_DATUM(1)));
	fb_jsonb_set_begin(fcinfo, "claim_suggestions", &set);

	fb_connect();
	while (claimed < limit)
	{
		int			wanted = limit - claimed;
		int			n;
		int			i;
		Datum	   *tenants;
		Datum	   *ids;

		if (all_tenants)
			n = fb_exec(&all_candidates_query, (Datum[]) {TimestampTzGetDatum(now),
						Int64GetDatum(wanted), position_at, position_id}, NULL, 0);
		else
			n = fb_exec(&tenant_candidates_query, (Datum[]) {PG_GETARG_DATUM(2),
						TimestampTzGetDatum(now), Int64GetDatum(wanted), position_at, position_id},
						NULL, 0);
		if (n == 0)
			break;
		tenants = palloc(sizeof(Datum) * n);
		ids = palloc(sizeof(Datum) * n);
		for (i = 0; i < n; i++)
		{
			tenants[i] = UUIDPGetDatum(fb_uuid_copy(DatumGetUUIDP(fb_get_val(i, "tenant_id").value)));
			ids[i] = UUIDPGetDatum(fb_uuid_copy(DatumGetUUIDP(fb_get_val(i, "id").value)));
		}
		position_at = fb_get_val(n - 1, "created_at").value;
		position_id = ids[n - 1];

		for (i = 0; i < n; i++)
		{
			if (fb_exec(&claim_query, (Datum[]) {tenants[i], ids[i], TimestampTzGetDatum(until),
						TimestampTzGetDatum(now)}, NULL, 0) == 0)
				continue;		/* another worker's, or no longer open */
			fb_jsonb_set_put(&set, feedback_object_by_id(tenants[i], ids[i]));
			claimed++;
		}
		if (n < wanted)
			break;
	}
	SPI_finish();
	return fb_jsonb_set_end(&set);
}

PG_FUNCTION_INFO_V1(feedback_create_publication);
/*
 * create_publication(name): CREATE PUBLICATION name FOR TABLE the tables
 * of record (superuser).  The name is an identifier, quoted as one.
 */
Datum
feedback_create_publication(PG_FUNCTION_ARGS)
{
	const char *name;
	StringInfoData sql;
	JsonbParseState *state = NULL;
	int			i;

	fb_require_arg(fcinfo, 0, "name");
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may create the publication"),
				 errhint("Ask a superuser to run feedback.create_publication.")));
	if (name[0] == '\0' || strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a publication name has 1 to %d bytes", NAMEDATALEN - 1)));

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE PUBLICATION %s FOR TABLE ", quote_identifier(name));
	for (i = 0; record_tables[i] != NULL; i++)
		appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "", record_tables[i]);

	fb_connect();
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not run: %s", sql.data);

	fb_json_begin(&state);
	fb_json_text(&state, "publication", name);
	fb_json_key(&state, "tables");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; record_tables[i] != NULL; i++)
	{
		JsonbValue	v;

		v.type = jbvString;
		v.val.string.val = (char *) record_tables[i];
		v.val.string.len = strlen(record_tables[i]);
		pushJsonbValue(&state, WJB_ELEM, &v);
	}
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}
