-- Privileges: EXECUTE is revoked from PUBLIC on every API function;
-- grant_api and grant_ingest grant exactly their sets; every function has a
-- comment.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(12);

CREATE ROLE feedback_test_nobody;
CREATE ROLE feedback_test_web;
CREATE ROLE feedback_test_backend;

-- The support functions of the types and the aggregate, callable by all.
CREATE TEMP TABLE type_support AS
SELECT p.oid FROM pg_proc p
 WHERE p.pronamespace = 'feedback'::regnamespace
   AND (p.proname ~ '^(rating|review_status)_(in|out|recv|send|eq|ne|lt|le|gt|ge|cmp|hash|hash_extended)$'
        OR p.proname IN ('rating_to_bool', 'bool_to_rating', 'status_summary',
                         'status_summary_accum', 'status_summary_final'));

SELECT is(count(*)::int, 31, 'the type and aggregate support functions') FROM type_support;

SELECT is(array_agg(p.oid::regprocedure::text ORDER BY 1), NULL,
          'PUBLIC may execute no other function of the extension')
  FROM pg_proc p
 WHERE p.pronamespace = 'feedback'::regnamespace
   AND p.oid NOT IN (SELECT oid FROM type_support)
   AND has_function_privilege('feedback_test_nobody', p.oid, 'EXECUTE');

SELECT ok(bool_and(has_function_privilege('feedback_test_nobody', oid, 'EXECUTE')),
          'PUBLIC may execute the type support functions') FROM type_support;

SELECT is(array_agg(p.oid::regprocedure::text ORDER BY 1), NULL, 'every function has a comment')
  FROM pg_proc p
 WHERE p.pronamespace = 'feedback'::regnamespace
   AND obj_description(p.oid, 'pg_proc') IS NULL;

SELECT feedback.grant_api('feedback_test_web');
SELECT feedback.grant_ingest('feedback_test_backend');

-- Exactly their sets, every overload included, named by signature.
SELECT is(array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text COLLATE "C"), ARRAY[
          'feedback.add_golden_example(uuid,uuid,text)',
          'feedback.configure(uuid,feedback.rating,boolean,boolean)',
          'feedback.delete(uuid,uuid)',
          'feedback.export_golden_examples(uuid,integer,text)',
          'feedback.export_preference_pairs(uuid,text,integer,text)',
          'feedback.for_message(uuid,uuid)',
          'feedback.get(uuid,uuid)',
          'feedback.golden_examples(uuid,boolean,integer,integer,text)',
          'feedback.grouped_by_conversation(uuid,text,text,boolean,integer,integer,text)',
          'feedback.history(uuid,uuid)',
          'feedback.patch(uuid,uuid,jsonb)',
          'feedback.put_conversation_feedback(uuid,uuid,jsonb)',
          'feedback.set_status(uuid,uuid,feedback.review_status,text,text)',
          'feedback.settings(uuid)',
          'feedback.stats(uuid,timestamp with time zone,timestamp with time zone,text,text)',
          'feedback.submit(uuid,uuid,feedback.rating,text,text[],text,text,uuid,uuid,jsonb)',
          'feedback.thread_reactions(uuid,uuid)',
          'feedback.update(uuid,uuid,jsonb)',
          'feedback.verify_stats(uuid)',
          'feedback.whoami(uuid)'],
          'grant_api grants exactly the feedback and review API')
  FROM pg_proc p
 WHERE p.pronamespace = 'feedback'::regnamespace AND p.oid NOT IN (SELECT oid FROM type_support)
   AND has_function_privilege('feedback_test_web', p.oid, 'EXECUTE');
SELECT is(array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text COLLATE "C"), ARRAY[
          'feedback.claim_suggestions(integer,interval,uuid)',
          'feedback.delete_conversation(uuid,uuid)',
          'feedback.delete_message(uuid,uuid)',
          'feedback.erase_user(uuid)',
          'feedback.put_conversation(uuid,uuid,text,text,boolean,timestamp with time zone)',
          'feedback.put_member(uuid,uuid,text)',
          'feedback.put_message(uuid,uuid,uuid,text,text,uuid,uuid,boolean,timestamp with time zone)',
          'feedback.put_user(uuid,text,boolean)',
          'feedback.remove_member(uuid,uuid)',
          'feedback.set_suggestion(uuid,uuid,text,jsonb)'],
          'grant_ingest grants exactly the ingest API')
  FROM pg_proc p
 WHERE p.pronamespace = 'feedback'::regnamespace AND p.oid NOT IN (SELECT oid FROM type_support)
   AND has_function_privilege('feedback_test_backend', p.oid, 'EXECUTE');
SELECT ok(has_schema_privilege('feedback_test_web', 'feedback', 'USAGE'), 'grant_api grants USAGE on the schema');
SELECT is(array_agg(c.relname::text ORDER BY 1), NULL, 'neither role has any table privilege')
  FROM pg_class c
 WHERE c.relnamespace = 'feedback'::regnamespace AND c.relkind = 'r'
   AND (has_table_privilege('feedback_test_web', c.oid, 'SELECT,INSERT,UPDATE,DELETE')
        OR has_table_privilege('feedback_test_backend', c.oid, 'SELECT,INSERT,UPDATE,DELETE'));

-- The functions reach the data for a role without table privileges.  The
-- role is switched as PostgREST does, with set_config('role', ..., true).
SELECT set_config('role', 'feedback_test_backend', true) IS NOT NULL AS switched \gset
SELECT is(feedback.put_user('00000000-0000-0000-0000-000000000001', 'web@example.com')->>'email',
          'web@example.com', 'the ingest role writes through put_user');
SELECT throws_ok('SELECT count(*) FROM feedback.users', '42501', NULL, 'but cannot read the table');
RESET ROLE;
SELECT feedback.put_member('aaaaaaaa-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001');
SELECT set_config('role', 'feedback_test_web', true) IS NOT NULL AS switched \gset
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-000000000001';
SELECT is(feedback.whoami('aaaaaaaa-0000-0000-0000-000000000001')->>'role', 'member', 'the web role calls the API');
SELECT throws_ok($$SELECT feedback.put_user('00000000-0000-0000-0000-000000000002', 'x@example.com')$$,
                 '42501', NULL, 'but not the ingest API');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
