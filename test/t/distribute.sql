-- feedback.distribute without Citus: a clear error, and its argument check.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(3);
SELECT throws_ok('SELECT feedback.distribute()', '0A000', 'Citus is not installed',
                 'without Citus: 0A000 saying so');
SELECT throws_ok('SELECT feedback.distribute(0)', '22023', NULL, 'a shard_count below 1: 22023');
SELECT is((SELECT count(*)::int FROM pg_extension WHERE extname = 'citus'), 0, 'and nothing was installed');
SELECT * FROM finish();
ROLLBACK;
