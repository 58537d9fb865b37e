-- Row-level security: a role granted SELECT (for reporting) sees only the
-- rows of the acting user's tenants.  The data is committed first, and
-- removed at the end: on a Citus cluster a role may not read rows that
-- another role wrote in the same transaction.
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql

\set t '\'7e000000-0000-0000-0000-000000000001\''
\set t2 '\'7e000000-0000-0000-0000-000000000002\''

\o /dev/null
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'member@example.com');
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'member2@example.com');
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000e1', 'reviewer@example.com');
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000ad', 'admin@example.com');
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000f0', 'outsider@example.com');
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b2', 'other@example.com');
SELECT feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a1');
SELECT feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a2');
SELECT feedback.put_member(:t, '00000000-0000-0000-0000-0000000000e1', 'reviewer');
SELECT feedback.put_member(:t, '00000000-0000-0000-0000-0000000000ad', 'admin');
SELECT feedback.put_member(:t2, '00000000-0000-0000-0000-0000000000b2', 'admin');
SELECT feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001', 'Pricing');
SELECT feedback.put_conversation(:t2, 'c0000000-0000-0000-0000-000000000002', 'Other tenant');
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                            'assistant', '20 dollars.');
SELECT feedback.put_message(:t2, 'a0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000002',
                            'assistant', 'Other tenant answer.');
\o
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment, created_at, updated_at)
VALUES (:t, 'f0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
        'a0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'negative', 'wrong', now(), now()),
       (:t2, 'f0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000002',
        'a0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b2', 'positive', 'right', now(), now());
CREATE ROLE feedback_test_report LOGIN;   -- on Citus it connects to the workers itself
GRANT USAGE ON SCHEMA feedback TO feedback_test_report;
GRANT SELECT ON ALL TABLES IN SCHEMA feedback TO feedback_test_report;
-- the policies' helpers are not PUBLIC: a reporting role is granted them
GRANT EXECUTE ON FUNCTION feedback.acting_user_id(), feedback.visible_tenants(), feedback.visible_users()
    TO feedback_test_report;
-- on Citus the policies run on the workers too, where a GRANT on functions
-- is not propagated: grant them there as well
SELECT count(*) > 0 AS citus FROM pg_catalog.pg_extension WHERE extname = 'citus' \gset
\if :citus
SELECT bool_and(success) AS granted
  FROM run_command_on_workers($$GRANT EXECUTE ON FUNCTION feedback.acting_user_id(), feedback.visible_tenants(),
                                feedback.visible_users() TO feedback_test_report$$) \gset
\endif

BEGIN;
SELECT plan(9);
SET LOCAL ROLE feedback_test_report;
SELECT coalesce(((SELECT count(*)::int FROM feedback.feedback))::text, 'NULL') AS got \gset
SELECT coalesce((0)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'reporting without an acting user: no feedback');
SELECT coalesce(((SELECT count(*)::int FROM feedback.users))::text, 'NULL') AS got \gset
SELECT coalesce((0)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'nor users');
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000b2';
SELECT coalesce(((SELECT array_agg(DISTINCT tenant_id::text) FROM feedback.feedback))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:t2])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'as the other tenant''s admin: its feedback only');
SELECT coalesce(((SELECT array_agg(email ORDER BY email) FROM feedback.users))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['other@example.com'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'and the users of its tenants only');
SELECT coalesce(((SELECT count(*)::int FROM feedback.conversations WHERE tenant_id = :t))::text, 'NULL') AS got \gset
SELECT coalesce((0)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'no conversation of tenant t');
SELECT coalesce(((SELECT count(*)::int FROM feedback.review_groups WHERE tenant_id = :t))::text, 'NULL') AS got \gset
SELECT coalesce((0)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'no queue group of tenant t');
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000e1';
SELECT coalesce(((SELECT array_agg(DISTINCT tenant_id::text) FROM feedback.feedback))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:t])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'as tenant t''s reviewer: tenant t only');
SELECT coalesce(((SELECT count(*)::int FROM feedback.users))::text, 'NULL') AS got \gset
SELECT coalesce((4)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'and the four users of tenant t');
SELECT throws_ok($$UPDATE feedback.feedback SET comment = 'x'$$, '42501', NULL, 'SELECT only: no UPDATE');
RESET ROLE;
RESET feedback.user_id;

SELECT * FROM finish();
ROLLBACK;

SET client_min_messages = warning;
\if :citus
SELECT bool_and(success) AS dropped FROM run_command_on_workers($$DROP OWNED BY feedback_test_report$$) \gset
\endif
DROP OWNED BY feedback_test_report;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
DROP ROLE feedback_test_report;
