/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  Running the extension's SQL statements through SPI.
 *
 * Every statement is a static FbQuery: its text (schema-qualified names,
 * $n parameters) is prepared on first use in a backend and the plan kept
 * for the life of the backend.  Values are always bound, never spliced.
 * Results are read by column name (fb_get and friends), and the rows a
 * trigger sees by column name too (fb_tuple_value).
 *
 * src/spi.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

/*
 * Connect to SPI.
 */
void
fb_connect(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/*
 * The kept plan of a query, prepared on first use in this backend.
 */
SPIPlanPtr
fb_prepare(FbQuery *query)
{
	Assert(query->nargs <= FB_MAX_ARGS);

	if (query->plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(query->sql, query->nargs, query->argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 query->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		query->plan = plan;
	}
	return query->plan;
}

/*
 * Execute a query with bound parameters, preparing it on first use, in
 * snapshot (InvalidSnapshot: the statement's own).  Returns
 * SPI_processed; the rows are in SPI_tuptable.
 */
static int
Execute(FbQuery *query, Datum *values, const bool *isnull, Snapshot snapshot, long tcount)
{
	char		nulls[FB_MAX_ARGS];
	int			i;
	int			rc;

	for (i = 0; i < query->nargs; i++)
		nulls[i] = (isnull != NULL && isnull[i]) ? 'n' : ' ';

	rc = snapshot == InvalidSnapshot ?
		SPI_execute_plan(fb_prepare(query), values, nulls, false, tcount) :
		SPI_execute_snapshot(fb_prepare(query), values, nulls, snapshot, InvalidSnapshot,
							 true, false, tcount);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 query->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/*
 * Execute a query with bound parameters, preparing it on first use.
 * Returns SPI_processed; the rows are in SPI_tuptable.
 */
int
fb_exec(FbQuery *query, Datum *values, const bool *isnull, long tcount)
{
	return Execute(query, values, isnull, InvalidSnapshot, tcount);
}

/*
 * The same for a read that must see what is committed now, not what the
 * transaction's snapshot shows (they differ under REPEATABLE READ): a
 * check that a lock taken just before has serialized.
 */
int
fb_exec_latest(FbQuery *query, Datum *values, const bool *isnull, long tcount)
{
	return Execute(query, values, isnull, GetLatestSnapshot(), tcount);
}

/*
 * Column col (1-based) of result row row (0-based); an error when the
 * query that ran last returned no such row (a mistake in the extension).
 */
Datum
fb_col(int row, int col, bool *isnull)
{
	if (SPI_tuptable == NULL || row < 0 || (uint64) row >= SPI_processed)
		elog(ERROR, "the query returned no row %d", row);
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/*
 * Column col (1-based) of result row row (0-based), with its null flag.
 */
FbValue
fb_val(int row, int col)
{
	FbValue		v;

	v.value = fb_col(row, col, &v.isnull);
	return v;
}

/*
 * Column col of result row row as a C string of the text value, or NULL.
 */
char *
fb_col_text(int row, int col)
{
	bool		isnull;
	Datum		d = fb_col(row, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * Copy a jsonb built inside SPI out to the caller's context and disconnect.
 */
Datum
fb_finish_jsonb(Jsonb *result)
{
	Datum		d = SPI_datumTransfer(JsonbPGetDatum(result), false, -1);

	SPI_finish();
	return d;
}

/*
 * Start the set of jsonb values a set-returning function called name
 * returns (one column of its name); 0A000 where the caller takes no set.
 */
void
fb_jsonb_set_begin(FunctionCallInfo fcinfo, const char *name, FbJsonbSet *set)
{
	MemoryContext old;

	set->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (set->rsinfo == NULL || !IsA(set->rsinfo, ReturnSetInfo) ||
		(set->rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s must be called in a context that accepts a set", name),
				 errhint("Call it in FROM: SELECT * FROM feedback.%s(...).", name)));
	old = MemoryContextSwitchTo(set->rsinfo->econtext->ecxt_per_query_memory);
	set->desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(set->desc, (AttrNumber) 1, name, JSONBOID, -1, 0);
	set->store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
}

/*
 * Add a value to the set (it is copied).
 */
void
fb_jsonb_set_put(FbJsonbSet *set, Jsonb *value)
{
	Datum		d = JsonbPGetDatum(value);
	bool		isnull = false;

	tuplestore_putvalues(set->store, set->desc, &d, &isnull);
}

/*
 * Hand the set to the caller; the function returns what this returns.
 */
Datum
fb_jsonb_set_end(FbJsonbSet *set)
{
	set->rsinfo->returnMode = SFRM_Materialize;
	set->rsinfo->setResult = set->store;
	set->rsinfo->setDesc = set->desc;
	return (Datum) 0;
}

/*
 * The number of the result column called name; an error when the query
 * that ran last has none (a mistake in the extension, not the caller's).
 */
static int
ResultColumn(const char *name)
{
	int			col = SPI_fnumber(SPI_tuptable->tupdesc, name);

	if (col <= 0)
		elog(ERROR, "the query has no result column \"%s\"", name);
	return col;
}

/*
 * Column name of result row row (0-based).
 */
Datum
fb_get(int row, const char *name, bool *isnull)
{
	return fb_col(row, ResultColumn(name), isnull);
}

/*
 * Column name of result row row, with its null flag.
 */
FbValue
fb_get_val(int row, const char *name)
{
	return fb_val(row, ResultColumn(name));
}

/*
 * Column name of result row row as a C string of the text value, or NULL.
 */
char *
fb_get_text(int row, const char *name)
{
	return fb_col_text(row, ResultColumn(name));
}

/*
 * Column name of a tuple of a trigger's table.
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
 * The slot of a counter row this transaction adds to: chosen by its
 * transaction id, so that transactions running at the same time (whose
 * ids are close) take different slots, and all of one transaction's
 * additions go to one slot (two transactions that share a slot lock its
 * rows in the same order).  On a Citus worker it is the worker's own
 * transaction, in the process that holds the counters.
 */
int
fb_counter_slot(void)
{
	return (int) (GetTopTransactionId() % FB_COUNTER_SLOTS);
}
