-- feedback.status_summary: to_review when every input is to_review,
-- reviewed when none is, mixed otherwise, NULL over no rows.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

CREATE TABLE statuses (grp int, s feedback.review_status);
INSERT INTO statuses VALUES
    (1, 'to_review'), (1, 'to_review'),
    (2, 'reviewed'), (2, 'dismissed'), (2, 'auto_approved'),
    (3, 'to_review'), (3, 'reviewed'),
    (4, 'to_review'), (4, 'dismissed'),
    (5, NULL), (5, 'auto_approved'),
    (6, NULL), (6, 'to_review'),
    (7, NULL);
SELECT grp, feedback.status_summary(s) FROM statuses GROUP BY grp ORDER BY grp;

-- No rows, and only NULLs: NULL.
SELECT feedback.status_summary(s) IS NULL AS no_rows FROM statuses WHERE false;
SELECT feedback.status_summary(s) IS NULL AS only_nulls FROM statuses WHERE grp = 7;
SELECT feedback.status_summary(s) AS everything FROM statuses;

-- Declared parallel safe, with a combine function.
SELECT a.aggcombinefn, p.proparallel
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE a.aggfnoid = 'feedback.status_summary'::regproc;

-- A parallel plan combines partial states to the same answers.
CREATE TABLE many (grp int, s feedback.review_status);
INSERT INTO many
SELECT g % 3,
       CASE WHEN g % 3 = 0 THEN 'to_review'
            WHEN g % 3 = 1 THEN 'reviewed'
            WHEN g % 1000 = 2 THEN 'to_review'
            ELSE 'dismissed' END::feedback.review_status
  FROM generate_series(1, 200000) g;
ANALYZE many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- Only the grouping strategy is left to the costs: pin it, so that the plans
-- below are the same on any machine (sorted groups, partial aggregates in
-- the workers, combined above the Gather).
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT feedback.status_summary(s) FROM many WHERE grp = 0;
SELECT feedback.status_summary(s) FROM many WHERE grp = 0;
SELECT feedback.status_summary(s) FROM many WHERE grp = 1;
SELECT feedback.status_summary(s) FROM many WHERE grp = 2;
SELECT feedback.status_summary(s) FROM many;
EXPLAIN (COSTS OFF) SELECT grp, feedback.status_summary(s) FROM many GROUP BY grp;
SELECT grp, feedback.status_summary(s) FROM many GROUP BY grp ORDER BY grp;
RESET enable_hashagg;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

DROP TABLE statuses, many;
-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
