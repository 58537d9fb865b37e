/*-------------------------------------------------------------------------
 *
 * body.c
 *	  Feedback content and the request bodies that carry it: the checks of
 *	  comments and reasons (normalized once, for every entry point), and the
 *	  JSON bodies of put_conversation_feedback, patch and update, whose
 *	  content keys and aliases patch and update share.
 *
 * src/body.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"

#define REASON_MAX_CHARS	64
#define REASONS_MAX			16		/* distinct reasons stored */
#define REASONS_MAX_GIVEN	64		/* entries of a list, before deduplication */

/*
 * Raise 22001 when a text value (bytes long) is over the limit of its
 * argument name.
 */
static void
CheckLength(const char *name, const char *value, int bytes, int max_chars)
{
	int			chars = pg_mbstrlen_with_len(value, bytes);

	if (chars > max_chars)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s is %d characters long; the limit is %d", name, chars, max_chars),
				 errhint("Shorten the %s to %d characters or fewer.", name, max_chars)));
}

/*
 * Raise 22001 when a comment is over the limit.
 */
void
fb_check_comment(const char *comment)
{
	if (comment != NULL)
		CheckLength("comment", comment, strlen(comment), COMMENT_MAX_CHARS);
}

/*
 * Raise 22001 when the text of a JSON value (name) has more than max_bytes
 * bytes; hint says what to send instead.
 */
void
fb_check_json_bytes(Jsonb *value, const char *name, int max_bytes, const char *hint)
{
	size_t		bytes = strlen(JsonbToCString(NULL, &value->root, VARSIZE(value)));

	if (bytes > (size_t) max_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s has %zu bytes; at most %d are allowed", name, bytes, max_bytes),
				 errhint("%s", hint)));
}

/*
 * Raise 22001 when argument argno of a call, a text called name, has more
 * than max_chars characters; NULL passes.
 */
void
fb_check_text_arg(FunctionCallInfo fcinfo, int argno, const char *name, int max_chars)
{
	text	   *value;

	if (PG_ARGISNULL(argno))
		return;
	value = PG_GETARG_TEXT_PP(argno);
	CheckLength(name, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), max_chars);
}

/*
 * A rating from a JSON value of key: a rating word (any vocabulary, any
 * case), a boolean, or null.  Returns false for null.
 */
bool
fb_body_rating(JsonbValue *value, const char *key, uint8 *rating)
{
	switch (value->type)
	{
		case jbvNull:
			return false;
		case jbvBool:
			*rating = value->val.boolean ? FB_RATING_POSITIVE : FB_RATING_NEGATIVE;
			return true;
		case jbvString:
			if (feedback_rating_parse(value->val.string.val, value->val.string.len, rating))
				return true;
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s \"%s\"", key,
							fb_quotable(pnstrdup(value->val.string.val, value->val.string.len))),
					 errhint("Send POSITIVE or NEGATIVE (thumbs_up, thumbs_down, true, false and the other rating words are accepted too), or null.")));
			break;
		default:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid %s: expected a string, a boolean or null", key),
			 errhint("Send POSITIVE or NEGATIVE, or null.")));
	return false;				/* keep the compiler quiet */
}

/*
 * A comment from a JSON value of key: a string or null ("" is no comment).
 */
char *
fb_body_comment(JsonbValue *value, const char *key)
{
	char	   *comment;

	if (value->type == jbvNull)
		return NULL;
	if (value->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a string or null", key)));
	if (value->val.string.len == 0)
		return NULL;
	comment = pnstrdup(value->val.string.val, value->val.string.len);
	fb_check_comment(comment);
	return comment;
}

/*
 * Raise 22023 unless body is a JSON object whose keys are all in allowed.
 */
void
fb_body_check_keys(Jsonb *body, const char *name, const char *const *allowed, const char *hint)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (body == NULL || !JB_ROOT_IS_OBJECT(body))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", name),
				 errhint("%s", hint)));

	it = JsonbIteratorInit(&body->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		int			i;
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (i = 0; allowed[i] != NULL; i++)
			if (strlen(allowed[i]) == (size_t) v.val.string.len &&
				memcmp(allowed[i], v.val.string.val, v.val.string.len) == 0)
				known = true;
		if (!known)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown key \"%s\" in %s",
							fb_quotable(pnstrdup(v.val.string.val, v.val.string.len)), name),
					 errhint("%s", hint)));
	}
}

/*
 * The value of key in a JSON object, or NULL when the key is absent.
 */
JsonbValue *
fb_body_key(Jsonb *body, const char *key)
{
	return getKeyJsonValueFromContainer(&body->root, key, strlen(key), NULL);
}

/*
 * Raise 22023 when feedback would have neither rating nor comment.
 */
void
fb_require_content(bool has_rating, const char *comment)
{
	if (!has_rating && comment == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("feedback needs a rating or a comment"),
				 errhint("Send a rating (positive or negative), a comment, or both.")));
}

/* qsort comparator of C strings, by bytes */
static int
CompareStrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Normalize reasons: each a tag of 1..64 characters, no NULLs, at most 16
 * distinct; returned as a sorted text[] without duplicates.
 */
Datum
fb_reasons_from_strings(char **tags, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			distinct = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		int			chars = pg_mbstrlen(tags[i]);

		if (chars < 1 || chars > REASON_MAX_CHARS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("reason \"%s\" must have 1 to %d characters",
							fb_quotable(tags[i]), REASON_MAX_CHARS),
					 errhint("Reasons are short tags such as \"incorrect\" or \"too_long\".")));
	}
	qsort(tags, n, sizeof(char *), CompareStrings);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(tags[i], tags[i - 1]) != 0)
			elems[distinct++] = CStringGetTextDatum(tags[i]);
	if (distinct > REASONS_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d distinct reasons given; at most %d are allowed", distinct, REASONS_MAX)));
	return PointerGetDatum(construct_array(elems, distinct, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Raise 22023 for a list of more reasons than anyone gives.
 */
static void
CheckReasonCount(int n)
{
	if (n > REASONS_MAX_GIVEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d reasons given; a list may have at most %d entries", n, REASONS_MAX_GIVEN),
				 errhint("Send each reason tag once; at most %d distinct tags are kept.", REASONS_MAX)));
}

/*
 * Whether two normalized reason arrays are equal.
 */
bool
fb_reasons_equal(Datum a, Datum b)
{
	static FmgrInfo array_eq_info;

	if (array_eq_info.fn_oid == InvalidOid)
		fmgr_info_cxt(F_ARRAY_EQ, &array_eq_info, TopMemoryContext);
	return DatumGetBool(FunctionCall2Coll(&array_eq_info, C_COLLATION_OID, a, b));
}

/*
 * Normalize a text[] argument of reasons (NULL is no reasons).
 */
Datum
fb_reasons_from_array(FbValue reasons)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	char	  **tags;
	int			n;
	int			i;

	if (reasons.isnull)
		return fb_reasons_from_strings(NULL, 0);
	array = DatumGetArrayTypeP(reasons.value);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reasons must be a one-dimensional array of tags")));
	CheckReasonCount(ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array)));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	tags = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("reasons must not contain null")));
		tags[i] = TextDatumGetCString(elems[i]);
	}
	return fb_reasons_from_strings(tags, n);
}

/*
 * Normalize a JSON array of reasons (JSON null is no reasons).
 */
Datum
fb_reasons_from_json(JsonbValue *value)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	  **tags;
	int			n = 0;

	if (value->type == jbvNull)
		return fb_reasons_from_strings(NULL, 0);
	if (value->type != jbvBinary || !JsonContainerIsArray(value->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reasons must be an array of strings"),
				 errhint("Send for example \"reasons\": [\"incorrect\"].")));

	CheckReasonCount(JsonContainerSize(value->val.binary.data));
	tags = palloc(sizeof(char *) * Max(JsonContainerSize(value->val.binary.data), 1));
	it = JsonbIteratorInit(value->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("reasons must be an array of strings"),
					 errhint("Send for example \"reasons\": [\"incorrect\"].")));
		tags[n++] = pnstrdup(v.val.string.val, v.val.string.len);
	}
	return fb_reasons_from_strings(tags, n);
}

/*
 * Whether a normalized reason array holds any tag.
 */
bool
fb_reasons_any(Datum reasons)
{
	return ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(reasons)),
						  ARR_DIMS(DatumGetArrayTypeP(reasons))) > 0;
}

/*
 * The content of result row row of a query that returns the columns
 * rating, comment and reasons, copied out of SPI's tuple memory.
 */
void
fb_content_from_row(int row, FeedbackContent *content)
{
	FbValue		rating = fb_get_val(row, "rating");
	bool		isnull;

	content->has_rating = !rating.isnull;
	content->rating = rating.isnull ? 0 : (uint8) DatumGetChar(rating.value);
	content->comment = fb_get_text(row, "comment");
	content->reasons = datumCopy(fb_get(row, "reasons", &isnull), false, -1);
}

/*
 * Whether two contents are the same: a change of any part is a
 * resubmission.
 */
bool
fb_content_equal(const FeedbackContent *a, const FeedbackContent *b)
{
	return a->has_rating == b->has_rating && (!a->has_rating || a->rating == b->rating) &&
		fb_same_text(a->comment, b->comment) && fb_reasons_equal(a->reasons, b->reasons);
}

/*
 * Apply the content keys present in changes to content: rating, with its
 * aliases is_positive and reaction; comment, with its alias feedback;
 * reasons.  Absent keys keep the value, null clears it.  Aliases of one
 * field that disagree are 22023.  Shared by patch and update.
 */
void
fb_body_content(Jsonb *changes, FeedbackContent *content)
{
	static const char *const rating_keys[] = {"rating", "is_positive", "reaction"};
	static const char *const comment_keys[] = {"comment", "feedback"};
	const char *rating_from = NULL;
	const char *comment_from = NULL;
	JsonbValue *v;
	int			i;

	for (i = 0; i < (int) lengthof(rating_keys); i++)
	{
		bool		has;
		uint8		r = 0;

		if ((v = fb_body_key(changes, rating_keys[i])) == NULL)
			continue;
		has = fb_body_rating(v, rating_keys[i], &r);
		if (rating_from != NULL && (has != content->has_rating || (has && r != content->rating)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s and %s disagree", rating_from, rating_keys[i]),
					 errhint("Send one of rating, is_positive and reaction.")));
		content->has_rating = has;
		content->rating = r;
		rating_from = rating_keys[i];
	}
	for (i = 0; i < (int) lengthof(comment_keys); i++)
	{
		char	   *c;

		if ((v = fb_body_key(changes, comment_keys[i])) == NULL)
			continue;
		c = fb_body_comment(v, comment_keys[i]);
		if (comment_from != NULL && !fb_same_text(c, content->comment))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s and %s disagree", comment_from, comment_keys[i]),
					 errhint("Send one of comment and feedback.")));
		content->comment = c;
		comment_from = comment_keys[i];
	}
	if ((v = fb_body_key(changes, "reasons")) != NULL)
		content->reasons = fb_reasons_from_json(v);
}
