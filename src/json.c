/*-------------------------------------------------------------------------
 *
 * json.c
 *	  Building the jsonb the API returns, reading a field of a JSON setting,
 *	  and uuid text without exceptions.
 *
 * Results are built directly as jsonb with pushJsonbValue: no JSON text is
 * produced and parsed again.  Timestamps are RFC 3339 in UTC with a Z and
 * milliseconds (2026-07-01T12:34:56.123Z).
 *
 * src/json.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"

/*
 * Start a JSON object.
 */
void
fb_json_begin(JsonbParseState **state)
{
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
}

/*
 * Close the object started by fb_json_begin and return it as jsonb.
 */
Jsonb *
fb_json_end(JsonbParseState **state)
{
	return JsonbValueToJsonb(pushJsonbValue(state, WJB_END_OBJECT, NULL));
}

/*
 * Push a key of the current object.
 */
void
fb_json_key(JsonbParseState **state, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &k);
}

/*
 * Push a scalar value, after its key.
 */
static void
PushValue(JsonbParseState **state, const char *key, JsonbValue *v)
{
	fb_json_key(state, key);
	pushJsonbValue(state, WJB_VALUE, v);
}

/*
 * key: a string, or null when value is NULL.
 */
void
fb_json_text(JsonbParseState **state, const char *key, const char *value)
{
	JsonbValue	v;

	if (value == NULL)
	{
		fb_json_null(state, key);
		return;
	}
	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	PushValue(state, key, &v);
}

/*
 * key: a text datum as a string, or null.
 */
void
fb_json_datum_text(JsonbParseState **state, const char *key, FbValue value)
{
	fb_json_text(state, key, value.isnull ? NULL : TextDatumGetCString(value.value));
}

/*
 * key: null.
 */
void
fb_json_null(JsonbParseState **state, const char *key)
{
	JsonbValue	v;

	v.type = jbvNull;
	PushValue(state, key, &v);
}

/*
 * key: true or false.
 */
void
fb_json_bool(JsonbParseState **state, const char *key, bool value)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = value;
	PushValue(state, key, &v);
}

/*
 * key: a boolean datum, or null.
 */
void
fb_json_datum_bool(JsonbParseState **state, const char *key, FbValue value)
{
	if (value.isnull)
		fb_json_null(state, key);
	else
		fb_json_bool(state, key, DatumGetBool(value.value));
}

/*
 * key: an integer.
 */
void
fb_json_int(JsonbParseState **state, const char *key, int64 value)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	PushValue(state, key, &v);
}

/*
 * key: a numeric datum, or null.
 */
void
fb_json_datum_numeric(JsonbParseState **state, const char *key, FbValue value)
{
	JsonbValue	v;

	if (value.isnull)
	{
		fb_json_null(state, key);
		return;
	}
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(value.value);
	PushValue(state, key, &v);
}

/*
 * key: a uuid datum as its canonical string, or null.
 */
void
fb_json_uuid(JsonbParseState **state, const char *key, FbValue value)
{
	fb_json_text(state, key, value.isnull ? NULL : fb_uuid_text(DatumGetUUIDP(value.value)));
}

/*
 * key: a timestamptz datum in RFC 3339 UTC, or null.
 */
void
fb_json_timestamp(JsonbParseState **state, const char *key, FbValue value)
{
	fb_json_text(state, key,
				 value.isnull ? NULL : fb_format_timestamp(DatumGetTimestampTz(value.value)));
}

/*
 * key: a jsonb datum embedded as is, or null.
 */
void
fb_json_jsonb(JsonbParseState **state, const char *key, FbValue value)
{
	JsonbValue	v;
	Jsonb	   *jb;

	if (value.isnull)
	{
		fb_json_null(state, key);
		return;
	}
	jb = DatumGetJsonbP(value.value);
	v.type = jbvBinary;
	v.val.binary.data = &jb->root;
	v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
	PushValue(state, key, &v);
}

/*
 * Push a jsonb value as the next element of the current array.
 */
void
fb_json_elem(JsonbParseState **state, Jsonb *value)
{
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = &value->root;
	v.val.binary.len = VARSIZE(value) - VARHDRSZ;
	pushJsonbValue(state, WJB_ELEM, &v);
}

/*
 * key: {id, email} of a user, or null when id is NULL.
 */
void
fb_json_user(JsonbParseState **state, const char *key, FbValue id, const char *email)
{
	if (id.isnull)
	{
		fb_json_null(state, key);
		return;
	}
	fb_json_key(state, key);
	fb_json_begin(state);
	fb_json_uuid(state, "id", id);
	fb_json_text(state, "email", email);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * A timestamp as RFC 3339 in UTC with milliseconds and a Z.
 */
char *
fb_format_timestamp(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_IS_NOBEGIN(ts))
		return pstrdup("-infinity");
	if (TIMESTAMP_IS_NOEND(ts))
		return pstrdup("infinity");
	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
					tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (fsec / 1000));
}

/*
 * Parse a uuid in any of the forms uuid_in accepts (hex digits, optional
 * hyphens after groups of four, optional braces) without raising an error.
 */
bool
fb_uuid_parse(const char *str, pg_uuid_t *result)
{
	const char *p = str;
	bool		braces = false;
	int			i;

	if (*p == '{')
	{
		braces = true;
		p++;
	}
	for (i = 0; i < UUID_LEN; i++)
	{
		int			hi,
					lo;

		if (!isxdigit((unsigned char) p[0]) || !isxdigit((unsigned char) p[1]))
			return false;
		hi = isdigit((unsigned char) p[0]) ? p[0] - '0' : (pg_ascii_tolower(p[0]) - 'a' + 10);
		lo = isdigit((unsigned char) p[1]) ? p[1] - '0' : (pg_ascii_tolower(p[1]) - 'a' + 10);
		result->data[i] = (unsigned char) ((hi << 4) | lo);
		p += 2;
		if (p[0] == '-' && i % 2 == 1 && i < UUID_LEN - 1)
			p++;
	}
	if (braces)
	{
		if (*p != '}')
			return false;
		p++;
	}
	return *p == '\0';
}

/*
 * A new random (version 4) uuid.
 */
pg_uuid_t *
fb_uuid_random(void)
{
	pg_uuid_t  *uuid = palloc(sizeof(pg_uuid_t));

	if (!pg_strong_random(uuid->data, UUID_LEN))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random uuid")));
	uuid->data[6] = (uuid->data[6] & 0x0f) | 0x40;
	uuid->data[8] = (uuid->data[8] & 0x3f) | 0x80;
	return uuid;
}

/*
 * A palloc'd copy of a uuid.
 */
pg_uuid_t *
fb_uuid_copy(const pg_uuid_t *uuid)
{
	pg_uuid_t  *copy = palloc(sizeof(pg_uuid_t));

	memcpy(copy, uuid, sizeof(pg_uuid_t));
	return copy;
}

/*
 * The canonical text of a uuid.
 */
char *
fb_uuid_text(const pg_uuid_t *uuid)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum((pg_uuid_t *) uuid)));
}

/* The semantic actions return a result from PostgreSQL 16 on. */
#if PG_VERSION_NUM >= 160000
#define JSON_ACTION_RESULT JsonParseErrorType
#define JSON_ACTION_DONE return JSON_SUCCESS
#else
#define JSON_ACTION_RESULT void
#define JSON_ACTION_DONE return
#endif

/* State of fb_json_string_field's parse. */
typedef struct FieldSearch
{
	const char *key;
	int			depth;
	bool		in_key;			/* the current top-level field is key */
	char	   *value;
} FieldSearch;

static JSON_ACTION_RESULT
FieldObjectStart(void *state)
{
	((FieldSearch *) state)->depth++;
	JSON_ACTION_DONE;
}

static JSON_ACTION_RESULT
FieldObjectEnd(void *state)
{
	((FieldSearch *) state)->depth--;
	JSON_ACTION_DONE;
}

/* An array is no string: a key whose value is one is not found. */
static JSON_ACTION_RESULT
FieldArrayStart(void *state)
{
	((FieldSearch *) state)->depth++;
	((FieldSearch *) state)->in_key = false;
	JSON_ACTION_DONE;
}

static JSON_ACTION_RESULT
FieldStart(void *state, char *fname, bool isnull)
{
	FieldSearch *s = (FieldSearch *) state;

	s->in_key = (s->depth == 1 && strcmp(fname, s->key) == 0);
	JSON_ACTION_DONE;
}

static JSON_ACTION_RESULT
FieldScalar(void *state, char *token, JsonTokenType tokentype)
{
	FieldSearch *s = (FieldSearch *) state;

	if (s->in_key && s->depth == 1 && tokentype == JSON_TOKEN_STRING)
		s->value = token;
	s->in_key = false;
	JSON_ACTION_DONE;
}

/* Deeper JSON than this is not a setting we read (and would exhaust the stack). */
#define MAX_SETTING_JSON_DEPTH 64

/*
 * Whether JSON text nests objects and arrays deeper than
 * MAX_SETTING_JSON_DEPTH (brackets inside strings do not count).
 */
static bool
JsonTooDeep(const char *json)
{
	int			depth = 0;
	bool		in_string = false;
	const char *p;

	for (p = json; *p; p++)
	{
		if (in_string)
		{
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				in_string = false;
		}
		else if (*p == '"')
			in_string = true;
		else if (*p == '{' || *p == '[')
		{
			if (++depth > MAX_SETTING_JSON_DEPTH)
				return true;
		}
		else if (*p == '}' || *p == ']')
			depth--;
	}
	return false;
}

/*
 * The string value of a top-level field of a JSON object given as text,
 * or NULL when the text is not a JSON object, lacks the field, or the field
 * is not a string.  Never raises an error for bad or absurdly deep JSON.
 */
char *
fb_json_string_field(const char *json, const char *key)
{
	JsonLexContext *lex;
	JsonSemAction sem;
	FieldSearch search;

	if (json == NULL || json[0] == '\0' || JsonTooDeep(json))
		return NULL;

	memset(&search, 0, sizeof(search));
	search.key = key;
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &search;
	sem.object_start = FieldObjectStart;
	sem.object_end = FieldObjectEnd;
	sem.array_start = FieldArrayStart;
	sem.array_end = FieldObjectEnd;
	sem.object_field_start = FieldStart;
	sem.scalar = FieldScalar;

#if PG_VERSION_NUM >= 170000
	lex = makeJsonLexContextCstringLen(NULL, json, strlen(json),
									   GetDatabaseEncoding(), true);
#else
	lex = makeJsonLexContextCstringLen((char *) json, strlen(json),
									   GetDatabaseEncoding(), true);
#endif
	if (pg_parse_json(lex, &sem) != JSON_SUCCESS)
		return NULL;
	return search.value;
}
