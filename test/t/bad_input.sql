-- A corpus of malformed calls, each with the SQLSTATE it must give: wrong
-- types, malformed uuids, ratings and statuses, bad JSON bodies, lengths,
-- multibyte and control characters, and NULL in every argument of every
-- function.  Each call is undone after it ran.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql

\set t '''7e000000-0000-0000-0000-000000000001'''
SELECT count(*) FROM (VALUES
    (feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'member@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000ad', 'admin@example.com')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a1')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000ad', 'admin')),
    (feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001', 'Pricing')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 'user', 'Q')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000001',
                          'assistant', 'A', 'a0000000-0000-0000-0000-000000000001'))) AS s(x);
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment, created_at, updated_at)
VALUES (:t, 'f0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
        'a0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000a1', 'negative', 'wrong', now(), now());
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000ad';

\ir helpers/outcome.psql

CREATE TEMP TABLE corpus (call text, expected text, n serial);

-- NULL in every argument of every function, and a malformed uuid in every
-- uuid argument, generated from the catalog: required arguments refuse
-- NULL with 22023; optional ones (with a default) accept it, but for those
-- whose NULL means nothing to do.
WITH sample(type, value) AS (VALUES
    ('uuid', NULL), ('text', '''x'''), ('boolean', 'true'), ('integer', '1'), ('jsonb', '''{"comment": "c"}'''),
    ('text[]', '''{}'''), ('timestamp with time zone', 'now()'), ('feedback.rating', '''up'''),
    ('feedback.review_status', '''reviewed'''), ('interval', '''5 minutes''')),
fns AS (
    SELECT p.oid, p.proname, p.pronargs, p.pronargdefaults,
           array_agg(format_type(t, NULL) ORDER BY o) AS types, p.proargnames AS names
      FROM pg_proc p, unnest(p.proargtypes) WITH ORDINALITY AS a(t, o)
     WHERE p.pronamespace = 'feedback'::regnamespace
       AND p.proname IN ('whoami', 'submit', 'put_conversation_feedback', 'get', 'for_message', 'thread_reactions',
                         'patch', 'delete', 'set_status', 'update', 'history', 'grouped_by_conversation', 'configure',
                         'settings', 'add_golden_example', 'golden_examples', 'export_golden_examples',
                         'export_preference_pairs',
                         'stats', 'verify_stats',
                         'put_user', 'put_member', 'put_conversation', 'put_message', 'set_suggestion',
                         'remove_member', 'delete_conversation', 'delete_message', 'erase_user',
                         'claim_suggestions')
     GROUP BY p.oid),
args AS (
    -- a valid value per argument, by name where the type is not enough
    SELECT f.proname, f.pronargs, f.pronargdefaults, i, f.names[i] AS name, f.types[i] AS type,
           CASE f.names[i]
               WHEN 'tenant_id' THEN quote_literal(:t)
               WHEN 'message_id' THEN '''a0000000-0000-0000-0000-000000000002'''
               WHEN 'conversation_id' THEN '''c0000000-0000-0000-0000-000000000001'''
               WHEN 'user_id' THEN '''00000000-0000-0000-0000-0000000000a1'''
               WHEN 'id' THEN CASE WHEN f.proname = 'put_user' THEN '''00000000-0000-0000-0000-0000000000a9'''
                                   WHEN f.proname IN ('put_conversation') THEN '''c0000000-0000-0000-0000-000000000009'''
                                   WHEN f.proname IN ('put_message') THEN '''a0000000-0000-0000-0000-000000000009'''
                                   ELSE '''f0000000-0000-0000-0000-000000000001''' END
               WHEN 'email' THEN '''new@example.com'''
               WHEN 'role' THEN CASE WHEN f.proname = 'put_member' THEN '''reviewer''' ELSE '''user''' END
               WHEN 'status' THEN CASE WHEN f.proname = 'grouped_by_conversation' THEN '''mixed''' ELSE '''reviewed''' END
               WHEN 'body' THEN '''{"rating": "POSITIVE"}'''
               WHEN 'changes' THEN CASE WHEN f.proname = 'update' THEN '''{"status": "dismissed"}''' ELSE '''{"comment": "c"}''' END
               WHEN 'reply_to' THEN 'NULL'
               WHEN 'golden_response' THEN '''better'''
               WHEN 'limit' THEN '10'
               WHEN 'offset' THEN '0'
               WHEN 'cursor' THEN 'NULL'
               WHEN 'rating' THEN '''up'''
               WHEN 'bucket' THEN '''week'''
               WHEN 'group_by' THEN '''agent_name'''
               WHEN 'format' THEN '''trl'''
               WHEN 'context_turns' THEN '2'
               ELSE (SELECT COALESCE(s.value, '''00000000-0000-0000-0000-000000000000''') FROM sample s WHERE s.type = f.types[i]) END AS valid,
           i > f.pronargs - f.pronargdefaults AS optional
      FROM fns f, generate_series(1, f.pronargs) AS i),
calls AS (
    SELECT a.proname, a.name, a.type, a.optional,
           (SELECT string_agg(format('%I => %s', b.name, CASE WHEN b.i = a.i THEN 'NULL' ELSE b.valid END), ', ' ORDER BY b.i)
              FROM args b WHERE b.proname = a.proname AND b.pronargs = a.pronargs) AS with_null,
           (SELECT string_agg(format('%I => %s', b.name, CASE WHEN b.i = a.i THEN '''not-a-uuid''' ELSE b.valid END), ', ' ORDER BY b.i)
              FROM args b WHERE b.proname = a.proname AND b.pronargs = a.pronargs) AS with_bad_uuid
      FROM args a)
INSERT INTO corpus (call, expected)
SELECT format('SELECT feedback.%I(%s)', proname, with_null),
       CASE WHEN proname = 'submit' AND name = 'message_id' THEN 'ok'
            WHEN proname = 'set_suggestion' AND name = 'suggested_action_type' THEN 'ok'
            WHEN NOT optional THEN '22023'
            WHEN proname = 'submit' AND name IN ('kind', 'source_surface') THEN '22023'
            WHEN proname IN ('put_conversation', 'put_message') AND name IN ('is_archived', 'is_complete', 'created_at') THEN '22023'
            WHEN proname IN ('put_user') AND name = 'can_impersonate' THEN '22023'
            WHEN proname IN ('put_member') AND name = 'role' THEN '22023'
            WHEN proname IN ('golden_examples', 'grouped_by_conversation') AND name IN ('limit', 'offset', 'active_only', 'include_archived') THEN '22023'
            WHEN proname = 'configure' AND name = 'reason_required' THEN '22023'
            WHEN proname = 'claim_suggestions' AND name IN ('limit', 'lease') THEN '22023'
            WHEN proname = 'stats' AND name = 'bucket' THEN '22023'
            WHEN proname LIKE 'export\_%' AND name IN ('format', 'context_turns') THEN '22023'
            ELSE 'ok' END
  FROM calls
UNION ALL
SELECT format('SELECT feedback.%I(%s)', proname, with_bad_uuid), '22P02'
  FROM calls WHERE type = 'uuid';

-- Malformed and odd values, one by one.
INSERT INTO corpus (call, expected) VALUES
 -- ratings and statuses
 ($$SELECT 'meh'::feedback.rating$$, '22P02'), ($$SELECT ''::feedback.rating$$, '22P02'),
 ($$SELECT ' '::feedback.rating$$, '22P02'), ($$SELECT 'up up'::feedback.rating$$, '22P02'),
 ($$SELECT E'\x01'::feedback.rating$$, '22P02'), ($$SELECT 'posítive'::feedback.rating$$, '22P02'),
 ($$SELECT repeat('👍', 1000)::feedback.rating$$, '22P02'), ($$SELECT repeat('a', 1000000)::feedback.rating$$, '22P02'),
 ($$SELECT 'thumbs-up'::feedback.rating$$, '22P02'), ($$SELECT '+2'::feedback.rating$$, '22P02'),
 ($$SELECT 'approved'::feedback.review_status$$, '22P02'), ($$SELECT 'to review'::feedback.review_status$$, '22P02'),
 ($$SELECT ''::feedback.review_status$$, '22P02'), ($$SELECT E'reviewed\n\n'::feedback.review_status$$, 'ok'),
 ($$SELECT ' PENDING '::feedback.review_status$$, 'ok'), ($$SELECT '👍'::feedback.rating$$, 'ok'),
 -- uuids
 ($$SELECT feedback.get('7e000000-0000-0000-0000-00000000000', 'f0000000-0000-0000-0000-000000000001')$$, '22P02'),
 ($$SELECT feedback.get('7e000000-0000-0000-0000-0000000000011', 'f0000000-0000-0000-0000-000000000001')$$, '22P02'),
 ($$SELECT feedback.get('7e000000-0000-0000-0000-00000000000g', 'f0000000-0000-0000-0000-000000000001')$$, '22P02'),
 ($$SELECT feedback.get('', 'f0000000-0000-0000-0000-000000000001')$$, '22P02'),
 ($$SELECT feedback.get('{7e000000-0000-0000-0000-000000000001}', 'f0000000-0000-0000-0000-000000000001')$$, 'ok'),
 ($$SELECT feedback.get('7E000000000000000000000000000001', 'F0000000-0000-0000-0000-000000000001')$$, 'ok'),
 -- acting user settings
 ($$SELECT set_config('feedback.user_id', 'not-a-uuid', true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, '42501'),
 ($$SELECT set_config('feedback.user_id', repeat('0', 100000), true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, '42501'),
 ($$SELECT set_config('feedback.user_id', E'00000000-0000-0000-0000-0000000000ad\n', true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, '42501'),
 ($$SELECT set_config('feedback.user_id', '', true), set_config('request.jwt.claims', '{"sub": ["x"]}', true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, '42501'),
 ($$SELECT set_config('feedback.user_id', '', true), set_config('request.jwt.claims', repeat('[', 100000), true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, '42501'),
 ($$SELECT set_config('feedback.user_id', '', true), set_config('request.jwt.claims', '{"sub": "00000000-0000-0000-0000-0000000000ad", "sub": "x"}', true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, '42501'),
 ($$SELECT set_config('feedback.impersonate_email', repeat('x', 100000), true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, '42501'),
 ($$SELECT set_config('request.headers', '{"x-impersonate-email": 5}', true), feedback.whoami('7e000000-0000-0000-0000-000000000001')$$, 'ok'),
 -- submit values
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', comment => repeat('x', 2001))$$, '22001'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', comment => repeat('é', 2001))$$, '22001'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', comment => repeat('👍', 2000))$$, 'ok'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', comment => E'tab\there\r\nnew line\x01\x7f')$$, 'ok'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', comment => repeat('x', 10000000))$$, '22001'),
 -- the exports' arguments
 ($$SELECT feedback.export_golden_examples('7e000000-0000-0000-0000-000000000001', system_prompt => repeat('x', 10000000))$$, '22001'),
 ($$SELECT feedback.export_preference_pairs('7e000000-0000-0000-0000-000000000001', system_prompt => repeat('👍', 32001))$$, '22001'),
 ($$SELECT feedback.export_golden_examples('7e000000-0000-0000-0000-000000000001', 2147483647)$$, '22023'),
 ($$SELECT feedback.export_golden_examples('7e000000-0000-0000-0000-000000000001', -2147483648)$$, '22023'),
 ($$SELECT feedback.export_preference_pairs('7e000000-0000-0000-0000-000000000001', E'openai\n')$$, '22023'),
 ($$SELECT feedback.export_preference_pairs('7e000000-0000-0000-0000-000000000001', repeat('x', 10000000))$$, '22023'),
 ($$SELECT feedback.export_preference_pairs('7e000000-0000-0000-0000-000000000001', '')$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', reasons => ARRAY[repeat('r', 65)])$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', reasons => ARRAY[repeat('é', 64)])$$, 'ok'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', reasons => ARRAY['a', NULL])$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', reasons => '{{a}}')$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', reasons => '[5:6]={a,b}')$$, 'ok'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', reasons => (SELECT array_agg(g::text) FROM generate_series(1, 10000) g))$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', kind => repeat('k', 65))$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'up', source_surface => '')$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', NULL, 'up', context => '"x"')$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', NULL, 'up', context => 'null')$$, '22023'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', NULL, 'up', context => '{"query_id": {"deep": [1, 2, {"x": null}]}}')$$, 'ok'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000001', 'up')$$, 'PT404'),
 ($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 'up')$$, 'PT404'),
 -- JSON bodies
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '[]')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '"s"')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 'null')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '1')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{}')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"Rating": "POSITIVE"}')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"rating": []}')$$, '22P02'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"rating": {}}')$$, '22P02'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"rating": 1}')$$, '22P02'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"rating": ""}')$$, '22P02'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"rating": "\u0000"}')$$, '22P05'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"rating": "POSITIVE", "comment": true}')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"comment": ["a"]}')$$, '22023'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"comment": ""}')$$, 'ok'),
 ($$SELECT feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', '{"rating": "👎", "comment": "✓"}')$$, 'ok'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"reasons": [1]}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"reasons": [null]}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"reasons": {"a": 1}}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"reasons": null}')$$, 'ok'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"kind": 5}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"kind": null}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"kind": ""}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"is_positive": "maybe"}')$$, '22P02'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"comment": "a", "feedback": "b"}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"rating": "up", "reaction": "thumbs_down"}')$$, '22023'),
 ($$SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000a1', true), feedback.patch('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '[{"comment": "x"}]')$$, '22023'),
 ($$SELECT feedback.update('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"status": 1}')$$, '22P02'),
 ($$SELECT feedback.update('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"status": null}')$$, '22P02'),
 ($$SELECT feedback.update('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"comment": "x"}')$$, 'ok'),
 ($$SELECT feedback.update('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', '{"feedback": 1}')$$, '22023'),
 ($$SELECT feedback.set_suggestion('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'x', '[]')$$, '22023'),
 ($$SELECT feedback.set_suggestion('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', repeat('x', 100000), '{}')$$, '22001'),
 ($$SELECT feedback.set_suggestion('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', repeat('👍', 200), '{}')$$, 'ok'),
 ($$SELECT feedback.set_suggestion('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'x', jsonb_build_object('d', repeat('x', 1000000 - 8)))$$, '22001'),
 ($$SELECT feedback.set_suggestion('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'x', jsonb_build_object('d', repeat('x', 1000000 - 9)))$$, 'ok'),
 -- ingest values
 ($$SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b1', 'two@@example.com')$$, '22023'),
 ($$SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b1', E'tab\t@example.com')$$, '22023'),
 ($$SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b1', 'émile@exämple.com')$$, 'ok'),
 ($$SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b1', repeat('x', 400) || '@example.com')$$, '22023'),
 ($$SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b1', 'MEMBER@example.com')$$, 'PT409'),
 ($$SELECT feedback.put_member('7e000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'Admin')$$, '22023'),
 ($$SELECT feedback.put_member('7e000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', '')$$, '22023'),
 ($$SELECT feedback.put_member('7e000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000ff')$$, 'PT404'),
 ($$SELECT feedback.put_conversation('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', created_at => 'infinity')$$, '22023'),
 ($$SELECT feedback.put_conversation('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', created_at => '0001-01-01 BC')$$, '22023'),
 ($$SELECT feedback.put_conversation('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', repeat('t', 100000))$$, '22001'),
 ($$SELECT feedback.put_conversation('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', repeat('é', 1000))$$, 'ok'),
 ($$SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000001', 'assistant ', 'x')$$, '22023'),
 ($$SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000001', 'user', '')$$, 'ok'),
 ($$SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000001', 'user', 'x')$$, 'PT409'),
 -- review and queue values
 ($$SELECT feedback.set_status('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'auto_approved')$$, 'PT409'),
 ($$SELECT feedback.set_status('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'reviewed', repeat('n', 2001))$$, '22001'),
 ($$SELECT feedback.set_status('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'reviewed', repeat('n', 2000), repeat('c', 1000000))$$, 'ok'),
 ($$SELECT feedback.set_status('7e000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'reviewed', NULL, repeat('c', 1000001))$$, '22001'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', 'all')$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', '')$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', search => repeat('%', 10000))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', search => E'\\')$$, 'ok'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', search => E'\x01\x02')$$, 'ok'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', "limit" => -5)$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', "offset" => 2147483647)$$, 'ok'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', "limit" => 1000, "offset" => 2147483647)$$, 'ok'),
  ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => repeat('A', 100000))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => E'\\x01')$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => 'AQ==')$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => repeat('👍', 10))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e0000000000000000000000000000010000000000000000000000000000000000000000000000000000000007'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e000000000000000000000000000001000003e900000000000000000000000000000000000000000000000007'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e0000000000000000000000000000010000000100000000000000000000000000000000000000000000000000'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e00000000000000000000000000000100000001000000000000000000000000000000000000000000000000f7'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e0000000000000000000000000000010000000100000000000000000000000000000000000000000000000007ff'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e00000000000000000000000000000100000001000000000000000000000000000000000000000000000000076100'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e000000000000000000000000000001000000017fffffffffffffff0000000000000000000000000000000007'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0167617e0000000000000000000000000000010000000100000000000000000000000000000000000000000000000007'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0271617e0000000000000000000000000000010000000100000000000000000000000000000000000000000000000007'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e0000000000000000000000000000010000000100000000000000000000000000000000000000000000000007'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, 'ok'),
 ($$SELECT feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0171617e000000000000000000000000000001000000010000000000000000000000000000000000000000000000000f25f09f918d'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, 'ok'),
 ($$SELECT feedback.golden_examples('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0167617e0000000000000000000000000000010000000100000000000000000000000000000000000000000000000002'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, '22023'),
 ($$SELECT feedback.golden_examples('7e000000-0000-0000-0000-000000000001', cursor => translate(rtrim(replace(encode('\x0167617e0000000000000000000000000000010000000100000000000000000000000000000000000000000000000001'::bytea, 'base64'), E'\n', ''), '='), '+/', '-_'))$$, 'ok'),
 ($$SELECT feedback.claim_suggestions(1, '178000000 years')$$, '22023'),
 ($$SELECT feedback.claim_suggestions(1, '1 mon')$$, '22023'),
 ($$SELECT feedback.claim_suggestions(1, '-178000000 years')$$, '22023'),
 ($$SELECT feedback.claim_suggestions(1, '999 microseconds')$$, '22023'),
 ($$SELECT feedback.claim_suggestions(2147483647)$$, '22023'),
 -- stats: bucket sizes, groups and ranges at the edges
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', now(), now(), repeat('h', 100000))$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', now(), now(), 'DAY')$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', now(), now(), E'day\x01')$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', now(), now(), 'day', '👍')$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', now(), now(), 'day', 'tenant_id')$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', '-infinity', now())$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', '4713-01-01 BC', now())$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', '0001-01-01', '9999-12-31', 'month')$$, '22023'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', '0001-01-01', '0001-01-31', 'week')$$, 'ok'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', '9999-12-01', '9999-12-31 23:59:59', 'month')$$, 'ok'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', '9999-12-01', '9999-12-31 23:59:59', 'hour')$$, 'ok'),
 ($$SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', '0001-01-01', '9999-12-31 23:59:59', 'hour')$$, '22023'),
 ($$SELECT feedback.golden_examples('7e000000-0000-0000-0000-000000000001', "limit" => 1001)$$, '22023'),
 ($$SELECT feedback.golden_examples('7e000000-0000-0000-0000-000000000001', "offset" => 2147483647)$$, 'ok'),
 ($$SELECT feedback.add_golden_example('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', '')$$, '22023'),
 ($$SELECT feedback.add_golden_example('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002', repeat('g', 1000001))$$, '22001'),
 ($$SELECT feedback.configure('7e000000-0000-0000-0000-000000000001', 'dislike', false, true)$$, 'ok'),
 ($$SELECT feedback.configure('7e000000-0000-0000-0000-000000000001', 'x', false)$$, '22P02'),
 -- type-level casts
 ($$SELECT true::feedback.rating::boolean$$, 'ok'), ($$SELECT 1::feedback.rating$$, '42846'),
 ($$SELECT 'up'::feedback.rating < 'reviewed'::feedback.review_status$$, '42883');

SELECT plan((SELECT count(*)::int FROM corpus) + 4);
SELECT cmp_ok((SELECT count(*)::int FROM corpus), '>=', 200, 'the corpus holds at least 200 malformed calls');
SELECT is(pg_temp.outcome(call), expected, format('%s -> %s', left(call, 160), expected)) FROM corpus ORDER BY n;

-- Who may call is settled before what a call asks: the calls of the corpus
-- on the tenant that reach a feedback or review function (its arguments
-- parsed; the function raises or succeeds) give 42501 to a user who is not
-- a member, and to a session without an acting user, whatever else is
-- wrong with them.
CREATE TEMP TABLE on_tenant AS
SELECT call FROM corpus
 WHERE expected IN ('ok', '22023', '22001', 'PT404', 'PT409')
   AND call !~ 'set_config'   -- those act as a member of their own
   AND call ~ ('feedback\.(whoami|submit|put_conversation_feedback|get|for_message|thread_reactions|patch|delete'
               '|set_status|update|history|grouped_by_conversation|configure|settings|add_golden_example'
               '|golden_examples|export_golden_examples|export_preference_pairs|stats|verify_stats)'
               '\(''7e000000-0000-0000-0000-000000000001''');
SELECT cmp_ok((SELECT count(*)::int FROM on_tenant), '>=', 50, 'the corpus holds at least 50 such calls on the tenant');
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b9', 'outsider@example.com') IS NOT NULL AS outsider;
SELECT set_config('feedback.user_id', '00000000-0000-0000-0000-0000000000b9', true) IS NOT NULL AS as_outsider;
SELECT is(array_agg(call || ' -> ' || pg_temp.outcome(call)) FILTER (WHERE pg_temp.outcome(call) <> '42501'), NULL,
          'a user who is not a member gets 42501 from each of them')
  FROM on_tenant;
SELECT set_config('feedback.user_id', '', true) IS NOT NULL AS nobody;
SELECT is(array_agg(call || ' -> ' || pg_temp.outcome(call)) FILTER (WHERE pg_temp.outcome(call) <> '42501'), NULL,
          'a session without an acting user gets 42501 from each of them')
  FROM on_tenant;
SELECT * FROM finish();
ROLLBACK;
