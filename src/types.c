/*-------------------------------------------------------------------------
 *
 * types.c
 *	  The one-byte base types feedback.rating and feedback.review_status:
 *	  text and binary I/O, comparison, hashing and the boolean casts.
 *
 * Both types store a single byte whose numeric order is the order of the
 * type, so the comparison and hash functions are shared.
 *
 * src/types.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "parser/scansup.h"
#include "utils/builtins.h"

/* A word accepted on input and the value it stands for. */
typedef struct InputWord
{
	const char *word;
	uint8		value;
} InputWord;

static const InputWord rating_words[] = {
	{"positive", FB_RATING_POSITIVE},
	{"negative", FB_RATING_NEGATIVE},
	{"thumbs_up", FB_RATING_POSITIVE},
	{"thumbs_down", FB_RATING_NEGATIVE},
	{"up", FB_RATING_POSITIVE},
	{"down", FB_RATING_NEGATIVE},
	{"like", FB_RATING_POSITIVE},
	{"dislike", FB_RATING_NEGATIVE},
	{"+1", FB_RATING_POSITIVE},
	{"-1", FB_RATING_NEGATIVE},
	{"true", FB_RATING_POSITIVE},
	{"false", FB_RATING_NEGATIVE},
	{"\xF0\x9F\x91\x8D", FB_RATING_POSITIVE},	/* U+1F44D thumbs up */
	{"\xF0\x9F\x91\x8E", FB_RATING_NEGATIVE},	/* U+1F44E thumbs down */
};

static const InputWord status_words[] = {
	{"to_review", FB_STATUS_TO_REVIEW},
	{"auto_approved", FB_STATUS_AUTO_APPROVED},
	{"reviewed", FB_STATUS_REVIEWED},
	{"dismissed", FB_STATUS_DISMISSED},
	{"pending", FB_STATUS_TO_REVIEW},
};

static const char *const status_names[] = {
	"to_review", "auto_approved", "reviewed", "dismissed"
};

#define RATING_WORDS_TEXT \
	"positive, negative, thumbs_up, thumbs_down, up, down, like, dislike, +1, -1, true, false"
#define STATUS_WORDS_TEXT \
	"to_review, auto_approved, reviewed, dismissed, pending"

/*
 * Look a word up in a table, ignoring ASCII case and surrounding white
 * space.  Works on a counted string of any length and content.
 */
static bool
ParseWord(const InputWord *words, int nwords, const char *str, int len, uint8 *result)
{
	int			i;

	while (len > 0 && scanner_isspace(*str))
	{
		str++;
		len--;
	}
	while (len > 0 && scanner_isspace(str[len - 1]))
		len--;

	for (i = 0; i < nwords; i++)
	{
		if ((int) strlen(words[i].word) == len &&
			pg_strncasecmp(words[i].word, str, len) == 0)
		{
			*result = words[i].value;
			return true;
		}
	}
	return false;
}

/*
 * Parse a rating word (any of the accepted vocabularies).
 */
bool
feedback_rating_parse(const char *str, int len, uint8 *result)
{
	return ParseWord(rating_words, lengthof(rating_words), str, len, result);
}

/*
 * The canonical name of a rating.
 */
const char *
feedback_rating_name(uint8 rating)
{
	return rating == FB_RATING_POSITIVE ? "positive" : "negative";
}

/*
 * Parse a review status word.
 */
bool
feedback_status_parse(const char *str, int len, uint8 *result)
{
	return ParseWord(status_words, lengthof(status_words), str, len, result);
}

/*
 * The canonical name of a review status.
 */
const char *
feedback_status_name(uint8 status)
{
	if (status >= lengthof(status_names))
		elog(ERROR, "invalid feedback.review_status value %d", status);
	return status_names[status];
}

PG_FUNCTION_INFO_V1(feedback_rating_in);
/*
 * Text input of feedback.rating.
 */
Datum
feedback_rating_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	uint8		result;

	if (!feedback_rating_parse(str, strlen(str), &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type feedback.rating: \"%s\"",
						fb_quotable(str)),
				 errdetail("Accepted words, in any case: " RATING_WORDS_TEXT "%s.",
						   GetDatabaseEncoding() == PG_UTF8 ?
						   ", \xF0\x9F\x91\x8D, \xF0\x9F\x91\x8E" : ""),
				 errhint("Send positive or negative.")));
	PG_RETURN_CHAR((char) result);
}

PG_FUNCTION_INFO_V1(feedback_rating_out);
/*
 * Text output of feedback.rating: positive or negative.
 */
Datum
feedback_rating_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(pstrdup(feedback_rating_name((uint8) PG_GETARG_CHAR(0))));
}

PG_FUNCTION_INFO_V1(feedback_rating_recv);
/*
 * Binary input of feedback.rating: one byte, 0 (negative) or 1 (positive).
 */
Datum
feedback_rating_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			value = pq_getmsgbyte(buf);

	if (value != FB_RATING_NEGATIVE && value != FB_RATING_POSITIVE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value %d for type feedback.rating", value),
				 errdetail("The binary form is one byte: 0 for negative, 1 for positive.")));
	PG_RETURN_CHAR((char) value);
}

PG_FUNCTION_INFO_V1(feedback_rating_send);
/*
 * Binary output of feedback.rating.
 */
Datum
feedback_rating_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, (uint8) PG_GETARG_CHAR(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(feedback_review_status_in);
/*
 * Text input of feedback.review_status.
 */
Datum
feedback_review_status_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	uint8		result;

	if (!feedback_status_parse(str, strlen(str), &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type feedback.review_status: \"%s\"",
						fb_quotable(str)),
				 errdetail("Accepted words, in any case: " STATUS_WORDS_TEXT ".")));
	PG_RETURN_CHAR((char) result);
}

PG_FUNCTION_INFO_V1(feedback_review_status_out);
/*
 * Text output of feedback.review_status.
 */
Datum
feedback_review_status_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(pstrdup(feedback_status_name((uint8) PG_GETARG_CHAR(0))));
}

PG_FUNCTION_INFO_V1(feedback_review_status_recv);
/*
 * Binary input of feedback.review_status: one byte, 0 to 3 in type order.
 */
Datum
feedback_review_status_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			value = pq_getmsgbyte(buf);

	if (value < 0 || value >= (int) lengthof(status_names))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value %d for type feedback.review_status", value),
				 errdetail("The binary form is one byte: 0 to_review, 1 auto_approved, 2 reviewed, 3 dismissed.")));
	PG_RETURN_CHAR((char) value);
}

PG_FUNCTION_INFO_V1(feedback_review_status_send);
/*
 * Binary output of feedback.review_status.
 */
Datum
feedback_review_status_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, (uint8) PG_GETARG_CHAR(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

#define ARG_BYTE(n) ((uint8) PG_GETARG_CHAR(n))

PG_FUNCTION_INFO_V1(feedback_byte_eq);
/* a = b, for both one-byte types */
Datum
feedback_byte_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_BYTE(0) == ARG_BYTE(1));
}

PG_FUNCTION_INFO_V1(feedback_byte_ne);
/* a <> b */
Datum
feedback_byte_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_BYTE(0) != ARG_BYTE(1));
}

PG_FUNCTION_INFO_V1(feedback_byte_lt);
/* a < b */
Datum
feedback_byte_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_BYTE(0) < ARG_BYTE(1));
}

PG_FUNCTION_INFO_V1(feedback_byte_le);
/* a <= b */
Datum
feedback_byte_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_BYTE(0) <= ARG_BYTE(1));
}

PG_FUNCTION_INFO_V1(feedback_byte_gt);
/* a > b */
Datum
feedback_byte_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_BYTE(0) > ARG_BYTE(1));
}

PG_FUNCTION_INFO_V1(feedback_byte_ge);
/* a >= b */
Datum
feedback_byte_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_BYTE(0) >= ARG_BYTE(1));
}

PG_FUNCTION_INFO_V1(feedback_byte_cmp);
/* btree support: -1, 0 or 1 */
Datum
feedback_byte_cmp(PG_FUNCTION_ARGS)
{
	uint8		a = ARG_BYTE(0);
	uint8		b = ARG_BYTE(1);

	PG_RETURN_INT32(a < b ? -1 : (a > b ? 1 : 0));
}

PG_FUNCTION_INFO_V1(feedback_byte_hash);
/* hash support */
Datum
feedback_byte_hash(PG_FUNCTION_ARGS)
{
	return hash_uint32((uint32) ARG_BYTE(0));
}

PG_FUNCTION_INFO_V1(feedback_byte_hash_extended);
/* hash support, seeded */
Datum
feedback_byte_hash_extended(PG_FUNCTION_ARGS)
{
	return hash_uint32_extended((uint32) ARG_BYTE(0), PG_GETARG_INT64(1));
}

PG_FUNCTION_INFO_V1(feedback_rating_to_bool);
/* rating -> boolean: positive is true */
Datum
feedback_rating_to_bool(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_BYTE(0) == FB_RATING_POSITIVE);
}

PG_FUNCTION_INFO_V1(feedback_bool_to_rating);
/* boolean -> rating: true is positive */
Datum
feedback_bool_to_rating(PG_FUNCTION_ARGS)
{
	PG_RETURN_CHAR((char) (PG_GETARG_BOOL(0) ? FB_RATING_POSITIVE : FB_RATING_NEGATIVE));
}
