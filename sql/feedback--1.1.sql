/* sql/feedback--1.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION feedback" to load this file. \quit

------------------------------------------------------------------------------
-- Types: feedback.rating and feedback.review_status (one byte each)
------------------------------------------------------------------------------

CREATE TYPE feedback.rating;

CREATE FUNCTION feedback.rating_in(cstring) RETURNS feedback.rating
    AS 'MODULE_PATHNAME', 'feedback_rating_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION feedback.rating_out(feedback.rating) RETURNS cstring
    AS 'MODULE_PATHNAME', 'feedback_rating_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION feedback.rating_recv(internal) RETURNS feedback.rating
    AS 'MODULE_PATHNAME', 'feedback_rating_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION feedback.rating_send(feedback.rating) RETURNS bytea
    AS 'MODULE_PATHNAME', 'feedback_rating_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE feedback.rating (
    INPUT = feedback.rating_in,
    OUTPUT = feedback.rating_out,
    RECEIVE = feedback.rating_recv,
    SEND = feedback.rating_send,
    INTERNALLENGTH = 1,
    PASSEDBYVALUE,
    ALIGNMENT = char,
    STORAGE = plain
);
-- (comments are ASCII: the script is read in the database's encoding)
COMMENT ON TYPE feedback.rating IS
    'A judgement of an answer: positive or negative (accepts thumbs_up, like, +1, true, the thumbs-up emoji U+1F44D and their opposites)';

CREATE TYPE feedback.review_status;

CREATE FUNCTION feedback.review_status_in(cstring) RETURNS feedback.review_status
    AS 'MODULE_PATHNAME', 'feedback_review_status_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION feedback.review_status_out(feedback.review_status) RETURNS cstring
    AS 'MODULE_PATHNAME', 'feedback_review_status_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION feedback.review_status_recv(internal) RETURNS feedback.review_status
    AS 'MODULE_PATHNAME', 'feedback_review_status_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION feedback.review_status_send(feedback.review_status) RETURNS bytea
    AS 'MODULE_PATHNAME', 'feedback_review_status_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE feedback.review_status (
    INPUT = feedback.review_status_in,
    OUTPUT = feedback.review_status_out,
    RECEIVE = feedback.review_status_recv,
    SEND = feedback.review_status_send,
    INTERNALLENGTH = 1,
    PASSEDBYVALUE,
    ALIGNMENT = char,
    STORAGE = plain
);
COMMENT ON TYPE feedback.review_status IS
    'Where a feedback is in review: to_review (also accepts pending), auto_approved, reviewed, dismissed';

-- Comparison support.  Both types are one byte whose value orders as the
-- type does (negative < positive; to_review < auto_approved < reviewed <
-- dismissed), so one set of C functions serves both.

CREATE FUNCTION feedback.rating_eq(feedback.rating, feedback.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_ne(feedback.rating, feedback.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_lt(feedback.rating, feedback.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_le(feedback.rating, feedback.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_gt(feedback.rating, feedback.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_ge(feedback.rating, feedback.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_cmp(feedback.rating, feedback.rating) RETURNS integer
    AS 'MODULE_PATHNAME', 'feedback_byte_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_hash(feedback.rating) RETURNS integer
    AS 'MODULE_PATHNAME', 'feedback_byte_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.rating_hash_extended(feedback.rating, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'feedback_byte_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION feedback.review_status_eq(feedback.review_status, feedback.review_status) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_ne(feedback.review_status, feedback.review_status) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_lt(feedback.review_status, feedback.review_status) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_le(feedback.review_status, feedback.review_status) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_gt(feedback.review_status, feedback.review_status) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_ge(feedback.review_status, feedback.review_status) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_byte_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_cmp(feedback.review_status, feedback.review_status) RETURNS integer
    AS 'MODULE_PATHNAME', 'feedback_byte_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_hash(feedback.review_status) RETURNS integer
    AS 'MODULE_PATHNAME', 'feedback_byte_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.review_status_hash_extended(feedback.review_status, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'feedback_byte_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

-- The operators live in pg_catalog, like those of the built-in types, so
-- that "WHERE rating = 'positive'" resolves whatever the caller's
-- search_path is.  They belong to the extension and go with it.

CREATE OPERATOR pg_catalog.= (
    LEFTARG = feedback.rating, RIGHTARG = feedback.rating, FUNCTION = feedback.rating_eq,
    COMMUTATOR = OPERATOR(pg_catalog.=), NEGATOR = OPERATOR(pg_catalog.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR pg_catalog.<> (
    LEFTARG = feedback.rating, RIGHTARG = feedback.rating, FUNCTION = feedback.rating_ne,
    COMMUTATOR = OPERATOR(pg_catalog.<>), NEGATOR = OPERATOR(pg_catalog.=),
    RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR pg_catalog.< (
    LEFTARG = feedback.rating, RIGHTARG = feedback.rating, FUNCTION = feedback.rating_lt,
    COMMUTATOR = OPERATOR(pg_catalog.>), NEGATOR = OPERATOR(pg_catalog.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR pg_catalog.<= (
    LEFTARG = feedback.rating, RIGHTARG = feedback.rating, FUNCTION = feedback.rating_le,
    COMMUTATOR = OPERATOR(pg_catalog.>=), NEGATOR = OPERATOR(pg_catalog.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR pg_catalog.> (
    LEFTARG = feedback.rating, RIGHTARG = feedback.rating, FUNCTION = feedback.rating_gt,
    COMMUTATOR = OPERATOR(pg_catalog.<), NEGATOR = OPERATOR(pg_catalog.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR pg_catalog.>= (
    LEFTARG = feedback.rating, RIGHTARG = feedback.rating, FUNCTION = feedback.rating_ge,
    COMMUTATOR = OPERATOR(pg_catalog.<=), NEGATOR = OPERATOR(pg_catalog.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR pg_catalog.= (
    LEFTARG = feedback.review_status, RIGHTARG = feedback.review_status, FUNCTION = feedback.review_status_eq,
    COMMUTATOR = OPERATOR(pg_catalog.=), NEGATOR = OPERATOR(pg_catalog.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR pg_catalog.<> (
    LEFTARG = feedback.review_status, RIGHTARG = feedback.review_status, FUNCTION = feedback.review_status_ne,
    COMMUTATOR = OPERATOR(pg_catalog.<>), NEGATOR = OPERATOR(pg_catalog.=),
    RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR pg_catalog.< (
    LEFTARG = feedback.review_status, RIGHTARG = feedback.review_status, FUNCTION = feedback.review_status_lt,
    COMMUTATOR = OPERATOR(pg_catalog.>), NEGATOR = OPERATOR(pg_catalog.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR pg_catalog.<= (
    LEFTARG = feedback.review_status, RIGHTARG = feedback.review_status, FUNCTION = feedback.review_status_le,
    COMMUTATOR = OPERATOR(pg_catalog.>=), NEGATOR = OPERATOR(pg_catalog.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR pg_catalog.> (
    LEFTARG = feedback.review_status, RIGHTARG = feedback.review_status, FUNCTION = feedback.review_status_gt,
    COMMUTATOR = OPERATOR(pg_catalog.<), NEGATOR = OPERATOR(pg_catalog.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR pg_catalog.>= (
    LEFTARG = feedback.review_status, RIGHTARG = feedback.review_status, FUNCTION = feedback.review_status_ge,
    COMMUTATOR = OPERATOR(pg_catalog.<=), NEGATOR = OPERATOR(pg_catalog.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS feedback.rating_ops DEFAULT FOR TYPE feedback.rating USING btree AS
    OPERATOR 1 pg_catalog.< ,
    OPERATOR 2 pg_catalog.<= ,
    OPERATOR 3 pg_catalog.= ,
    OPERATOR 4 pg_catalog.>= ,
    OPERATOR 5 pg_catalog.> ,
    FUNCTION 1 feedback.rating_cmp(feedback.rating, feedback.rating);
CREATE OPERATOR CLASS feedback.rating_hash_ops DEFAULT FOR TYPE feedback.rating USING hash AS
    OPERATOR 1 pg_catalog.= ,
    FUNCTION 1 feedback.rating_hash(feedback.rating),
    FUNCTION 2 feedback.rating_hash_extended(feedback.rating, bigint);

CREATE OPERATOR CLASS feedback.review_status_ops DEFAULT FOR TYPE feedback.review_status USING btree AS
    OPERATOR 1 pg_catalog.< ,
    OPERATOR 2 pg_catalog.<= ,
    OPERATOR 3 pg_catalog.= ,
    OPERATOR 4 pg_catalog.>= ,
    OPERATOR 5 pg_catalog.> ,
    FUNCTION 1 feedback.review_status_cmp(feedback.review_status, feedback.review_status);
CREATE OPERATOR CLASS feedback.review_status_hash_ops DEFAULT FOR TYPE feedback.review_status USING hash AS
    OPERATOR 1 pg_catalog.= ,
    FUNCTION 1 feedback.review_status_hash(feedback.review_status),
    FUNCTION 2 feedback.review_status_hash_extended(feedback.review_status, bigint);

-- Casts: rating <-> boolean (true = positive); both types <-> text through
-- their I/O functions, as for every type.

CREATE FUNCTION feedback.rating_to_bool(feedback.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'feedback_rating_to_bool' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION feedback.bool_to_rating(boolean) RETURNS feedback.rating
    AS 'MODULE_PATHNAME', 'feedback_bool_to_rating' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE CAST (feedback.rating AS boolean) WITH FUNCTION feedback.rating_to_bool(feedback.rating) AS ASSIGNMENT;
CREATE CAST (boolean AS feedback.rating) WITH FUNCTION feedback.bool_to_rating(boolean) AS ASSIGNMENT;
CREATE CAST (feedback.rating AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS feedback.rating) WITH INOUT AS ASSIGNMENT;
CREATE CAST (feedback.review_status AS text) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS feedback.review_status) WITH INOUT AS ASSIGNMENT;

------------------------------------------------------------------------------
-- Aggregate: feedback.status_summary(review_status) -> to_review | reviewed | mixed
------------------------------------------------------------------------------

CREATE FUNCTION feedback.status_summary_accum(integer, feedback.review_status) RETURNS integer
    AS 'MODULE_PATHNAME', 'feedback_status_summary_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION feedback.status_summary_final(integer) RETURNS text
    AS 'MODULE_PATHNAME', 'feedback_status_summary_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE feedback.status_summary(feedback.review_status) (
    SFUNC = feedback.status_summary_accum,
    STYPE = integer,
    INITCOND = '0',
    FINALFUNC = feedback.status_summary_final,
    COMBINEFUNC = pg_catalog.int4or,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE feedback.status_summary(feedback.review_status) IS
    'to_review when every status is to_review, reviewed when none is, mixed otherwise; NULL over no rows';

------------------------------------------------------------------------------
-- Tables.  Every table but users is keyed by tenant_id first, so that it can
-- be distributed by tenant on Citus (users becomes a reference table).
------------------------------------------------------------------------------

CREATE TABLE feedback.users (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    can_impersonate boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON feedback.users (pg_catalog.lower(email));
CREATE INDEX users_email_trgm_idx ON feedback.users USING gin (email gin_trgm_ops);
COMMENT ON TABLE feedback.users IS 'People who give or review feedback; email is unique case-insensitively';

CREATE TABLE feedback.memberships (
    tenant_id  uuid NOT NULL,
    user_id    uuid NOT NULL,
    role       text NOT NULL CHECK (role IN ('member', 'reviewer', 'admin')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES feedback.users (id)
);
CREATE INDEX memberships_user_id_idx ON feedback.memberships (user_id);
COMMENT ON TABLE feedback.memberships IS 'Who belongs to which tenant, with which role; a tenant exists once it has a member';

CREATE TABLE feedback.conversations (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    title       text,
    agent_name  text,
    is_archived boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
COMMENT ON TABLE feedback.conversations IS 'Chat threads of a tenant';

CREATE TABLE feedback.messages (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL,
    conversation_id uuid NOT NULL,
    role            text NOT NULL CHECK (role IN ('user', 'assistant')),
    content         text NOT NULL,
    reply_to        uuid,
    turn_id         uuid,
    is_complete     boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES feedback.conversations (tenant_id, id)
);
CREATE INDEX messages_conversation_idx
    ON feedback.messages (tenant_id, conversation_id, created_at, id);
COMMENT ON TABLE feedback.messages IS 'Messages of conversations; an answer is a message with role assistant';

CREATE TABLE feedback.feedback (
    tenant_id             uuid NOT NULL,
    id                    uuid NOT NULL,
    conversation_id       uuid,
    message_id            uuid,
    turn_id               uuid,
    user_id               uuid NOT NULL,
    impersonated_by       uuid,
    rating                feedback.rating,
    comment               text CHECK (pg_catalog.char_length(comment) <= 2000),
    reasons               text[] NOT NULL DEFAULT '{}',
    kind                  text NOT NULL DEFAULT 'message_reaction',
    source_surface        text NOT NULL DEFAULT 'chat_message',
    client_feedback_id    uuid,
    status                feedback.review_status NOT NULL DEFAULT 'to_review',
    reviewed_by           uuid,
    reviewed_at           timestamptz,
    corrected_response    text,
    context               jsonb,
    suggested_action_type text,
    suggested_action_data jsonb NOT NULL DEFAULT '{}',
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    -- the impersonator of whoever set reviewed_by
    review_impersonated_by uuid,
    -- Who makes this change, who impersonates them, and the note for the
    -- status history: set by the statement that changes the row, read and
    -- reset by the BEFORE UPDATE trigger, so a stored row never holds them
    -- (see src/triggers.c).  A statement that leaves them NULL acts as the
    -- acting user of its session.
    change_by              uuid,
    change_impersonated_by uuid,
    change_note            text,
    -- The enrichment queue (see src/work_api.c): suggested_at is when
    -- set_suggestion completed the feedback's work, NULL while it is open
    -- (a change of its content opens it again); suggestion_leased_until is
    -- the running or expired lease of a claim, -infinity when a change of
    -- content cancelled the claim, NULL when there is none.
    suggested_at            timestamptz,
    suggestion_leased_until timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT feedback_change_consumed
        CHECK (change_by IS NULL AND change_impersonated_by IS NULL AND change_note IS NULL),
    -- one feedback per (tenant, answer, user, kind); ungrouped feedback has no answer
    CONSTRAINT feedback_answer_key UNIQUE (tenant_id, message_id, user_id, kind),
    -- the idempotency key of a user's submits
    CONSTRAINT feedback_client_key UNIQUE (tenant_id, user_id, client_feedback_id),
    CONSTRAINT feedback_has_content CHECK (rating IS NOT NULL OR comment IS NOT NULL),
    FOREIGN KEY (tenant_id, message_id) REFERENCES feedback.messages (tenant_id, id)
) WITH (fillfactor = 90);
-- An update that changes no indexed column, and finds room on its page
-- (fillfactor), is HOT: it writes no index entry.  A resubmission changes
-- rating, comment, reasons and updated_at, a review the status and
-- reviewer: none of them is indexed here (the comment's search index is in
-- feedback.feedback_comments).  Each index names the queries that need it:
-- the primary key, every call by feedback id; feedback_answer_key, submit's
-- upsert and for_message; feedback_client_key, the ungrouped upsert and a
-- client key's lookup; feedback_conversation_idx, a conversation's feedback
-- (thread_reactions, a queue page's items, a group's latest time, an
-- agent's counts moving); the open_work and leased_work indexes,
-- claim_suggestions in a tenant and in all tenants: the open work no claim
-- leased, oldest first, and the leased open work by the end of its lease,
-- so that a claim reads the expired leases and never the running ones.
CREATE INDEX feedback_conversation_idx ON feedback.feedback (tenant_id, conversation_id);
CREATE INDEX feedback_open_work_idx ON feedback.feedback (tenant_id, created_at, id)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NULL;
CREATE INDEX feedback_open_work_all_idx ON feedback.feedback (created_at, id)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NULL;
CREATE INDEX feedback_leased_work_idx ON feedback.feedback (tenant_id, suggestion_leased_until)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NOT NULL;
CREATE INDEX feedback_leased_work_all_idx ON feedback.feedback (suggestion_leased_until)
    WHERE suggested_at IS NULL AND suggestion_leased_until IS NOT NULL;
COMMENT ON TABLE feedback.feedback IS 'One person''s judgement of one answer: rating and/or comment, reasons, review status';

-- Every idempotency key a user has stored on a feedback, the current one
-- (feedback.client_feedback_id) and every older one: all stay bound to it.
-- Kept by the feedback trigger (see src/keys.c).
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

CREATE TABLE feedback.status_history (
    tenant_id   uuid NOT NULL,
    id          bigserial,
    feedback_id uuid NOT NULL,
    from_status feedback.review_status,
    to_status   feedback.review_status NOT NULL,
    changed_by  uuid,
    changed_at  timestamptz NOT NULL,
    note        text,
    impersonated_by uuid,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX status_history_feedback_idx ON feedback.status_history (tenant_id, feedback_id, id);
COMMENT ON TABLE feedback.status_history IS 'Every review status change of a feedback: who (and who impersonated them), when, an optional note';

CREATE TABLE feedback.settings (
    tenant_id       uuid NOT NULL,
    rating          feedback.rating NOT NULL,
    auto_approve    boolean NOT NULL DEFAULT false,
    reason_required boolean NOT NULL DEFAULT false,
    updated_by      uuid,
    updated_at      timestamptz NOT NULL,
    impersonated_by uuid,
    PRIMARY KEY (tenant_id, rating)
);
COMMENT ON TABLE feedback.settings IS 'Per-tenant rules by rating: auto-approval and required reason (default: neither)';

CREATE TABLE feedback.golden_example (
    tenant_id         uuid NOT NULL,
    id                uuid NOT NULL,
    feedback_id       uuid,
    conversation_id   uuid,
    message_id        uuid,
    source_type       text NOT NULL CHECK (source_type IN ('positive', 'negative', 'manual')),
    approval_type     text NOT NULL CHECK (approval_type IN ('auto', 'manual')),
    prompt            text,
    original_response text,
    golden_response   text,
    is_active         boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    approved_by       uuid,     -- the reviewer who approved or added it; NULL for auto-approval
    impersonated_by   uuid,     -- who impersonated that reviewer
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT golden_example_feedback_key UNIQUE (tenant_id, feedback_id)
);
COMMENT ON TABLE feedback.golden_example IS
    'Prompt and approved answer pairs for model improvement; one made from a feedback has that feedback''s id';

-- The review queue's groups, kept by triggers (see src/queue.c): one row per
-- conversation with feedback, and one per ungrouped feedback.
CREATE TABLE feedback.review_groups (
    tenant_id         uuid NOT NULL,
    group_id          uuid NOT NULL,      -- the conversation, or the ungrouped feedback
    ungrouped         boolean NOT NULL,
    archived          boolean NOT NULL,
    feedback_count    integer NOT NULL,
    to_review_count   integer NOT NULL,
    reviewed_count    integer NOT NULL,
    positive_count    integer NOT NULL,
    negative_count    integer NOT NULL,
    latest_updated_at timestamptz NOT NULL,
    state             smallint NOT NULL GENERATED ALWAYS AS (
                          CASE WHEN reviewed_count = 0 THEN 0
                               WHEN to_review_count = 0 THEN 2 ELSE 1 END) STORED,
    PRIMARY KEY (tenant_id, group_id, ungrouped)
);
CREATE INDEX review_groups_page_idx
    ON feedback.review_groups (tenant_id, archived, state, latest_updated_at, group_id) INCLUDE (ungrouped);
COMMENT ON TABLE feedback.review_groups IS
    'Review queue groups with their counts, kept by triggers; state: 0 to_review, 1 mixed, 2 reviewed';

-- The number of groups per (archived, state) bucket, in slots that spread
-- concurrent writers over rows: a count is the sum over the slots.
CREATE TABLE feedback.review_group_counts (
    tenant_id uuid NOT NULL,
    archived  boolean NOT NULL,
    state     smallint NOT NULL,
    slot      smallint NOT NULL,
    groups    bigint NOT NULL,
    PRIMARY KEY (tenant_id, archived, state, slot)
);
COMMENT ON TABLE feedback.review_group_counts IS 'Groups per review queue bucket, summed over slots';

-- The queue's search over comments (see src/queue.c): the comment of every
-- feedback that has one, kept by the feedback trigger apart from the
-- feedback, so that only a change of the comment writes the trigram index.
CREATE TABLE feedback.feedback_comments (
    tenant_id   uuid NOT NULL,
    feedback_id uuid NOT NULL,
    comment     text NOT NULL,
    PRIMARY KEY (tenant_id, feedback_id)
);
-- grouped_by_conversation's search (pg_trgm; btree_gin for the tenant)
CREATE INDEX feedback_comments_trgm_idx ON feedback.feedback_comments USING gin (tenant_id, comment gin_trgm_ops);
COMMENT ON TABLE feedback.feedback_comments IS
    'The comment of each feedback that has one, for the review queue''s search; kept by triggers';

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

SELECT pg_catalog.pg_extension_config_dump('feedback.users', '');
SELECT pg_catalog.pg_extension_config_dump('feedback.memberships', '');
SELECT pg_catalog.pg_extension_config_dump('feedback.conversations', '');
SELECT pg_catalog.pg_extension_config_dump('feedback.messages', '');
SELECT pg_catalog.pg_extension_config_dump('feedback.feedback', '');
SELECT pg_catalog.pg_extension_config_dump('feedback.status_history', '');
SELECT pg_catalog.pg_extension_config_dump('feedback.status_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('feedback.settings', '');
-- The examples of approved feedback are rebuilt by the feedback trigger when
-- a restore inserts that feedback (with the same id, the feedback's): only
-- the others are dumped.  Keep the condition in step with ExampleWanted in
-- src/golden.c.
SELECT pg_catalog.pg_extension_config_dump('feedback.golden_example',
    'WHERE NOT EXISTS (SELECT FROM feedback.feedback f'
    ' WHERE f.tenant_id = golden_example.tenant_id AND f.id = golden_example.feedback_id'
    ' AND f.rating IS NOT NULL AND f.message_id IS NOT NULL'
    ' AND f.status IN (''auto_approved'', ''reviewed''))');
-- The current key of each feedback is bound again by the feedback trigger
-- when a restore inserts the feedback: only the older keys are dumped.
SELECT pg_catalog.pg_extension_config_dump('feedback.client_keys',
    'WHERE NOT EXISTS (SELECT FROM feedback.feedback f'
    ' WHERE f.tenant_id = client_keys.tenant_id AND f.id = client_keys.feedback_id'
    ' AND f.client_feedback_id = client_keys.client_feedback_id)');
-- review_groups, review_group_counts and feedback_comments are derived from
-- the feedback and not dumped: restoring the feedback rebuilds them through
-- the triggers.

------------------------------------------------------------------------------
-- Who is calling
------------------------------------------------------------------------------

CREATE FUNCTION feedback.whoami(tenant_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_whoami'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.whoami(uuid) IS
$$Show the user a call acts as in a tenant

Resolves the acting user (the JWT's sub claim when PostgREST sent claims,
else feedback.user_id) and any impersonation, and returns {tenant_id, user:
{id, email}, role, impersonated_by}. 42501 when there is no acting user or
it is not a member.$$;

------------------------------------------------------------------------------
-- Ingest API (feedback.grant_ingest): for the trusted backend of the chat app
------------------------------------------------------------------------------

CREATE FUNCTION feedback.put_user(id uuid, email text, can_impersonate boolean DEFAULT false)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_put_user'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.put_user(uuid, text, boolean) IS
$$Create or update a user

Idempotent upsert by id; the email is unique case-insensitively (PT409 when
another user has it). Returns {id, email, can_impersonate, created_at, updated_at}.$$;

CREATE FUNCTION feedback.put_member(tenant_id uuid, user_id uuid, role text DEFAULT 'member')
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_put_member'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.put_member(uuid, uuid, text) IS
$$Add a user to a tenant or change its role

Idempotent upsert by (tenant_id, user_id); role is member, reviewer or admin.
Returns {tenant_id, user_id, email, role, created_at, updated_at}.$$;

CREATE FUNCTION feedback.put_conversation(tenant_id uuid, id uuid, title text DEFAULT NULL,
        agent_name text DEFAULT NULL, is_archived boolean DEFAULT false,
        created_at timestamptz DEFAULT now())
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_put_conversation'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.put_conversation(uuid, uuid, text, text, boolean, timestamptz) IS
$$Create or update a conversation

Idempotent upsert by (tenant_id, id); created_at is kept from the first call.
Returns {tenant_id, id, title, agent_name, is_archived, created_at, updated_at}.$$;

CREATE FUNCTION feedback.put_message(tenant_id uuid, id uuid, conversation_id uuid, role text,
        content text, reply_to uuid DEFAULT NULL, turn_id uuid DEFAULT NULL,
        is_complete boolean DEFAULT true, created_at timestamptz DEFAULT now())
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_put_message'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.put_message(uuid, uuid, uuid, text, text, uuid, uuid, boolean, timestamptz) IS
$$Create or update a message of a conversation

Idempotent upsert by (tenant_id, id). role is user or assistant (an answer);
an answer still streaming has is_complete = false; reply_to is the user
message it answers. Returns the stored message.$$;

CREATE FUNCTION feedback.set_suggestion(tenant_id uuid, id uuid, suggested_action_type text,
        suggested_action_data jsonb DEFAULT '{}')
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_set_suggestion'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.set_suggestion(uuid, uuid, text, jsonb) IS
$$Set the suggested action of a feedback

Written by an enrichment worker; suggested_action_data is a JSON object.
Completes the feedback's enrichment work; PT409 when a change of its content
cancelled the worker's claim. Returns the feedback object.$$;

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

------------------------------------------------------------------------------
-- Privileges
------------------------------------------------------------------------------

CREATE FUNCTION feedback.grant_api(role regrole, jwt_only boolean DEFAULT false) RETURNS void
    AS 'MODULE_PATHNAME', 'feedback_grant_api'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION feedback.grant_api(regrole, boolean) IS
$$Let a role call the feedback and review API

Grants USAGE on schema feedback and EXECUTE on the API functions; no table
privileges (the functions reach the data). With jwt_only, calls running as
the role accept only a verified token (request.jwt.claims) as the acting
user: the role joins the NOLOGIN role feedback_jwt_only.$$;

CREATE FUNCTION feedback.grant_ingest(role regrole) RETURNS void
    AS 'MODULE_PATHNAME', 'feedback_grant_ingest'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION feedback.grant_ingest(regrole) IS
$$Let a role call the ingest API

Grants USAGE on schema feedback and EXECUTE on put_user, put_member,
put_conversation, put_message, set_suggestion, claim_suggestions,
remove_member, delete_conversation, delete_message and erase_user.$$;


COMMENT ON FUNCTION feedback.rating_in(cstring) IS 'Text input of feedback.rating';
COMMENT ON FUNCTION feedback.rating_out(feedback.rating) IS 'Text output of feedback.rating';
COMMENT ON FUNCTION feedback.rating_recv(internal) IS 'Binary input of feedback.rating';
COMMENT ON FUNCTION feedback.rating_send(feedback.rating) IS 'Binary output of feedback.rating';
COMMENT ON FUNCTION feedback.review_status_in(cstring) IS 'Text input of feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_out(feedback.review_status) IS 'Text output of feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_recv(internal) IS 'Binary input of feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_send(feedback.review_status) IS 'Binary output of feedback.review_status';
COMMENT ON FUNCTION feedback.rating_eq(feedback.rating, feedback.rating) IS 'Implementation of = for feedback.rating';
COMMENT ON FUNCTION feedback.rating_ne(feedback.rating, feedback.rating) IS 'Implementation of <> for feedback.rating';
COMMENT ON FUNCTION feedback.rating_lt(feedback.rating, feedback.rating) IS 'Implementation of < for feedback.rating';
COMMENT ON FUNCTION feedback.rating_le(feedback.rating, feedback.rating) IS 'Implementation of <= for feedback.rating';
COMMENT ON FUNCTION feedback.rating_gt(feedback.rating, feedback.rating) IS 'Implementation of > for feedback.rating';
COMMENT ON FUNCTION feedback.rating_ge(feedback.rating, feedback.rating) IS 'Implementation of >= for feedback.rating';
COMMENT ON FUNCTION feedback.rating_cmp(feedback.rating, feedback.rating) IS 'Btree comparison of feedback.rating';
COMMENT ON FUNCTION feedback.rating_hash(feedback.rating) IS 'Hash of feedback.rating';
COMMENT ON FUNCTION feedback.rating_hash_extended(feedback.rating, bigint) IS 'Seeded hash of feedback.rating';
COMMENT ON FUNCTION feedback.review_status_eq(feedback.review_status, feedback.review_status) IS 'Implementation of = for feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_ne(feedback.review_status, feedback.review_status) IS 'Implementation of <> for feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_lt(feedback.review_status, feedback.review_status) IS 'Implementation of < for feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_le(feedback.review_status, feedback.review_status) IS 'Implementation of <= for feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_gt(feedback.review_status, feedback.review_status) IS 'Implementation of > for feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_ge(feedback.review_status, feedback.review_status) IS 'Implementation of >= for feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_cmp(feedback.review_status, feedback.review_status) IS 'Btree comparison of feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_hash(feedback.review_status) IS 'Hash of feedback.review_status';
COMMENT ON FUNCTION feedback.review_status_hash_extended(feedback.review_status, bigint) IS 'Seeded hash of feedback.review_status';
COMMENT ON FUNCTION feedback.rating_to_bool(feedback.rating) IS 'Cast feedback.rating to boolean: positive is true';
COMMENT ON FUNCTION feedback.bool_to_rating(boolean) IS 'Cast boolean to feedback.rating: true is positive';
COMMENT ON FUNCTION feedback.status_summary_accum(integer, feedback.review_status) IS 'Transition function of feedback.status_summary';
COMMENT ON FUNCTION feedback.status_summary_final(integer) IS 'Final function of feedback.status_summary';

------------------------------------------------------------------------------
-- Feedback API (feedback.grant_api)
------------------------------------------------------------------------------

CREATE FUNCTION feedback.submit(tenant_id uuid, message_id uuid, rating feedback.rating DEFAULT NULL,
        comment text DEFAULT NULL, reasons text[] DEFAULT '{}', kind text DEFAULT 'message_reaction',
        source_surface text DEFAULT 'chat_message', client_feedback_id uuid DEFAULT NULL,
        turn_id uuid DEFAULT NULL, context jsonb DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_submit'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.submit(uuid, uuid, feedback.rating, text, text[], text, text, uuid, uuid, jsonb) IS
$$Give feedback on an answer

Creates or replaces the acting user's feedback on an answer (one per answer,
user and kind); message_id NULL gives ungrouped feedback. A rating or a
comment is required. client_feedback_id makes retries idempotent. Sets
response.status to 201 when created, 200 when replaced. Returns the feedback
object.$$;

CREATE FUNCTION feedback.put_conversation_feedback(tenant_id uuid, conversation_id uuid, body jsonb)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_put_conversation_feedback'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.put_conversation_feedback(uuid, uuid, jsonb) IS
$$Rate a conversation's latest answer

body is {"rating": "POSITIVE" | "NEGATIVE" | null, "comment": "..."}; it fully
replaces the acting user's feedback on the latest answer (the same feedback
as submit's), and withdraws it when neither is left. PT409 while the answer
is streaming. Returns {conversation_id, rating, comment, updated_at}.$$;

CREATE FUNCTION feedback.get(tenant_id uuid, id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_get'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.get(uuid, uuid) IS
$$Get one feedback

Returns the feedback object. Members see their own feedback only; anything
else is PT404, like a feedback that does not exist.$$;

CREATE FUNCTION feedback.for_message(tenant_id uuid, message_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_for_message'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.for_message(uuid, uuid) IS
$$Get the acting user's feedback on an answer

Returns the feedback object, or NULL when the user gave none. PT404 when the
answer does not exist.$$;

CREATE FUNCTION feedback.thread_reactions(tenant_id uuid, conversation_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_thread_reactions'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.thread_reactions(uuid, uuid) IS
$$List the acting user's feedback in a conversation

Returns an array of feedback objects, oldest first.$$;

CREATE FUNCTION feedback.patch(tenant_id uuid, id uuid, changes jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_patch'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.patch(uuid, uuid, jsonb) IS
$$Change some fields of one's own feedback

Keys present are set (null clears), absent keys are kept: rating,
is_positive, reaction, comment, feedback (alias of comment), reasons, kind.
Returns the feedback object.$$;

CREATE FUNCTION feedback.delete(tenant_id uuid, id uuid) RETURNS void
    AS 'MODULE_PATHNAME', 'feedback_delete'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.delete(uuid, uuid) IS
$$Delete a feedback

By its author or an admin of the tenant.$$;

------------------------------------------------------------------------------
-- Review API (feedback.grant_api; reviewer role)
------------------------------------------------------------------------------

CREATE FUNCTION feedback.set_status(tenant_id uuid, id uuid, status feedback.review_status,
        note text DEFAULT NULL, corrected_response text DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_set_status'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.set_status(uuid, uuid, feedback.review_status, text, text) IS
$$Change the review status of a feedback

Reviewer. Follows the transition table (PT409 naming both states otherwise);
setting the current status again is a no-op. note goes to the history; a
corrected_response (negative feedback only) becomes its golden answer.
Returns the feedback object.$$;

CREATE FUNCTION feedback.update(tenant_id uuid, id uuid, changes jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_update'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.update(uuid, uuid, jsonb) IS
$$Update a feedback as a reviewer

changes keys: status, and the content keys of patch (rating, is_positive,
reaction, comment, feedback, reasons); absent keys are kept. Returns the
feedback object.$$;

CREATE FUNCTION feedback.history(tenant_id uuid, id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_history'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.history(uuid, uuid) IS
$$List the status changes of a feedback

Oldest first, each {from, to, by: {id, email}, at, note}.$$;

CREATE FUNCTION feedback.configure(tenant_id uuid, rating feedback.rating, auto_approve boolean,
        reason_required boolean DEFAULT false)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_configure'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.configure(uuid, feedback.rating, boolean, boolean) IS
$$Set a tenant's rule for a rating

Admin. auto_approve: feedback of that rating is auto_approved at submit;
reason_required: it needs a comment. Returns the settings.$$;

CREATE FUNCTION feedback.settings(tenant_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_settings'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.settings(uuid) IS
$$Get a tenant's rules by rating

{tenant_id, positive: {auto_approve, reason_required}, negative: {...}};
both false by default.$$;

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

CREATE FUNCTION feedback.verify_review_groups(tenant_id uuid) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_verify_review_groups'
    LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.verify_review_groups(uuid) IS
$$Check a tenant's review queue state against a recomputation

For DBAs and tests: returns every difference between the maintained groups,
bucket counts and search comments and their recomputation from the
feedback; [] when exact.$$;

CREATE FUNCTION feedback.rebuild_review_groups(tenant_id uuid) RETURNS bigint
    AS 'MODULE_PATHNAME', 'feedback_rebuild_review_groups'
    LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.rebuild_review_groups(uuid) IS
$$Rebuild a tenant's review queue state from its feedback

For DBAs, after a bulk load with the triggers disabled; run it while the
tenant has no other writers. Returns the number of groups.$$;

CREATE FUNCTION feedback.conversation_after_update() RETURNS trigger
    AS 'MODULE_PATHNAME', 'feedback_conversation_after_update'
    LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.conversation_after_update() IS
    'Trigger: move a conversation''s review queue group when it is archived or restored, and its analytics counts when its agent changes';

CREATE TRIGGER conversation_after_update
    AFTER UPDATE ON feedback.conversations
    FOR EACH ROW WHEN (OLD.is_archived IS DISTINCT FROM NEW.is_archived
                       OR OLD.agent_name IS DISTINCT FROM NEW.agent_name)
    EXECUTE FUNCTION feedback.conversation_after_update();

------------------------------------------------------------------------------
-- Analytics (see src/stats.c and src/stats_api.c)
------------------------------------------------------------------------------

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

------------------------------------------------------------------------------
-- Golden examples
------------------------------------------------------------------------------

CREATE INDEX golden_example_created_idx ON feedback.golden_example (tenant_id, created_at, id);
CREATE INDEX golden_example_message_idx ON feedback.golden_example (tenant_id, message_id);

CREATE FUNCTION feedback.add_golden_example(tenant_id uuid, message_id uuid, golden_response text)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_add_golden_example'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.add_golden_example(uuid, uuid, text) IS
$$Add a manual golden example for an answer

Reviewer. Returns the golden example.$$;

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

------------------------------------------------------------------------------
-- Triggers of feedback.feedback: transitions, history, golden examples, events
------------------------------------------------------------------------------

CREATE FUNCTION feedback.feedback_before_update() RETURNS trigger
    AS 'MODULE_PATHNAME', 'feedback_before_update'
    LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.feedback_before_update() IS
    'Trigger: decide the status (transition table, resubmission), record who reviewed, write the history';

CREATE FUNCTION feedback.feedback_after_change() RETURNS trigger
    AS 'MODULE_PATHNAME', 'feedback_after_change'
    LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.feedback_after_change() IS
    'Trigger: keep the review queue and golden examples, NOTIFY feedback_events';

CREATE TRIGGER feedback_before_update
    BEFORE UPDATE ON feedback.feedback
    FOR EACH ROW EXECUTE FUNCTION feedback.feedback_before_update();

CREATE TRIGGER feedback_after_change
    AFTER INSERT OR UPDATE OR DELETE ON feedback.feedback
    FOR EACH ROW EXECUTE FUNCTION feedback.feedback_after_change();

------------------------------------------------------------------------------
-- Row-level security: a role granted SELECT (for reporting, say) sees only
-- the rows of the acting user's tenants.  The API functions run as the
-- extension's owner and are not affected; API roles have no table
-- privileges at all.
------------------------------------------------------------------------------

CREATE FUNCTION feedback.acting_user_id() RETURNS uuid
    AS 'MODULE_PATHNAME', 'feedback_acting_user_id'
    LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.acting_user_id() IS
$$Get the acting user's id

From the sub claim of a verified token (request.jwt.claims), else
feedback.user_id; NULL when there is none. Used by the row-level security
policies; a reporting role needs EXECUTE on it.$$;

CREATE FUNCTION feedback.visible_tenants() RETURNS uuid[]
    AS 'MODULE_PATHNAME', 'feedback_visible_tenants'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.visible_tenants() IS
$$List the tenants the acting user is a member of

Used by the row-level security policies; empty without an acting user.$$;

CREATE FUNCTION feedback.visible_users() RETURNS uuid[]
    AS 'MODULE_PATHNAME', 'feedback_visible_users'
    LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.visible_users() IS
$$List the users who share a tenant with the acting user

Used by the row-level security policy of feedback.users.$$;

-- The policies call functions rather than subqueries, which Citus does not
-- allow in the policies of distributed tables; each function computes its
-- array once per query.
ALTER TABLE feedback.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_of_visible_tenants ON feedback.users
    USING (id OPERATOR(pg_catalog.=) feedback.acting_user_id()
           OR id OPERATOR(pg_catalog.=) ANY (feedback.visible_users()));

ALTER TABLE feedback.memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.memberships
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.conversations ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.conversations
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.messages
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.feedback
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.client_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.client_keys
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.status_history
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.settings
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.golden_example ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.golden_example
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.review_groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.review_groups
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.review_group_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.review_group_counts
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));
ALTER TABLE feedback.feedback_comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_tenants ON feedback.feedback_comments
    USING (tenant_id OPERATOR(pg_catalog.=) ANY (feedback.visible_tenants()));

------------------------------------------------------------------------------
-- Scaling out on Citus
------------------------------------------------------------------------------

CREATE FUNCTION feedback.distribute(shard_count integer DEFAULT 32) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'feedback_distribute'
    LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION feedback.distribute(integer) IS
$$Distribute the extension's tables by tenant on Citus

users becomes a reference table, every other table is hash-distributed by
tenant_id and colocated. Idempotent. 0A000 without Citus; needs
citus.enable_unsafe_triggers = on.$$;

------------------------------------------------------------------------------
-- Privileges of PUBLIC (keep last: it covers every function above)
------------------------------------------------------------------------------

-- Only the granted roles may call the API.  The support functions of the
-- types and of the aggregate stay callable by everyone, as for any type.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA feedback FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    feedback.rating_in(cstring), feedback.rating_out(feedback.rating),
    feedback.rating_recv(internal), feedback.rating_send(feedback.rating),
    feedback.review_status_in(cstring), feedback.review_status_out(feedback.review_status),
    feedback.review_status_recv(internal), feedback.review_status_send(feedback.review_status),
    feedback.rating_eq(feedback.rating, feedback.rating),
    feedback.rating_ne(feedback.rating, feedback.rating),
    feedback.rating_lt(feedback.rating, feedback.rating),
    feedback.rating_le(feedback.rating, feedback.rating),
    feedback.rating_gt(feedback.rating, feedback.rating),
    feedback.rating_ge(feedback.rating, feedback.rating),
    feedback.rating_cmp(feedback.rating, feedback.rating),
    feedback.rating_hash(feedback.rating),
    feedback.rating_hash_extended(feedback.rating, bigint),
    feedback.review_status_eq(feedback.review_status, feedback.review_status),
    feedback.review_status_ne(feedback.review_status, feedback.review_status),
    feedback.review_status_lt(feedback.review_status, feedback.review_status),
    feedback.review_status_le(feedback.review_status, feedback.review_status),
    feedback.review_status_gt(feedback.review_status, feedback.review_status),
    feedback.review_status_ge(feedback.review_status, feedback.review_status),
    feedback.review_status_cmp(feedback.review_status, feedback.review_status),
    feedback.review_status_hash(feedback.review_status),
    feedback.review_status_hash_extended(feedback.review_status, bigint),
    feedback.rating_to_bool(feedback.rating), feedback.bool_to_rating(boolean),
    feedback.status_summary_accum(integer, feedback.review_status),
    feedback.status_summary_final(integer),
    feedback.status_summary(feedback.review_status)
TO PUBLIC;
-- The row-level security helpers are not PUBLIC: a reporting role granted
-- SELECT on the tables needs EXECUTE on them too (see docs/operations.md), and the
-- API roles never get it.
