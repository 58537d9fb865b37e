/*-------------------------------------------------------------------------
 *
 * args.c
 *	  Checks of API arguments shared by every module.  Each failure is an
 *	  ereport with the SQLSTATE of API.md's error table.
 *
 * src/args.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/datetime.h"

/*
 * Raise 22023 when argument n, called name, is NULL.
 */
void
fb_require_arg(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be null", name),
				 errhint("Pass a value for %s, or leave the argument out to use its default.", name)));
}

/*
 * Raise 22023 unless ts is a finite timestamp between the years 1 and 9999
 * (what RFC 3339 can write).
 */
void
fb_check_timestamp(TimestampTz ts, const char *name)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(ts) ||
		timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0 ||
		tm.tm_year < 1 || tm.tm_year > 9999)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite timestamp between the years 1 and 9999", name)));
}

/*
 * The start of a user-supplied string, short enough to quote in a message.
 */
char *
fb_quotable(const char *str)
{
	int			len = strlen(str);

	if (len <= 64)
		return pstrdup(str);
	len = pg_mbcliplen(str, len, 64);
	return psprintf("%.*s...", len, str);
}

/*
 * Whether two optional strings are equal (both NULL counts).
 */
bool
fb_same_text(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/*
 * Raise 22023 unless limit is 1..FB_PAGE_MAX and offset >= 0.
 */
void
fb_check_page(FunctionCallInfo fcinfo, int limit_arg, int offset_arg)
{
	fb_require_arg(fcinfo, limit_arg, "limit");
	fb_require_arg(fcinfo, offset_arg, "offset");
	if (PG_GETARG_INT32(limit_arg) < 1 || PG_GETARG_INT32(limit_arg) > FB_PAGE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must be between 1 and %d, not %d", FB_PAGE_MAX, PG_GETARG_INT32(limit_arg))));
	if (PG_GETARG_INT32(offset_arg) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offset must not be negative, not %d", PG_GETARG_INT32(offset_arg))));
}
