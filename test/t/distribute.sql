-- feedback.distribute.  Without Citus: a clear error.  With Citus (make
-- test-citus): a populated database distributed by tenant reads the same
-- afterwards, a second call does nothing, and what it refuses.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
SELECT count(*) > 0 AS citus FROM pg_catalog.pg_extension WHERE extname = 'citus' \gset
\set t '''7e000000-0000-0000-0000-000000000001'''
\if :citus
SELECT plan(14);
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'alice@example.com') IS NOT NULL AS made \gset
SELECT feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a1', 'reviewer') IS NOT NULL AS made \gset
SELECT feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001', 'Refunds') IS NOT NULL AS made \gset
SELECT feedback.put_message(:t, 'b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                            'user', 'How do refunds work?') IS NOT NULL AS made \gset
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                            'assistant', 'Within 30 days.',
                            reply_to => 'b0000000-0000-0000-0000-000000000001') IS NOT NULL AS made \gset
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000a1';
CREATE TEMP TABLE before AS
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000001', 'up', 'clear') AS feedback,
       feedback.grouped_by_conversation(:t) AS queue;
ALTER TABLE before ADD COLUMN stats jsonb;
UPDATE before SET stats = feedback.stats(:t, now() - interval '1 day', now() + interval '1 day');

SAVEPOINT otherwise;
SELECT create_reference_table('feedback.settings') IS NOT NULL AS made \gset
SELECT throws_ok('SELECT feedback.distribute()', '55000',
                 'feedback.settings is already distributed another way (not by hash)',
                 'a table distributed another way: 55000');
ROLLBACK TO otherwise;
SELECT is(feedback.distribute(4)->>'tables_distributed_now', '13', 'a populated database: thirteen tables distributed');
SELECT results_eq(
    $$SELECT logicalrelid::text, partmethod::text,
             coalesce(column_to_column_name(logicalrelid, partkey), '') FROM pg_dist_partition
       WHERE logicalrelid::text LIKE 'feedback.%' ORDER BY 1$$,
    $$VALUES ('feedback.client_keys', 'h', 'tenant_id'), ('feedback.conversations', 'h', 'tenant_id'),
             ('feedback.feedback', 'h', 'tenant_id'), ('feedback.feedback_comments', 'h', 'tenant_id'),
             ('feedback.golden_example', 'h', 'tenant_id'), ('feedback.memberships', 'h', 'tenant_id'),
             ('feedback.messages', 'h', 'tenant_id'), ('feedback.review_group_counts', 'h', 'tenant_id'),
             ('feedback.review_groups', 'h', 'tenant_id'), ('feedback.settings', 'h', 'tenant_id'),
             ('feedback.stats_counts', 'h', 'tenant_id'),
             ('feedback.status_history', 'h', 'tenant_id'), ('feedback.users', 'n', '')$$,
    'users a reference table, every other table hash-distributed by tenant_id');
SELECT is((SELECT sum(pg_relation_size(logicalrelid))::int FROM pg_dist_partition
            WHERE logicalrelid::text LIKE 'feedback.%'), 0, 'no local copy of the rows is left behind');
SELECT is((SELECT count(DISTINCT colocationid)::int FROM pg_dist_partition
            WHERE logicalrelid::text LIKE 'feedback.%' AND partmethod = 'h'), 1, 'all colocated');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conname = 'memberships_user_id_fkey'), 1,
          'the memberships foreign key to users is back');
SELECT is(feedback.get(:t, (SELECT (feedback->>'id')::uuid FROM before)), (SELECT feedback FROM before),
          'the feedback reads the same afterwards');
SELECT is(feedback.grouped_by_conversation(:t), (SELECT queue FROM before), 'and so does the review queue');
SELECT is(feedback.stats(:t, now() - interval '1 day', now() + interval '1 day'), (SELECT stats FROM before),
          'and the analytics: the copy into the shards counted nothing twice');
SELECT is(feedback.verify_stats(:t), '[]', 'the counters equal a recount');
SELECT is(feedback.distribute(4)->>'tables_distributed_now', '0', 'a second call does nothing');
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000a1';
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000001', 'down', 'too short') IS NOT NULL AS changed \gset
SELECT is(feedback.grouped_by_conversation(:t)->'results'->0->>'negative_count', '1',
          'the queue follows a change made afterwards: its trigger is back');
SET LOCAL citus.enable_unsafe_triggers = off;
SELECT throws_ok('SELECT feedback.distribute()', '55000', 'citus.enable_unsafe_triggers must be on',
                 'without citus.enable_unsafe_triggers: 55000');
RESET citus.enable_unsafe_triggers;
\else
SELECT plan(3);
SELECT throws_ok('SELECT feedback.distribute()', '0A000', 'Citus is not installed',
                 'without Citus: 0A000 saying so');
SELECT is((SELECT count(*)::int FROM pg_extension WHERE extname = 'citus'), 0, 'and nothing was installed');
\endif
SELECT throws_ok('SELECT feedback.distribute(0)', '22023', NULL, 'a shard_count below 1: 22023');
SELECT * FROM finish();
ROLLBACK;
