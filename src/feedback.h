/*-------------------------------------------------------------------------
 *
 * feedback.h
 *	  Declarations shared by the modules of the feedback extension, in the
 *	  order of its layers; each module uses only the layers above its own
 *	  section here:
 *
 *	  1. infrastructure: settings and events, SPI, JSON, arguments, paging
 *	  2. the types and the domain: identity, the review rules, lookups, the
 *	     feedback object, request bodies
 *	  3. derived state, kept by the triggers: the review queue, golden
 *	     examples
 *	  4. the triggers (triggers.c), and on top the SQL-callable API
 *	     (*_api.c, identity's whoami, privileges.c, distribute.c), which
 *	     declare nothing here: no API file calls another.
 *
 * src/feedback.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FEEDBACK_H
#define FEEDBACK_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

/* The project's own SQLSTATEs: PostgREST turns PTxyz into HTTP status xyz. */
#define ERRCODE_FEEDBACK_NOT_FOUND	MAKE_SQLSTATE('P','T','4','0','4')
#define ERRCODE_FEEDBACK_CONFLICT	MAKE_SQLSTATE('P','T','4','0','9')

/* feedback.rating: one byte, ordered negative < positive */
#define FB_RATING_NEGATIVE	0
#define FB_RATING_POSITIVE	1

/* feedback.review_status: one byte, in the order of the type */
typedef enum FeedbackStatus
{
	FB_STATUS_TO_REVIEW = 0,
	FB_STATUS_AUTO_APPROVED = 1,
	FB_STATUS_REVIEWED = 2,
	FB_STATUS_DISMISSED = 3
} FeedbackStatus;

/* ======================== 1. infrastructure ======================== */

/* feedback.c: the settings the extension defines, and its events */
extern char *feedback_user_id_setting;
extern char *feedback_impersonate_email_setting;
extern bool feedback_notify_events_setting;
extern int	fb_set_for_now(const char *name, const char *value);
extern void fb_reset_for_now(int level);
extern void feedback_notify(const char *event, Datum tenant_id, Datum id);

/* spi.c: prepared-once SPI statements with bound parameters */
#define FB_MAX_ARGS 20

typedef struct FbQuery
{
	const char *sql;
	int			nargs;
	Oid			argtypes[FB_MAX_ARGS];
	SPIPlanPtr	plan;			/* prepared on first use and kept */
} FbQuery;

/* A value that may be NULL, as read from a result column. */
typedef struct FbValue
{
	Datum		value;
	bool		isnull;
} FbValue;

#define FB_VALUE(d) ((FbValue) {(d), false})
#define FB_NULL ((FbValue) {(Datum) 0, true})

extern SPIPlanPtr fb_prepare(FbQuery *query);
extern int	fb_exec(FbQuery *query, Datum *values, const bool *isnull, long tcount);
extern int	fb_exec_latest(FbQuery *query, Datum *values, const bool *isnull, long tcount);
extern Datum fb_col(int row, int col, bool *isnull);
extern FbValue fb_val(int row, int col);
extern char *fb_col_text(int row, int col);
extern Datum fb_get(int row, const char *name, bool *isnull);
extern FbValue fb_get_val(int row, const char *name);
extern char *fb_get_text(int row, const char *name);
extern FbValue fb_tuple_value(HeapTuple tuple, TupleDesc desc, const char *name);
extern void fb_connect(void);
extern Datum fb_finish_jsonb(Jsonb *result);

/* A set of jsonb values a function returns (materialize mode). */
typedef struct FbJsonbSet
{
	ReturnSetInfo *rsinfo;
	Tuplestorestate *store;
	TupleDesc	desc;
} FbJsonbSet;

extern void fb_jsonb_set_begin(FunctionCallInfo fcinfo, const char *name, FbJsonbSet *set);
extern void fb_jsonb_set_put(FbJsonbSet *set, Jsonb *value);
extern Datum fb_jsonb_set_end(FbJsonbSet *set);

/*
 * Leads the statements that read every tenant (every shard on Citus), for
 * whoever reads a log of multi-shard statements.
 */
#define EVERY_SHARD "/* every shard */ "

/*
 * Slotted counters: each writer adds to its own slot of a counter row, so
 * that concurrent writers rarely wait on one row; a count is the sum over
 * the slots.
 */
#define FB_COUNTER_SLOTS 8

extern int	fb_counter_slot(void);

/* json.c: building jsonb results */
typedef struct JsonbParseState JsonbParseState;

extern void fb_json_begin(JsonbParseState **state);
extern Jsonb *fb_json_end(JsonbParseState **state);
extern void fb_json_key(JsonbParseState **state, const char *key);
extern void fb_json_text(JsonbParseState **state, const char *key, const char *value);
extern void fb_json_datum_text(JsonbParseState **state, const char *key, FbValue value);
extern void fb_json_null(JsonbParseState **state, const char *key);
extern void fb_json_bool(JsonbParseState **state, const char *key, bool value);
extern void fb_json_datum_bool(JsonbParseState **state, const char *key, FbValue value);
extern void fb_json_int(JsonbParseState **state, const char *key, int64 value);
extern void fb_json_datum_numeric(JsonbParseState **state, const char *key, FbValue value);
extern void fb_json_uuid(JsonbParseState **state, const char *key, FbValue value);
extern void fb_json_timestamp(JsonbParseState **state, const char *key, FbValue value);
extern void fb_json_jsonb(JsonbParseState **state, const char *key, FbValue value);
extern void fb_json_elem(JsonbParseState **state, Jsonb *value);
extern void fb_json_user(JsonbParseState **state, const char *key, FbValue id,
						 const char *email);
extern char *fb_format_timestamp(TimestampTz ts);
extern char *fb_json_string_field(const char *json, const char *key);

extern bool fb_uuid_parse(const char *str, pg_uuid_t *result);
extern char *fb_uuid_text(const pg_uuid_t *uuid);
extern pg_uuid_t *fb_uuid_random(void);
extern pg_uuid_t *fb_uuid_copy(const pg_uuid_t *uuid);

/* args.c: argument checks */
#define FB_PAGE_MAX 1000		/* the largest page */

extern void fb_require_arg(FunctionCallInfo fcinfo, int n, const char *name);
extern void fb_check_timestamp(TimestampTz ts, const char *name);
extern char *fb_quotable(const char *str);
extern bool fb_same_text(const char *a, const char *b);
extern void fb_check_page(FunctionCallInfo fcinfo, int limit_arg, int offset_arg);

/* cursor.c: the cursors of paged results, and the links that carry them */
typedef struct FbCursor
{
	char		kind;			/* the kind of page: 'q' queue, 'g' golden examples */
	bool		before;			/* the page before the position, else after it */
	pg_uuid_t	tenant_id;
	int32		limit;
	TimestampTz at;				/* the position: the time and id of a row */
	pg_uuid_t	id;
	uint8		flags;			/* the filters, as the kind of page defines them */
	char	   *text;			/* a filter text, or NULL */
} FbCursor;

extern FbCursor *fb_cursor_at(char kind, bool before, Datum tenant_id, int limit, FbValue at,
							  FbValue id, uint8 flags, char *text);
extern char *fb_cursor_encode(const FbCursor *cursor);
extern void fb_cursor_decode(const char *token, char kind, Datum tenant_id, FbCursor *cursor);
extern void fb_cursor_malformed(const char *why) pg_attribute_noreturn();
extern void fb_json_cursor_link(JsonbParseState **state, const char *key, const FbCursor *cursor);

/* ==================== 2. the types and the domain ==================== */

/* types.c */
extern bool feedback_rating_parse(const char *str, int len, uint8 *result);
extern const char *feedback_rating_name(uint8 rating);
extern bool feedback_status_parse(const char *str, int len, uint8 *result);
extern const char *feedback_status_name(uint8 status);

/*
 * identity.c: who is calling.  A membership role; each one includes the
 * rights of those below it.
 */
typedef enum FeedbackRole
{
	FB_ROLE_NONE = 0,
	FB_ROLE_MEMBER = 1,
	FB_ROLE_REVIEWER = 2,
	FB_ROLE_ADMIN = 3
} FeedbackRole;

typedef struct FeedbackCaller
{
	pg_uuid_t	tenant_id;
	pg_uuid_t	user_id;		/* the user the call acts as */
	char	   *email;
	FeedbackRole role;			/* that user's role in the tenant */
	bool		impersonating;	/* true when acting for another user */
	pg_uuid_t	actor_id;		/* the authenticated user, when impersonating */
	char	   *actor_email;
} FeedbackCaller;

/* The role whose members accept only a verified token (grant_api's jwt_only). */
#define FEEDBACK_JWT_ONLY_ROLE "feedback_jwt_only"

extern void feedback_connect_caller(FeedbackCaller *caller, FunctionCallInfo fcinfo,
									FeedbackRole min_role);
extern bool feedback_session_actor(Datum tenant_id, FbValue *user_id, FbValue *impersonator);
extern void feedback_lock_user(const pg_uuid_t *user_id, bool exclusive);
extern FeedbackRole feedback_role_parse(const char *role);
extern const char *feedback_role_name(FeedbackRole role);

/*
 * rules.c: the review rules, each defined once.
 */
typedef struct FeedbackRule
{
	bool		auto_approve;
	bool		reason_required;
} FeedbackRule;

extern void feedback_check_transition(uint8 from, uint8 to);
extern bool feedback_status_approves(uint8 status);
extern bool feedback_status_has_reviewer(uint8 status);
extern FeedbackRule feedback_rule_for(Datum tenant_id, uint8 rating);
extern uint8 feedback_rule_status(FeedbackRule rule, bool has_rating);
extern int	feedback_group_state(int64 to_review, int64 reviewed);
extern void feedback_check_reason(FeedbackRule rule, bool has_rating, uint8 rating,
								  bool has_comment, bool has_reasons);

/* lookup.c: what a call names, and what the caller may see of it */
extern bool feedback_can_see(FeedbackCaller *caller, Datum author);
extern void feedback_not_found(Datum id) pg_attribute_noreturn();
extern void feedback_answer_not_found(Datum message_id) pg_attribute_noreturn();
extern void feedback_require_answer(Datum tenant_id, Datum message_id);
extern void feedback_conversation_not_found(Datum conversation_id) pg_attribute_noreturn();
extern void feedback_require_conversation(Datum tenant_id, Datum conversation_id, bool lock);

/*
 * The question an answer (alias am, of the tenant $1) replies to: its
 * reply_to, else the latest user message of the conversation before it
 * in the conversation's order (created_at, then id: messages stored in
 * one transaction share their created_at), as the columns named (of
 * alias m).  The tenant is the parameter, not
 * am.tenant_id: Citus routes a correlated subquery to one shard only when
 * it names the tenant itself.
 */
#define PROMPT_MESSAGE_OF_ANSWER(columns) \
	"SELECT " columns " FROM feedback.messages m" \
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $1" \
	"   AND m.conversation_id OPERATOR(pg_catalog.=) am.conversation_id" \
	"   AND m.role OPERATOR(pg_catalog.=) 'user'" \
	"   AND CASE WHEN am.reply_to IS NULL" \
	"            THEN (m.created_at, m.id) OPERATOR(pg_catalog.<) (am.created_at, am.id)" \
	"            ELSE m.id OPERATOR(pg_catalog.=) am.reply_to END" \
	" ORDER BY m.created_at DESC, m.id DESC LIMIT 1"

/* The text of that question. */
#define PROMPT_OF_ANSWER PROMPT_MESSAGE_OF_ANSWER("m.content")

/*
 * A timestamptz in JSON that SQL builds (the verify functions): RFC 3339 in
 * UTC with a Z, whatever the session's time zone, to the microsecond so
 * that a difference they report shows.
 */
#define SQL_UTC_TIME(expr) \
	"pg_catalog.to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/*
 * object.c: the feedback object.  FEEDBACK_SELECT is the select list and
 * joins every query that returns feedback objects starts with; the caller
 * appends a WHERE clause on f (always with f.tenant_id = $1).
 */
#define FEEDBACK_SELECT \
	"SELECT f.id, f.tenant_id, f.conversation_id, f.message_id, f.turn_id," \
	"       f.user_id, gu.email, f.impersonated_by, iu.email," \
	"       f.rating, f.comment, f.reasons, f.kind, f.source_surface," \
	"       f.client_feedback_id, f.status, f.reviewed_by, ru.email, f.reviewed_at," \
	"       f.corrected_response, f.context, um.content, c.title," \
	"       f.suggested_action_type, f.suggested_action_data, f.created_at, f.updated_at" \
	"  FROM feedback.feedback f" \
	"  JOIN feedback.users gu ON gu.id OPERATOR(pg_catalog.=) f.user_id" \
	"  LEFT JOIN feedback.users iu ON iu.id OPERATOR(pg_catalog.=) f.impersonated_by" \
	"  LEFT JOIN feedback.users ru ON ru.id OPERATOR(pg_catalog.=) f.reviewed_by" \
	"  LEFT JOIN feedback.conversations c" \
	"    ON c.tenant_id OPERATOR(pg_catalog.=) f.tenant_id" \
	"   AND c.id OPERATOR(pg_catalog.=) f.conversation_id" \
	"  LEFT JOIN feedback.messages am" \
	"    ON am.tenant_id OPERATOR(pg_catalog.=) f.tenant_id" \
	"   AND am.id OPERATOR(pg_catalog.=) f.message_id" \
	"  LEFT JOIN LATERAL (" PROMPT_OF_ANSWER ") um ON true"

/* Columns of FEEDBACK_SELECT, 1-based. */
enum
{
	FB_COL_ID = 1,
	FB_COL_TENANT_ID,
	FB_COL_CONVERSATION_ID,
	FB_COL_MESSAGE_ID,
	FB_COL_TURN_ID,
	FB_COL_USER_ID,
	FB_COL_USER_EMAIL,
	FB_COL_IMPERSONATED_BY,
	FB_COL_IMPERSONATOR_EMAIL,
	FB_COL_RATING,
	FB_COL_COMMENT,
	FB_COL_REASONS,
	FB_COL_KIND,
	FB_COL_SOURCE_SURFACE,
	FB_COL_CLIENT_FEEDBACK_ID,
	FB_COL_STATUS,
	FB_COL_REVIEWED_BY,
	FB_COL_REVIEWER_EMAIL,
	FB_COL_REVIEWED_AT,
	FB_COL_CORRECTED_RESPONSE,
	FB_COL_CONTEXT,
	FB_COL_USER_MESSAGE,
	FB_COL_CONVERSATION_TITLE,
	FB_COL_SUGGESTED_ACTION_TYPE,
	FB_COL_SUGGESTED_ACTION_DATA,
	FB_COL_CREATED_AT,
	FB_COL_UPDATED_AT
};
#define FB_OBJECT_COLUMNS FB_COL_UPDATED_AT

extern Jsonb *feedback_object_from(const FbValue *v);
extern void feedback_object_values(int row, FbValue *v);
extern bool feedback_object_values_by_id(Datum tenant_id, Datum id, FbValue *v);
extern Jsonb *feedback_object(int row);
extern Jsonb *feedback_object_by_id(Datum tenant_id, Datum id);

/* body.c: request bodies and feedback content */
#define COMMENT_MAX_CHARS	2000
#define TITLE_MAX_CHARS		1000	/* of a conversation */
#define AGENT_MAX_CHARS		200		/* a conversation's agent_name */
#define CONTENT_MAX_CHARS	1000000 /* of a message, a correction, a golden response */
#define NOTE_MAX_CHARS		2000	/* of a status change */
#define ACTION_TYPE_MAX_CHARS 200	/* suggested_action_type */
#define ACTION_DATA_MAX_BYTES 1000000	/* of suggested_action_data::text */

extern void fb_check_comment(const char *comment);
extern void fb_check_text_arg(FunctionCallInfo fcinfo, int argno, const char *name, int max_chars);
extern void fb_check_json_bytes(Jsonb *value, const char *name, int max_bytes, const char *hint);
extern void fb_require_content(bool has_rating, const char *comment);
extern void fb_body_check_keys(Jsonb *body, const char *name, const char *const *allowed,
							   const char *hint);
extern JsonbValue *fb_body_key(Jsonb *body, const char *key);

/* A feedback's content: what makes a change a resubmission. */
typedef struct FeedbackContent
{
	bool		has_rating;
	uint8		rating;
	char	   *comment;		/* NULL when there is none */
	Datum		reasons;		/* text[], normalized */
} FeedbackContent;

extern void fb_body_content(Jsonb *changes, FeedbackContent *content);
extern void fb_content_from_row(int row, FeedbackContent *content);
extern bool fb_content_equal(const FeedbackContent *a, const FeedbackContent *b);
extern Datum fb_reasons_from_strings(char **tags, int n);
extern Datum fb_reasons_from_array(FbValue reasons);
extern Datum fb_reasons_from_json(JsonbValue *value);
extern bool fb_reasons_equal(Datum a, Datum b);
extern bool fb_reasons_any(Datum reasons);
extern bool fb_body_rating(JsonbValue *value, const char *key, uint8 *rating);
extern char *fb_body_comment(JsonbValue *value, const char *key);

/* ============== 3. derived state, kept by the triggers ============== */

/* queue.c: the review queue's groups, kept by the triggers */
extern void feedback_keep_review_group(Datum tenant_id, HeapTuple old, HeapTuple new,
									   TupleDesc desc);
extern void feedback_keep_search_comment(Datum tenant_id, HeapTuple old, HeapTuple new,
										 TupleDesc desc);
extern void feedback_move_review_group(Datum tenant_id, Datum conversation_id, bool archived);

/* stats.c: the analytics counters, kept by the triggers */
typedef enum FbGrain
{
	FB_GRAIN_HOUR,
	FB_GRAIN_DAY,
	FB_GRAIN_WEEK,
	FB_GRAIN_MONTH
} FbGrain;

extern TimestampTz feedback_stats_bucket(TimestampTz ts, FbGrain grain);
extern void feedback_keep_stats(HeapTuple old, HeapTuple new, TupleDesc desc);
extern void feedback_move_stats(Datum tenant_id, Datum conversation_id, FbValue old_agent,
								FbValue new_agent);

/* golden.c: the golden example of a feedback, kept by the feedback trigger */
typedef struct ExampleSource
{
	Datum		feedback_id;
	FbValue		message_id;
	FbValue		rating;
	uint8		status;
	FbValue		corrected_response;
	FbValue		approved_by;	/* the reviewer; NULL for auto-approval */
	FbValue		impersonated_by;
	bool		deleted;
	TimestampTz changed_at;		/* the feedback's updated_at; now for a delete */
} ExampleSource;

extern void feedback_keep_golden_example(Datum tenant_id, const ExampleSource *src);

/* keys.c: every idempotency key bound to its feedback, kept by the feedback trigger */
extern bool feedback_client_key_bound(Datum tenant_id, Datum user_id, Datum key);
extern void feedback_client_key_conflict(Datum key) pg_attribute_noreturn();
extern void feedback_bind_client_key(Datum tenant_id, Datum user_id, Datum key,
									 Datum feedback_id, Datum added_at);

#endif							/* FEEDBACK_H */
