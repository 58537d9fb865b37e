/*-------------------------------------------------------------------------
 *
 * work_api.c
 *	  Work for workers, and change streams: claim_suggestions (the leased
 *	  enrichment queue) and create_publication (the tables of record for
 *	  logical decoding).
 *
 * The enrichment queue is the feedback whose suggested_at is NULL: no
 * set_suggestion since its content last changed.  A claim leases each
 * feedback until suggestion_leased_until; while the lease runs no other
 * claim gets it, and an expired lease makes it claimable again, so a
 * worker that dies loses nothing.  Partial indexes, in a tenant and in
 * all, hold the open work no claim leased (oldest first) apart from the
 * leased open work (by the end of its lease): a claim merges the oldest of
 * the first with the expired leases of the second, and so reads about as
 * many index entries as it claims plus the expired leases, never the
 * running ones, however many there are.  Each candidate is taken with FOR
 * UPDATE SKIP LOCKED, one statement per feedback on its tenant's shard, so
 * concurrent workers never wait for each other and never share one.
 * Without a tenant, the candidates come from every shard (the statements
 * here that read them all).
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

/*
 * Open work after a position (at, id), oldest first, in two kinds: the
 * work no claim leased, and the work whose lease ended (expired, or
 * cancelled by newer content: -infinity).  Each kind has its own partial
 * indexes, so a claim never reads the running leases.
 */
#define UNLEASED(at, id) \
	" f.suggested_at IS NULL AND f.suggestion_leased_until IS NULL" \
	" AND (f.created_at, f.id) OPERATOR(pg_catalog.>) (" at ", " id ")" \
	" ORDER BY f.created_at, f.id"
#define LEASE_ENDED(now, at, id) \
	" f.suggested_at IS NULL AND f.suggestion_leased_until OPERATOR(pg_catalog.<) " now \
	" AND (f.created_at, f.id) OPERATOR(pg_catalog.>) (" at ", " id ")" \
	" ORDER BY f.created_at, f.id"
#define CANDIDATES "SELECT f.tenant_id, f.id, f.created_at FROM feedback.feedback f WHERE"

/* A tenant's: $1 tenant, $2 limit, $3 and $4 the position, $5 now. */
static FbQuery tenant_unleased_query = {
	CANDIDATES " f.tenant_id OPERATOR(pg_catalog.=) $1 AND" UNLEASED("$3", "$4") " LIMIT $2",
	4, {UUIDOID, INT8OID, TIMESTAMPTZOID, UUIDOID}
};
static FbQuery tenant_lease_ended_query = {
	CANDIDATES " f.tenant_id OPERATOR(pg_catalog.=) $1 AND" LEASE_ENDED("$5", "$3", "$4") " LIMIT $2",
	5, {UUIDOID, INT8OID, TIMESTAMPTZOID, UUIDOID, TIMESTAMPTZOID}
};

/* Every tenant's: $1 limit, $2 and $3 the position, $4 now. */
static FbQuery all_unleased_query = {
	EVERY_SHARD CANDIDATES UNLEASED("$2", "$3") " LIMIT $1",
	3, {INT8OID, TIMESTAMPTZOID, UUIDOID}
};
static FbQuery all_lease_ended_query = {
	EVERY_SHARD CANDIDATES LEASE_ENDED("$4", "$2", "$3") " LIMIT $1",
	4, {INT8OID, TIMESTAMPTZOID, UUIDOID, TIMESTAMPTZOID}
};

/* Candidates for a claim, in (created_at, id) order. */
typedef struct Candidates
{
	int			n;
	Datum	   *tenants;
	Datum	   *ids;
	TimestampTz *at;
} Candidates;

/*
 * Read the candidates a query returns, copied out of SPI's result.
 */
static void
ReadCandidates(FbQuery *query, Datum *values, Candidates *c)
{
	int			i;

	c->n = fb_exec(query, values, NULL, 0);
	c->tenants = palloc(sizeof(Datum) * c->n);
	c->ids = palloc(sizeof(Datum) * c->n);
	c->at = palloc(sizeof(TimestampTz) * c->n);
	for (i = 0; i < c->n; i++)
	{
		c->tenants[i] = UUIDPGetDatum(fb_uuid_copy(DatumGetUUIDP(fb_get_val(i, "tenant_id").value)));
		c->ids[i] = UUIDPGetDatum(fb_uuid_copy(DatumGetUUIDP(fb_get_val(i, "id").value)));
		c->at[i] = DatumGetTimestampTz(fb_get_val(i, "created_at").value);
	}
}

/*
 * Whether candidate i of a comes before candidate j of b.
 */
static bool
Before(const Candidates *a, int i, const Candidates *b, int j)
{
	if (a->at[i] != b->at[j])
		return a->at[i] < b->at[j];
	return DatumGetInt32(DirectFunctionCall2(uuid_cmp, a->ids[i], b->ids[j])) < 0;
}

/*
 * The first at most wanted candidates of two lists, merged in order.
 */
static Candidates
Merge(const Candidates *a, const Candidates *b, int wanted)
{
	Candidates	m;
	int			i = 0;
	int			j = 0;

	m.n = 0;
	m.tenants = palloc(sizeof(Datum) * wanted);
	m.ids = palloc(sizeof(Datum) * wanted);
	m.at = palloc(sizeof(TimestampTz) * wanted);
	while (m.n < wanted && (i < a->n || j < b->n))
	{
		const Candidates *from = (j >= b->n || (i < a->n && Before(a, i, b, j))) ? a : b;
		int			k = from == a ? i++ : j++;

		m.tenants[m.n] = from->tenants[k];
		m.ids[m.n] = from->ids[k];
		m.at[m.n++] = from->at[k];
	}
	return m;
}

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
	TimestampTz position_at = DT_NOBEGIN;
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
		int			want = limit - claimed;
		Datum		wanted = Int64GetDatum(want);
		Datum		at = TimestampTzGetDatum(position_at);
		Candidates	unleased;
		Candidates	ended;
		Candidates	next;
		int			i;

		if (all_tenants)
		{
			ReadCandidates(&all_unleased_query, (Datum[]) {wanted, at, position_id}, &unleased);
			ReadCandidates(&all_lease_ended_query, (Datum[]) {wanted, at, position_id,
						   TimestampTzGetDatum(now)}, &ended);
		}
		else
		{
			ReadCandidates(&tenant_unleased_query, (Datum[]) {PG_GETARG_DATUM(2), wanted, at,
						   position_id}, &unleased);
			ReadCandidates(&tenant_lease_ended_query, (Datum[]) {PG_GETARG_DATUM(2), wanted, at,
						   position_id, TimestampTzGetDatum(now)}, &ended);
		}
		next = Merge(&unleased, &ended, want);
		for (i = 0; i < next.n; i++)
		{
			if (fb_exec(&claim_query, (Datum[]) {next.tenants[i], next.ids[i], TimestampTzGetDatum(until),
						TimestampTzGetDatum(now)}, NULL, 0) == 0)
				continue;		/* another worker's, or no longer open */
			fb_jsonb_set_put(&set, feedback_object_by_id(next.tenants[i], next.ids[i]));
			claimed++;
		}
		if (next.n < want)
			break;				/* no more open work */
		position_at = next.at[next.n - 1];
		position_id = next.ids[next.n - 1];
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
