-- feedback.rating and feedback.review_status: input, output, casts,
-- operators and operator classes.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

-- Every accepted rating word, case-insensitively and trimmed.
SELECT w AS input, w::feedback.rating AS rating
  FROM unnest(ARRAY['positive', 'negative', 'thumbs_up', 'thumbs_down', 'up', 'down',
                    'like', 'dislike', '+1', '-1', 'true', 'false', '👍', '👎',
                    'POSITIVE', 'Thumbs_Down', '  like  ', E'\tdown\n', ' 👍']) AS w;

-- Rejected rating input: the message lists the accepted words.
SELECT 'meh'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT '   '::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT 'positiv'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT 'positivee'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT 'thumbs up'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT '1'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT '👍👍'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT 'pösitive'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT E'positive\u0001'::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT repeat('x', 100000)::feedback.rating;
\echo :LAST_ERROR_SQLSTATE
SELECT repeat('é', 50)::feedback.rating;
\echo :LAST_ERROR_SQLSTATE

-- Every accepted status word; pending means to_review.
SELECT w AS input, w::feedback.review_status AS status
  FROM unnest(ARRAY['to_review', 'auto_approved', 'reviewed', 'dismissed', 'pending',
                    'PENDING', ' Reviewed ']) AS w;
SELECT 'approved'::feedback.review_status;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::feedback.review_status;
\echo :LAST_ERROR_SQLSTATE
SELECT repeat('z', 70000)::feedback.review_status;
\echo :LAST_ERROR_SQLSTATE

-- NULL stays NULL.
SELECT NULL::feedback.rating IS NULL AS rating_null, NULL::feedback.review_status IS NULL AS status_null;

-- Casts: boolean both ways, text both ways.
SELECT 'up'::feedback.rating::boolean AS up, 'down'::feedback.rating::boolean AS down,
       true::feedback.rating AS t, false::feedback.rating AS f;
SELECT 'like'::feedback.rating::text AS rating_text, 'pending'::feedback.review_status::text AS status_text,
       'thumbs_down'::text::feedback.rating AS from_text;
CREATE TABLE rated (id int, r feedback.rating, s feedback.review_status);
INSERT INTO rated VALUES (1, true, 'pending'), (2, false, 'dismissed'), (3, 'up', 'reviewed'),
                         (4, NULL, 'auto_approved'), (5, 'down', 'to_review');
SELECT * FROM rated ORDER BY id;

-- Ordering: negative < positive; to_review < auto_approved < reviewed < dismissed.
SELECT id, r FROM rated ORDER BY r NULLS FIRST, id;
SELECT id, s FROM rated ORDER BY s, id;
SELECT 'negative'::feedback.rating < 'positive'::feedback.rating AS lt,
       'up'::feedback.rating = '+1'::feedback.rating AS eq,
       'up'::feedback.rating <> 'down'::feedback.rating AS ne,
       'down'::feedback.rating <= 'down'::feedback.rating AS le,
       'up'::feedback.rating > 'down'::feedback.rating AS gt,
       'up'::feedback.rating >= 'up'::feedback.rating AS ge;
SELECT 'to_review'::feedback.review_status < 'auto_approved' AS a,
       'auto_approved'::feedback.review_status < 'reviewed' AS b,
       'reviewed'::feedback.review_status < 'dismissed' AS c,
       'pending'::feedback.review_status = 'to_review' AS d;

-- The operators resolve with feedback off the search_path.
SET search_path = public;
SELECT id FROM rated WHERE r = 'positive' ORDER BY id;
SELECT id FROM rated WHERE s <> 'to_review' AND s < 'dismissed' ORDER BY id;
RESET search_path;

-- btree and hash operator classes: index scans, hash joins, hash aggregation.
CREATE INDEX rated_r_btree ON rated (r);
CREATE INDEX rated_s_hash ON rated USING hash (s);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM rated WHERE r = 'positive';
SELECT id FROM rated WHERE r = 'positive' ORDER BY id;
EXPLAIN (COSTS OFF) SELECT id FROM rated WHERE s = 'reviewed';
SELECT id FROM rated WHERE s = 'reviewed';
RESET enable_seqscan;
SET enable_sort = off;
SET enable_mergejoin = off;
SELECT r, count(*) FROM rated GROUP BY r ORDER BY r;
SELECT a.id, b.id FROM rated a JOIN rated b ON a.s = b.s WHERE a.id < b.id ORDER BY 1, 2;
SELECT DISTINCT s FROM rated ORDER BY s;
RESET enable_sort;
RESET enable_mergejoin;
SELECT feedback.rating_hash('up') = feedback.rating_hash('+1') AS same_hash,
       feedback.rating_hash_extended('up', 1) = feedback.rating_hash_extended('like', 1) AS same_ext;

-- One byte each, passed by value.
SELECT typname, typlen, typbyval FROM pg_type
 WHERE typnamespace = 'feedback'::regnamespace AND typname IN ('rating', 'review_status')
 ORDER BY typname;
SELECT pg_column_size('up'::feedback.rating) AS rating_size,
       pg_column_size('reviewed'::feedback.review_status) AS status_size;

-- Binary I/O: send gives one byte; COPY BINARY round-trips; a bad byte is refused.
-- The file is the client's, in the suite's own results directory, so that
-- runs against any server, by any user, never share one.
SELECT feedback.rating_send('up') AS up, feedback.rating_send('down') AS down,
       feedback.review_status_send('dismissed') AS dismissed;
\copy rated TO 'results/feedback_types_test.bin' (FORMAT binary)
CREATE TABLE rated_copy (LIKE rated);
\copy rated_copy FROM 'results/feedback_types_test.bin' (FORMAT binary)
SELECT count(*) AS same_rows FROM rated JOIN rated_copy USING (id)
 WHERE rated.r IS NOT DISTINCT FROM rated_copy.r AND rated.s = rated_copy.s;
CREATE TABLE raw_bytes (id int, r bytea, s bytea);
INSERT INTO raw_bytes VALUES (1, '\x07', '\x00');
\copy raw_bytes TO 'results/feedback_types_test.bin' (FORMAT binary)
\copy rated_copy FROM 'results/feedback_types_test.bin' (FORMAT binary)
\echo :LAST_ERROR_SQLSTATE
UPDATE raw_bytes SET r = '\x01', s = '\x09';
\copy raw_bytes TO 'results/feedback_types_test.bin' (FORMAT binary)
\copy rated_copy FROM 'results/feedback_types_test.bin' (FORMAT binary)
\echo :LAST_ERROR_SQLSTATE

DROP TABLE rated, rated_copy, raw_bytes;
-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
