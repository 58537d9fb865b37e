/*-------------------------------------------------------------------------
 *
 * object.c
 *	  The feedback object: the one JSON shape every API call returns for a
 *	  feedback, built from one row of FEEDBACK_SELECT.
 *
 * src/object.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"

/* Columns of FEEDBACK_SELECT, 1-based. */
enum
{
	COL_ID = 1,
	COL_TENANT_ID,
	COL_CONVERSATION_ID,
	COL_MESSAGE_ID,
	COL_TURN_ID,
	COL_USER_ID,
	COL_USER_EMAIL,
	COL_IMPERSONATED_BY,
	COL_IMPERSONATOR_EMAIL,
	COL_RATING,
	COL_COMMENT,
	COL_REASONS,
	COL_KIND,
	COL_SOURCE_SURFACE,
	COL_CLIENT_FEEDBACK_ID,
	COL_STATUS,
	COL_REVIEWED_BY,
	COL_REVIEWER_EMAIL,
	COL_REVIEWED_AT,
	COL_CORRECTED_RESPONSE,
	COL_CONTEXT,
	COL_USER_MESSAGE,
	COL_CONVERSATION_TITLE,
	COL_SUGGESTED_ACTION_TYPE,
	COL_SUGGESTED_ACTION_DATA,
	COL_CREATED_AT,
	COL_UPDATED_AT
};

/* One feedback by (tenant_id, id). */
static FbQuery feedback_by_id_query = {
	FEEDBACK_SELECT
	" WHERE f.tenant_id OPERATOR(pg_catalog.=) $1 AND f.id OPERATOR(pg_catalog.=) $2",
	2, {UUIDOID, UUIDOID}
};

/*
 * Push key: a field of a jsonb object (its value, or null when absent).
 */
static void
PushField(JsonbParseState **state, const char *key, Jsonb *object, const char *field)
{
	JsonbValue *v = NULL;

	if (object != NULL && JB_ROOT_IS_OBJECT(object))
		v = getKeyJsonValueFromContainer(&object->root, field, strlen(field), NULL);
	fb_json_key(state, key);
	if (v == NULL)
	{
		JsonbValue	null;

		null.type = jbvNull;
		pushJsonbValue(state, WJB_VALUE, &null);
	}
	else
		pushJsonbValue(state, WJB_VALUE, v);
}

/*
 * Push key: a text[] datum as a JSON array of strings.
 */
static void
PushTextArray(JsonbParseState **state, const char *key, FbValue value)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	fb_json_key(state, key);
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	if (!value.isnull)
	{
		deconstruct_array(DatumGetArrayTypeP(value.value), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		for (i = 0; i < n; i++)
		{
			JsonbValue	v;

			if (nulls[i])
				continue;
			v.type = jbvString;
			v.val.string.val = TextDatumGetCString(elems[i]);
			v.val.string.len = strlen(v.val.string.val);
			pushJsonbValue(state, WJB_ELEM, &v);
		}
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
}

/*
 * The feedback object of row `row` of the current FEEDBACK_SELECT result.
 */
Jsonb *
feedback_object(int row)
{
	JsonbParseState *state = NULL;
	Datum		d;
	bool		isnull;
	bool		rating_null;
	uint8		rating;
	Datum		context;
	bool		context_null;

#define COL(c) fb_val(row, (c))

	fb_json_begin(&state);
	fb_json_uuid(&state, "id", COL(COL_ID));
	fb_json_uuid(&state, "tenant_id", COL(COL_TENANT_ID));
	fb_json_uuid(&state, "conversation_id", COL(COL_CONVERSATION_ID));
	fb_json_uuid(&state, "message_id", COL(COL_MESSAGE_ID));
	fb_json_uuid(&state, "turn_id", COL(COL_TURN_ID));
	fb_json_user(&state, "given_by", COL(COL_USER_ID), fb_col_text(row, COL_USER_EMAIL));
	fb_json_user(&state, "impersonated_by", COL(COL_IMPERSONATED_BY),
				 fb_col_text(row, COL_IMPERSONATOR_EMAIL));

	d = fb_col(row, COL_RATING, &rating_null);
	rating = rating_null ? 0 : (uint8) DatumGetChar(d);
	fb_json_text(&state, "rating", rating_null ? NULL : feedback_rating_name(rating));
	fb_json_datum_bool(&state, "is_positive", rating_null ? FB_NULL :
					   FB_VALUE(BoolGetDatum(rating == FB_RATING_POSITIVE)));
	fb_json_text(&state, "reaction", rating_null ? NULL :
				 (rating == FB_RATING_POSITIVE ? "thumbs_up" : "thumbs_down"));

	fb_json_datum_text(&state, "comment", COL(COL_COMMENT));
	PushTextArray(&state, "reasons", COL(COL_REASONS));
	fb_json_datum_text(&state, "kind", COL(COL_KIND));
	fb_json_datum_text(&state, "source_surface", COL(COL_SOURCE_SURFACE));
	fb_json_uuid(&state, "client_feedback_id", COL(COL_CLIENT_FEEDBACK_ID));
	d = fb_col(row, COL_STATUS, &isnull);
	fb_json_text(&state, "status", feedback_status_name((uint8) DatumGetChar(d)));
	fb_json_user(&state, "reviewed_by", COL(COL_REVIEWED_BY),
				 fb_col_text(row, COL_REVIEWER_EMAIL));
	fb_json_timestamp(&state, "reviewed_at", COL(COL_REVIEWED_AT));
	fb_json_datum_text(&state, "corrected_response", COL(COL_CORRECTED_RESPONSE));

	context = fb_col(row, COL_CONTEXT, &context_null);
	fb_json_key(&state, "context");
	fb_json_begin(&state);
	fb_json_uuid(&state, "conversation_id", COL(COL_CONVERSATION_ID));
	PushField(&state, "query_id", context_null ? NULL : DatumGetJsonbP(context), "query_id");
	PushField(&state, "source", context_null ? NULL : DatumGetJsonbP(context), "source");
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	fb_json_datum_text(&state, "user_message", COL(COL_USER_MESSAGE));
	fb_json_datum_text(&state, "conversation_title", COL(COL_CONVERSATION_TITLE));
	fb_json_datum_text(&state, "suggested_action_type", COL(COL_SUGGESTED_ACTION_TYPE));
	fb_json_jsonb(&state, "suggested_action_data", COL(COL_SUGGESTED_ACTION_DATA));
	fb_json_timestamp(&state, "created_at", COL(COL_CREATED_AT));
	fb_json_timestamp(&state, "updated_at", COL(COL_UPDATED_AT));
#undef COL
	return fb_json_end(&state);
}

/*
 * The feedback object of feedback id in tenant, or NULL when there is none.
 */
Jsonb *
feedback_object_by_id(Datum tenant_id, Datum id)
{
	Datum		args[2];

	args[0] = tenant_id;
	args[1] = id;
	if (fb_exec(&feedback_by_id_query, args, NULL, 1) == 0)
		return NULL;
	return feedback_object(0);
}
