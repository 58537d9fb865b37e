/*-------------------------------------------------------------------------
 *
 * body.c
 *	  Reading the JSON request bodies of put_conversation_feedback, patch
 *	  and update, and the checks of feedback content they share with
 *	  submit.
 *
 * src/body.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"

/*
 * Raise 22001 when a comment is over the limit.
 */
void
fb_check_comment(const char *comment)
{
	int			chars;

	if (comment == NULL)
		return;
	chars = pg_mbstrlen(comment);
	if (chars > COMMENT_MAX_CHARS)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("comment is %d characters long; the limit is %d", chars, COMMENT_MAX_CHARS),
				 errhint("Shorten the comment to %d characters or fewer.", COMMENT_MAX_CHARS)));
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
