/*-------------------------------------------------------------------------
 *
 * cursor.c
 *	  The cursors of paged results: opaque, URL-safe tokens that carry
 *	  everything needed for the adjacent page, and the relative links
 *	  "?tenant_id=<uuid>&cursor=<token>" that carry them.
 *
 * A token is base64url (no padding) of: a format byte, the kind of page
 * ('q' the review queue, 'g' the golden examples), the direction ('a' the
 * page after the position, 'b' the page before it), the tenant, the page
 * size, the position (a timestamp and an id: the last or first row of the
 * page it was made on), a byte of filter flags and, for the rest, one
 * filter text (the queue's search).  A token is not signed: every value
 * read from it is checked as the argument it stands for, and the tenant
 * still needs the caller's membership.  Anything else is 22023.
 *
 * src/cursor.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "common/base64.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "port/pg_bswap.h"

#define CURSOR_FORMAT	1
/* format, kind, direction, tenant, limit, position time, position id, flags */
#define CURSOR_FIXED	(3 + UUID_LEN + 4 + 8 + UUID_LEN + 1)
/* the longest token decoded: the fixed part and a long filter text */
#define CURSOR_MAX_CHARS 4096

/*
 * Raise 22023 for a token that cannot be read.
 */
void
fb_cursor_malformed(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cursor is malformed: %s", why),
			 errhint("Pass the cursor of a page's next or previous link as it was returned, unchanged.")));
}

/*
 * A cursor to the page of kind after (or before) the row at the position
 * (at, id), with the page size and filters of the page it leads from.
 */
FbCursor *
fb_cursor_at(char kind, bool before, Datum tenant_id, int limit, FbValue at, FbValue id,
			 uint8 flags, char *text)
{
	FbCursor   *cursor = palloc0(sizeof(FbCursor));

	cursor->kind = kind;
	cursor->before = before;
	cursor->tenant_id = *DatumGetUUIDP(tenant_id);
	cursor->limit = limit;
	cursor->at = DatumGetTimestampTz(at.value);
	cursor->id = *DatumGetUUIDP(id.value);
	cursor->flags = flags;
	cursor->text = text;
	return cursor;
}

/*
 * The token of a cursor.
 */
char *
fb_cursor_encode(const FbCursor *cursor)
{
	StringInfoData raw;
	uint32		limit = pg_hton32((uint32) cursor->limit);
	uint64		at = pg_hton64((uint64) cursor->at);
	char	   *b64;
	int			len;
	int			i;

	initStringInfo(&raw);
	appendStringInfoChar(&raw, CURSOR_FORMAT);
	appendStringInfoChar(&raw, cursor->kind);
	appendStringInfoChar(&raw, cursor->before ? 'b' : 'a');
	appendBinaryStringInfo(&raw, (const char *) cursor->tenant_id.data, UUID_LEN);
	appendBinaryStringInfo(&raw, (const char *) &limit, sizeof(limit));
	appendBinaryStringInfo(&raw, (const char *) &at, sizeof(at));
	appendBinaryStringInfo(&raw, (const char *) cursor->id.data, UUID_LEN);
	appendStringInfoChar(&raw, (char) cursor->flags);
	if (cursor->text != NULL)
		appendStringInfoString(&raw, cursor->text);

	b64 = palloc(pg_b64_enc_len(raw.len) + 1);
	len = pg_b64_encode(raw.data, raw.len, b64, pg_b64_enc_len(raw.len));
	if (len < 0)
		elog(ERROR, "could not encode a cursor");
	/* URL-safe: base64url without padding */
	while (len > 0 && b64[len - 1] == '=')
		len--;
	b64[len] = '\0';
	for (i = 0; i < len; i++)
		b64[i] = b64[i] == '+' ? '-' : (b64[i] == '/' ? '_' : b64[i]);
	return b64;
}

/*
 * Read a token made for a page of kind in the tenant into cursor; 22023
 * when it is malformed, of another kind or made for another tenant.
 */
void
fb_cursor_decode(const char *token, char kind, Datum tenant_id, FbCursor *cursor)
{
	int			len = strlen(token);
	char	   *b64;
	char	   *raw;
	int			rawlen;
	uint32		limit;
	uint64		at;
	int			i;

	if (len == 0 || len > CURSOR_MAX_CHARS || len % 4 == 1)
		fb_cursor_malformed("it has the wrong length");
	b64 = palloc(len + 4);
	for (i = 0; i < len; i++)
	{
		char		c = token[i];

		if (!(isalnum((unsigned char) c) || c == '-' || c == '_'))
			fb_cursor_malformed("it has a character outside A-Z, a-z, 0-9, - and _");
		b64[i] = c == '-' ? '+' : (c == '_' ? '/' : c);
	}
	while (len % 4 != 0)
		b64[len++] = '=';
	raw = palloc(pg_b64_dec_len(len) + 1);
	rawlen = pg_b64_decode(b64, len, raw, pg_b64_dec_len(len));
	if (rawlen < CURSOR_FIXED || raw[0] != CURSOR_FORMAT || (raw[2] != 'a' && raw[2] != 'b'))
		fb_cursor_malformed("it is not a cursor");
	if (raw[1] != kind)
		fb_cursor_malformed("it was made for another function");

	memset(cursor, 0, sizeof(*cursor));
	cursor->kind = kind;
	cursor->before = raw[2] == 'b';
	memcpy(cursor->tenant_id.data, raw + 3, UUID_LEN);
	memcpy(&limit, raw + 3 + UUID_LEN, sizeof(limit));
	memcpy(&at, raw + 7 + UUID_LEN, sizeof(at));
	memcpy(cursor->id.data, raw + 15 + UUID_LEN, UUID_LEN);
	cursor->limit = (int32) pg_ntoh32(limit);
	cursor->at = (TimestampTz) pg_ntoh64(at);
	cursor->flags = (uint8) raw[CURSOR_FIXED - 1];
	if (rawlen > CURSOR_FIXED)
	{
		int			textlen = rawlen - CURSOR_FIXED;

		if (memchr(raw + CURSOR_FIXED, '\0', textlen) != NULL ||
			!pg_verify_mbstr(GetDatabaseEncoding(), raw + CURSOR_FIXED, textlen, true))
			fb_cursor_malformed("its filter is not text");
		cursor->text = pnstrdup(raw + CURSOR_FIXED, textlen);
	}

	if (memcmp(cursor->tenant_id.data, DatumGetUUIDP(tenant_id)->data, UUID_LEN) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cursor was made for another tenant"),
				 errhint("Follow a link with the tenant_id it came with.")));
	if (cursor->limit < 1 || cursor->limit > FB_PAGE_MAX)
		fb_cursor_malformed("its page size is out of range");
	if (TIMESTAMP_NOT_FINITE(cursor->at))
		fb_cursor_malformed("its position is not a time");
}

/*
 * key: the relative link to a page, "?tenant_id=<uuid>&cursor=<token>",
 * or null when cursor is NULL.
 */
void
fb_json_cursor_link(JsonbParseState **state, const char *key, const FbCursor *cursor)
{
	fb_json_text(state, key, cursor == NULL ? NULL :
				 psprintf("?tenant_id=%s&cursor=%s", fb_uuid_text(&cursor->tenant_id),
						  fb_cursor_encode(cursor)));
}
