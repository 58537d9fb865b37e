-- The enrichment queue: claim_suggestions leases the feedback that needs a
-- suggested action, oldest first; set_suggestion completes it; a change of
-- content opens it again and cancels the claim on the old content.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

\set t1 '''7e000000-0000-0000-0000-000000000001'''
\set t2 '''7e000000-0000-0000-0000-000000000002'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set c1 '''c0000000-0000-0000-0000-000000000001'''
\set c2 '''c0000000-0000-0000-0000-000000000002'''
SELECT count(*) AS setup FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')),
    (feedback.put_member(:t1, :alice)), (feedback.put_member(:t2, :alice)),
    (feedback.put_conversation(:t1, :c1)), (feedback.put_conversation(:t2, :c2))) v;
SELECT count(*) AS answers FROM (
    SELECT feedback.put_message(:t1, format('a0000000-0000-0000-0000-00000000000%s', i)::uuid, :c1, 'assistant', 'Answer ' || i)
      FROM generate_series(1, 5) i
    UNION ALL
    SELECT feedback.put_message(:t2, 'a0000000-0000-0000-0000-000000000009', :c2, 'assistant', 'Elsewhere')) v;

-- Five feedback in t1 and one in t2, each created a second after the one
-- before (created_at set directly: the queue is oldest first).
SET feedback.user_id = :alice;
SELECT count(*) AS given FROM (
    SELECT feedback.submit(:t1, format('a0000000-0000-0000-0000-00000000000%s', i)::uuid, 'down', 'Comment ' || i)
      FROM generate_series(1, 5) i
    UNION ALL
    SELECT feedback.submit(:t2, 'a0000000-0000-0000-0000-000000000009', 'up', 'Elsewhere')) v;
UPDATE feedback.feedback f SET created_at = m.at
  FROM (VALUES ('a0000000-0000-0000-0000-000000000009'::uuid, '2026-03-01T10:00:00Z'::timestamptz),
               ('a0000000-0000-0000-0000-000000000001', '2026-03-01T10:00:01Z'),
               ('a0000000-0000-0000-0000-000000000002', '2026-03-01T10:00:02Z'),
               ('a0000000-0000-0000-0000-000000000003', '2026-03-01T10:00:03Z'),
               ('a0000000-0000-0000-0000-000000000004', '2026-03-01T10:00:04Z'),
               ('a0000000-0000-0000-0000-000000000005', '2026-03-01T10:00:05Z')) AS m(answer, at)
 WHERE f.message_id = m.answer;
SELECT id AS f1 FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000001' \gset
SELECT id AS f2 FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000002' \gset
SELECT id AS f3 FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000003' \gset
RESET feedback.user_id;

-- Claims: oldest first, each feedback once while its lease runs.
SELECT f ->> 'comment' AS claimed, f ->> 'tenant_id' = :t1 AS in_t1
  FROM feedback.claim_suggestions(2, '5 minutes', :t1) f;
SELECT f ->> 'comment' AS claimed_next FROM feedback.claim_suggestions(2, '5 minutes', :t1) f;
SELECT f ->> 'comment' AS claimed_in_all_tenants FROM feedback.claim_suggestions(10) f;
SELECT count(*) AS nothing_left FROM feedback.claim_suggestions(10);
SELECT count(*) AS leased, min(suggestion_leased_until - now()) > interval '4 minutes' AS for_five_minutes
  FROM feedback.feedback WHERE suggestion_leased_until > now();

-- An expired lease makes its feedback claimable again.
UPDATE feedback.feedback SET suggestion_leased_until = now() - interval '1 second' WHERE id = :'f2';
SELECT f ->> 'id' = :'f2' AS reclaimed_after_expiry FROM feedback.claim_suggestions(10, '1 minute', :t1) f;

-- set_suggestion completes the work and ends the lease; the feedback is
-- not claimed again.
SELECT f ->> 'suggested_action_type' AS type, f -> 'suggested_action_data' AS data
  FROM feedback.set_suggestion(:t1, :'f1', 'create_faq', '{"question": "Which answer?"}') f;
SELECT suggested_at IS NOT NULL AS completed, suggestion_leased_until IS NULL AS lease_ended
  FROM feedback.feedback WHERE id = :'f1';
UPDATE feedback.feedback SET suggestion_leased_until = now() - interval '1 second'
 WHERE tenant_id = :t1 AND suggested_at IS NULL;
SELECT string_agg(f ->> 'comment', ', ' ORDER BY f ->> 'created_at') AS open_work
  FROM feedback.claim_suggestions(10, '5 minutes', :t1) f;
-- a suggestion of "nothing to suggest" completes the work too
SELECT f ->> 'suggested_action_type' AS type FROM feedback.set_suggestion(:t1, :'f3', NULL) f;
SELECT count(*) AS open_left_in_t1 FROM feedback.feedback WHERE tenant_id = :t1 AND suggested_at IS NULL;

-- New content opens the work again and clears the suggestion.
SET feedback.user_id = :alice;
SELECT f ->> 'suggested_action_type' AS type_after_resubmit, f -> 'suggested_action_data' AS data
  FROM feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000001', 'up', 'Better after all') f;
RESET feedback.user_id;
SELECT suggested_at IS NULL AS open_again, suggestion_leased_until IS NULL AS no_lease
  FROM feedback.feedback WHERE id = :'f1';
-- a change of metadata alone does not
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000003', 'down', 'Comment 3', source_surface => 'email') ->> 'source_surface' AS changed;
RESET feedback.user_id;
SELECT suggested_at IS NOT NULL AS still_completed FROM feedback.feedback WHERE id = :'f3';

-- A claim cancelled by new content: the late worker's suggestion is
-- refused, and the feedback is claimable again.
UPDATE feedback.feedback SET suggestion_leased_until = now() - interval '1 second'
 WHERE tenant_id = :t1 AND suggested_at IS NULL;
SELECT f ->> 'comment' AS claimed FROM feedback.claim_suggestions(1, '5 minutes', :t1) f;
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, 'a0000000-0000-0000-0000-000000000001', 'up', 'Changed while claimed') ->> 'comment' AS changed;
RESET feedback.user_id;
SELECT suggestion_leased_until = '-infinity' AS claim_cancelled FROM feedback.feedback WHERE id = :'f1';
\set VERBOSITY sqlstate
SELECT feedback.set_suggestion(:t1, :'f1', 'create_faq', '{}');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT suggested_action_type IS NULL AS nothing_stored FROM feedback.feedback WHERE id = :'f1';
SELECT f ->> 'comment' AS claimed_again FROM feedback.claim_suggestions(1, '5 minutes', :t1) f;
SELECT f ->> 'suggested_action_type' AS completed_by_the_new_claim
  FROM feedback.set_suggestion(:t1, :'f1', 'thank_user', '{}') f;

-- A worker whose lease merely expired still completes the work (the
-- content is the one it saw).
SELECT f ->> 'comment' AS claimed FROM feedback.claim_suggestions(1, '5 minutes', :t1) f;
UPDATE feedback.feedback SET suggestion_leased_until = now() - interval '1 second' WHERE id = :'f2';
SELECT f ->> 'suggested_action_type' AS late_but_accepted FROM feedback.set_suggestion(:t1, :'f2', 'create_faq') f;

-- The other tenant's work is its own.
UPDATE feedback.feedback SET suggestion_leased_until = now() - interval '1 second' WHERE suggested_at IS NULL;
SELECT f ->> 'comment' AS t2_claim FROM feedback.claim_suggestions(10, '5 minutes', :t2) f;

-- Oldest first across the two kinds of open work, never leased and lease
-- ended: 30 of the 40 feedback of a third tenant leased for a day, then one
-- of those leases expired.
\set t3 '''7e000000-0000-0000-0000-000000000003'''
\set c3 '''c0000000-0000-0000-0000-000000000003'''
SELECT count(*) AS setup FROM (VALUES (feedback.put_member(:t3, :alice)), (feedback.put_conversation(:t3, :c3))) v;
SELECT count(*) AS answers FROM (
    SELECT feedback.put_message(:t3, format('a3000000-0000-0000-0000-0000000000%s', lpad(i::text, 2, '0'))::uuid,
                                :c3, 'assistant', 'Answer ' || i)
      FROM generate_series(1, 40) i) v;
SET feedback.user_id = :alice;
SELECT count(*) AS given FROM (
    SELECT feedback.submit(:t3, format('a3000000-0000-0000-0000-0000000000%s', lpad(i::text, 2, '0'))::uuid,
                           'down', 'Work ' || i)
      FROM generate_series(1, 40) i) v;
RESET feedback.user_id;
-- (immutable arithmetic: on Citus an UPDATE may not call a stable function on a column)
UPDATE feedback.feedback f
   SET created_at = ('2026-03-02 10:00:00'::timestamp + substr(f.comment, 6)::int * interval '1 second') AT TIME ZONE 'UTC'
 WHERE f.tenant_id = :t3;
SELECT count(*) AS leased_for_a_day FROM feedback.claim_suggestions(30, '1 day', :t3);
UPDATE feedback.feedback SET suggestion_leased_until = now() - interval '1 second'
 WHERE tenant_id = :t3 AND comment = 'Work 20';
SELECT string_agg(f ->> 'comment', ', ') AS claimed_in_order FROM feedback.claim_suggestions(3, '5 minutes', :t3) f;
SELECT string_agg(f ->> 'comment', ', ') AS then_in_all_tenants FROM feedback.claim_suggestions(2, '5 minutes') f;

-- Arguments.
\set VERBOSITY sqlstate
SELECT feedback.claim_suggestions(0);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.claim_suggestions(1001);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.claim_suggestions(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.claim_suggestions(1, '0 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.claim_suggestions(1, '-5 minutes');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.claim_suggestions(1, '2 days');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.claim_suggestions(1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.set_suggestion(:t1, 'f0000000-0000-0000-0000-0000000000ff', 'x');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- The queue and the examples are untouched by claims and suggestions.
SELECT feedback.verify_review_groups(:t1) AS t1, feedback.verify_review_groups(:t2) AS t2;

-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
