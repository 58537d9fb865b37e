/* sql/feedback--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION feedback UPDATE TO '1.1'" to load this file. \quit

------------------------------------------------------------------------------
-- 1.1: the triggers decide from the rows and the statement alone, and every
-- change records who really acted (see feedback--1.1.sql and src/triggers.c)
------------------------------------------------------------------------------

-- Who reviewed, and who impersonated them; the statement's actor and note,
-- consumed by the BEFORE UPDATE trigger.
ALTER TABLE feedback.feedback
    ADD COLUMN review_impersonated_by uuid,
    ADD COLUMN change_by uuid,
    ADD COLUMN change_impersonated_by uuid,
    ADD COLUMN change_note text,
    ADD CONSTRAINT feedback_change_consumed
        CHECK (change_by IS NULL AND change_impersonated_by IS NULL AND change_note IS NULL);

ALTER TABLE feedback.status_history ADD COLUMN impersonated_by uuid;
COMMENT ON TABLE feedback.status_history IS 'Every review status change of a feedback: who (and who impersonated them), when, an optional note';

ALTER TABLE feedback.settings ADD COLUMN impersonated_by uuid;

ALTER TABLE feedback.golden_example
    ADD COLUMN approved_by uuid,
    ADD COLUMN impersonated_by uuid;
COMMENT ON TABLE feedback.golden_example IS
    'Prompt and approved answer pairs for model improvement; one made from a feedback has that feedback''s id';

-- An example made from a feedback takes the feedback's id, so the trigger
-- that rebuilds it on restore gives it back its id; its approver is the
-- feedback's reviewer while the feedback stays reviewed.
UPDATE feedback.golden_example g
   SET id = g.feedback_id
 WHERE g.feedback_id IS NOT NULL AND g.id <> g.feedback_id;
UPDATE feedback.golden_example g
   SET approved_by = f.reviewed_by
  FROM feedback.feedback f
 WHERE f.tenant_id = g.tenant_id AND f.id = g.feedback_id
   AND g.approval_type = 'manual' AND f.status = 'reviewed';

SELECT pg_catalog.pg_extension_config_dump('feedback.golden_example',
    'WHERE NOT EXISTS (SELECT FROM feedback.feedback f'
    ' WHERE f.tenant_id = golden_example.tenant_id AND f.id = golden_example.feedback_id'
    ' AND f.rating IS NOT NULL AND f.message_id IS NOT NULL'
    ' AND f.status IN (''auto_approved'', ''reviewed''))');

-- Every idempotency key stays bound to its feedback: the keys stored so far
-- are the first ones (see src/keys.c).
CREATE TABLE feedback.client_keys (
    tenant_id          uuid NOT NULL,
    user_id            uuid NOT NULL,
    client_feedback_id uuid NOT NULL,
    feedback_id        uuid NOT NULL,
    added_at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id, client_feedback_id),
    FOREIGN KEY (tenant_id, feedback_id) REFERENCES feedback.feedback (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX client_keys_feedback_idx ON feedback.client_keys (tenant_id, feedback_id);
COMMENT ON TABLE feedback.client_keys IS
    'Every client_feedback_id used on a feedback, kept by the feedback trigger: a key stays bound to its feedback';
INSERT INTO feedback.client_keys (tenant_id, user_id, client_feedback_id, feedback_id, added_at)
SELECT f.tenant_id, f.user_id, f.client_feedback_id, f.id, f.updated_at
  FROM feedback.feedback f WHERE f.client_feedback_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('feedback.client_keys',
    'WHERE NOT EXISTS (SELECT FROM feedback.feedback f'
    ' WHERE f.tenant_id = client_keys.tenant_id AND f.id = client_keys.feedback_id'
    ' AND f.client_feedback_id = client_keys.client_feedback_id)');
ALTER TABLE feedback.client_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.client_keys
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));

-- The BEFORE UPDATE trigger now runs for every update: it recognises a
-- resubmission from OLD and NEW and consumes the statement's actor and note.
DROP TRIGGER feedback_before_update ON feedback.feedback;
CREATE TRIGGER feedback_before_update
    BEFORE UPDATE ON feedback.feedback
    FOR EACH ROW EXECUTE FUNCTION feedback.feedback_before_update();
COMMENT ON FUNCTION feedback.feedback_before_update() IS
    'Trigger: decide the status (transition table, resubmission), record who reviewed, write the history';
COMMENT ON FUNCTION feedback.feedback_after_change() IS
    'Trigger: keep the review queue and golden examples, NOTIFY feedback_events';

-- whoami's comment states the precedence the code has always had: the JWT's
-- sub claim first.
COMMENT ON FUNCTION feedback.whoami(uuid) IS
$$Show the user a call acts as in a tenant

Resolves the acting user (the JWT's sub claim when PostgREST sent claims,
else feedback.user_id) and any impersonation, and returns {tenant_id, user:
{id, email}, role, impersonated_by}. 42501 when there is no acting user or
it is not a member.$$;

-- The type's comment is ASCII: an extension script is read in the
-- database's encoding, and the emoji has no equivalent in some (EUC_JP).
COMMENT ON TYPE feedback.rating IS
    'A judgement of an answer: positive or negative (accepts thumbs_up, like, +1, true, the thumbs-up emoji U+1F44D and their opposites)';

-- Identity: grant_api takes jwt_only (calls running as the role accept only
-- a verified token).
DROP FUNCTION feedback.grant_api(regrole);
CREATE FUNCTION feedback.grant_api(role regrole, jwt_only boolean DEFAULT false) RETURNS void
    AS 'MODULE_PATHNAME', 'feedback_grant_api'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION feedback.grant_api(regrole, boolean) IS
$$Let a role call the feedback and review API

Grants USAGE on schema feedback and EXECUTE on the API functions; no table
privileges (the functions reach the data). With jwt_only, calls running as
the role accept only a verified token (request.jwt.claims) as the acting
user: the role joins the NOLOGIN role feedback_jwt_only.$$;
REVOKE ALL ON FUNCTION feedback.grant_api(regrole, boolean) FROM PUBLIC;

-- The row-level security helpers are not PUBLIC any more.
REVOKE EXECUTE ON FUNCTION feedback.acting_user_id(), feedback.visible_tenants(),
    feedback.visible_users() FROM PUBLIC;
COMMENT ON FUNCTION feedback.acting_user_id() IS
$$Get the acting user's id

From the sub claim of a verified token (request.jwt.claims), else
feedback.user_id; NULL when there is none. Used by the row-level security
policies; a reporting role needs EXECUTE on it.$$;

------------------------------------------------------------------------------
-- Data lifecycle (feedback.grant_ingest): each returns {"deleted": {table: rows}}
------------------------------------------------------------------------------

CREATE FUNCTION feedback.remove_member(tenant_id uuid, user_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_remove_member'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.remove_member(uuid, uuid) IS
$$Take a user out of a tenant

Their feedback stays. PT404 when the user is not a member. Returns
{"deleted": {"memberships": 1}}.$$;

CREATE FUNCTION feedback.delete_conversation(tenant_id uuid, id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_delete_conversation'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.delete_conversation(uuid, uuid) IS
$$Delete a conversation the chat application deleted

With its messages, their feedback (with its keys and history) and golden
examples. PT404 when it does not exist. Returns {"deleted": {table: rows}}.$$;

CREATE FUNCTION feedback.delete_message(tenant_id uuid, id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_delete_message'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.delete_message(uuid, uuid) IS
$$Delete one message

With its feedback (with its keys and history) and golden examples; messages
that replied to it reply to nothing. PT404 when it does not exist. Returns
{"deleted": {table: rows}}.$$;

CREATE FUNCTION feedback.erase_user(user_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_erase_user'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.erase_user(uuid) IS
$$Erase a user, in every tenant (the right to erasure)

Deletes their feedback (with its keys, history and golden examples), their
memberships and the user; every other reference to them (reviews, approvals,
impersonations, history entries, settings changes) keeps the change and
becomes NULL. PT404 for an unknown user. Returns {"deleted": {table: rows}}.$$;

-- Privileges of PUBLIC: only the granted roles may call the new functions.
REVOKE ALL ON FUNCTION feedback.remove_member(uuid, uuid), feedback.delete_conversation(uuid, uuid),
    feedback.delete_message(uuid, uuid), feedback.erase_user(uuid) FROM PUBLIC;
COMMENT ON FUNCTION feedback.grant_ingest(regrole) IS
$$Let a role call the ingest API

Grants USAGE on schema feedback and EXECUTE on put_user, put_member,
put_conversation, put_message, set_suggestion, claim_suggestions,
remove_member, delete_conversation, delete_message and erase_user.$$;

-- The deletions find the examples of an answer.
CREATE INDEX golden_example_message_idx ON feedback.golden_example (tenant_id, message_id);

-- Cursor paging: grouped_by_conversation and golden_examples take a cursor.
-- The functions are made again, so the roles that called them need
-- grant_api again (see Upgrading in docs/operations.md).
DROP FUNCTION feedback.grouped_by_conversation(uuid, text, text, boolean, integer, integer);
CREATE FUNCTION feedback.grouped_by_conversation(tenant_id uuid, status text DEFAULT NULL,
        search text DEFAULT NULL, include_archived boolean DEFAULT false,
        "limit" integer DEFAULT 100, "offset" integer DEFAULT 0, cursor text DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_grouped_by_conversation'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.grouped_by_conversation(uuid, text, text, boolean, integer, integer, text) IS
$$Get the review queue: feedback grouped by conversation

Reviewer. {count, next, previous, results}: groups (a conversation, or one
ungrouped feedback) newest first. status: to_review, reviewed or mixed;
search: case-insensitive text of the comment or the giver's email. next and
previous are links ?tenant_id=...&cursor=...; a cursor overrides the other
paging arguments and filters.$$;

DROP FUNCTION feedback.golden_examples(uuid, boolean, integer, integer);
CREATE FUNCTION feedback.golden_examples(tenant_id uuid, active_only boolean DEFAULT true,
        "limit" integer DEFAULT 100, "offset" integer DEFAULT 0, cursor text DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_golden_examples'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.golden_examples(uuid, boolean, integer, integer, text) IS
$$List a tenant's golden examples

Reviewer. Newest first, paged: {count, next, previous, results}; next and
previous are links ?tenant_id=...&cursor=...; a cursor overrides the other
arguments.$$;

REVOKE ALL ON FUNCTION feedback.grouped_by_conversation(uuid, text, text, boolean, integer, integer, text),
    feedback.golden_examples(uuid, boolean, integer, integer, text) FROM PUBLIC;

-- update takes every content key of patch.
COMMENT ON FUNCTION feedback.update(uuid, uuid, jsonb) IS
$$Update a feedback as a reviewer

changes keys: status, and the content keys of patch (rating, is_positive,
reaction, comment, feedback, reasons); absent keys are kept. Returns the
feedback object.$$;

-- The enrichment queue: every feedback without a suggestion is open work.
ALTER TABLE feedback.feedback
    ADD COLUMN suggested_at timestamptz,
    ADD COLUMN suggestion_leased_until timestamptz;
UPDATE feedback.feedback f SET suggested_at = f.updated_at
 WHERE f.suggested_action_type IS NOT NULL OR f.suggested_action_data OPERATOR(pg_catalog.<>) '{}'::jsonb;
-- the enrichment queue, in a tenant and in all: the open work no claim
-- leased, oldest first, and the leased open work by the end of its lease
-- (a claim reads only the expired leases, never the running ones)
CREATE INDEX feedback_open_work_idx ON feedback.feedback (tenant_id, created_at, id)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NULL;
CREATE INDEX feedback_open_work_all_idx ON feedback.feedback (created_at, id)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NULL;
CREATE INDEX feedback_leased_work_idx ON feedback.feedback (tenant_id, suggestion_leased_until)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NOT NULL;
CREATE INDEX feedback_leased_work_all_idx ON feedback.feedback (suggestion_leased_until)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NOT NULL;

COMMENT ON FUNCTION feedback.set_suggestion(uuid, uuid, text, jsonb) IS
$$Set the suggested action of a feedback

Written by an enrichment worker; suggested_action_data is a JSON object.
Completes the feedback's enrichment work; PT409 when a change of its content
cancelled the worker's claim. Returns the feedback object.$$;

------------------------------------------------------------------------------
-- Work for workers, and change streams (see src/work_api.c)
------------------------------------------------------------------------------

CREATE FUNCTION feedback.claim_suggestions("limit" integer DEFAULT 10, lease interval DEFAULT '5 minutes',
        tenant_id uuid DEFAULT NULL)
    RETURNS SETOF jsonb
    AS 'MODULE_PATHNAME', 'feedback_claim_suggestions'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.claim_suggestions(integer, interval, uuid) IS
$$Claim feedback that needs a suggested action, for an enrichment worker

Up to limit (1..1000) feedback objects whose enrichment is open (no
set_suggestion since their content last changed), oldest first, in one
tenant or in all; each is leased for lease (1 second to 1 day), so that no
other worker gets it until the lease expires. set_suggestion completes it.$$;

CREATE FUNCTION feedback.create_publication(name text DEFAULT 'feedback_changes') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_create_publication'
    LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.create_publication(text) IS
$$Publish the tables of record for logical decoding

Superuser. CREATE PUBLICATION name for users, memberships, conversations,
messages, feedback, client_keys, status_history, settings and golden_example;
a subscriber, pg_recvlogical or Debezium then receives every change in commit
order. Returns {publication, tables}.$$;

REVOKE ALL ON FUNCTION feedback.claim_suggestions(integer, interval, uuid),
    feedback.create_publication(text) FROM PUBLIC;

------------------------------------------------------------------------------
-- Analytics (see src/stats.c and src/stats_api.c)
------------------------------------------------------------------------------

-- The analytics counters, kept by triggers (see src/stats.c): per bucket of
-- time (hour, day, month, UTC) and group, the feedback created in it as it
-- is now, and how many of the negative ones give each reason; in slots that
-- spread concurrent writers over rows (a count is the sum over the slots).
CREATE TABLE feedback.stats_counts (
    tenant_id      uuid NOT NULL,
    grain          text NOT NULL CHECK (grain IN ('hour', 'day', 'month')),
    bucket_start   timestamptz NOT NULL,
    agent_name     text,          -- the conversation's, NULL for none
    kind           text NOT NULL,
    source_surface text NOT NULL,
    slot           smallint NOT NULL,
    feedback       bigint NOT NULL,
    positive       bigint NOT NULL,
    negative       bigint NOT NULL,
    comment_only   bigint NOT NULL,
    to_review      bigint NOT NULL,
    auto_approved  bigint NOT NULL,
    reviewed       bigint NOT NULL,
    dismissed      bigint NOT NULL,
    reasons        jsonb NOT NULL DEFAULT '{}'   -- {"reason": negative feedback giving it}
);
-- the row a change adds to, and stats(): a range of buckets of one grain
CREATE UNIQUE INDEX stats_counts_key ON feedback.stats_counts
    (tenant_id, grain, bucket_start, agent_name, kind, source_surface, slot) NULLS NOT DISTINCT;
COMMENT ON TABLE feedback.stats_counts IS
    'Feedback per bucket of time and group, by rating, status and reason, kept by triggers; summed over slots';
-- No primary key (agent_name may be NULL): a publication of every table
-- (FOR ALL TABLES, as Debezium makes by default) publishes this table too,
-- and its updates need a replica identity, so the whole row is it.  It
-- costs WAL only where wal_level is logical.
ALTER TABLE feedback.stats_counts REPLICA IDENTITY FULL;

CREATE FUNCTION feedback.stats(tenant_id uuid, "from" timestamptz, "to" timestamptz,
        bucket text DEFAULT 'day', group_by text DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_stats'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.stats(uuid, timestamptz, timestamptz, text, text) IS
$$Count a tenant's feedback by bucket of time: what product teams chart

Reviewer. {buckets: [{start, group, feedback, positive, negative,
comment_only, to_review, auto_approved, reviewed, dismissed, positive_rate}],
top_negative_reasons: [{reason, count}]} for the feedback created in
[from, to), both rounded down to their bucket (hour, day, week or month,
UTC; weeks start on Monday), at most 1000 buckets, oldest first; group_by:
agent_name, kind or source_surface. Read from counters the triggers keep.$$;

CREATE FUNCTION feedback.verify_stats(tenant_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_verify_stats'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.verify_stats(uuid) IS
$$Check a tenant's analytics counters against a recomputation

Reviewer. Every bucket (grain, start and group) whose counters, reasons
included, differ from a count of the tenant's feedback, with both; [] when
exact.$$;

CREATE FUNCTION feedback.rebuild_stats(tenant_id uuid) RETURNS bigint
    AS 'MODULE_PATHNAME', 'feedback_rebuild_stats'
    LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.rebuild_stats(uuid) IS
$$Rebuild a tenant's analytics counters from its feedback

For DBAs, after a bulk load with the triggers disabled; run it while the
tenant has no other writers. Returns the number of rows of counts.$$;

CREATE FUNCTION feedback.stats_add_reasons(counts jsonb, delta jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_stats_add_reasons'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION feedback.stats_add_reasons(jsonb, jsonb) IS
    'Support of the analytics counters: two maps of reason counts added key by key, zeros left out';

CREATE FUNCTION feedback.feedback_stats_after_change() RETURNS trigger
    AS 'MODULE_PATHNAME', 'feedback_stats_after_change'
    LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.feedback_stats_after_change() IS
    'Trigger: keep the analytics counters in step with a change of a feedback';

CREATE TRIGGER feedback_stats_after_change
    AFTER INSERT OR UPDATE OR DELETE ON feedback.feedback
    FOR EACH ROW EXECUTE FUNCTION feedback.feedback_stats_after_change();

-- The conversation trigger also moves the counts of a new agent_name.
COMMENT ON FUNCTION feedback.conversation_after_update() IS
    'Trigger: move a conversation''s review queue group when it is archived or restored, and its analytics counts when its agent changes';
DROP TRIGGER conversation_after_update ON feedback.conversations;
CREATE TRIGGER conversation_after_update
    AFTER UPDATE ON feedback.conversations
    FOR EACH ROW WHEN (OLD.is_archived IS DISTINCT FROM NEW.is_archived
                       OR OLD.agent_name IS DISTINCT FROM NEW.agent_name)
    EXECUTE FUNCTION feedback.conversation_after_update();

REVOKE ALL ON FUNCTION feedback.stats(uuid, timestamptz, timestamptz, text, text),
    feedback.verify_stats(uuid), feedback.rebuild_stats(uuid), feedback.stats_add_reasons(jsonb, jsonb),
    feedback.feedback_stats_after_change() FROM PUBLIC;

-- The counters of the feedback already there.
SELECT feedback.rebuild_stats(t.tenant_id) FROM (SELECT DISTINCT f.tenant_id FROM feedback.feedback f) AS t;

------------------------------------------------------------------------------
-- 1.1: a resubmission or a review is a HOT update of the feedback: no index
-- of feedback.feedback holds a column they change (see feedback--1.1.sql)
------------------------------------------------------------------------------

ALTER TABLE feedback.feedback SET (fillfactor = 90);
DROP INDEX feedback.feedback_conversation_idx;
CREATE INDEX feedback_conversation_idx ON feedback.feedback (tenant_id, conversation_id);
DROP INDEX feedback.feedback_comment_trgm_idx;

CREATE TABLE feedback.feedback_comments (
    tenant_id   uuid NOT NULL,
    feedback_id uuid NOT NULL,
    comment     text NOT NULL,
    PRIMARY KEY (tenant_id, feedback_id)
);
CREATE INDEX feedback_comments_trgm_idx ON feedback.feedback_comments USING gin (tenant_id, comment gin_trgm_ops);
COMMENT ON TABLE feedback.feedback_comments IS
    'The comment of each feedback that has one, for the review queue''s search; kept by triggers';
ALTER TABLE feedback.feedback_comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.feedback_comments
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
INSERT INTO feedback.feedback_comments (tenant_id, feedback_id, comment)
SELECT f.tenant_id, f.id, f.comment FROM feedback.feedback f WHERE f.comment IS NOT NULL;

COMMENT ON FUNCTION feedback.verify_review_groups(uuid) IS
$$Check a tenant's review queue state against a recomputation

For DBAs and tests: returns every difference between the maintained groups,
bucket counts and search comments and their recomputation from the
feedback; [] when exact.$$;

------------------------------------------------------------------------------
-- 1.1: training data with each answer's conversation, and preference pairs
-- from reviewers' corrections (see src/golden_api.c)
------------------------------------------------------------------------------

DROP FUNCTION feedback.export_golden_examples(uuid);
CREATE FUNCTION feedback.export_golden_examples(tenant_id uuid, context_turns integer DEFAULT 0,
        system_prompt text DEFAULT NULL) RETURNS SETOF jsonb
    AS 'MODULE_PATHNAME', 'feedback_export_golden_examples'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.export_golden_examples(uuid, integer, text) IS
$$Export active golden examples for chat fine-tuning

Reviewer. One line per answer with an active example (its latest):
{"messages": [system?, ...context, {"role": "user", ...}, {"role":
"assistant", ...}]}; context_turns (0..50): the messages of the
conversation before the question; system_prompt: a first system message.
Ready for COPY (SELECT ...) TO STDOUT.$$;

CREATE FUNCTION feedback.export_preference_pairs(tenant_id uuid, format text DEFAULT 'openai',
        context_turns integer DEFAULT 0, system_prompt text DEFAULT NULL) RETURNS SETOF jsonb
    AS 'MODULE_PATHNAME', 'feedback_export_preference_pairs'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.export_preference_pairs(uuid, text, integer, text) IS
$$Export reviewers' corrections as preference pairs for DPO-style training

Reviewer. One line per answer with an active negative example (its latest
correction): the correction preferred over the answer. format openai:
{"input": {"messages": [...]}, "preferred_output": [...],
"non_preferred_output": [...]}; trl: {"prompt": [...], "chosen": [...],
"rejected": [...]}. context_turns and system_prompt as for
export_golden_examples.$$;
REVOKE ALL ON FUNCTION feedback.export_golden_examples(uuid, integer, text),
    feedback.export_preference_pairs(uuid, text, integer, text) FROM PUBLIC;
