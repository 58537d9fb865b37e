-- Analytics: stats() counts feedback by bucket of time from counters the
-- triggers keep; every change (submit, review, resubmission, delete, a
-- direct UPDATE, a new agent_name) moves the counts in its transaction, and
-- verify_stats() finds them equal to a count of the rows.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

\set t1 '''7e000000-0000-0000-0000-000000000001'''
\set t2 '''7e000000-0000-0000-0000-000000000002'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set c1 '''c0000000-0000-0000-0000-000000000001'''
\set c2 '''c0000000-0000-0000-0000-000000000002'''
\set c3 '''c0000000-0000-0000-0000-000000000003'''
\set c9 '''c0000000-0000-0000-0000-000000000009'''
SELECT count(*) AS setup FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')), (feedback.put_user(:bob, 'bob@example.com')),
    (feedback.put_user(:rita, 'rita@example.com')),
    (feedback.put_member(:t1, :alice)), (feedback.put_member(:t1, :bob)),
    (feedback.put_member(:t1, :rita, 'admin')), (feedback.put_member(:t2, :alice)),
    (feedback.put_member(:t2, :rita, 'reviewer')),
    (feedback.put_conversation(:t1, :c1, agent_name => 'helper')),
    (feedback.put_conversation(:t1, :c2, agent_name => 'coder')),
    (feedback.put_conversation(:t1, :c3)),
    (feedback.put_conversation(:t2, :c9, agent_name => 'helper'))) v;
-- Answers a01..a06 in c1, a07..a08 in c2, a09 in c3, a10 in t2's c9.
SELECT count(*) AS answers FROM (
    SELECT feedback.put_message(:t1, format('a0000000-0000-0000-0000-0000000000%s', lpad(i::text, 2, '0'))::uuid,
                                CASE WHEN i <= 6 THEN :c1 WHEN i <= 8 THEN :c2 ELSE :c3 END::uuid,
                                'assistant', 'Answer ' || i)
      FROM generate_series(1, 9) i
    UNION ALL
    SELECT feedback.put_message(:t2, 'a0000000-0000-0000-0000-000000000010', :c9, 'assistant', 'Elsewhere')) v;

-- Nine feedback in t1 and one in t2, then moved to known times (a direct
-- UPDATE of created_at moves their counts too): two days in March 2026.
SET feedback.user_id = :alice;
SELECT count(*) AS given FROM (VALUES
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000001', 'up')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000002', 'up', 'Clear')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000003', 'down', 'Wrong', '{incorrect,outdated}')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000004', NULL, 'Just a remark')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000005', 'down', reasons => '{incorrect}',
                     source_surface => 'email_digest')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000006', 'up', kind => 'answer_quality')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000007', 'down', 'Too long', '{verbose,incorrect}')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000008', 'up')),
    (feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000009', 'down', reasons => '{rude}')),
    (feedback.submit(:t2, 'a0000000-0000-0000-0000-000000000010', 'down', reasons => '{elsewhere}'))) v;
UPDATE feedback.feedback f SET created_at = m.at
  FROM (VALUES ('a0000000-0000-0000-0000-000000000001'::uuid, '2026-03-02T09:10:00Z'::timestamptz),
               ('a0000000-0000-0000-0000-000000000002', '2026-03-02T09:50:00Z'),
               ('a0000000-0000-0000-0000-000000000003', '2026-03-02T10:05:00Z'),
               ('a0000000-0000-0000-0000-000000000004', '2026-03-02T23:59:59.999999Z'),
               ('a0000000-0000-0000-0000-000000000005', '2026-03-03T00:00:00Z'),
               ('a0000000-0000-0000-0000-000000000006', '2026-03-03T12:00:00Z'),
               ('a0000000-0000-0000-0000-000000000007', '2026-03-03T13:00:00Z'),
               ('a0000000-0000-0000-0000-000000000008', '2026-03-09T08:00:00Z'),
               ('a0000000-0000-0000-0000-000000000009', '2026-04-01T00:00:00Z'),
               ('a0000000-0000-0000-0000-000000000010', '2026-03-02T09:00:00Z')) AS m(answer, at)
 WHERE f.message_id = m.answer;
SELECT id AS f1 FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000001' \gset
SELECT id AS f3 FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000003' \gset
SELECT id AS f7 FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000007' \gset

-- The buckets, as a table: one row per bucket (and group).
\set buckets 'AS b(start text, "group" text, feedback int, positive int, negative int, comment_only int, to_review int, auto_approved int, reviewed int, dismissed int, positive_rate numeric)'

SET feedback.user_id = :rita;
-- Days of March 2026: the feedback of 2 March and 3 March, 9 March; 1
-- April is outside [from, to), and so is t2's feedback.
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-01', '2026-04-01') -> 'buckets') :buckets;
SELECT feedback.stats(:t1, '2026-03-01', '2026-04-01') -> 'top_negative_reasons' AS top_negative_reasons;
-- The whole answer, once: start in RFC 3339 UTC, group null, the rate a
-- number (null without ratings).
SELECT feedback.stats(:t1, '2026-03-09', '2026-03-10');
SELECT feedback.stats(:t1, '2026-03-02T23:00:00Z', '2026-03-03T00:00:00Z', 'hour') -> 'buckets' -> 0 -> 'positive_rate'
       AS no_ratings_no_rate;
-- Hours, from and to rounded down to their hour: 09:30 starts at 09:00,
-- 10:59 ends at 10:00 (10:05 is left out).
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-02T09:30:00Z', '2026-03-02T10:59:00Z', 'hour') -> 'buckets') :buckets;
-- Weeks start on Monday (2 and 9 March 2026 are Mondays); months.
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-04', '2026-03-16', 'week') -> 'buckets') :buckets;
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-01-15', '2026-12-31', 'month') -> 'buckets') :buckets;
-- Groups: the conversation's agent (c3 has none), kind, source_surface.
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-01', '2026-05-01', 'month', 'agent_name') -> 'buckets') :buckets;
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-01', '2026-05-01', 'month', 'kind') -> 'buckets') :buckets;
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-01', '2026-05-01', 'month', 'source_surface') -> 'buckets') :buckets;
-- The reasons are over the whole range whatever the groups.
SELECT feedback.stats(:t1, '2026-03-01', '2026-05-01', 'month', 'agent_name') -> 'top_negative_reasons'
       AS reasons_with_groups;
SELECT feedback.verify_stats(:t1) AS t1_exact, feedback.verify_stats(:t2) AS t2_exact;

-- A review moves a feedback between status counters; auto-approval counts
-- as auto_approved; a dismissal as dismissed.
SELECT feedback.set_status(:t1, :'f1', 'reviewed') ->> 'status' AS f1;
SELECT feedback.set_status(:t1, :'f3', 'dismissed') ->> 'status' AS f3;
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000002', 'down', 'Not clear after all', '{unclear}') ->> 'status'
       AS resubmitted;
SET feedback.user_id = :rita;
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-02', '2026-03-03') -> 'buckets') :buckets;
SELECT feedback.stats(:t1, '2026-03-02', '2026-03-03') -> 'top_negative_reasons' AS reasons_2_march;
SELECT feedback.configure(:t1, 'positive', true) IS NOT NULL AS auto_approval_on;
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000003', 'up') ->> 'status' AS changed_to_up;
SET feedback.user_id = :rita;
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-02', '2026-03-03') -> 'buckets') :buckets;
SELECT feedback.stats(:t1, '2026-03-02', '2026-03-03') -> 'top_negative_reasons' AS reasons_after_up;
SELECT feedback.verify_stats(:t1) AS exact_after_reviews;

-- A new agent_name moves the conversation's feedback to the new agent.
SELECT feedback.put_conversation(:t1, :c2, agent_name => 'coder-2') ->> 'agent_name' AS renamed;
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-01', '2026-04-01', 'month', 'agent_name') -> 'buckets') :buckets;
SELECT feedback.verify_stats(:t1) AS exact_after_rename;

-- Direct UPDATEs of what a feedback counts by, and a multi-row DELETE.
UPDATE feedback.feedback SET kind = 'answer_quality', source_surface = 'email_digest' WHERE id = :'f7';
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-03', '2026-03-04', 'day', 'kind') -> 'buckets') :buckets;
DELETE FROM feedback.feedback WHERE tenant_id = :t1 AND created_at >= '2026-03-03' AND created_at < '2026-03-04';
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-01', '2026-04-01') -> 'buckets') :buckets;
SELECT feedback.verify_stats(:t1) AS exact_after_delete;

-- The API's deletions too: delete (the author's), delete_conversation.
SET feedback.user_id = :alice;
SELECT feedback.delete(:t1, :'f1');
RESET feedback.user_id;
SELECT feedback.delete_conversation(:t1, :c2) -> 'deleted' ->> 'feedback' AS deleted_with_c2;
SET feedback.user_id = :rita;
SELECT * FROM jsonb_to_recordset(feedback.stats(:t1, '2026-03-01', '2026-05-01', 'month', 'agent_name') -> 'buckets') :buckets;
SELECT feedback.verify_stats(:t1) AS exact_after_api_deletes, feedback.verify_stats(:t2) AS t2_untouched;

-- At most ten reasons, by count, then by name.
SET feedback.user_id = :bob;
SELECT count(*) AS negatives FROM (
    SELECT feedback.submit(:t1, format('a0000000-0000-0000-0000-0000000000%s', lpad(i::text, 2, '0'))::uuid,
                           'down', kind => 'k' || i,
                           reasons => ARRAY(SELECT 'r' || lpad(j::text, 2, '0') FROM generate_series(i, 12) j))
      FROM generate_series(4, 6) i) v;
SET feedback.user_id = :rita;
SELECT r ->> 'reason' AS reason, (r ->> 'count')::int AS count
  FROM jsonb_array_elements(feedback.stats(:t1, '2020-01-01', '2030-01-01', 'month') -> 'top_negative_reasons') r;

-- The counters are where the contract says, and a corruption shows.
UPDATE feedback.stats_counts SET reviewed = reviewed + 1
 WHERE tenant_id = :t1 AND grain = 'day' AND agent_name = 'helper' AND kind = 'k4';
UPDATE feedback.stats_counts SET reasons = reasons || '{"r12": 0}'
 WHERE tenant_id = :t1 AND grain = 'month' AND reasons ? 'r12';
SET timezone = 'Asia/Kolkata';   -- the times shown are UTC whatever the session's zone
SELECT d ->> 'grain' AS grain, d ->> 'start' ~ '^\d{4}-\d\d-\d\dT00:00:00\.000000Z$' AS start_utc, d ->> 'kind' AS kind,
       d -> 'counted' ->> 'reviewed' AS counted_reviewed, d -> 'recomputed' ->> 'reviewed' AS recomputed_reviewed,
       d -> 'counted' -> 'reasons' ->> 'r12' AS counted_r12, d -> 'recomputed' -> 'reasons' ->> 'r12' AS recomputed_r12
  FROM jsonb_array_elements(feedback.verify_stats(:t1)) d;
RESET timezone;
RESET feedback.user_id;
SELECT feedback.rebuild_stats(:t1) > 0 AS rebuilt;
SET feedback.user_id = :rita;
SELECT feedback.verify_stats(:t1) AS exact_after_rebuild;

-- A direct INSERT of negative feedback with many reasons, repeated and
-- NULL ones among them, counts each distinct reason once.
RESET feedback.user_id;
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, reasons, created_at, updated_at)
SELECT :t1, 'f0000000-0000-0000-0000-000000000040', :c3, 'a0000000-0000-0000-0000-000000000009', :bob, 'negative',
       array_agg('many' || (i % 40)) || ARRAY[NULL::text], '2026-05-05T05:05:05Z', now()
  FROM generate_series(1, 80) i;
SET feedback.user_id = :rita;
SELECT (feedback.stats(:t1, '2026-05-05', '2026-05-06') -> 'top_negative_reasons' -> 0) AS top, feedback.verify_stats(:t1) AS exact;
-- How a change adds its reasons to a row: key by key, zeros left out.
SELECT feedback.stats_add_reasons('{"a": 1, "b": 2}', '{"b": -2, "c": 1}') AS added,
       feedback.stats_add_reasons('{}', '{}') AS nothing;

-- Errors.
\set VERBOSITY sqlstate
SELECT feedback.stats_add_reasons('[1]', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats_add_reasons('{"a": "x"}', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '2026-03-01', '2026-04-01', 'year');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '2026-03-01', '2026-04-01', 'day', 'rating');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '2026-04-01', '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, NULL, '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '2026-03-01', 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '2026-03-01', '2026-04-01', NULL);
\echo :LAST_ERROR_SQLSTATE
-- 1000 buckets is the most: 1000 hours pass, 1001 do not.
SELECT feedback.stats(:t1, '2026-03-01', '2026-03-01'::timestamptz + interval '1000 hours', 'hour') IS NOT NULL
       AS thousand_hours;
SELECT feedback.stats(:t1, '2026-03-01', '2026-03-01'::timestamptz + interval '1001 hours', 'hour');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '1900-01-01', '1990-01-01', 'month') IS NOT NULL AS too_many_months;
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '1990-01-01', '2073-04-01', 'month') IS NOT NULL AS nine_hundred_ninety_nine_months;
\set VERBOSITY default
SELECT feedback.stats(:t1, '2026-03-01', '2026-04-01', 'fortnight');
SELECT feedback.stats(:t1, '2026-03-01', '2026-03-01'::timestamptz + interval '1001 days');
\set VERBOSITY sqlstate
-- a member may not read the counters, whatever the arguments
SET feedback.user_id = :alice;
SELECT feedback.stats(:t1, '2026-03-01', '2026-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.verify_stats(:t1);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.stats(:t1, '2026-03-01', '2026-04-01', 'fortnight');
\echo :LAST_ERROR_SQLSTATE
RESET feedback.user_id;
\set VERBOSITY default

-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
