-- The data lifecycle: remove_member, delete_message, delete_conversation,
-- erase_user.  Each returns {"deleted": {table: rows}} and leaves the queue,
-- the examples and the history consistent; nothing of another tenant moves.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

\set t1 '''7e000000-0000-0000-0000-000000000001'''
\set t2 '''7e000000-0000-0000-0000-000000000002'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set sam '''00000000-0000-0000-0000-000000000051'''
\set c1 '''c0000000-0000-0000-0000-000000000001'''
\set c2 '''c0000000-0000-0000-0000-000000000002'''
\set q1 '''a0000000-0000-0000-0000-000000000001'''
\set a1 '''a0000000-0000-0000-0000-000000000002'''
\set q2 '''a0000000-0000-0000-0000-000000000003'''
\set a2 '''a0000000-0000-0000-0000-000000000004'''
\set a3 '''a0000000-0000-0000-0000-000000000005'''

SELECT feedback.put_user(:alice, 'alice@example.com') IS NOT NULL AS alice,
       feedback.put_user(:bob, 'bob@example.com') IS NOT NULL AS bob,
       feedback.put_user(:rita, 'rita@example.com') IS NOT NULL AS rita,
       feedback.put_user(:sam, 'sam@example.com', true) IS NOT NULL AS sam;
SELECT count(*) AS memberships FROM (VALUES
       (feedback.put_member(:t1, :alice)), (feedback.put_member(:t1, :bob)),
       (feedback.put_member(:t1, :rita, 'reviewer')), (feedback.put_member(:t2, :alice)),
       (feedback.put_member(:t2, :rita, 'admin'))) v;
-- the same conversation and message ids in both tenants
SELECT count(*) AS rows FROM (VALUES
       (feedback.put_conversation(:t1, :c1, 'Pricing')), (feedback.put_conversation(:t1, :c2, 'Support')),
       (feedback.put_conversation(:t2, :c1, 'Pricing elsewhere')),
       (feedback.put_message(:t1, :q1, :c1, 'user', 'How much is Pro?', created_at => '2026-03-01T10:00:00Z')),
       (feedback.put_message(:t1, :a1, :c1, 'assistant', 'Pro is 20 dollars.', :q1, created_at => '2026-03-01T10:00:01Z')),
       (feedback.put_message(:t1, :q2, :c1, 'user', 'And Team?', created_at => '2026-03-01T10:00:02Z')),
       (feedback.put_message(:t1, :a2, :c1, 'assistant', 'Team is 50 dollars.', :q2, created_at => '2026-03-01T10:00:03Z')),
       (feedback.put_message(:t1, :a3, :c2, 'assistant', 'Hello.', created_at => '2026-03-01T11:00:00Z')),
       (feedback.put_message(:t2, :q1, :c1, 'user', 'How much is Pro?', created_at => '2026-03-01T10:00:00Z')),
       (feedback.put_message(:t2, :a1, :c1, 'assistant', 'Pro is 20 dollars.', :q1, created_at => '2026-03-01T10:00:01Z'))) v;

-- Feedback: alice and bob on both answers of c1, alice on c2 and in t2,
-- bob ungrouped; sam impersonates bob once; rita reviews and corrects.
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, :a1, 'down', 'Wrong price', client_feedback_id => 'eeeeeeee-0000-0000-0000-000000000001') ->> 'id' AS alice_a1 \gset
SELECT feedback.submit(:t1, :a1, 'down', 'Wrong price, it is 25', client_feedback_id => 'eeeeeeee-0000-0000-0000-000000000002') ->> 'id' IS NOT NULL AS replaced;
SELECT feedback.submit(:t1, :a2, 'up') ->> 'id' AS alice_a2 \gset
SELECT feedback.submit(:t1, :a3, 'up', 'Friendly') ->> 'id' AS alice_a3 \gset
SELECT feedback.submit(:t2, :a1, 'up', 'Right') ->> 'id' AS alice_t2 \gset
SET feedback.user_id = :bob;
SELECT feedback.submit(:t1, :a1, 'up') ->> 'id' AS bob_a1 \gset
SELECT feedback.submit(:t1, NULL, comment => 'Search missed the pricing page') ->> 'id' AS bob_ungrouped \gset
SET feedback.user_id = :sam;
SET feedback.impersonate_email = 'bob@example.com';
SELECT feedback.submit(:t1, :a2, 'down', 'Too short') ->> 'id' AS bob_a2 \gset
RESET feedback.impersonate_email;
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t1, :'alice_a1', 'reviewed', 'checked', 'Pro is 25 dollars.') ->> 'status' AS alice_a1,
       feedback.set_status(:t1, :'alice_a2', 'reviewed') ->> 'status' AS alice_a2,
       feedback.set_status(:t1, :'bob_a1', 'reviewed') ->> 'status' AS bob_a1,
       feedback.set_status(:t1, :'alice_a3', 'reviewed') ->> 'status' AS alice_a3,
       feedback.set_status(:t1, :'bob_ungrouped', 'dismissed', 'not for us') ->> 'status' AS bob_ungrouped;
SELECT feedback.add_golden_example(:t1, :a2, 'Team is 50 dollars a month per seat.') ->> 'source_type' AS manual;
SELECT feedback.configure(:t2, 'positive', true) ->> 'tenant_id' IS NOT NULL AS configured;
SELECT feedback.set_status(:t2, :'alice_t2', 'reviewed') ->> 'status' AS alice_t2;

-- Everything a tenant holds, as counts; and the derived state checked.
-- (Views rather than functions: on Citus a SQL function's parameters
-- cannot reach the shards.)
CREATE VIEW holdings AS
    SELECT tenant_id, 1 AS ord, 'conversations' AS tbl, count(*) AS n FROM feedback.conversations GROUP BY tenant_id
    UNION ALL SELECT tenant_id, 2, 'messages', count(*) FROM feedback.messages GROUP BY tenant_id
    UNION ALL SELECT tenant_id, 3, 'feedback', count(*) FROM feedback.feedback GROUP BY tenant_id
    UNION ALL SELECT tenant_id, 4, 'client_keys', count(*) FROM feedback.client_keys GROUP BY tenant_id
    UNION ALL SELECT tenant_id, 5, 'status_history', count(*) FROM feedback.status_history GROUP BY tenant_id
    UNION ALL SELECT tenant_id, 6, 'golden_example', count(*) FROM feedback.golden_example GROUP BY tenant_id
    UNION ALL SELECT tenant_id, 7, 'memberships', count(*) FROM feedback.memberships GROUP BY tenant_id;
CREATE VIEW orphans AS
    SELECT h.tenant_id, 'history without its feedback' AS what FROM feedback.status_history h
     WHERE NOT EXISTS (SELECT FROM feedback.feedback f WHERE f.tenant_id = h.tenant_id AND f.id = h.feedback_id)
    UNION ALL
    SELECT g.tenant_id, 'an example without its answer' FROM feedback.golden_example g
     WHERE NOT EXISTS (SELECT FROM feedback.messages m WHERE m.tenant_id = g.tenant_id AND m.id = g.message_id);
SELECT tbl, n FROM holdings WHERE tenant_id = :t1 ORDER BY ord;
SELECT tbl, n FROM holdings WHERE tenant_id = :t2 ORDER BY ord;
\set VERBOSITY sqlstate

-- remove_member: the membership only; the feedback stays; bob can no
-- longer call; a second call and an unknown pair are PT404.
SELECT feedback.remove_member(:t1, :bob);
SELECT count(*) AS bobs_feedback_kept FROM feedback.feedback WHERE tenant_id = :t1 AND user_id = :bob;
SET feedback.user_id = :bob;
SELECT feedback.thread_reactions(:t1, :c1);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.remove_member(:t1, :bob);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.remove_member(:t2, :bob);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.remove_member(NULL, :bob);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.remove_member(:t1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.remove_member(:t1, 'not-a-uuid');
\echo :LAST_ERROR_SQLSTATE

-- delete_message of a user message: only it goes; the answer that replied
-- to it replies to nothing.
SELECT feedback.delete_message(:t1, :q2);
SELECT reply_to IS NULL AS a2_replies_to_nothing FROM feedback.messages WHERE tenant_id = :t1 AND id = :a2;
-- delete_message of an answer: its feedback (alice's reviewed and bob's
-- impersonated one), their history, the manual and the approved examples.
SELECT feedback.delete_message(:t1, :a2);
SELECT feedback.verify_review_groups(:t1) AS queue;
SELECT string_agg(what, ', ') AS orphans FROM orphans WHERE tenant_id = :t1;
SELECT feedback.delete_message(:t1, :a2);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.delete_message(:t1, NULL);
\echo :LAST_ERROR_SQLSTATE

-- delete_conversation: c1 of t1 with what is left on it; c1 of t2 and c2
-- of t1 stay; the queue no longer shows it.
SET feedback.user_id = :rita;
SELECT (feedback.grouped_by_conversation(:t1, include_archived => true) ->> 'count')::int AS groups_before;
SELECT feedback.delete_conversation(:t1, :c1);
SELECT (feedback.grouped_by_conversation(:t1, include_archived => true) ->> 'count')::int AS groups_after;
SELECT feedback.verify_review_groups(:t1) AS queue;
SELECT string_agg(what, ', ') AS orphans FROM orphans WHERE tenant_id = :t1;
SELECT tbl, n FROM holdings WHERE tenant_id = :t1 ORDER BY ord;
SELECT tbl, n FROM holdings WHERE tenant_id = :t2 ORDER BY ord;
SELECT feedback.delete_conversation(:t1, :c1);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.delete_conversation(:t1, 'c0000000-0000-0000-0000-0000000000ff');
\echo :LAST_ERROR_SQLSTATE

-- erase_user of a reviewer and admin: her own data goes; what she did to
-- other people's data stays, without her.
SELECT feedback.erase_user(:rita);
SELECT f.status, f.reviewed_by IS NULL AS reviewer_gone, f.review_impersonated_by IS NULL AS no_impersonator
  FROM feedback.feedback f WHERE f.tenant_id = :t1 AND f.id = :'alice_a3'
UNION ALL
SELECT f.status, f.reviewed_by IS NULL, f.review_impersonated_by IS NULL
  FROM feedback.feedback f WHERE f.tenant_id = :t1 AND f.id = :'bob_ungrouped';
SELECT h.to_status, h.changed_by IS NULL AS by_nobody, h.note
  FROM feedback.status_history h WHERE h.tenant_id = :t1 AND h.feedback_id = :'bob_ungrouped' ORDER BY h.id;
SELECT s.rating, s.auto_approve, s.updated_by IS NULL AS updated_by_nobody FROM feedback.settings s WHERE s.tenant_id = :t2;
SELECT g.is_active, g.approved_by IS NULL AS approved_by_nobody
  FROM feedback.golden_example g WHERE g.tenant_id = :t2 AND g.feedback_id = :'alice_t2';
SELECT count(*) AS references_left FROM (
    SELECT 1 FROM feedback.feedback WHERE :rita IN (user_id, reviewed_by, review_impersonated_by, impersonated_by)
    UNION ALL SELECT 1 FROM feedback.status_history WHERE :rita IN (changed_by, impersonated_by)
    UNION ALL SELECT 1 FROM feedback.golden_example WHERE :rita IN (approved_by, impersonated_by)
    UNION ALL SELECT 1 FROM feedback.settings WHERE :rita IN (updated_by, impersonated_by)
    UNION ALL SELECT 1 FROM feedback.memberships WHERE user_id = :rita
    UNION ALL SELECT 1 FROM feedback.users WHERE id = :rita) x;
SET feedback.user_id = :rita;
SELECT feedback.grouped_by_conversation(:t1);
\echo :LAST_ERROR_SQLSTATE

SELECT feedback.submit(:t1, :a3, 'up', 'Also friendly') IS NOT NULL AS rita_cannot_submit;
\echo :LAST_ERROR_SQLSTATE

-- erase_user of a support user who impersonated alice: alice's feedback
-- keeps its author and loses its impersonator.
SET feedback.user_id = :sam;
SET feedback.impersonate_email = 'alice@example.com';
SELECT r ->> 'id' = :'alice_a3' AS same_feedback, r -> 'impersonated_by' ->> 'email' AS impersonated_by
  FROM feedback.submit(:t1, :a3, 'down', 'Too casual') r;
RESET feedback.impersonate_email;
RESET feedback.user_id;
SELECT feedback.erase_user(:sam);
SELECT f.user_id = :alice AS still_alices, f.impersonated_by IS NULL AS impersonator_gone, f.comment
  FROM feedback.feedback f WHERE f.tenant_id = :t1 AND f.id = :'alice_a3';

-- erase_user across tenants: alice's feedback in t1 and t2, with its
-- keys, history and examples, her memberships and her user.
SELECT feedback.erase_user(:alice);
SELECT tbl, n FROM holdings WHERE tenant_id = :t1 ORDER BY ord;
SELECT tbl, n FROM holdings WHERE tenant_id = :t2 ORDER BY ord;
SELECT feedback.verify_review_groups(:t1) AS t1_queue, feedback.verify_review_groups(:t2) AS t2_queue;
SELECT string_agg(what, ', ') AS orphans FROM orphans;
SELECT count(*) AS users_left, string_agg(email, ', ' ORDER BY email) AS emails FROM feedback.users;
SELECT feedback.erase_user(:alice);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.erase_user(NULL);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

DROP VIEW holdings;
DROP VIEW orphans;
-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
