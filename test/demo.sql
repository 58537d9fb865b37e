-- test/demo.sql -- run by `make demo`.
\pset pager off
\pset footer off
\set QUIET on
\echo
\echo '== 1. Install the extension: everything lives in schema feedback'
CREATE EXTENSION feedback CASCADE;

\echo
\echo '== 2. The chat backend registers people, a tenant (it exists once it has a member) and roles'
SELECT feedback.put_user('00000000-0000-0000-0000-00000000a11c', 'alice@example.com') ->> 'email' AS user;
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000b0', 'bob@example.com') ->> 'email' AS user;
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000ad', 'admin@example.com') ->> 'email' AS user;
SELECT feedback.put_user('00000000-0000-0000-0000-00000000005a', 'support@example.com', can_impersonate => true)
       ->> 'email' AS user;
SELECT m->>'email' AS email, m->>'role' AS role
  FROM (VALUES (feedback.put_member('7e000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000a11c')),
               (feedback.put_member('7e000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000b0', 'reviewer')),
               (feedback.put_member('7e000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000ad', 'admin')))
       AS t(m);

\echo
\echo '== 3. A conversation with a question and its answer (streamed, then complete)'
SELECT jsonb_pretty(feedback.put_conversation('7e000000-0000-0000-0000-000000000001',
       'c0000000-0000-0000-0000-000000000001', 'Product pricing discussion', 'Customer Support Assistant'));
SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000001',
       'c0000000-0000-0000-0000-000000000001', 'user', 'How much is the Pro plan?') ->> 'content' AS question;
SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002',
       'c0000000-0000-0000-0000-000000000001', 'assistant', 'The Pro plan',
       reply_to => 'a0000000-0000-0000-0000-000000000001', is_complete => false) ->> 'is_complete' AS streaming_complete;
SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002',
       'c0000000-0000-0000-0000-000000000001', 'assistant', 'The Pro plan costs 20 dollars a month.',
       reply_to => 'a0000000-0000-0000-0000-000000000001') ->> 'is_complete' AS now_complete;

\echo
\echo '== 4. Who is calling: the application sets the acting user (PostgREST: the JWT sub claim)'
SET feedback.user_id = '00000000-0000-0000-0000-00000000a11c';
SELECT jsonb_pretty(feedback.whoami('7e000000-0000-0000-0000-000000000001'));
\echo '   support staff with can_impersonate act as a member by email:'
SET feedback.user_id = '00000000-0000-0000-0000-00000000005a';
SET feedback.impersonate_email = 'Bob@Example.com';
SELECT jsonb_pretty(feedback.whoami('7e000000-0000-0000-0000-000000000001'));
RESET feedback.impersonate_email;

\echo
\echo '== 5. Ratings arrive in many vocabularies; feedback.rating stores one byte, positive or negative'
SELECT word AS given, word::feedback.rating AS stored, word::feedback.rating::boolean AS as_boolean
  FROM unnest(ARRAY['thumbs_up', 'thumbs_down', 'LIKE', 'dislike', '+1', '-1', 'true', ' up ', '👍', '👎']) AS word;
\echo '   anything else is refused with the list of accepted words:'
\set ON_ERROR_STOP off
SELECT 'meh'::feedback.rating;
\set ON_ERROR_STOP on
\echo '   review states (pending is an alias of to_review) and their summary over a group:'
SELECT feedback.status_summary(s::feedback.review_status) AS summary, array_agg(s) AS statuses
  FROM (VALUES ('pending'), ('reviewed')) AS t(s);

\echo
\echo '== 6. Alice rates the answer in the app (submit): the feedback is created (response.status 201)'
SET feedback.user_id = '00000000-0000-0000-0000-00000000a11c';
BEGIN;
SELECT f->>'id' AS feedback_id, f->>'rating' AS rating, f->>'reaction' AS reaction, f->'reasons' AS reasons,
       f->>'status' AS status, f->>'user_message' AS user_message, current_setting('response.status') AS http_status
  FROM feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002',
                       'thumbs_up', reasons => '{accurate,concise}') AS f;
COMMIT;

\echo
\echo '== 7. ...then through the conversation PUT (rates the latest answer): the same feedback, replaced'
SELECT jsonb_pretty(feedback.put_conversation_feedback('7e000000-0000-0000-0000-000000000001',
       'c0000000-0000-0000-0000-000000000001', '{"rating": "NEGATIVE", "comment": "It is 25 dollars since March."}'));

\echo
\echo '== 8. ...then patches it by id (only the keys sent change): still the same feedback'
SELECT f->>'id' AS feedback_id, f->>'rating' AS rating, f->>'comment' AS comment, f->'reasons' AS reasons
  FROM feedback.patch('7e000000-0000-0000-0000-000000000001',
                      (SELECT id FROM feedback.feedback LIMIT 1), '{"reasons": ["outdated"]}') AS f;
SELECT count(*) AS feedback_rows_for_alice_on_this_answer FROM feedback.feedback;

\echo
\echo '== 9. Support staff acting as Bob give feedback: both users are recorded'
SET feedback.user_id = '00000000-0000-0000-0000-00000000005a';
SET feedback.impersonate_email = 'bob@example.com';
SELECT f->'given_by'->>'email' AS given_by, f->'impersonated_by'->>'email' AS impersonated_by, f->>'comment' AS comment
  FROM feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000002',
                       comment => 'Customer says the price is wrong') AS f;
RESET feedback.impersonate_email;

\echo
\echo '== 10. How it is stored: one row per (tenant, answer, user, kind), rating as one byte'
SELECT u.email AS given_by, f.rating, pg_column_size(f.rating) AS rating_bytes, f.comment, f.reasons, f.status
  FROM feedback.feedback f JOIN feedback.users u ON u.id = f.user_id ORDER BY u.email;

\echo
\echo '== 11. Each user reads back their own feedback; others'' feedback is not found (PT404)'
SET feedback.user_id = '00000000-0000-0000-0000-00000000a11c';
SELECT jsonb_array_length(feedback.thread_reactions('7e000000-0000-0000-0000-000000000001',
       'c0000000-0000-0000-0000-000000000001')) AS alices_reactions_in_thread;
\set ON_ERROR_STOP off
SELECT feedback.get('7e000000-0000-0000-0000-000000000001',
                    (SELECT id FROM feedback.feedback WHERE user_id = '00000000-0000-0000-0000-0000000000b0'));
\set ON_ERROR_STOP on

\echo
\echo '== 12. The admin turns on auto-approval of positive feedback'
SET feedback.user_id = '00000000-0000-0000-0000-0000000000ad';
SELECT jsonb_pretty(feedback.configure('7e000000-0000-0000-0000-000000000001', 'positive', auto_approve => true));

\echo
\echo '== 13. A positive rating is auto-approved at submit and becomes a golden example in the same transaction'
SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000003',
       'c0000000-0000-0000-0000-000000000001', 'user', 'Can I pay yearly?') IS NOT NULL AS asked;
SELECT feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000004',
       'c0000000-0000-0000-0000-000000000001', 'assistant', 'Yes: 200 dollars a year, two months free.',
       reply_to => 'a0000000-0000-0000-0000-000000000003') IS NOT NULL AS answered;
SET feedback.user_id = '00000000-0000-0000-0000-00000000a11c';
SELECT f->>'status' AS status, f->>'rating' AS rating
  FROM feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000004', '👍') AS f;
SELECT source_type, approval_type, prompt, golden_response, is_active FROM feedback.golden_example;

\echo
\echo '== 14. Bob, a reviewer, corrects Alice''s negative feedback on the first answer: a second example'
SET feedback.user_id = '00000000-0000-0000-0000-0000000000b0';
SELECT f->>'status' AS status, f->'reviewed_by'->>'email' AS reviewed_by, f->>'corrected_response' AS corrected
  FROM feedback.set_status('7e000000-0000-0000-0000-000000000001',
         (SELECT id FROM feedback.feedback WHERE user_id = '00000000-0000-0000-0000-00000000a11c'
                                             AND message_id = 'a0000000-0000-0000-0000-000000000002'),
         'reviewed', note => 'price changed in March',
         corrected_response => 'The Pro plan costs 25 dollars a month since March.') AS f;
SELECT h->>'from' AS from, h->>'to' AS to, h->'by'->>'email' AS by, h->>'note' AS note
  FROM jsonb_array_elements(feedback.history('7e000000-0000-0000-0000-000000000001',
         (SELECT id FROM feedback.feedback WHERE user_id = '00000000-0000-0000-0000-00000000a11c'
                                             AND message_id = 'a0000000-0000-0000-0000-000000000002'))) AS h;
SELECT source_type, approval_type, prompt, golden_response, is_active FROM feedback.golden_example ORDER BY created_at;

\echo
\echo '== 15. The fine-tuning export: one JSON line per active example (COPY ... TO STDOUT)'
COPY (SELECT * FROM feedback.export_golden_examples('7e000000-0000-0000-0000-000000000001')) TO STDOUT;

\echo
\echo '== 16. Bob works through the review queue: feedback grouped by conversation, newest first'
SET feedback.user_id = '00000000-0000-0000-0000-0000000000b0';
SELECT q - 'results' AS page FROM feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001') AS q;
SELECT g->>'conversation_title' AS conversation, g->>'status_summary' AS summary, g->'feedback_count' AS feedback,
       g->'to_review_count' AS to_review, g->'reviewed_count' AS reviewed,
       (SELECT string_agg(format('%s: %s', i->'given_by'->>'email', coalesce(i->>'rating', i->>'feedback')), '; ')
          FROM jsonb_array_elements(g->'feedbacks') AS i) AS items
  FROM jsonb_array_elements(feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001')->'results') AS g;

\echo
\echo '== 17. Analytics: a month of feedback on the support assistant, counted per day from counters'
\echo '   the backend imports 30 days of past conversations; Alice rated each answer (times set directly)'
RESET feedback.user_id;
SELECT count(*) AS past_answers FROM (
    SELECT feedback.put_conversation('7e000000-0000-0000-0000-000000000001', format('c1000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid,
                                     'Past conversation ' || i, 'Customer Support Assistant'),
           feedback.put_message('7e000000-0000-0000-0000-000000000001', format('a1000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid,
                                format('c1000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid, 'assistant', 'Past answer ' || i)
      FROM generate_series(1, 300) AS i) AS past;
SET feedback.user_id = '00000000-0000-0000-0000-00000000a11c';
-- the answers of day d (0 = 29 days ago): positive more often as the weeks go by
SELECT count(*) AS past_feedback FROM (
    SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', format('a1000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid,
                           CASE WHEN (i * 37) % 100 < 40 + (i - 1) / 10 * 2 THEN 'positive' ELSE 'negative' END::feedback.rating,
                           reasons => CASE WHEN (i * 37) % 100 >= 40 + (i - 1) / 10 * 2
                                           THEN ARRAY[(ARRAY['incorrect', 'outdated', 'too_long'])[1 + i % 3]] ELSE '{}' END)
      FROM generate_series(1, 300) AS i) AS given;
RESET feedback.user_id;
UPDATE feedback.feedback f
   SET created_at = date_trunc('day', now(), 'UTC') - (29 - (m.n - 1) / 10) * interval '1 day' + (m.n % 10) * interval '1 hour'
  FROM (SELECT i AS n, format('a1000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid AS id FROM generate_series(1, 300) AS i) AS m
 WHERE f.tenant_id = '7e000000-0000-0000-0000-000000000001' AND f.message_id = m.id;
\echo '   Bob charts the last 30 days: one call, whatever the number of feedback'
SET feedback.user_id = '00000000-0000-0000-0000-0000000000b0';
SELECT left(b->>'start', 10) AS day, b->'feedback' AS feedback, b->'positive' AS positive, b->'negative' AS negative,
       round((b->>'positive_rate')::numeric, 2) AS positive_rate
  FROM jsonb_array_elements(feedback.stats('7e000000-0000-0000-0000-000000000001',
                                           now() - interval '29 days', now() + interval '1 day')->'buckets') AS b
 WHERE (b->>'start')::date IN (current_date - 29, current_date - 15, current_date - 1, current_date);
SELECT feedback.stats('7e000000-0000-0000-0000-000000000001', now() - interval '29 days', now() + interval '1 day', 'week')
       -> 'top_negative_reasons' AS why_people_dislike_answers;
SELECT feedback.verify_stats('7e000000-0000-0000-0000-000000000001') AS counters_equal_a_recount;
\echo '   the chart: the positive rate per day, for gnuplot'
\pset format unaligned
\pset tuples_only on
\o :chart_data
SELECT left(b->>'start', 10), b->>'positive_rate', b->>'feedback'
  FROM jsonb_array_elements(feedback.stats('7e000000-0000-0000-0000-000000000001',
                                           now() - interval '29 days', now() + interval '1 day')->'buckets') AS b;
\o
