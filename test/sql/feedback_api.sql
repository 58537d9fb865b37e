-- The feedback API: submit, put_conversation_feedback, get, for_message,
-- thread_reactions, patch, delete; the seed walkthroughs.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

-- Random ids and clock times differ from run to run: show them as facts.
CREATE FUNCTION shape(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT j - '{id,created_at,updated_at}'::text[]
      || jsonb_build_object('id', j->>'id' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
                            'created_at', j->>'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$',
                            'updated_at', j->>'updated_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
$$;

-- A tenant with a member, a second member, a reviewer, an admin and support staff.
\set t '''7e000000-0000-0000-0000-000000000001'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set adam '''00000000-0000-0000-0000-0000000000ad'''
\set sam '''00000000-0000-0000-0000-00000000005a'''
\set conv '''c0000000-0000-0000-0000-000000000001'''
\set question '''a0000000-0000-0000-0000-000000000001'''
\set answer '''a0000000-0000-0000-0000-000000000002'''
SELECT count(*) AS setup FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')),
    (feedback.put_user(:bob, 'bob@example.com')),
    (feedback.put_user(:rita, 'rita@example.com')),
    (feedback.put_user(:adam, 'adam@example.com')),
    (feedback.put_user(:sam, 'sam@example.com', true)),
    (feedback.put_member(:t, :alice)),
    (feedback.put_member(:t, :bob)),
    (feedback.put_member(:t, :rita, 'reviewer')),
    (feedback.put_member(:t, :adam, 'admin')),
    (feedback.put_conversation(:t, :conv, 'Product pricing discussion', 'Support Bot')),
    (feedback.put_message(:t, :question, :conv, 'user', 'How much is the Pro plan?',
                          created_at => '2026-03-01T10:00:00Z')),
    (feedback.put_message(:t, :answer, :conv, 'assistant', 'The Pro plan is 20 dollars a month.',
                          reply_to => :question, turn_id => '7a000000-0000-0000-0000-000000000001',
                          created_at => '2026-03-01T10:00:05Z'))) AS s(x);

-- Seed 004: submit a rating, then get the user's feedback for the message.
SET feedback.user_id = :alice;
SELECT feedback.for_message(:t, :answer) IS NULL AS no_feedback_yet;
BEGIN;
SELECT jsonb_pretty(shape(feedback.submit(:t, :answer, 'positive', 'Clear and correct')));
SELECT current_setting('response.status') AS status_on_create;
COMMIT;
SELECT shape(feedback.for_message(:t, :answer)) ->> 'comment' AS for_message_comment;

-- An exact repeat changes nothing, not even updated_at; response.status 200.
SELECT feedback.for_message(:t, :answer) AS before \gset
SELECT pg_sleep(0.01);
BEGIN;
SELECT feedback.submit(:t, :answer, 'thumbs_up', 'Clear and correct') = :'before'::jsonb AS repeat_is_identical;
SELECT current_setting('response.status') AS status_on_repeat;
COMMIT;

-- Seed 001: PUT on the conversation lands on the same feedback (the latest answer).
SELECT feedback.put_conversation_feedback(:t, :conv, '{"rating": "NEGATIVE", "comment": "Matched our dashboard exactly."}')
       - 'updated_at' AS put_response;
SELECT count(*) AS feedback_rows, min(id::text) = (:'before'::jsonb ->> 'id') AS same_feedback,
       min(source_surface) AS source_surface, min(status::text) AS status
  FROM feedback.feedback;
-- a changed rating moved updated_at and the feedback is back to review
SELECT (feedback.for_message(:t, :answer) ->> 'updated_at') > (:'before'::jsonb ->> 'updated_at') AS updated_at_moved;
-- the body fully replaces: an absent rating is cleared
SELECT feedback.put_conversation_feedback(:t, :conv, '{"comment": "Only a comment now"}') - 'updated_at' AS comment_only;
SELECT rating, comment FROM feedback.feedback;
-- "rating": null with no comment withdraws the feedback
SELECT feedback.put_conversation_feedback(:t, :conv, '{"rating": null}') - 'updated_at' AS withdrawn;
SELECT count(*) AS feedback_rows FROM feedback.feedback;
SELECT feedback.for_message(:t, :answer) IS NULL AS withdrawn_for_message;
-- rating words of every vocabulary are accepted in the body
SELECT feedback.put_conversation_feedback(:t, :conv, '{"rating": "thumbs_up"}') ->> 'rating' AS rating_word,
       feedback.put_conversation_feedback(:t, :conv, '{"rating": false}') ->> 'rating' AS rating_bool;

-- Three entry points, one feedback: submit, put_conversation_feedback, patch.
SELECT feedback.submit(:t, :answer, 'down', reasons => '{incorrect}') ->> 'id' AS via_submit \gset
SELECT feedback.put_conversation_feedback(:t, :conv, '{"rating": "POSITIVE", "comment": "ok"}') ->> 'rating' AS via_put;
SELECT feedback.patch(:t, :'via_submit', '{"reaction": "thumbs_down"}') ->> 'reaction' AS via_patch;
SELECT count(*) AS rows, min(id::text) = :'via_submit' AS one_feedback, min(rating::text) AS rating,
       min(comment) AS comment FROM feedback.feedback;

-- Seed 003: create with clientFeedbackId, list thread reactions, get, patch, delete.
SET feedback.user_id = :bob;
BEGIN;
SELECT jsonb_pretty(shape(feedback.submit(:t, :answer, 'thumbs_up', kind => 'message_reaction',
       client_feedback_id => '91682908-9b2b-46c5-8c0f-d5df82e2290d', reasons => '{helpful,accurate,helpful}',
       source_surface => 'chat_message'))) AS created;
SELECT current_setting('response.status') AS status;
COMMIT;
-- a retry with the same key returns the same feedback
BEGIN;
SELECT feedback.submit(:t, :answer, 'thumbs_up', reasons => '{accurate,helpful}',
       client_feedback_id => '91682908-9b2b-46c5-8c0f-d5df82e2290d') ->> 'client_feedback_id' AS retried_key;
SELECT current_setting('response.status') AS status;
COMMIT;
SELECT count(*) AS bobs_rows FROM feedback.feedback WHERE user_id = :bob;
SELECT id AS bobs FROM feedback.feedback WHERE user_id = :bob \gset
-- a replacement with a new key adds it; the older key stays bound: a late
-- retry with it returns the feedback as it is and writes nothing
SELECT r ->> 'client_feedback_id' AS new_key, r ->> 'comment' AS comment
  FROM feedback.submit(:t, :answer, 'thumbs_up', 'Now with a comment', reasons => '{accurate,helpful}',
       client_feedback_id => '3f0c2f5e-29c4-4c4b-9d7c-0d9f0d2f8a11') r;
SELECT updated_at AS before_late_retry FROM feedback.feedback WHERE id = :'bobs' \gset
BEGIN;
SELECT r ->> 'client_feedback_id' AS key_returned, r ->> 'comment' AS comment, r ->> 'rating' AS rating
  FROM feedback.submit(:t, :answer, 'thumbs_down', 'an old retry',
       client_feedback_id => '91682908-9b2b-46c5-8c0f-d5df82e2290d') r;
SELECT current_setting('response.status') AS status;
COMMIT;
SELECT f.updated_at = :'before_late_retry' AS unchanged, f.comment, f.rating,
       f.client_feedback_id = '3f0c2f5e-29c4-4c4b-9d7c-0d9f0d2f8a11' AS current_key_kept
  FROM feedback.feedback f WHERE f.id = :'bobs';
SELECT array_agg(k.client_feedback_id::text ORDER BY k.added_at) AS bound_keys,
       bool_and(k.feedback_id = :'bobs') AS all_on_bobs
  FROM feedback.client_keys k WHERE k.user_id = :bob;
-- the older key still conflicts elsewhere, through the API and a direct UPDATE
\set VERBOSITY sqlstate
SELECT feedback.submit(:t, NULL, comment => 'elsewhere', client_feedback_id => '91682908-9b2b-46c5-8c0f-d5df82e2290d');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.submit(:t, NULL, comment => 'ungrouped, with a key of its own',
       client_feedback_id => '5b1e9d2a-6c3f-4e8b-a0d4-7f2e1c9b8a30') ->> 'comment' AS ungrouped;
UPDATE feedback.feedback SET client_feedback_id = '91682908-9b2b-46c5-8c0f-d5df82e2290d'
 WHERE user_id = :bob AND message_id IS NULL;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT count(*) AS bobs_keys FROM feedback.client_keys WHERE user_id = :bob;
DELETE FROM feedback.feedback WHERE user_id = :bob AND message_id IS NULL;
SELECT jsonb_array_length(feedback.thread_reactions(:t, :conv)) AS bobs_reactions,
       feedback.thread_reactions(:t, :conv) -> 0 ->> 'reaction' AS reaction;
SELECT feedback.get(:t, :'bobs') ->> 'client_feedback_id' AS got;
SELECT jsonb_pretty(shape(feedback.patch(:t, :'bobs', '{"comment": "Cited the right page", "reasons": ["cited"]}'))) AS patched;
-- absent keys are kept, null clears
SELECT r->>'rating' AS rating, r->>'comment' AS comment, r->'reasons' AS reasons
  FROM feedback.patch(:t, :'bobs', '{"kind": "message_reaction"}') r;
SELECT r->>'rating' AS rating, r->>'comment' AS comment
  FROM feedback.patch(:t, :'bobs', '{"rating": null}') r;
SELECT r->>'rating' AS rating, r->>'comment' AS comment, r->'is_positive' AS is_positive
  FROM feedback.patch(:t, :'bobs', '{"is_positive": true, "feedback": null}') r;
SELECT feedback.delete(:t, :'bobs');
SELECT count(*) AS bobs_rows FROM feedback.feedback WHERE user_id = :bob;
SELECT feedback.thread_reactions(:t, :conv) AS empty_thread;

-- Ungrouped feedback keeps its context.
SELECT jsonb_pretty(shape(feedback.submit(:t, NULL, comment => 'The search missed the pricing page',
       context => '{"query_id": 123, "source": "search"}'))) AS ungrouped;

-- Seed 000: support staff impersonating a member; both users are recorded.
SET feedback.user_id = :sam;
SET feedback.impersonate_email = 'Bob@Example.com';
SELECT r->'given_by' AS given_by, r->'impersonated_by' AS impersonated_by
  FROM feedback.submit(:t, :answer, 'negative', 'Wrong currency') r;
RESET feedback.impersonate_email;

-- Visibility: members see their own feedback only; reviewers see all.
SELECT id AS bobs FROM feedback.feedback WHERE user_id = :bob AND message_id IS NOT NULL \gset
SET feedback.user_id = :alice;
\set VERBOSITY sqlstate
SELECT feedback.get(:t, :'bobs');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SET feedback.user_id = :rita;
SELECT feedback.get(:t, :'bobs') ->> 'comment' AS reviewer_sees;
SELECT feedback.patch(:t, :'bobs', '{"comment": "edited by a reviewer"}');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.delete(:t, :'bobs');
\echo :LAST_ERROR_SQLSTATE
SET feedback.user_id = :adam;
SELECT feedback.delete(:t, :'bobs') AS admin_deletes;
SELECT count(*) AS bobs_rows FROM feedback.feedback WHERE user_id = :bob AND message_id IS NOT NULL;

DROP FUNCTION shape(jsonb);
-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
