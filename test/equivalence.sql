-- test/equivalence.sql -- one scripted session through the whole API, for
-- test/equivalence.sh, which runs it on a plain server and on a Citus
-- cluster with workers (after feedback.distribute) and compares the two
-- outputs once generated uuids and timestamps are replaced by placeholders:
-- every function must behave the same, results, errors, history and side
-- effects alike, and so must a direct UPDATE of feedback.feedback.
--
-- Two tenants, A and B, whose ids put them on different workers of the test
-- cluster (test/equivalence.sh checks it).  Every id the script chooses is
-- fixed and has 0000 as its third group, so that only the ids the extension
-- generates (random, version 4) are replaced.  Errors are printed with their
-- SQLSTATE ("sqlstate" lines) and do not stop the script.  It calls the API
-- functions, reads through them, and names columns of feedback.feedback
-- only to find a feedback's id and to UPDATE its status directly.  Sections
-- start with "=== "; the last line is the end marker the runner looks for.

\set VERBOSITY default
\set SHOW_CONTEXT never
\pset format unaligned
\pset null '(null)'

-- Tenants (A and B on different workers), users, and the ids of the script.
\set ta 'ea000000-0000-0000-0000-000000000001'
\set tb 'eb000000-0000-0000-0000-000000000001'
\set alice '00000000-0000-0000-0000-0000000000a1'
\set bob '00000000-0000-0000-0000-0000000000b0'
\set carol '00000000-0000-0000-0000-0000000000c0'
\set rita '00000000-0000-0000-0000-0000000000e1'
\set adam '00000000-0000-0000-0000-0000000000ad'
\set sam '00000000-0000-0000-0000-00000000005a'
\set a_pricing 'c0000000-0000-0000-0000-0000000000a1'
\set a_support 'c0000000-0000-0000-0000-0000000000a2'
\set a_old 'c0000000-0000-0000-0000-0000000000a3'
\set a_walks 'c0000000-0000-0000-0000-0000000000a9'
\set b_onboarding 'c0000000-0000-0000-0000-0000000000b1'
\set b_walks 'c0000000-0000-0000-0000-0000000000b9'
\set a_q1 'a0000000-0000-0000-0000-0000000000a1'
\set a_pro 'a0000000-0000-0000-0000-0000000000a2'
\set a_q2 'a0000000-0000-0000-0000-0000000000a3'
\set a_team 'a0000000-0000-0000-0000-0000000000a4'
\set a_q3 'a0000000-0000-0000-0000-0000000000a5'
\set a_reset 'a0000000-0000-0000-0000-0000000000a6'
\set a_q4 'a0000000-0000-0000-0000-0000000000a7'
\set a_streaming 'a0000000-0000-0000-0000-0000000000a8'
\set a_q5 'a0000000-0000-0000-0000-0000000000aa'
\set a_archived 'a0000000-0000-0000-0000-0000000000ab'
\set a_q9 'a0000000-0000-0000-0000-0000000000a9'
\set a_walk 'a0000000-0000-0000-0000-0000000000af'
\set b_q1 'a0000000-0000-0000-0000-0000000000b1'
\set b_start 'a0000000-0000-0000-0000-0000000000b2'
\set b_q9 'a0000000-0000-0000-0000-0000000000b8'
\set b_walk 'a0000000-0000-0000-0000-0000000000bf'
\set key1 'cf000000-0000-0000-0000-000000000001'
\set key2 'cf000000-0000-0000-0000-000000000002'
\set turn 'd0000000-0000-0000-0000-000000000001'
\set unknown 'f0000000-0000-0000-0000-0000000000ff'

-- :st prints the SQLSTATE of the statement before it (00000: success).
\set st '\\echo sqlstate :SQLSTATE'

-- :reads prints what a reviewer reads of both tenants: the settings, the
-- review queue (every group, archived ones too, then each of its feedback),
-- every golden example, active or not, and the history of every feedback.
SELECT $reads$SET feedback.user_id = :'rita';
SELECT s FROM (
    SELECT t.name || ' 1' AS k,
           format('SELECT %L AS settings, feedback.settings(%L)', t.name, t.id) AS s
      FROM (VALUES ('A', :'ta'), ('B', :'tb')) AS t(name, id)
    UNION ALL
    SELECT t.name || ' 2',
           format('SELECT %L AS queue, q - ''results'' AS page FROM feedback.grouped_by_conversation(%L, include_archived => true, "limit" => 1000) AS q', t.name, t.id)
      FROM (VALUES ('A', :'ta'), ('B', :'tb')) AS t(name, id)
    UNION ALL
    SELECT t.name || ' 3',
           format('SELECT %L AS queue, g - ''feedbacks'' AS "group" FROM jsonb_array_elements(feedback.grouped_by_conversation(%L, include_archived => true, "limit" => 1000) -> ''results'') AS g', t.name, t.id)
      FROM (VALUES ('A', :'ta'), ('B', :'tb')) AS t(name, id)
    UNION ALL
    SELECT t.name || ' 4',
           format('SELECT %L AS queue, g ->> ''conversation_title'' AS conversation, f AS feedback FROM jsonb_array_elements(feedback.grouped_by_conversation(%L, include_archived => true, "limit" => 1000) -> ''results'') AS g, jsonb_array_elements(g -> ''feedbacks'') AS f', t.name, t.id)
      FROM (VALUES ('A', :'ta'), ('B', :'tb')) AS t(name, id)
    UNION ALL
    SELECT t.name || ' 5',
           format('SELECT %L AS golden, e AS example FROM jsonb_array_elements(feedback.golden_examples(%L, active_only => false, "limit" => 1000) -> ''results'') AS e', t.name, t.id)
      FROM (VALUES ('A', :'ta'), ('B', :'tb')) AS t(name, id)
    UNION ALL
    SELECT t.name || ' 6',
           format('SELECT %L AS golden_active, feedback.golden_examples(%L) - ''results'' AS page', t.name, t.id)
      FROM (VALUES ('A', :'ta'), ('B', :'tb')) AS t(name, id)
    UNION ALL
    SELECT CASE f.tenant_id WHEN :'ta' THEN 'A' ELSE 'B' END || ' 7 ' || f.label,
           format('SELECT %L AS history, e AS entry FROM jsonb_array_elements(feedback.history(%L, %L)) AS e',
                  f.label, f.tenant_id, f.id)
      FROM (SELECT tenant_id, id,
                   kind || ' on ' || coalesce(message_id::text, 'no answer') || ' by ' || user_id AS label
              FROM feedback.feedback WHERE tenant_id IN (:'ta', :'tb')) AS f
) AS reads ORDER BY k \gexec$reads$ AS reads \gset

-- The walks through the transition table: :start makes alice's feedback of
-- kind :kind and rating :rating on the answer :cell_answer of tenant :t (in
-- to_review for a negative one, auto_approved for a positive one: both
-- tenants auto-approve positive feedback then); :prepare brings it to
-- :from as the reviewer; :by_api moves it to :to with set_status, and
-- :by_update with a direct UPDATE in a transaction that says who acts
-- (COMMIT follows it).
SELECT $m$SET feedback.user_id = :'alice';
SELECT feedback.submit(:'t', :'cell_answer', :'rating', comment => :'kind', kind => :'kind') ->> 'id' AS fid \gset$m$
       AS start \gset
SELECT $m$SET feedback.user_id = :'rita';
SELECT :'kind' AS cell, feedback.set_status(:'t', :'fid', :'from', note => 'prepare ' || :'kind') ->> 'status' AS prepared;$m$
       AS prepare \gset
SELECT $m$SET feedback.user_id = :'rita';
SELECT :'kind' AS cell, feedback.set_status(:'t', :'fid', :'to', note => :'kind') ->> 'status' AS status;
:st$m$ AS by_api \gset
SELECT $m$BEGIN;
SET LOCAL feedback.user_id = :'rita';
UPDATE feedback.feedback SET status = :'to' WHERE tenant_id = :'t' AND id = :'fid' RETURNING :'kind' AS cell, status;
:st$m$ AS by_update \gset

\echo '=== 1 ingest: users, members, conversations, messages'
SELECT feedback.put_user(:'alice', 'alice@example.com');
SELECT feedback.put_user(:'bob', 'bob@example.com');
SELECT feedback.put_user(:'carol', 'carol@example.com');
SELECT feedback.put_user(:'rita', 'rita@example.com');
SELECT feedback.put_user(:'adam', 'adam@example.com');
SELECT feedback.put_user(:'sam', 'sam@example.com', can_impersonate => true);
SELECT feedback.put_user(:'bob', 'Bob@Example.com');
SELECT feedback.put_user(:'carol', 'ALICE@example.com');
:st
SELECT feedback.put_member(:'ta', :'alice');
SELECT feedback.put_member(:'ta', :'bob');
SELECT feedback.put_member(:'ta', :'rita', 'reviewer');
SELECT feedback.put_member(:'ta', :'adam', 'admin');
SELECT feedback.put_member(:'ta', :'sam');
SELECT feedback.put_member(:'tb', :'alice');
SELECT feedback.put_member(:'tb', :'carol');
SELECT feedback.put_member(:'tb', :'rita', 'reviewer');
SELECT feedback.put_member(:'tb', :'adam', 'reviewer');
SELECT feedback.put_member(:'tb', :'adam', 'admin');
SELECT feedback.put_member(:'tb', :'bob', 'owner');
:st
SELECT feedback.put_conversation(:'ta', :'a_pricing', 'Pricing', 'sales-bot', created_at => '2026-03-01T10:00:00Z');
SELECT feedback.put_conversation(:'ta', :'a_support', 'Support', 'help-bot', created_at => '2026-03-01T11:00:00Z');
SELECT feedback.put_conversation(:'ta', :'a_old', 'Old thread', 'sales-bot', created_at => '2026-02-01T09:00:00Z');
SELECT feedback.put_conversation(:'ta', :'a_walks', 'Walks', created_at => '2026-03-02T08:00:00Z');
SELECT feedback.put_conversation(:'tb', :'b_onboarding', 'Onboarding', 'guide-bot', created_at => '2026-03-01T12:00:00Z');
SELECT feedback.put_conversation(:'tb', :'b_walks', 'Walks', created_at => '2026-03-02T08:00:00Z');
SELECT feedback.put_conversation(:'ta', :'a_pricing', 'Pricing and plans', 'sales-bot', created_at => '2027-01-01T00:00:00Z');
SELECT feedback.put_message(:'ta', :'a_q1', :'a_pricing', 'user', 'How much is Pro?', created_at => '2026-03-01T10:00:00Z');
SELECT feedback.put_message(:'ta', :'a_pro', :'a_pricing', 'assistant', 'Pro is 20 dollars.', reply_to => :'a_q1',
                            turn_id => :'turn', created_at => '2026-03-01T10:00:01Z');
SELECT feedback.put_message(:'ta', :'a_q2', :'a_pricing', 'user', 'And Team?', created_at => '2026-03-01T10:01:00Z');
SELECT feedback.put_message(:'ta', :'a_team', :'a_pricing', 'assistant', 'Team is 50 dollars.', reply_to => :'a_q2',
                            created_at => '2026-03-01T10:01:01Z');
SELECT feedback.put_message(:'ta', :'a_q3', :'a_support', 'user', 'How do I reset my password?', created_at => '2026-03-01T11:00:00Z');
SELECT feedback.put_message(:'ta', :'a_reset', :'a_support', 'assistant', 'Click "Forgot password".',
                            created_at => '2026-03-01T11:00:01Z');
SELECT feedback.put_message(:'ta', :'a_q4', :'a_support', 'user', 'And my email?', created_at => '2026-03-01T11:01:00Z');
SELECT feedback.put_message(:'ta', :'a_streaming', :'a_support', 'assistant', 'Open Settings and',
                            is_complete => false, created_at => '2026-03-01T11:01:01Z');
SELECT feedback.put_message(:'ta', :'a_q5', :'a_old', 'user', 'Is there a free plan?', created_at => '2026-02-01T09:00:00Z');
SELECT feedback.put_message(:'ta', :'a_archived', :'a_old', 'assistant', 'Yes, Free.', created_at => '2026-02-01T09:00:01Z');
SELECT feedback.put_message(:'ta', :'a_q9', :'a_walks', 'user', 'Walk?', created_at => '2026-03-02T08:00:00Z');
SELECT feedback.put_message(:'ta', :'a_walk', :'a_walks', 'assistant', 'Walk.', created_at => '2026-03-02T08:00:01Z');
SELECT feedback.put_message(:'tb', :'b_q1', :'b_onboarding', 'user', 'Where do I start?', created_at => '2026-03-01T12:00:00Z');
SELECT feedback.put_message(:'tb', :'b_start', :'b_onboarding', 'assistant', 'Start with the tour.', reply_to => :'b_q1',
                            created_at => '2026-03-01T12:00:01Z');
SELECT feedback.put_message(:'tb', :'b_q9', :'b_walks', 'user', 'Walk?', created_at => '2026-03-02T08:00:00Z');
SELECT feedback.put_message(:'tb', :'b_walk', :'b_walks', 'assistant', 'Walk.', created_at => '2026-03-02T08:00:01Z');
SELECT feedback.put_message(:'tb', :'b_q9', :'a_pricing', 'user', 'Wrong conversation');
:st
SELECT feedback.put_message(:'tb', :'b_q9', :'b_walks', 'system', 'Bad role');
:st

\echo '=== 2 who is calling'
RESET feedback.user_id;
SELECT feedback.whoami(:'ta');
:st
SET feedback.user_id = :'alice';
SELECT feedback.whoami(:'ta');
SELECT feedback.whoami(:'tb');
SET feedback.user_id = :'bob';
SELECT feedback.whoami(:'tb');
:st
SET feedback.user_id = :'unknown';
SELECT feedback.whoami(:'ta');
:st
SET feedback.user_id = 'not a uuid';
SELECT feedback.whoami(:'ta');
:st
SET feedback.user_id = :'adam';
SELECT feedback.whoami(:'ta');
SELECT feedback.whoami(:'tb');
SET feedback.user_id = :'rita';
SELECT feedback.whoami(:'tb');

\echo '=== 3 settings: configure and settings'
SET feedback.user_id = :'alice';
SELECT feedback.settings(:'ta');
SELECT feedback.configure(:'ta', 'positive', true);
:st
SET feedback.user_id = :'rita';
SELECT feedback.configure(:'ta', 'positive', true);
:st
SET feedback.user_id = :'adam';
SELECT feedback.configure(:'ta', 'negative', false, reason_required => true);
SELECT feedback.configure(:'tb', 'positive', true);
SELECT feedback.settings(:'ta');
SELECT feedback.settings(:'tb');
SELECT feedback.configure(:'ta', NULL, true);
:st
:reads

\echo '=== 4 feedback: submit, put_conversation_feedback, get, for_message, thread_reactions, patch, delete, set_suggestion'
SET feedback.user_id = :'alice';
SELECT feedback.submit(:'ta', :'a_pro', 'up', 'Clear answer', ARRAY['accurate', 'helpful'], turn_id => :'turn',
                       context => '{"source": "web"}') AS alice_pro \gset
:st
SELECT :'alice_pro'::jsonb ->> 'id' AS alice_pro_id \gset
SELECT :'alice_pro'::jsonb AS submitted;
SELECT feedback.submit(:'ta', :'a_pro', 'up', 'Clear answer', ARRAY['helpful', 'accurate']) ->> 'updated_at' = (:'alice_pro'::jsonb ->> 'updated_at')
       AS exact_repeat_changes_nothing;
SELECT feedback.submit(:'ta', :'a_team', 'down', client_feedback_id => :'key1');
:st
SELECT feedback.submit(:'ta', :'a_team', 'down', 'Team is 60 now', client_feedback_id => :'key1');
SELECT feedback.submit(:'ta', :'a_team', 'down', 'Team is 60 now', client_feedback_id => :'key1') ->> 'id' AS alice_team_id \gset
SELECT feedback.submit(:'ta', :'a_reset', 'up', 'same key elsewhere', client_feedback_id => :'key1');
:st
SELECT feedback.submit(:'ta', NULL, 'down', 'The search page is slow', ARRAY['slow'], kind => 'search_result',
                       source_surface => 'search', context => '{"query_id": "q-42", "source": "search"}') AS ungrouped \gset
SELECT :'ungrouped'::jsonb AS ungrouped;
SELECT :'ungrouped'::jsonb ->> 'id' AS alice_ungrouped_id \gset
SELECT feedback.submit(:'ta', :'a_pro');
:st
SELECT feedback.submit(:'ta', :'a_streaming', 'up');
:st
SELECT feedback.submit(:'ta', :'a_q1', 'up');
:st
SELECT feedback.submit(:'ta', :'unknown', 'up');
:st
SELECT feedback.submit(:'tb', :'b_start', 'up', 'Nice tour') ->> 'id' AS alice_b_id \gset
SELECT feedback.get(:'tb', :'alice_b_id');
SET feedback.user_id = :'bob';
SELECT feedback.put_conversation_feedback(:'ta', :'a_pricing', '{"rating": "NEGATIVE", "comment": "Prices are wrong"}');
:st
SELECT feedback.put_conversation_feedback(:'ta', :'a_support', '{"rating": "POSITIVE"}');
:st
SELECT feedback.put_conversation_feedback(:'ta', :'a_pricing', '{}');
:st
SELECT feedback.for_message(:'ta', :'a_team');
SELECT feedback.for_message(:'ta', :'a_team') ->> 'id' AS bob_team_id \gset
SELECT feedback.for_message(:'ta', :'a_pro');
SELECT feedback.get(:'ta', :'alice_pro_id');
:st
SELECT feedback.submit(:'ta', :'a_pro', 'down', 'Reason given') ->> 'status' AS bob_pro_status;
SELECT feedback.submit(:'ta', :'a_reset', 'down');
:st
SELECT feedback.submit(:'ta', :'a_reset', 'up') ->> 'id' AS bob_reset_id \gset
SELECT feedback.thread_reactions(:'ta', :'a_pricing');
SELECT feedback.delete(:'ta', :'bob_reset_id');
:st
SELECT feedback.get(:'ta', :'bob_reset_id');
:st
SET feedback.user_id = :'alice';
SELECT feedback.get(:'ta', :'alice_pro_id');
SELECT feedback.for_message(:'ta', :'a_team');
SELECT feedback.for_message(:'ta', :'a_reset');
SELECT feedback.thread_reactions(:'ta', :'a_pricing');
SELECT feedback.thread_reactions(:'ta', :'a_support');
SELECT feedback.patch(:'ta', :'alice_pro_id', '{"reasons": ["accurate"], "kind": "message_reaction"}');
SELECT feedback.patch(:'ta', :'alice_ungrouped_id', '{"feedback": "The search page is very slow", "reaction": "thumbs_down"}');
SELECT feedback.patch(:'ta', :'alice_pro_id', '{"stars": 5}');
:st
SELECT feedback.patch(:'ta', :'bob_team_id', '{"comment": "not mine"}');
:st
SELECT feedback.delete(:'ta', :'bob_team_id');
:st
SELECT feedback.set_suggestion(:'ta', :'alice_team_id', 'update_docs', '{"page": "pricing"}');
SELECT feedback.set_suggestion(:'ta', :'unknown', 'update_docs');
:st
SELECT feedback.put_message(:'ta', :'a_streaming', :'a_support', 'assistant', 'Open Settings and change it.',
                            created_at => '2026-03-01T11:01:01Z') ->> 'is_complete' AS completed;
SET feedback.user_id = :'bob';
SELECT feedback.put_conversation_feedback(:'ta', :'a_support', '{"rating": "POSITIVE", "comment": "Thanks"}');
SELECT feedback.for_message(:'ta', :'a_streaming') ->> 'id' AS bob_streaming_id \gset
SELECT feedback.put_conversation_feedback(:'ta', :'a_support', '{"rating": null, "comment": null}');
SELECT feedback.for_message(:'ta', :'a_streaming');
SELECT feedback.put_conversation_feedback(:'ta', :'a_support', '{"rating": "POSITIVE", "comment": "Thanks again"}')
       ->> 'rating' AS rating;
SELECT feedback.for_message(:'ta', :'a_streaming') ->> 'id' AS bob_streaming_id \gset
:reads

\echo '=== 5 review: set_status with notes and corrections, update, history, golden examples'
SET feedback.user_id = :'alice';
SELECT feedback.set_status(:'ta', :'alice_pro_id', 'reviewed');
:st
SELECT feedback.history(:'ta', :'alice_pro_id');
:st
SET feedback.user_id = :'rita';
SELECT feedback.set_status(:'ta', :'alice_pro_id', 'reviewed', 'Checked against the price list');
SELECT feedback.set_status(:'ta', :'alice_pro_id', 'reviewed', 'again: a no-op');
SELECT feedback.set_status(:'ta', :'alice_team_id', 'reviewed', 'Corrected', corrected_response => 'Team is 60 dollars.');
SELECT feedback.set_status(:'ta', :'alice_pro_id', 'reviewed', corrected_response => 'not for positive feedback');
:st
SELECT feedback.set_status(:'ta', :'bob_team_id', 'reviewed', 'No correction yet');
SELECT feedback.set_status(:'ta', :'alice_ungrouped_id', 'dismissed', 'Not about an answer');
SELECT feedback.set_status(:'ta', :'unknown', 'reviewed');
:st
SELECT feedback.set_status(:'ta', :'alice_pro_id', NULL);
:st
SELECT feedback.set_status(:'ta', :'alice_b_id', 'reviewed');
:st
SELECT feedback.set_status(:'tb', :'alice_b_id', 'reviewed', 'Confirmed');
SELECT feedback.history(:'ta', :'alice_pro_id');
SELECT feedback.history(:'ta', :'alice_team_id');
SELECT feedback.history(:'tb', :'alice_b_id');
SELECT feedback.history(:'ta', :'unknown');
:st
SELECT feedback.update(:'ta', :'bob_team_id', '{"status": "to_review"}');
SELECT feedback.update(:'ta', :'bob_team_id', '{"feedback": "Team price is outdated", "is_positive": false}');
SELECT feedback.update(:'ta', :'bob_team_id', '{"status": "reviewed", "rating": "negative"}');
SELECT feedback.update(:'ta', :'bob_team_id', '{"status": "auto_approved"}');
:st
SELECT feedback.update(:'ta', :'bob_team_id', '{"stars": 1}');
:st
SELECT feedback.update(:'ta', :'bob_team_id', '{"is_positive": null, "feedback": null}');
:st
SELECT feedback.history(:'ta', :'bob_team_id');
SELECT feedback.add_golden_example(:'ta', :'a_pro', 'Pro is 25 dollars a month.');
SELECT feedback.add_golden_example(:'ta', :'a_q1', 'not an answer');
:st
SELECT feedback.add_golden_example(:'ta', :'a_pro', '');
:st
SELECT feedback.add_golden_example(:'tb', :'b_start', 'Start with the guided tour.');
SELECT feedback.golden_examples(:'ta');
SELECT feedback.golden_examples(:'ta', active_only => false);
SELECT feedback.golden_examples(:'ta', active_only => false, "limit" => 1, "offset" => 1);
SELECT feedback.golden_examples(:'ta', "limit" => 0);
:st
SELECT feedback.export_golden_examples(:'ta');
SELECT feedback.export_golden_examples(:'tb');
SELECT * FROM feedback.export_golden_examples(:'ta', context_turns => 3, system_prompt => 'Be brief.');
SELECT * FROM feedback.export_preference_pairs(:'ta', 'openai', context_turns => 2);
SELECT * FROM feedback.export_preference_pairs(:'ta', 'trl', context_turns => 50, system_prompt => 'Be exact.');
SELECT * FROM feedback.export_preference_pairs(:'tb', 'trl');
SELECT * FROM feedback.export_preference_pairs(:'ta', 'csv');
:st
SET feedback.user_id = :'alice';
SELECT feedback.golden_examples(:'ta');
:st
SELECT feedback.export_golden_examples(:'ta');
:st
:reads

\echo '=== 6 the transition table: set_status in tenant A, direct UPDATE in tenant B'
SET feedback.user_id = :'adam';
SELECT feedback.configure(:'ta', 'positive', true);
SELECT feedback.configure(:'tb', 'positive', true);
\set t :ta
\set cell_answer :a_walk
\unset fid \set kind 'api to_review>to_review' \set from to_review \set to to_review \set rating down
:start
:by_api
\unset fid \set kind 'api to_review>auto_approved' \set from to_review \set to auto_approved \set rating down
:start
:by_api
\unset fid \set kind 'api to_review>reviewed' \set from to_review \set to reviewed \set rating down
:start
:by_api
\unset fid \set kind 'api to_review>dismissed' \set from to_review \set to dismissed \set rating down
:start
:by_api
\unset fid \set kind 'api auto_approved>to_review' \set from auto_approved \set to to_review \set rating up
:start
:by_api
\unset fid \set kind 'api auto_approved>auto_approved' \set from auto_approved \set to auto_approved \set rating up
:start
:by_api
\unset fid \set kind 'api auto_approved>reviewed' \set from auto_approved \set to reviewed \set rating up
:start
:by_api
\unset fid \set kind 'api auto_approved>dismissed' \set from auto_approved \set to dismissed \set rating up
:start
:by_api
\unset fid \set kind 'api reviewed>to_review' \set from reviewed \set to to_review \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api reviewed>auto_approved' \set from reviewed \set to auto_approved \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api reviewed>reviewed' \set from reviewed \set to reviewed \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api reviewed>dismissed' \set from reviewed \set to dismissed \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>to_review' \set from dismissed \set to to_review \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>auto_approved' \set from dismissed \set to auto_approved \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>reviewed' \set from dismissed \set to reviewed \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>dismissed' \set from dismissed \set to dismissed \set rating down
:start
:prepare
:by_api

\set t :tb
\set cell_answer :b_walk
\unset fid \set kind 'update to_review>to_review' \set from to_review \set to to_review \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update to_review>auto_approved' \set from to_review \set to auto_approved \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update to_review>reviewed' \set from to_review \set to reviewed \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update to_review>dismissed' \set from to_review \set to dismissed \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>to_review' \set from auto_approved \set to to_review \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>auto_approved' \set from auto_approved \set to auto_approved \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>reviewed' \set from auto_approved \set to reviewed \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>dismissed' \set from auto_approved \set to dismissed \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>to_review' \set from reviewed \set to to_review \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>auto_approved' \set from reviewed \set to auto_approved \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>reviewed' \set from reviewed \set to reviewed \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>dismissed' \set from reviewed \set to dismissed \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>to_review' \set from dismissed \set to to_review \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>auto_approved' \set from dismissed \set to auto_approved \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>reviewed' \set from dismissed \set to reviewed \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>dismissed' \set from dismissed \set to dismissed \set rating down
:start
:prepare
:by_update
COMMIT;

:reads

\echo '=== 7 the transition table: direct UPDATE in tenant A, set_status in tenant B'
\set t :ta
\set cell_answer :a_walk
\unset fid \set kind 'update to_review>to_review' \set from to_review \set to to_review \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update to_review>auto_approved' \set from to_review \set to auto_approved \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update to_review>reviewed' \set from to_review \set to reviewed \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update to_review>dismissed' \set from to_review \set to dismissed \set rating down
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>to_review' \set from auto_approved \set to to_review \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>auto_approved' \set from auto_approved \set to auto_approved \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>reviewed' \set from auto_approved \set to reviewed \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update auto_approved>dismissed' \set from auto_approved \set to dismissed \set rating up
:start
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>to_review' \set from reviewed \set to to_review \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>auto_approved' \set from reviewed \set to auto_approved \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>reviewed' \set from reviewed \set to reviewed \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update reviewed>dismissed' \set from reviewed \set to dismissed \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>to_review' \set from dismissed \set to to_review \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>auto_approved' \set from dismissed \set to auto_approved \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>reviewed' \set from dismissed \set to reviewed \set rating down
:start
:prepare
:by_update
COMMIT;
\unset fid \set kind 'update dismissed>dismissed' \set from dismissed \set to dismissed \set rating down
:start
:prepare
:by_update
COMMIT;

\set t :tb
\set cell_answer :b_walk
\unset fid \set kind 'api to_review>to_review' \set from to_review \set to to_review \set rating down
:start
:by_api
\unset fid \set kind 'api to_review>auto_approved' \set from to_review \set to auto_approved \set rating down
:start
:by_api
\unset fid \set kind 'api to_review>reviewed' \set from to_review \set to reviewed \set rating down
:start
:by_api
\unset fid \set kind 'api to_review>dismissed' \set from to_review \set to dismissed \set rating down
:start
:by_api
\unset fid \set kind 'api auto_approved>to_review' \set from auto_approved \set to to_review \set rating up
:start
:by_api
\unset fid \set kind 'api auto_approved>auto_approved' \set from auto_approved \set to auto_approved \set rating up
:start
:by_api
\unset fid \set kind 'api auto_approved>reviewed' \set from auto_approved \set to reviewed \set rating up
:start
:by_api
\unset fid \set kind 'api auto_approved>dismissed' \set from auto_approved \set to dismissed \set rating up
:start
:by_api
\unset fid \set kind 'api reviewed>to_review' \set from reviewed \set to to_review \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api reviewed>auto_approved' \set from reviewed \set to auto_approved \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api reviewed>reviewed' \set from reviewed \set to reviewed \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api reviewed>dismissed' \set from reviewed \set to dismissed \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>to_review' \set from dismissed \set to to_review \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>auto_approved' \set from dismissed \set to auto_approved \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>reviewed' \set from dismissed \set to reviewed \set rating down
:start
:prepare
:by_api
\unset fid \set kind 'api dismissed>dismissed' \set from dismissed \set to dismissed \set rating down
:start
:prepare
:by_api
:reads

\echo '=== 8 a direct UPDATE: without an acting user, and by a member'
SET feedback.user_id = :'alice';
SELECT feedback.submit(:'ta', :'a_walk', 'down', 'direct, nobody', kind => 'direct nobody') ->> 'id' AS fid \gset
RESET feedback.user_id;
UPDATE feedback.feedback SET status = 'reviewed' WHERE tenant_id = :'ta' AND id = :'fid' RETURNING status;
:st
BEGIN;
SET LOCAL feedback.user_id = :'alice';
UPDATE feedback.feedback SET status = 'dismissed' WHERE tenant_id = :'ta' AND id = :'fid' RETURNING status;
:st
COMMIT;

\echo '=== 9 resubmission: back through the rule, into auto_approved from reviewed and dismissed'
SET feedback.user_id = :'adam';
SELECT feedback.settings(:'ta');
SELECT feedback.settings(:'tb');
-- reviewed -> auto_approved: the author's patch of a reviewed positive feedback (A).
SET feedback.user_id = :'alice';
SELECT feedback.submit(:'ta', :'a_reset', 'up', 'Worked') AS r \gset
SELECT :'r'::jsonb ->> 'id' AS resub1, :'r'::jsonb ->> 'status' AS status \gset
\echo submitted :status
SET feedback.user_id = :'rita';
SELECT feedback.set_status(:'ta', :'resub1', 'reviewed', 'Fine') ->> 'status' AS status;
SET feedback.user_id = :'alice';
SELECT feedback.patch(:'ta', :'resub1', '{"comment": "Worked on the second try"}');
:st
SELECT feedback.history(:'ta', :'resub1');
-- dismissed -> auto_approved: the author's new submit on the same answer (A).
SET feedback.user_id = :'bob';
SELECT feedback.submit(:'ta', :'a_reset', 'up', 'OK') ->> 'id' AS resub2 \gset
SET feedback.user_id = :'rita';
SELECT feedback.set_status(:'ta', :'resub2', 'dismissed', 'Not useful') ->> 'status' AS status;
SET feedback.user_id = :'bob';
SELECT feedback.submit(:'ta', :'a_reset', 'up', 'OK, it helped');
:st
SELECT feedback.history(:'ta', :'resub2');
-- reviewed -> auto_approved through put_conversation_feedback (A).
SET feedback.user_id = :'rita';
SELECT feedback.set_status(:'ta', :'bob_streaming_id', 'reviewed', 'Good') ->> 'status' AS status;
SET feedback.user_id = :'bob';
SELECT feedback.put_conversation_feedback(:'ta', :'a_support', '{"rating": "POSITIVE", "comment": "Thanks, it worked"}');
:st
SELECT feedback.get(:'ta', :'bob_streaming_id') ->> 'status' AS status;
SET feedback.user_id = :'rita';
SELECT feedback.history(:'ta', :'bob_streaming_id');
-- A reviewer's own content change of reviewed feedback (update): by that reviewer.
SELECT feedback.update(:'ta', :'resub1', '{"feedback": "Edited by the reviewer"}');
:st
SELECT feedback.history(:'ta', :'resub1');
-- A negative feedback goes back to review, not to auto-approval (A).
SELECT feedback.set_status(:'ta', :'alice_team_id', 'dismissed', 'Price changed') ->> 'status' AS status;
SET feedback.user_id = :'alice';
SELECT feedback.patch(:'ta', :'alice_team_id', '{"comment": "Team is 60 now, per the site"}');
:st
SELECT feedback.patch(:'ta', :'alice_pro_id', '{"rating": "negative", "comment": "Actually 25"}');
:st
SET feedback.user_id = :'rita';
SELECT feedback.history(:'ta', :'alice_team_id');
SELECT feedback.history(:'ta', :'alice_pro_id');
-- The same in tenant B: reviewed -> auto_approved by patch, dismissed -> auto_approved by submit.
SET feedback.user_id = :'alice';
SELECT feedback.patch(:'tb', :'alice_b_id', '{"comment": "Nice tour, really"}');
:st
SET feedback.user_id = :'carol';
SELECT feedback.submit(:'tb', :'b_start', 'up', 'Good start') ->> 'id' AS resub3 \gset
SET feedback.user_id = :'rita';
SELECT feedback.set_status(:'tb', :'resub3', 'dismissed') ->> 'status' AS status;
SET feedback.user_id = :'carol';
SELECT feedback.submit(:'tb', :'b_start', 'like', 'Good start, thanks');
:st
SELECT feedback.patch(:'tb', :'resub3', '{"is_positive": false, "comment": "Changed my mind"}');
:st
SET feedback.user_id = :'rita';
SELECT feedback.history(:'tb', :'alice_b_id');
SELECT feedback.history(:'tb', :'resub3');
:reads

\echo '=== 10 impersonation'
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'ALICE@example.com';
SELECT feedback.whoami(:'ta');
SELECT feedback.submit(:'ta', :'a_team', 'up', 'Submitted by support', kind => 'support') AS r \gset
COMMIT;
SELECT :'r'::jsonb AS impersonated_submit;
SELECT :'r'::jsonb ->> 'id' AS imp1 \gset
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'rita@example.com';
SELECT feedback.whoami(:'ta');
SELECT feedback.set_status(:'ta', :'imp1', 'reviewed', 'Reviewed by support for rita');
SELECT feedback.add_golden_example(:'ta', :'a_team', 'Team is 60 dollars a month.');
COMMIT;
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'adam@example.com';
SELECT feedback.configure(:'ta', 'negative', false, reason_required => false);
SELECT feedback.settings(:'ta');
COMMIT;
-- A direct UPDATE under impersonation.
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'rita@example.com';
UPDATE feedback.feedback SET status = 'dismissed' WHERE tenant_id = :'ta' AND id = :'imp1' RETURNING status;
:st
COMMIT;
SET feedback.user_id = :'rita';
SELECT feedback.history(:'ta', :'imp1');
SELECT feedback.get(:'ta', :'imp1');
-- An unknown email, or one of a non-member: the call acts as the impersonator.
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'nobody@example.com';
SELECT feedback.whoami(:'ta');
COMMIT;
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'carol@example.com';
SELECT feedback.whoami(:'ta');
COMMIT;
-- In tenant B, where the impersonator is no member.
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'carol@example.com';
SELECT feedback.whoami(:'tb');
SELECT feedback.submit(:'tb', :'b_start', 'down', 'Support for carol', kind => 'support') ->> 'impersonated_by' AS impersonated_by;
COMMIT;
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'nobody@example.com';
SELECT feedback.whoami(:'tb');
:st
COMMIT;
-- Without can_impersonate, and impersonating oneself.
BEGIN;
SET LOCAL feedback.user_id = :'bob';
SET LOCAL feedback.impersonate_email = 'alice@example.com';
SELECT feedback.whoami(:'ta');
:st
COMMIT;
BEGIN;
SET LOCAL feedback.user_id = :'sam';
SET LOCAL feedback.impersonate_email = 'sam@example.com';
SELECT feedback.whoami(:'ta');
SELECT feedback.submit(:'ta', :'a_pro', 'up', 'Support itself', kind => 'support') ->> 'impersonated_by' AS impersonated_by;
COMMIT;
:reads

\echo '=== 11 the review queue: filters, search, archive, paging; verify_review_groups'
SET feedback.user_id = :'alice';
SELECT feedback.submit(:'ta', :'a_archived', 'down', 'Free is gone') ->> 'status' AS status;
SET feedback.user_id = :'rita';
SELECT feedback.grouped_by_conversation(:'ta') - 'results' AS page;
SELECT feedback.grouped_by_conversation(:'ta', 'to_review') - 'results' AS page;
SELECT feedback.grouped_by_conversation(:'ta', 'reviewed') - 'results' AS page;
SELECT feedback.grouped_by_conversation(:'ta', 'mixed') - 'results' AS page;
SELECT g - 'feedbacks' AS "group" FROM jsonb_array_elements(feedback.grouped_by_conversation(:'ta', 'mixed') -> 'results') AS g;
SELECT g - 'feedbacks' AS "group" FROM jsonb_array_elements(feedback.grouped_by_conversation(:'ta', search => 'ALICE@') -> 'results') AS g;
SELECT g AS "group" FROM jsonb_array_elements(feedback.grouped_by_conversation(:'ta', search => 'slow') -> 'results') AS g;
SELECT feedback.grouped_by_conversation(:'ta', search => 'nothing matches this') AS page;
SELECT feedback.put_conversation(:'ta', :'a_old', 'Old thread', 'sales-bot', is_archived => true) ->> 'is_archived' AS archived;
SELECT g ->> 'conversation_title' AS conversation FROM jsonb_array_elements(feedback.grouped_by_conversation(:'ta') -> 'results') AS g;
SELECT g ->> 'conversation_title' AS conversation, g ->> 'conversation_is_archived' AS archived
  FROM jsonb_array_elements(feedback.grouped_by_conversation(:'ta', include_archived => true) -> 'results') AS g;
SELECT (p - 'results') || jsonb_build_object('next', regexp_replace(p ->> 'next', 'cursor=[^&]*', 'cursor=(token)'),
                                            'previous', regexp_replace(p ->> 'previous', 'cursor=[^&]*', 'cursor=(token)')) AS page,
       jsonb_path_query_array(p, '$.results[*].conversation_title') AS titles
  FROM (VALUES (feedback.grouped_by_conversation(:'ta', "limit" => 2)),
               (feedback.grouped_by_conversation(:'ta', "limit" => 2, "offset" => 2)),
               (feedback.grouped_by_conversation(:'ta', "limit" => 2, "offset" => 4)),
               (feedback.grouped_by_conversation(:'ta', 'to_review', "limit" => 1, "offset" => 1))) AS v(p);
SELECT to_regprocedure('feedback.grouped_by_conversation(uuid,text,text,boolean,integer,integer,text)') IS NOT NULL AS has_cursor \gset
\if :has_cursor
SELECT substring(feedback.grouped_by_conversation(:'ta', "limit" => 2) ->> 'next' FROM 'cursor=([^&]*)') AS cursor \gset
SELECT jsonb_path_query_array(p, '$.results[*].conversation_title') AS titles, p ->> 'next' IS NOT NULL AS has_next,
       p ->> 'previous' IS NOT NULL AS has_previous
  FROM (VALUES (feedback.grouped_by_conversation(:'ta', cursor => :'cursor'))) AS v(p);
SELECT feedback.grouped_by_conversation(:'tb', cursor => :'cursor');
:st
\endif
SELECT feedback.grouped_by_conversation(:'ta', "limit" => 0);
:st
SELECT feedback.grouped_by_conversation(:'ta', "offset" => -1);
:st
SELECT feedback.grouped_by_conversation(:'ta', 'everything');
:st
SELECT feedback.grouped_by_conversation(:'tb') - 'results' AS page;
SELECT feedback.verify_review_groups(:'ta') AS differences_a;
SELECT feedback.verify_review_groups(:'tb') AS differences_b;
SELECT feedback.put_conversation(:'ta', :'a_old', 'Old thread', 'sales-bot', is_archived => false) ->> 'is_archived' AS archived;
SELECT feedback.verify_review_groups(:'ta') AS differences_a;
:reads

\echo '=== 12 golden examples: pages and the fine-tuning export'
SET feedback.user_id = :'rita';
SELECT feedback.golden_examples(:'ta') - 'results' AS page;
SELECT feedback.golden_examples(:'ta', active_only => false) - 'results' AS page;
SELECT feedback.golden_examples(:'ta', active_only => false, "limit" => 2, "offset" => 2);
SELECT feedback.golden_examples(:'tb', "limit" => 1);
SELECT feedback.export_golden_examples(:'ta');
SELECT feedback.export_golden_examples(:'tb');
SELECT to_regprocedure('feedback.export_golden_examples(uuid,integer,text)') IS NOT NULL AS has_context \gset
\if :has_context
SELECT feedback.export_golden_examples(:'ta', context_turns => 2, system_prompt => 'You sell plans.');
SELECT feedback.export_golden_examples(:'ta', context_turns => 51);
:st
\endif
SELECT to_regprocedure('feedback.export_preference_pairs(uuid,text,integer,text)') IS NOT NULL AS has_pairs \gset
\if :has_pairs
SELECT feedback.export_preference_pairs(:'ta');
SELECT feedback.export_preference_pairs(:'ta', 'trl', 1, 'You sell plans.');
SELECT feedback.export_preference_pairs(:'ta', 'csv');
:st
\endif

\echo '=== 13 deletes and the data lifecycle'
SET feedback.user_id = :'alice';
SELECT feedback.delete(:'ta', :'alice_team_id');
SELECT feedback.get(:'ta', :'alice_team_id');
:st
SELECT feedback.delete(:'ta', :'alice_team_id');
:st
SET feedback.user_id = :'adam';
SELECT feedback.delete(:'ta', :'resub2');
SELECT feedback.delete(:'tb', :'resub3');
SET feedback.user_id = :'rita';
SELECT feedback.history(:'ta', :'alice_team_id');
:st
SELECT to_regprocedure('feedback.claim_suggestions(integer,interval,uuid)') IS NOT NULL AS has_claims \gset
\if :has_claims
SELECT f ->> 'comment' AS claimed FROM feedback.claim_suggestions(100, '5 minutes', :'ta') AS f ORDER BY 1;
SELECT f ->> 'comment' AS claimed_again FROM feedback.claim_suggestions(100, '5 minutes', :'ta') AS f ORDER BY 1;
\endif
SELECT to_regprocedure('feedback.stats(uuid,timestamptz,timestamptz,text,text)') IS NOT NULL AS has_stats \gset
\if :has_stats
SET feedback.user_id = :'rita';
SELECT feedback.stats(:'ta', now() - interval '1 day', now() + interval '1 day') -> 'top_negative_reasons' AS reasons;
SELECT b - 'start' AS bucket
  FROM jsonb_array_elements(feedback.stats(:'ta', now() - interval '1 day', now() + interval '1 day', 'month', 'kind') -> 'buckets') AS b;
SELECT feedback.stats(:'ta', '2020-01-01', '2030-01-01', 'hour');
:st
\endif
SELECT to_regprocedure('feedback.remove_member(uuid,uuid)') IS NOT NULL AS has_remove_member \gset
\if :has_remove_member
SELECT feedback.remove_member(:'tb', :'carol');
SELECT feedback.remove_member(:'tb', :'carol');
:st
\endif
SELECT to_regprocedure('feedback.delete_conversation(uuid,uuid)') IS NOT NULL AS has_delete_conversation \gset
\if :has_delete_conversation
SELECT feedback.delete_conversation(:'ta', :'a_support');
SELECT feedback.delete_conversation(:'ta', :'a_support');
:st
\endif
SELECT feedback.verify_review_groups(:'ta') AS differences_a;
SELECT feedback.verify_review_groups(:'tb') AS differences_b;
:reads
\if :has_stats
SET feedback.user_id = :'rita';
SELECT feedback.verify_stats(:'ta') AS stats_differences_a;
RESET feedback.user_id;
\endif

\echo '=== end of the equivalence script'
