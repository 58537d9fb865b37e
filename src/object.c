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
 * The feedback object from the values of its columns, indexed by FB_COL_*
 * (the columns of FEEDBACK_SELECT).
 */
Jsonb *
feedback_object_from(const FbValue *v)
{
	JsonbParseState *state = NULL;
	bool		rating_null = v[FB_COL_RATING].isnull;
	uint8		rating = rating_null ? 0 : (uint8) DatumGetChar(v[FB_COL_RATING].value);
	FbValue		context = v[FB_COL_CONTEXT];

#define COL(c) v[c]
#define COL_TEXT(c) (v[c].isnull ? NULL : TextDatumGetCString(v[c].value))

	fb_json_begin(&state);
	fb_json_uuid(&state, "id", COL(FB_COL_ID));
	fb_json_uuid(&state, "tenant_id", COL(FB_COL_TENANT_ID));
	fb_json_uuid(&state, "conversation_id", COL(FB_COL_CONVERSATION_ID));
	fb_json_uuid(&state, "message_id", COL(FB_COL_MESSAGE_ID));
	fb_json_uuid(&state, "turn_id", COL(FB_COL_TURN_ID));
	fb_json_user(&state, "given_by", COL(FB_COL_USER_ID), COL_TEXT(FB_COL_USER_EMAIL));
	fb_json_user(&state, "impersonated_by", COL(FB_COL_IMPERSONATED_BY),
				 COL_TEXT(FB_COL_IMPERSONATOR_EMAIL));

	fb_json_text(&state, "rating", rating_null ? NULL : feedback_rating_name(rating));
	fb_json_datum_bool(&state, "is_positive", rating_null ? FB_NULL :
					   FB_VALUE(BoolGetDatum(rating == FB_RATING_POSITIVE)));
	fb_json_text(&state, "reaction", rating_null ? NULL :
				 (rating == FB_RATING_POSITIVE ? "thumbs_up" : "thumbs_down"));

	fb_json_datum_text(&state, "comment", COL(FB_COL_COMMENT));
	PushTextArray(&state, "reasons", COL(FB_COL_REASONS));
	fb_json_datum_text(&state, "kind", COL(FB_COL_KIND));
	fb_json_datum_text(&state, "source_surface", COL(FB_COL_SOURCE_SURFACE));
	fb_json_uuid(&state, "client_feedback_id", COL(FB_COL_CLIENT_FEEDBACK_ID));
	fb_json_text(&state, "status",
				 feedback_status_name((uint8) DatumGetChar(v[FB_COL_STATUS].value)));
	fb_json_user(&state, "reviewed_by", COL(FB_COL_REVIEWED_BY), COL_TEXT(FB_COL_REVIEWER_EMAIL));
	fb_json_timestamp(&state, "reviewed_at", COL(FB_COL_REVIEWED_AT));
	fb_json_datum_text(&state, "corrected_response", COL(FB_COL_CORRECTED_RESPONSE));

	fb_json_key(&state, "context");
	fb_json_begin(&state);
	fb_json_uuid(&state, "conversation_id", COL(FB_COL_CONVERSATION_ID));
	PushField(&state, "query_id", context.isnull ? NULL : DatumGetJsonbP(context.value), "query_id");
	PushField(&state, "source", context.isnull ? NULL : DatumGetJsonbP(context.value), "source");
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	fb_json_datum_text(&state, "user_message", COL(FB_COL_USER_MESSAGE));
	fb_json_datum_text(&state, "conversation_title", COL(FB_COL_CONVERSATION_TITLE));
	fb_json_datum_text(&state, "suggested_action_type", COL(FB_COL_SUGGESTED_ACTION_TYPE));
	fb_json_jsonb(&state, "suggested_action_data", COL(FB_COL_SUGGESTED_ACTION_DATA));
	fb_json_timestamp(&state, "created_at", COL(FB_COL_CREATED_AT));
	fb_json_timestamp(&state, "updated_at", COL(FB_COL_UPDATED_AT));
#undef COL
#undef COL_TEXT
	return fb_json_end(&state);
}

/*
 * Read row `row` of the current FEEDBACK_SELECT result into v (indexed by
 * FB_COL_*).
 */
void
feedback_object_values(int row, FbValue *v)
{
	int			col;

	v[0] = FB_NULL;
	for (col = 1; col <= FB_OBJECT_COLUMNS; col++)
		v[col] = fb_val(row, col);
}

/*
 * The feedback object of row `row` of the current FEEDBACK_SELECT result.
 */
Jsonb *
feedback_object(int row)
{
	FbValue		v[FB_OBJECT_COLUMNS + 1];

	feedback_object_values(row, v);
	return feedback_object_from(v);
}

/*
 * Read feedback id of tenant into v (indexed by FB_COL_*); false when there
 * is none.
 */
bool
feedback_object_values_by_id(Datum tenant_id, Datum id, FbValue *v)
{
	if (fb_exec(&feedback_by_id_query, (Datum[]) {tenant_id, id}, NULL, 1) == 0)
		return false;
	feedback_object_values(0, v);
	return true;
}

/*
 * The feedback object of feedback id in tenant, or NULL when there is none.
 */
Jsonb *
feedback_object_by_id(Datum tenant_id, Datum id)
{
	FbValue		v[FB_OBJECT_COLUMNS + 1];

	return feedback_object_values_by_id(tenant_id, id, v) ? feedback_object_from(v) : NULL;
}
