-- Hardening: each finding of the security review replayed as PostgREST
-- would send it (role and claims with set_config(..., true)), or as a
-- plain login role, and refused.  The attacks of security.sql (other
-- tenants' ids, hijacks, NULLs) stay there.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
\ir helpers/outcome.psql
SELECT plan(23);

\set a '''aa000000-0000-0000-0000-000000000001'''
\set b '''bb000000-0000-0000-0000-000000000001'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bea '''00000000-0000-0000-0000-0000000000b1'''

\o /dev/null
SELECT feedback.put_user(:alice, 'alice@a.com');
SELECT feedback.put_user(:bea, 'bea.admin@b.com');
SELECT feedback.put_member(:a, :alice, 'reviewer');
SELECT feedback.put_member(:b, :bea, 'admin');
SELECT feedback.put_conversation(:a, 'c0000000-0000-0000-0000-000000000001');
SELECT feedback.put_message(:a, 'd0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                            'assistant', 'An answer.');
CREATE ROLE feedback_test_web;
CREATE ROLE feedback_test_web_jwt;
SELECT feedback.grant_api('feedback_test_web');
SELECT feedback.grant_api('feedback_test_web_jwt', jwt_only => true);
\o

-- 1. The verified token outranks the setting: a session-level
-- feedback.user_id left on a pooled connection names B's admin, and the
-- request's JWT says alice.
SET feedback.user_id = :bea;
SELECT set_config('role', 'feedback_test_web', true) IS NOT NULL AS as_web \gset
SELECT set_config('request.jwt.claims', json_build_object('sub', :alice, 'role', 'feedback_test_web')::text, true)
       IS NOT NULL AS claims \gset
SELECT is(feedback.whoami(:a)->'user'->>'email', 'alice@a.com', 'with a token, the token names the acting user');
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :b), '42501', NULL,
                 'the setting left on the connection does not make alice B''s admin');
SELECT throws_ok(format('SELECT feedback.configure(%L, %L, true)', :b, 'positive'), '42501', NULL,
                 'nor let her change B''s settings');

-- A token without a sub, or with a sub that is not a JSON string, names nobody.
SELECT set_config('request.jwt.claims', '{"role": "feedback_test_web"}', true) IS NOT NULL AS claims \gset
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :a), '42501', 'no acting user',
                 'a token without sub: no acting user, whatever the setting says');
SELECT set_config('request.jwt.claims', json_build_object('sub', json_build_array(:alice))::text, true)
       IS NOT NULL AS claims \gset
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :a), '42501', 'no acting user', 'a sub that is an array: no acting user');
SELECT set_config('request.jwt.claims', json_build_object('sub', json_build_object('id', :alice))::text, true)
       IS NOT NULL AS claims \gset
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :a), '42501', 'no acting user', 'a sub that is an object: no acting user');
SELECT set_config('request.jwt.claims', '{"sub": 42}', true) IS NOT NULL AS claims \gset
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :a), '42501', 'no acting user', 'a sub that is a number: no acting user');
SELECT set_config('request.jwt.claims', '', true) IS NOT NULL AS claims \gset
SELECT is(feedback.whoami(:b)->'user'->>'email', 'bea.admin@b.com', 'without a token, the setting names the acting user');
RESET feedback.user_id;

-- jwt_only: a role granted with it accepts only the token.
SELECT set_config('role', 'feedback_test_web_jwt', true) IS NOT NULL AS as_jwt_only \gset
SET LOCAL feedback.user_id = :alice;
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :a), '42501', 'role feedback_test_web_jwt accepts only a verified token',
                 'jwt_only: the setting alone is refused');
SELECT set_config('request.jwt.claims', json_build_object('sub', :alice)::text, true) IS NOT NULL AS claims \gset
SELECT is(feedback.whoami(:a)->'user'->>'email', 'alice@a.com', 'jwt_only: the token is accepted');
SELECT set_config('request.jwt.claims', '', true) IS NOT NULL AS claims \gset
SELECT set_config('role', 'feedback_test_web', true) IS NOT NULL AS as_web \gset
SELECT is(feedback.whoami(:a)->'user'->>'email', 'alice@a.com', 'a role granted without jwt_only still reads the setting');
RESET ROLE;
SELECT feedback.grant_api('feedback_test_web_jwt') IS NULL AS granted_again \gset
SELECT ok(NOT pg_has_role('feedback_test_web_jwt', 'feedback_jwt_only', 'MEMBER'),
          'grant_api without jwt_only takes the role out of feedback_jwt_only');

-- 2. Caps, each with its SQLSTATE.
SET LOCAL feedback.user_id = :alice;
SELECT throws_ok(format('SELECT feedback.grouped_by_conversation(%L, search => %L)', :a, repeat('x', 257)), '22023',
                 'search must have at most 256 characters', 'a search of 257 characters: 22023');
SELECT lives_ok(format('SELECT feedback.grouped_by_conversation(%L, search => %L)', :a, repeat('é', 256)),
                'a search of 256 characters is answered');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, context => %L)', :a, 'd0000000-0000-0000-0000-000000000001', 'up',
                        jsonb_build_object('source', repeat('x', 8192 - 13))), '22001', 'context has 8193 bytes; at most 8192 are allowed',
                 'a context of 8193 bytes: 22001');
SELECT is(length(feedback.submit(:a, 'd0000000-0000-0000-0000-000000000001', 'up',
                                 context => jsonb_build_object('source', repeat('x', 8192 - 14)))->'context'->>'source'),
          8192 - 14, 'a context of 8192 bytes is stored');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, reasons => %L)', :a, 'd0000000-0000-0000-0000-000000000001', 'down',
                        array_fill('wrong'::text, ARRAY[65])), '22023', '65 reasons given; a list may have at most 64 entries',
                 'a list of 65 reasons, all the same: 22023 before any deduplication');
SELECT is(feedback.submit(:a, 'd0000000-0000-0000-0000-000000000001', 'down', reasons => array_fill('wrong'::text, ARRAY[64]))->'reasons',
          '["wrong"]'::jsonb, 'a list of 64 is deduplicated and stored');
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :a,
                        feedback.for_message(:a, 'd0000000-0000-0000-0000-000000000001')->>'id',
                        jsonb_build_object('reasons', to_jsonb(array_fill('wrong'::text, ARRAY[65])))), '22023', NULL,
                 'patch: a JSON list of 65 reasons: 22023');

-- 3. The row-level security helpers are neither PUBLIC nor the API's.
SELECT is(array_agg(f ORDER BY f), NULL, 'an API role may execute none of the row-level security helpers')
  FROM unnest(ARRAY['feedback.acting_user_id()', 'feedback.visible_tenants()', 'feedback.visible_users()']) AS f
 WHERE has_function_privilege('feedback_test_web', f, 'EXECUTE');
SELECT set_config('role', 'feedback_test_web', true) IS NOT NULL AS as_web \gset
SELECT throws_ok('SELECT feedback.visible_users()', '42501', NULL, 'so the web role cannot list co-members');
RESET ROLE;

-- 4. Look-alike emails.
SELECT is(array_agg(e ORDER BY e), NULL, 'white space and invisible characters of any kind: 22023')
  FROM unnest(ARRAY[E'bea.admin\u200b@b.com', E'bea.admin@b.com\u00a0', E'bea\u202e.admin@b.com', E'\ufeffbea.admin@b.com',
                    E'bea.admin@b.com\u2028', E'bea\u3000admin@b.com', E'bea.admin@b\u2060.com',
                    -- format characters (Cf) and default-ignorable code points
                    E'bea\u0600.admin@b.com', E'bea\u06dd.admin@b.com', E'bea\u070f.admin@b.com',
                    E'bea\u0890.admin@b.com', E'bea\u08e2.admin@b.com', E'bea\u17b4.admin@b.com',
                    E'bea\u180f.admin@b.com', E'bea\ufff0.admin@b.com', E'bea\U000110bd.admin@b.com',
                    E'bea\U000110cd.admin@b.com', E'bea\U00013430.admin@b.com', E'bea\U0001bca0.admin@b.com',
                    E'bea\U0001d173.admin@b.com', E'bea\U000e0001.admin@b.com']) AS e
 WHERE pg_temp.outcome(format('SELECT feedback.put_user(%L, %L)', '00000000-0000-0000-0000-0000000000c1', e)) <> '22023';
SELECT is(feedback.put_user('00000000-0000-0000-0000-0000000000c2', 'zoë.müller@example.com')->>'email', 'zoë.müller@example.com',
          'letters of any script are an email''s own');

SELECT * FROM finish();
ROLLBACK;
