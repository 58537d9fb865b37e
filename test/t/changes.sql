-- Change streams: feedback.create_publication publishes the tables of
-- record, and a logical replication slot receives a submit's changes in
-- commit order.  The slot needs wal_level = logical (the private cluster of
-- make test runs with it); elsewhere those checks are skipped and say why.
-- No surrounding transaction: a slot cannot be made in a transaction that
-- has written, and what the test makes is dropped at the end.
-- Go on after a failed statement: the cleanup at the end must run.
\set ON_ERROR_STOP 0
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
-- on a Citus cluster the rows live on the workers: test/citus.sh reads their slots
SELECT current_setting('wal_level') = 'logical' AND NOT :'citus'::boolean AS logical \gset

\set t '\'7e000000-0000-0000-0000-000000000001\''
\o /dev/null
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'alice@example.com');
SELECT feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a1');
SELECT feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001');
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                            'assistant', 'An answer.');
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000001',
                            'assistant', 'Another answer.');
DROP ROLE IF EXISTS feedback_test_nobody;
CREATE ROLE feedback_test_nobody NOLOGIN;
\o

SELECT plan(12);

SELECT is(feedback.create_publication(),
          '{"publication": "feedback_changes", "tables": ["feedback.users", "feedback.memberships",
            "feedback.conversations", "feedback.messages", "feedback.feedback", "feedback.client_keys",
            "feedback.status_history", "feedback.settings", "feedback.golden_example"]}'::jsonb,
          'create_publication() makes feedback_changes and names its tables');
SELECT is((SELECT array_agg(schemaname || '.' || tablename ORDER BY tablename::text COLLATE "C")
             FROM pg_publication_tables WHERE pubname = 'feedback_changes'),
          ARRAY['feedback.client_keys', 'feedback.conversations', 'feedback.feedback', 'feedback.golden_example',
                'feedback.memberships', 'feedback.messages', 'feedback.settings', 'feedback.status_history',
                'feedback.users'],
          'the publication holds exactly the tables of record (not the derived queue tables)');
SELECT is((SELECT array_agg(DISTINCT c.relreplident) FROM pg_publication_tables p
             JOIN pg_class c ON c.relname = p.tablename AND c.relnamespace = 'feedback'::regnamespace
            WHERE p.pubname = 'feedback_changes'), ARRAY['d']::"char"[],
          'each table is identified by its primary key (replica identity default)');
-- a publication of every table (Debezium's default, a whole-database
-- subscriber) publishes the derived tables too: each needs a replica
-- identity, or an UPDATE of it fails (55000)
SELECT is(array_agg(c.relname::text ORDER BY c.relname), NULL,
          'every table of the extension has a replica identity: its primary key, or the full row')
  FROM pg_class c
 WHERE c.relnamespace = 'feedback'::regnamespace AND c.relkind IN ('r', 'p')
   AND NOT (c.relreplident = 'f'
            OR (c.relreplident = 'd' AND EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)));
\if :citus
SELECT skip('on a Citus cluster the derived rows live on the workers', 1);
\else
CREATE PUBLICATION feedback_test_all FOR ALL TABLES;
SET feedback.user_id = '00000000-0000-0000-0000-0000000000a1';
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'down', 'First') IS NOT NULL AS first \gset
SELECT lives_ok($$SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002',
                                         'up', 'Again')$$,
                'with a publication of all tables, a replacement updates the queue and the counters');
RESET feedback.user_id;
DROP PUBLICATION feedback_test_all;
\endif
SELECT throws_ok($$SELECT feedback.create_publication()$$, '42710', NULL,
                 'a second publication of the same name: 42710');
SELECT throws_ok($$SELECT feedback.create_publication(repeat('x', 64))$$, '22023', NULL,
                 'a name longer than an identifier: 22023, not cut short');
SET ROLE feedback_test_nobody;
SELECT throws_ok($$SELECT feedback.create_publication('mine')$$, '42501', NULL,
                 'not a superuser: 42501');
RESET ROLE;

\if :logical
SELECT lsn AS slot_made FROM pg_create_logical_replication_slot('feedback_test_slot', 'test_decoding') \gset
SELECT lsn AS slot_made FROM pg_create_logical_replication_slot('feedback_test_pgoutput', 'pgoutput') \gset
SET feedback.user_id = '00000000-0000-0000-0000-0000000000a1';
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000001', 'down', 'Streamed') ->> 'id' AS fid \gset
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000001', 'up', 'Streamed again') IS NOT NULL AS replaced \gset
RESET feedback.user_id;
CREATE TEMP TABLE changes AS
SELECT row_number() OVER () AS n, data FROM pg_logical_slot_get_changes('feedback_test_slot', NULL, NULL);
SELECT ok(EXISTS (SELECT FROM changes WHERE data LIKE 'table feedback.feedback: INSERT:%'
                   AND data LIKE '%' || :'fid' || '%' AND data LIKE '%comment[text]:''Streamed''%'),
          'the slot receives the submit as an INSERT into feedback.feedback');
SELECT ok((SELECT min(n) FROM changes WHERE data LIKE 'table feedback.feedback: UPDATE:%comment[text]:''Streamed again''%')
          > (SELECT min(n) FROM changes WHERE data LIKE 'table feedback.feedback: INSERT:%'),
          'and the replacement as an UPDATE after it, in commit order');
-- what a subscriber of the publication receives (pgoutput): relation
-- messages ('R': id, then schema and table names) name what it streams
CREATE TEMP TABLE published AS
SELECT data FROM pg_logical_slot_get_binary_changes('feedback_test_pgoutput', NULL, NULL,
                                                    'proto_version', '1', 'publication_names', 'feedback_changes');
SELECT ok(EXISTS (SELECT FROM published WHERE get_byte(data, 0) = ascii('R')
                   AND position(convert_to('feedback', 'UTF8') || '\x00'::bytea || convert_to('feedback', 'UTF8')
                                || '\x00'::bytea IN data) > 0),
          'a subscriber of feedback_changes receives feedback.feedback');
SELECT ok(NOT EXISTS (SELECT FROM published WHERE position(convert_to('review_group', 'UTF8') IN data) > 0)
          AND EXISTS (SELECT FROM changes WHERE data LIKE 'table feedback.review_groups: %'),
          'but not the derived queue tables, which the same transaction wrote');
SELECT pg_drop_replication_slot('feedback_test_slot') IS NOT NULL AS slot_dropped \gset
SELECT pg_drop_replication_slot('feedback_test_pgoutput') IS NOT NULL AS slot_dropped \gset
\else
SELECT skip(CASE WHEN :'citus'::boolean THEN 'on a Citus cluster the rows live on the workers (test/citus.sh reads their slots)'
                 ELSE 'wal_level is ' || current_setting('wal_level') || ', not logical: no logical slot here' END, 4);
\endif

SELECT * FROM finish();

SET client_min_messages = warning;
DROP PUBLICATION IF EXISTS feedback_changes;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
DROP ROLE feedback_test_nobody;
