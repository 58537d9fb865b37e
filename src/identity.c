/*-------------------------------------------------------------------------
 *
 * identity.c
 *	  Who is calling: the acting user, impersonation and membership roles.
 *
 * Every feedback and review API call goes through feedback_connect_caller.
 * The acting user is the sub claim of PostgREST's request.jwt.claims when
 * there is a verified token (and then nothing else), else the setting
 * feedback.user_id; a role granted with jwt_only accepts only the token.  With feedback.impersonate_email (or the
 * x-impersonate-email header of request.headers) an acting user who has
 * can_impersonate acts as the member with that email; when no member of
 * the tenant has it, the call proceeds as the acting user.  Every refusal
 * is 42501.
 *
 * src/identity.c
 *
 *-------------------------------------------------------------------------
 */
#include "feedback.h"

#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/acl.h"
#include "utils/guc.h"

/* First key of the advisory locks that order a user's calls and erasure. */
#define USER_LOCK_CLASS 0x46424b55	/* "FBKU" */

/* The acting user, with its role in the tenant (NULL when not a member). */
static FbQuery actor_query = {
	"SELECT u.email, u.can_impersonate, m.role"
	"  FROM feedback.users u"
	"  LEFT JOIN feedback.memberships m"
	"    ON m.tenant_id OPERATOR(pg_catalog.=) $2"
	"   AND m.user_id OPERATOR(pg_catalog.=) u.id"
	" WHERE u.id OPERATOR(pg_catalog.=) $1",
	2, {UUIDOID, UUIDOID}
};

/* The member of the tenant with an email, compared case-insensitively. */
static FbQuery member_by_email_query = {
	"SELECT u.id, u.email, m.role"
	"  FROM feedback.memberships m"
	"  JOIN feedback.users u ON u.id OPERATOR(pg_catalog.=) m.user_id"
	" WHERE m.tenant_id OPERATOR(pg_catalog.=) $2"
	"   AND pg_catalog.lower(u.email) OPERATOR(pg_catalog.=) pg_catalog.lower($1)",
	2, {TEXTOID, UUIDOID}
};

static const char *const role_names[] = {"none", "member", "reviewer", "admin"};

/*
 * A membership role from its name; FB_ROLE_NONE when the name is unknown.
 */
FeedbackRole
feedback_role_parse(const char *role)
{
	int			i;

	for (i = FB_ROLE_MEMBER; i <= FB_ROLE_ADMIN; i++)
		if (strcmp(role, role_names[i]) == 0)
			return (FeedbackRole) i;
	return FB_ROLE_NONE;
}

/*
 * The name of a membership role.
 */
const char *
feedback_role_name(FeedbackRole role)
{
	return role_names[role];
}

/*
 * A setting's value, or NULL when it is unset or empty.
 */
static const char *
SettingValue(const char *name)
{
	const char *value = GetConfigOption(name, true, false);

	return (value != NULL && value[0] != '\0') ? value : NULL;
}

/*
 * The acting user's id as text: the sub claim of a verified token
 * (request.jwt.claims set and not empty), and nothing else when there is
 * one; else feedback.user_id.  A sub that is not a JSON string is no
 * acting user.  *from_token, unless NULL, says whether a token was read.
 */
static const char *
ActingUserText(bool *from_token)
{
	const char *claims = SettingValue("request.jwt.claims");

	if (from_token != NULL)
		*from_token = claims != NULL;
	if (claims != NULL)
		return fb_json_string_field(claims, "sub");
	if (feedback_user_id_setting != NULL && feedback_user_id_setting[0] != '\0')
		return feedback_user_id_setting;
	return NULL;
}

/*
 * Raise 42501 when the session's role accepts only a verified token
 * (granted with grant_api(role, jwt_only => true)) and the call has none.
 * The role is the one the session runs as (SET ROLE, or PostgREST's role
 * setting), not the owner a SECURITY DEFINER function runs as.
 */
static void
RequireTokenOfJwtOnlyRole(bool from_token)
{
	Oid			jwt_only = get_role_oid(FEEDBACK_JWT_ONLY_ROLE, true);

	if (from_token || !OidIsValid(jwt_only) || !is_member_of_role_nosuper(GetOuterUserId(), jwt_only))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("role %s accepts only a verified token", GetUserNameFromId(GetOuterUserId(), false)),
			 errdetail("feedback.grant_api gave this role jwt_only: feedback.user_id is not read."),
			 errhint("Call through PostgREST with a JWT whose sub claim is the user's id.")));
}

/*
 * The email to impersonate: feedback.impersonate_email, else the
 * x-impersonate-email request header; NULL when neither is set.
 */
static const char *
ImpersonateEmail(void)
{
	const char *email;

	if (feedback_impersonate_email_setting != NULL &&
		feedback_impersonate_email_setting[0] != '\0')
		return feedback_impersonate_email_setting;
	email = fb_json_string_field(SettingValue("request.headers"), "x-impersonate-email");
	return (email != NULL && email[0] != '\0') ? email : NULL;
}

/*
 * Take the transaction's advisory lock on a user: shared by every call
 * acting as (or impersonated by) the user, exclusive for the user's
 * erasure, so that an erasure waits for the calls under way and a call
 * that waited for an erasure no longer finds its user.
 */
void
feedback_lock_user(const pg_uuid_t *user_id, bool exclusive)
{
	Datum		key = Int32GetDatum((int32) hash_bytes(user_id->data, UUID_LEN));

	if (exclusive)
		DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(USER_LOCK_CLASS), key);
	else
		DirectFunctionCall2(pg_advisory_xact_lock_shared_int4, Int32GetDatum(USER_LOCK_CLASS), key);
}

/*
 * Resolve the acting user in a tenant, with impersonation, and fill in
 * caller (role FB_ROLE_NONE when not a member).  Returns false when there
 * is no acting user at all; raises 42501 for one that is not a uuid or not
 * a known user, and for impersonation without can_impersonate.
 * Impersonating oneself is no impersonation.
 */
static bool
ResolveActingUser(FeedbackCaller *caller, Datum tenant_id)
{
	bool		from_token;
	const char *user_text;
	const char *email;
	Datum		args[2];
	bool		isnull;
	bool		can_impersonate;
	char	   *role;

	memset(caller, 0, sizeof(*caller));
	caller->tenant_id = *DatumGetUUIDP(tenant_id);

	user_text = ActingUserText(&from_token);
	RequireTokenOfJwtOnlyRole(from_token);
	if (user_text == NULL)
		return false;
	if (!fb_uuid_parse(user_text, &caller->user_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("acting user \"%s\" is not a uuid", fb_quotable(user_text)),
				 errhint("Sign in again: the token's sub claim (or feedback.user_id) must be the id of a registered user.")));

	feedback_lock_user(&caller->user_id, false);
	args[0] = UUIDPGetDatum(&caller->user_id);
	args[1] = tenant_id;
	if (fb_exec(&actor_query, args, NULL, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("acting user %s is not a known user", user_text),
				 errhint("The chat application registers its users; sign in with an account it knows.")));
	caller->email = fb_get_text(0, "email");
	can_impersonate = DatumGetBool(fb_get(0, "can_impersonate", &isnull));
	role = fb_get_text(0, "role");
	caller->role = role ? feedback_role_parse(role) : FB_ROLE_NONE;

	email = ImpersonateEmail();
	if (email == NULL)
		return true;
	if (!can_impersonate)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("user %s may not impersonate other users", caller->email),
				 errhint("Only support users may impersonate: drop the x-impersonate-email header (or feedback.impersonate_email).")));

	args[0] = CStringGetTextDatum(email);
	if (fb_exec(&member_by_email_query, args, NULL, 1) > 0)
	{
		pg_uuid_t  *target = DatumGetUUIDP(fb_get(0, "id", &isnull));

		if (memcmp(target, &caller->user_id, sizeof(pg_uuid_t)) != 0)
		{
			/* the user may have been erased while the lock waited: look again */
			feedback_lock_user(target, false);
			if (fb_exec(&member_by_email_query, args, NULL, 1) == 0 ||
				memcmp(DatumGetUUIDP(fb_get(0, "id", &isnull)), target, sizeof(pg_uuid_t)) != 0)
				return true;
			caller->impersonating = true;
			caller->actor_id = caller->user_id;
			caller->actor_email = caller->email;
			caller->user_id = *target;
			caller->email = fb_get_text(0, "email");
			caller->role = feedback_role_parse(fb_get_text(0, "role"));
		}
	}
	return true;
}

/*
 * Resolve who is calling for a call on tenant_id that needs at least
 * min_role, and fill in caller.  Must run inside an SPI connection; the
 * strings of caller live until SPI_finish.  Raises 22023 for a NULL
 * tenant and 42501 for every refusal.
 */
static void
ResolveCaller(FeedbackCaller *caller, Datum tenant_id, bool tenant_isnull, FeedbackRole min_role)
{
	if (tenant_isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tenant_id must not be null"),
				 errhint("Pass the uuid of the tenant the call is for.")));

	if (!ResolveActingUser(caller, tenant_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("no acting user"),
				 errdetail("Neither a verified token (request.jwt.claims) with a sub claim nor the setting feedback.user_id names one."),
				 errhint("Run SET LOCAL feedback.user_id = '<user uuid>' first, or call through PostgREST with a JWT whose sub claim is the user's id.")));
	if (caller->role == FB_ROLE_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("user %s is not a member of tenant %s",
						caller->email, fb_uuid_text(&caller->tenant_id)),
				 errhint("Check the tenant_id; to join this tenant, ask one of its admins.")));
	if (caller->role < min_role)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("this call needs the %s role in tenant %s, and user %s is a %s",
						feedback_role_name(min_role), fb_uuid_text(&caller->tenant_id),
						caller->email, feedback_role_name(caller->role)),
				 errhint("Ask an admin of the tenant for that role.")));
}

/*
 * The first step of every feedback and review API call (tenant_id its
 * first argument): connect to SPI and resolve who calls, needing at least
 * min_role.  Who may call is settled before what the call asks, so that a
 * caller who may not call on the tenant gets 42501 whatever its arguments.
 */
void
feedback_connect_caller(FeedbackCaller *caller, FunctionCallInfo fcinfo, FeedbackRole min_role)
{
	fb_connect();
	ResolveCaller(caller, PG_GETARG_DATUM(0), PG_ARGISNULL(0), min_role);
}

/*
 * The acting user of a statement that does not say who acts (a direct
 * UPDATE of feedback.feedback), resolved as an API call would but without
 * a role requirement: the table's privileges decide who may write.
 * Returns false when the session names no acting user.  Must run inside an
 * SPI connection.
 */
bool
feedback_session_actor(Datum tenant_id, FbValue *user_id, FbValue *impersonator)
{
	FeedbackCaller caller;

	if (!ResolveActingUser(&caller, tenant_id))
		return false;
	*user_id = FB_VALUE(UUIDPGetDatum(fb_uuid_copy(&caller.user_id)));
	*impersonator = caller.impersonating ?
		FB_VALUE(UUIDPGetDatum(fb_uuid_copy(&caller.actor_id))) : FB_NULL;
	return true;
}

PG_FUNCTION_INFO_V1(feedback_whoami);
/*
 * feedback.whoami(tenant_id): the user this call acts as in the tenant,
 * its role, and the impersonating user if any.
 */
Datum
feedback_whoami(PG_FUNCTION_ARGS)
{
	FeedbackCaller caller;
	JsonbParseState *state = NULL;

	feedback_connect_caller(&caller, fcinfo, FB_ROLE_MEMBER);

	fb_json_begin(&state);
	fb_json_uuid(&state, "tenant_id", FB_VALUE(UUIDPGetDatum(&caller.tenant_id)));
	fb_json_user(&state, "user", FB_VALUE(UUIDPGetDatum(&caller.user_id)), caller.email);
	fb_json_text(&state, "role", feedback_role_name(caller.role));
	fb_json_user(&state, "impersonated_by",
				 caller.impersonating ? FB_VALUE(UUIDPGetDatum(&caller.actor_id)) : FB_NULL,
				 caller.actor_email);
	PG_RETURN_DATUM(fb_finish_jsonb(fb_json_end(&state)));
}

/* The tenants a user is a member of. */
static FbQuery tenants_of_user_query = {
	"SELECT pg_catalog.array_agg(m.tenant_id) AS ids FROM feedback.memberships m"
	" WHERE m.user_id OPERATOR(pg_catalog.=) $1",
	1, {UUIDOID}
};

/* The users who share a tenant with a user, and the user. */
static FbQuery users_of_user_query = {
	"SELECT pg_catalog.array_agg(DISTINCT o.user_id) AS ids FROM feedback.memberships o"
	" WHERE o.tenant_id OPERATOR(pg_catalog.=) ANY ("
	"       SELECT m.tenant_id FROM feedback.memberships m WHERE m.user_id OPERATOR(pg_catalog.=) $1)",
	1, {UUIDOID}
};

PG_FUNCTION_INFO_V1(feedback_acting_user_id);
/*
 * feedback.acting_user_id(): the acting user's id from feedback.user_id or
 * the JWT sub claim, or NULL when there is none or it is not a uuid.  No
 * lookup: for row-level security policies.
 */
Datum
feedback_acting_user_id(PG_FUNCTION_ARGS)
{
	const char *text = ActingUserText(NULL);
	pg_uuid_t  *id = palloc(sizeof(pg_uuid_t));

	if (text == NULL || !fb_uuid_parse(text, id))
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(id);
}

/* An answer of a policy function, kept for the rest of the query. */
typedef struct PolicyCache
{
	pg_uuid_t	user_id;
	Datum		array;
} PolicyCache;

/*
 * The uuid[] that query (one column, ids) gives for the acting user (an
 * empty array without one), computed once per query and acting user: the
 * policies call it for every row they check.
 */
static Datum
PolicyArray(FunctionCallInfo fcinfo, FbQuery *query)
{
	const char *text = ActingUserText(NULL);
	PolicyCache *cache = (PolicyCache *) fcinfo->flinfo->fn_extra;
	pg_uuid_t	id;
	bool		isnull = true;
	Datum		array = (Datum) 0;
	int			nestlevel;
	MemoryContext old;

	if (text == NULL || !fb_uuid_parse(text, &id))
		return PointerGetDatum(construct_empty_array(UUIDOID));
	if (cache == NULL || memcmp(&cache->user_id, &id, sizeof(id)) != 0)
	{
		fb_connect();

		/*
		 * On Citus the policy is checked inside the query on each shard,
		 * and the memberships it reads are distributed too: allow that one
		 * nested query.
		 */
		nestlevel = fb_set_for_now("citus.allow_nested_distributed_execution", "on");
		if (fb_exec(query, (Datum[]) {UUIDPGetDatum(&id)}, NULL, 1) > 0)
			array = fb_get(0, "ids", &isnull);
		fb_reset_for_now(nestlevel);
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		if (cache == NULL)
			cache = palloc(sizeof(PolicyCache));
		else
			pfree(DatumGetPointer(cache->array));
		cache->user_id = id;
		cache->array = isnull ? PointerGetDatum(construct_empty_array(UUIDOID)) :
			datumCopy(array, false, -1);
		MemoryContextSwitchTo(old);
		SPI_finish();
		fcinfo->flinfo->fn_extra = cache;
	}
	return datumCopy(cache->array, false, -1);
}

PG_FUNCTION_INFO_V1(feedback_visible_tenants);
/*
 * feedback.visible_tenants(): the tenants the acting user is a member of
 * (an empty array without one): what the row-level security policies let
 * a role with table privileges see.
 */
Datum
feedback_visible_tenants(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(PolicyArray(fcinfo, &tenants_of_user_query));
}

PG_FUNCTION_INFO_V1(feedback_visible_users);
/*
 * feedback.visible_users(): the users who share a tenant with the acting
 * user, for the policy of feedback.users.
 */
Datum
feedback_visible_users(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(PolicyArray(fcinfo, &users_of_user_query));
}
