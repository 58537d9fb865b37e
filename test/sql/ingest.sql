-- The ingest API: put_user, put_member, put_conversation, put_message,
-- set_suggestion.  Idempotent upserts returning the stored object.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

-- Timestamps differ from run to run: show them as a shape, compare them apart.
CREATE FUNCTION shape(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT j - '{created_at,updated_at}'::text[]
      || jsonb_build_object('created_at', j->>'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$',
                            'updated_at', j->>'updated_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
$$;

-- put_user: create, exact repeat (nothing changes, not even updated_at), change.
SELECT shape(feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'Ada@Example.com'));
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'Ada@Example.com') AS first \gset
SELECT pg_sleep(0.01);
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'Ada@Example.com') AS repeat \gset
SELECT :'first'::jsonb = :'repeat'::jsonb AS repeat_is_identical;
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'ada@example.com', true) AS changed \gset
SELECT :'changed'::jsonb->>'email' AS email, :'changed'::jsonb->'can_impersonate' AS can_impersonate,
       :'changed'::jsonb->>'created_at' = :'first'::jsonb->>'created_at' AS created_at_kept,
       :'changed'::jsonb->>'updated_at' > :'first'::jsonb->>'updated_at' AS updated_at_moved;
SELECT count(*) FROM feedback.users;

-- put_user: bad arguments.
SELECT feedback.put_user(NULL, 'x@example.com');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'x@example.com', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('not-a-uuid', 'x@example.com');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'no-at-sign');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', '@example.com');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'x@');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'x@@example.com');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'x y@example.com');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', E'x\n@example.com');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', repeat('x', 400) || '@example.com');
\echo :LAST_ERROR_SQLSTATE
-- the email is unique case-insensitively
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'ADA@EXAMPLE.COM');
\echo :LAST_ERROR_SQLSTATE
SELECT shape(feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'bob@example.com'));
SELECT count(*) FROM feedback.users;

-- put_member: create, repeat, role change, bad arguments.
SELECT shape(feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'admin'));
SELECT shape(feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a2'));
SELECT feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a2') AS first \gset
SELECT pg_sleep(0.01);
SELECT :'first'::jsonb = feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a2') AS repeat_is_identical;
SELECT shape(feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a2', 'reviewer'));
SELECT tenant_id, user_id, role FROM feedback.memberships ORDER BY user_id;
SELECT feedback.put_member(NULL, '00000000-0000-0000-0000-0000000000a1');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_member('10000000-0000-0000-0000-000000000001', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'owner');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000ff');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_member('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'Admin');
\echo :LAST_ERROR_SQLSTATE

-- put_conversation: create with defaults, repeat, change; created_at is kept.
SELECT shape(feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001'));
SELECT shape(feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001',
       'Pricing', 'Support Bot', false, '2026-03-01T10:30:00Z'));
SELECT feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000002',
       'Refunds', created_at => '2026-03-01T10:30:00.5Z') AS first \gset
SELECT :'first'::jsonb->>'created_at' AS created_at;
SELECT pg_sleep(0.01);
SELECT :'first'::jsonb = feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000002',
       'Refunds') AS repeat_is_identical;
SELECT feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000002',
       'Refunds', is_archived => true) - 'updated_at' AS archived;
SELECT feedback.put_conversation(NULL, '20000000-0000-0000-0000-000000000003');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_conversation('10000000-0000-0000-0000-000000000001', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000003', is_archived => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000003', created_at => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000003', created_at => 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_conversation('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000003', created_at => '10000-01-01');
\echo :LAST_ERROR_SQLSTATE
-- the same id in another tenant is another conversation
SELECT shape(feedback.put_conversation('10000000-0000-0000-0000-000000000002', '20000000-0000-0000-0000-000000000001', 'Other tenant'));
SELECT tenant_id, id, title FROM feedback.conversations ORDER BY tenant_id, id;

-- put_message: a question, its answer streaming, then complete.
SELECT shape(feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000001',
       '20000000-0000-0000-0000-000000000001', 'user', 'How much is the Pro plan?',
       created_at => '2026-03-01T10:31:00Z'));
SELECT shape(feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000002',
       '20000000-0000-0000-0000-000000000001', 'assistant', 'The Pro',
       reply_to => '30000000-0000-0000-0000-000000000001', turn_id => '40000000-0000-0000-0000-000000000001',
       is_complete => false, created_at => '2026-03-01T10:31:05Z'));
SELECT shape(feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000002',
       '20000000-0000-0000-0000-000000000001', 'assistant', 'The Pro plan is 20 dollars a month.',
       reply_to => '30000000-0000-0000-0000-000000000001', turn_id => '40000000-0000-0000-0000-000000000001',
       created_at => '2026-03-01T10:31:05Z'));
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000002',
       '20000000-0000-0000-0000-000000000001', 'assistant', 'The Pro plan is 20 dollars a month.',
       reply_to => '30000000-0000-0000-0000-000000000001', turn_id => '40000000-0000-0000-0000-000000000001') AS first \gset
SELECT pg_sleep(0.01);
SELECT :'first'::jsonb = feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000002',
       '20000000-0000-0000-0000-000000000001', 'assistant', 'The Pro plan is 20 dollars a month.',
       reply_to => '30000000-0000-0000-0000-000000000001', turn_id => '40000000-0000-0000-0000-000000000001') AS repeat_is_identical;
SELECT :'first'::jsonb->>'created_at' AS created_at_kept;
-- bad arguments
SELECT feedback.put_message(NULL, '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'user', 'q');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', NULL, '20000000-0000-0000-0000-000000000001', 'user', 'q');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', NULL, 'user', 'q');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', NULL, 'q');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'user', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'system', 'q');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'user', 'q', is_complete => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'user', 'q', created_at => '-infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-0000000000ff', 'user', 'q');
\echo :LAST_ERROR_SQLSTATE
-- a conversation of another tenant is not found
SELECT feedback.put_message('10000000-0000-0000-0000-000000000002', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000002', 'user', 'q');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'user', 'q',
       reply_to => '30000000-0000-0000-0000-000000000001');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'assistant', 'a',
       reply_to => '30000000-0000-0000-0000-0000000000ff');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000001', 'assistant', 'a',
       reply_to => '30000000-0000-0000-0000-000000000002');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000009', '20000000-0000-0000-0000-000000000002', 'assistant', 'a',
       reply_to => '30000000-0000-0000-0000-000000000001');
\echo :LAST_ERROR_SQLSTATE
-- a message keeps its conversation and its role
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000002', 'user', 'moved?');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.put_message('10000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001', 'assistant', 'now an answer?');
\echo :LAST_ERROR_SQLSTATE
SELECT tenant_id, id, role, content, is_complete FROM feedback.messages ORDER BY id;

-- set_suggestion: on a feedback row (written directly here; the feedback API
-- writes them in later tests).
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, created_at, updated_at)
VALUES ('10000000-0000-0000-0000-000000000001', '50000000-0000-0000-0000-000000000001',
        '20000000-0000-0000-0000-000000000001', '30000000-0000-0000-0000-000000000002',
        '00000000-0000-0000-0000-0000000000a2', 'positive', '2026-03-01T10:32:00Z', '2026-03-01T10:32:00Z');
SELECT jsonb_pretty(feedback.set_suggestion('10000000-0000-0000-0000-000000000001', '50000000-0000-0000-0000-000000000001',
       'create_faq', '{"question": "How much is Pro?"}'));
SELECT feedback.set_suggestion('10000000-0000-0000-0000-000000000001', '50000000-0000-0000-0000-000000000001', NULL, NULL)
       -> 'suggested_action_data' AS cleared_data;
SELECT feedback.set_suggestion('10000000-0000-0000-0000-000000000001', '50000000-0000-0000-0000-000000000001', 'x', '[1, 2]');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.set_suggestion('10000000-0000-0000-0000-000000000001', '50000000-0000-0000-0000-000000000001', 'x', '"text"');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.set_suggestion('10000000-0000-0000-0000-000000000002', '50000000-0000-0000-0000-000000000001', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.set_suggestion('10000000-0000-0000-0000-000000000001', '50000000-0000-0000-0000-0000000000ff', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.set_suggestion(NULL, '50000000-0000-0000-0000-000000000001', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.set_suggestion('10000000-0000-0000-0000-000000000001', NULL, 'x');
\echo :LAST_ERROR_SQLSTATE

-- A failed call writes nothing.
SELECT count(*) AS users, (SELECT count(*) FROM feedback.messages) AS messages,
       (SELECT count(*) FROM feedback.conversations) AS conversations FROM feedback.users;

DROP FUNCTION shape(jsonb);
-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
