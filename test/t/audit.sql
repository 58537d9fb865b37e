-- Decisions from the rows, and who really acted: resubmissions through the
-- tenant's rule by every entry point, notes and actors carried by the
-- statement, direct UPDATEs, impersonation recorded in the history, the
-- settings and the golden examples, and the examples the trigger makes.
-- Values read from the tables are fetched with \gset before each
-- assertion: on a Citus cluster a query on one tenant's rows runs whole on
-- a worker, where pgTAP's state is not.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(51);

\set t '''a1000000-0000-0000-0000-000000000001'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set adam '''00000000-0000-0000-0000-0000000000ad'''
\set sam '''00000000-0000-0000-0000-00000000005a'''

\o /dev/null
SELECT feedback.put_user(:alice, 'alice@example.com');
SELECT feedback.put_user(:rita, 'rita@example.com');
SELECT feedback.put_user(:adam, 'adam@example.com');
SELECT feedback.put_user(:sam, 'sam@example.com', can_impersonate => true);
SELECT feedback.put_member(:t, :alice);
SELECT feedback.put_member(:t, :rita, 'reviewer');
SELECT feedback.put_member(:t, :adam, 'admin');
SELECT feedback.put_member(:t, :sam, 'reviewer');
-- conversation n has a question q and an answer a
SELECT feedback.put_conversation(:t, format('c0000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid, 'chat ' || n)
  FROM generate_series(1, 6) n;
SELECT feedback.put_message(:t, format('b0000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid,
                            format('c0000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid, 'user', 'question ' || n,
                            created_at => now() - interval '2 minutes')
  FROM generate_series(1, 6) n;
SELECT feedback.put_message(:t, format('a0000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid,
                            format('c0000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid, 'assistant', 'answer ' || n,
                            format('b0000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid,
                            created_at => now() - interval '1 minute')
  FROM generate_series(1, 6) n;
\o

CREATE TEMP VIEW last_change AS
SELECT DISTINCT ON (h.feedback_id) h.feedback_id, h.from_status::text AS from_status, h.to_status::text AS to_status,
       h.changed_by, h.impersonated_by, h.note
  FROM feedback.status_history h WHERE h.tenant_id = 'a1000000-0000-0000-0000-000000000001'
 ORDER BY h.feedback_id, h.id DESC;
-- the last two, oldest first: a resubmission the rule auto-approves from
-- reviewed or dismissed goes through to_review (read into a variable
-- first, as last_change: on Citus a query of the tables with an assertion
-- in it would run on a worker, which has no pgTAP)
CREATE TEMP VIEW last_two_changes AS
SELECT h.feedback_id, array_agg(ARRAY[h.from_status::text, h.to_status::text, h.changed_by::text] ORDER BY h.id)::text AS steps
  FROM (SELECT s.*, row_number() OVER (PARTITION BY s.feedback_id ORDER BY s.id DESC) AS n
          FROM feedback.status_history s WHERE s.tenant_id = 'a1000000-0000-0000-0000-000000000001') h
 WHERE h.n <= 2
 GROUP BY h.feedback_id;

-- Settings record who changed them, and who impersonated.
SET LOCAL feedback.user_id = :adam;
SELECT feedback.configure(:t, 'positive', true) IS NOT NULL AS configured \gset
SELECT coalesce(((SELECT s.updated_by FROM feedback.settings s WHERE s.tenant_id = :t AND s.rating = 'positive'))::text, 'NULL') AS got \gset
SELECT coalesce((:adam::uuid)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'configure records the admin in the settings');
SET LOCAL feedback.user_id = :sam;
SET LOCAL feedback.impersonate_email = 'adam@example.com';
SELECT is(feedback.configure(:t, 'positive', true, true)->'positive'->'impersonated_by'->>'email', 'sam@example.com',
          'configure under impersonation names the support user');
SELECT coalesce(((SELECT ARRAY[s.updated_by, s.impersonated_by] FROM feedback.settings s WHERE s.tenant_id = :t AND s.rating = 'positive'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:adam, :sam]::uuid[])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'the settings record the admin and the impersonator');
SELECT feedback.configure(:t, 'positive', true, false) IS NOT NULL AS reason_rule_dropped \gset
SET LOCAL feedback.impersonate_email = '';

-- Auto-approval at submit: the trigger makes the example, with the feedback's id.
SET LOCAL feedback.user_id = :alice;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000001', 'up', 'right') ->> 'id' AS f1 \gset
SELECT coalesce(((SELECT status::text FROM feedback.feedback WHERE tenant_id = :t AND id = :'f1'))::text, 'NULL') AS got \gset
SELECT coalesce(('auto_approved')::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a positive submit is auto-approved by the rule');
SELECT coalesce(((SELECT ARRAY[id::text, approval_type, is_active::text, coalesce(approved_by::text, 'none')]
             FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = :'f1'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:'f1', 'auto', 'true', 'none'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'its example has the feedback''s id, approval auto, no approver');

-- A review with a note: the note and the reviewer reach the history.
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'f1', 'reviewed', 'checked the price') IS NOT NULL AS reviewed \gset
SELECT coalesce(((SELECT ARRAY[from_status, to_status, changed_by::text, coalesce(impersonated_by::text, 'none'), note]
             FROM last_change WHERE feedback_id = :'f1'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['auto_approved', 'reviewed', :rita, 'none', 'checked the price'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'set_status writes its note and reviewer in the history');
SELECT coalesce(((SELECT ARRAY[reviewed_by::text, (reviewed_at = now())::text] FROM feedback.feedback WHERE tenant_id = :t AND id = :'f1'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:rita, 'true'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'reviewed names the reviewer');
SELECT coalesce(((SELECT approved_by FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = :'f1'))::text, 'NULL') AS got \gset
SELECT coalesce((:rita::uuid)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a reviewed example names its approver');
SELECT is((feedback.history(:t, :'f1') -> -1) - 'at',
          jsonb_build_object('from', 'auto_approved', 'to', 'reviewed', 'by', jsonb_build_object('id', :rita, 'email', 'rita@example.com'),
                             'impersonated_by', NULL, 'note', 'checked the price'),
          'history() returns from, to, by, impersonated_by, at and note');

-- Resubmissions from reviewed and dismissed go back through the rule, by every entry point.
SET LOCAL feedback.user_id = :alice;
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000001', 'up', 'right, and quick') ->> 'status', 'auto_approved',
          'submit: a resubmission from reviewed lands in auto_approved');
SELECT steps AS got FROM last_two_changes WHERE feedback_id = :'f1' \gset
SELECT is(:'got'::text,
          ARRAY[ARRAY['reviewed', 'to_review', :alice], ARRAY['to_review', 'auto_approved', :alice]]::text,
          'the resubmission is in the history, by its author: back to review, then auto-approved');
SELECT coalesce(((SELECT ARRAY[reviewed_by::text, reviewed_at::text] FROM feedback.feedback WHERE tenant_id = :t AND id = :'f1'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[NULL, NULL]::text[])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'auto_approved clears reviewed_by and reviewed_at');
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'f1', 'dismissed', 'noise') IS NOT NULL AS dismissed \gset
SET LOCAL feedback.user_id = :alice;
SELECT is(feedback.patch(:t, :'f1', '{"comment": "right after all"}') ->> 'status', 'auto_approved',
          'patch: a resubmission from dismissed lands in auto_approved');
SELECT steps AS got FROM last_two_changes WHERE feedback_id = :'f1' \gset
SELECT is(:'got'::text,
          ARRAY[ARRAY['dismissed', 'to_review', :alice], ARRAY['to_review', 'auto_approved', :alice]]::text,
          'the patch is in the history, by its author');
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'up') ->> 'id' AS f2 \gset
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'f2', 'reviewed') IS NOT NULL AS reviewed \gset
SET LOCAL feedback.user_id = :alice;
SELECT is(feedback.put_conversation_feedback(:t, 'c0000000-0000-0000-0000-000000000002',
                                             '{"rating": "POSITIVE", "comment": "now with a comment"}') ->> 'rating', 'POSITIVE',
          'put_conversation_feedback replaces the feedback');
SELECT coalesce(((SELECT status::text FROM feedback.feedback WHERE tenant_id = :t AND id = :'f2'))::text, 'NULL') AS got \gset
SELECT coalesce(('auto_approved')::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'put_conversation_feedback: a resubmission from reviewed lands in auto_approved');

-- An author's edit of reviewed negative feedback goes back to review, by the author.
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000003', 'down', 'wrong') ->> 'id' AS f3 \gset
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'f3', 'reviewed', corrected_response => 'answer 3, corrected') IS NOT NULL AS reviewed \gset
SELECT coalesce(((SELECT ARRAY[is_active::text, golden_response] FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['true', 'answer 3, corrected'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a corrected negative review activates its example');
SET LOCAL feedback.user_id = :alice;
SELECT is(feedback.patch(:t, :'f3', '{"comment": "still wrong"}') ->> 'status', 'to_review',
          'an author''s edit puts reviewed feedback back to review');
SELECT coalesce(((SELECT ARRAY[from_status, to_status, changed_by::text] FROM last_change WHERE feedback_id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['reviewed', 'to_review', :alice])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'the edit is in the history, by the author');
SELECT coalesce(((SELECT is_active FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((false)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'leaving approval deactivates the example');

-- A reviewer's content change is a resubmission recorded as by that reviewer.
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'f3', 'reviewed') IS NOT NULL AS reviewed \gset
SELECT is(feedback.update(:t, :'f3', '{"feedback": "wrong price"}') ->> 'status', 'to_review',
          'update: a reviewer''s comment change goes back through the rule');
SELECT coalesce(((SELECT ARRAY[from_status, to_status, changed_by::text] FROM last_change WHERE feedback_id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['reviewed', 'to_review', :rita])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'recorded as by the reviewer');

-- Impersonation: the history, the reviewer and the example name both users.
SET LOCAL feedback.user_id = :sam;
SET LOCAL feedback.impersonate_email = 'rita@example.com';
SELECT feedback.set_status(:t, :'f3', 'reviewed', 'on behalf') IS NOT NULL AS reviewed \gset
SELECT coalesce(((SELECT ARRAY[changed_by::text, impersonated_by::text, note] FROM last_change WHERE feedback_id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:rita, :sam, 'on behalf'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a review under impersonation records both users in the history');
SELECT coalesce(((SELECT ARRAY[reviewed_by, review_impersonated_by] FROM feedback.feedback WHERE tenant_id = :t AND id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:rita, :sam]::uuid[])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'the feedback records the reviewer and the impersonator');
SELECT coalesce(((SELECT ARRAY[approved_by, impersonated_by] FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:rita, :sam]::uuid[])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'the example records the approver and the impersonator');
SELECT is((feedback.history(:t, :'f3') -> -1 -> 'impersonated_by' ->> 'email'), 'sam@example.com',
          'history() names the impersonator');
SELECT is(feedback.add_golden_example(:t, 'a0000000-0000-0000-0000-000000000004', 'answer 4, better')
              - 'id' - 'created_at' - 'updated_at' - 'prompt' - 'original_response' - 'golden_response' - 'message_id' - 'conversation_id',
          jsonb_build_object('feedback_id', NULL, 'source_type', 'manual', 'approval_type', 'manual', 'is_active', true,
                             'approved_by', jsonb_build_object('id', :rita, 'email', 'rita@example.com'),
                             'impersonated_by', jsonb_build_object('id', :sam, 'email', 'sam@example.com')),
          'a manual example added under impersonation names both users');
SELECT coalesce(((SELECT count(*)::int FROM jsonb_array_elements(feedback.golden_examples(:t, false) -> 'results') e
            WHERE e ? 'approved_by' AND e ? 'impersonated_by'))::text, 'NULL') AS got \gset
SELECT coalesce(((SELECT count(*)::int FROM feedback.golden_example WHERE tenant_id = :t))::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'every example object has approved_by and impersonated_by');

-- Impersonating oneself is no impersonation.
SET LOCAL feedback.impersonate_email = 'sam@example.com';
SELECT is(feedback.whoami(:t) -> 'impersonated_by', 'null'::jsonb, 'impersonating oneself is no impersonation');
SELECT feedback.set_status(:t, :'f3', 'dismissed', 'self') IS NOT NULL AS dismissed \gset
SELECT coalesce(((SELECT ARRAY[changed_by::text, coalesce(impersonated_by::text, 'none')] FROM last_change WHERE feedback_id = :'f3'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:sam, 'none'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'so the history names no impersonator');
SET LOCAL feedback.impersonate_email = '';

-- A direct UPDATE takes the same path: the acting user of the session.
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000005', 'down', 'bad') ->> 'id' AS f5 \gset
SET LOCAL feedback.user_id = :rita;
UPDATE feedback.feedback SET status = 'reviewed', change_note = 'by hand' WHERE tenant_id = :t AND id = :'f5';
SELECT coalesce(((SELECT ARRAY[from_status, to_status, changed_by::text, note] FROM last_change WHERE feedback_id = :'f5'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['to_review', 'reviewed', :rita, 'by hand'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a direct UPDATE records the acting user and its note');
SELECT coalesce(((SELECT reviewed_by FROM feedback.feedback WHERE tenant_id = :t AND id = :'f5'))::text, 'NULL') AS got \gset
SELECT coalesce((:rita::uuid)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a direct UPDATE names the acting user as reviewer');
SET LOCAL feedback.user_id = :sam;
SET LOCAL feedback.impersonate_email = 'rita@example.com';
UPDATE feedback.feedback SET status = 'dismissed' WHERE tenant_id = :t AND id = :'f5';
SELECT coalesce(((SELECT ARRAY[changed_by, impersonated_by] FROM last_change WHERE feedback_id = :'f5'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:rita, :sam]::uuid[])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a direct UPDATE under impersonation records both users');
SET LOCAL feedback.impersonate_email = '';
SET LOCAL feedback.user_id = '';
UPDATE feedback.feedback SET status = 'to_review' WHERE tenant_id = :t AND id = :'f5';
SELECT coalesce(((SELECT ARRAY[to_status, coalesce(changed_by::text, 'none')] FROM last_change WHERE feedback_id = :'f5'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['to_review', 'none'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a direct UPDATE without an acting user records nobody');
SELECT coalesce(((SELECT ARRAY[reviewed_by::text, reviewed_at::text] FROM feedback.feedback WHERE tenant_id = :t AND id = :'f5'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[NULL, NULL]::text[])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'to_review clears reviewed_by and reviewed_at');
SET LOCAL feedback.user_id = 'not-a-uuid';
SELECT throws_ok(format('UPDATE feedback.feedback SET status = %L WHERE tenant_id = %L AND id = %L', 'reviewed', :t, :'f5'),
                 '42501', NULL, 'a direct UPDATE by an acting user that is not a uuid: 42501');
SET LOCAL feedback.user_id = :rita;
SELECT throws_ok(format('UPDATE feedback.feedback SET status = %L WHERE tenant_id = %L AND id = %L', 'auto_approved', :t, :'f5'),
                 'PT409', 'cannot change the status of a feedback from to_review to auto_approved',
                 'a direct UPDATE to auto_approved: PT409');
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000006', 'up') ->> 'id' AS f6 \gset
UPDATE feedback.feedback SET status = 'reviewed' WHERE tenant_id = :t AND id = :'f6';
UPDATE feedback.feedback SET comment = 'edited by hand' WHERE tenant_id = :t AND id = :'f6';
SELECT steps AS got FROM last_two_changes WHERE feedback_id = :'f6' \gset
SELECT is(:'got'::text,
          ARRAY[ARRAY['reviewed', 'to_review', :rita], ARRAY['to_review', 'auto_approved', :rita]]::text,
          'a direct content UPDATE is a resubmission through the rule');
SELECT coalesce(((SELECT ARRAY[status::text, coalesce(reviewed_by::text, 'none')] FROM feedback.feedback WHERE tenant_id = :t AND id = :'f6'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['auto_approved', 'none'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'with the reviewer cleared');
UPDATE feedback.feedback SET status = 'reviewed', change_by = :adam WHERE tenant_id = :t AND id = :'f6';
SELECT coalesce(((SELECT ARRAY[changed_by, reviewed_by] FROM last_change JOIN feedback.feedback f ON f.id = feedback_id
            WHERE f.tenant_id = :t AND feedback_id = :'f6'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY[:adam, :adam]::uuid[])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a statement that names its actor is recorded as by that actor');

-- What the statement carries is consumed: no stored row keeps it.
SELECT coalesce(((SELECT count(*)::int FROM feedback.feedback
            WHERE change_by IS NOT NULL OR change_impersonated_by IS NOT NULL OR change_note IS NOT NULL))::text, 'NULL') AS got \gset
SELECT coalesce((0)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'no stored row keeps an actor or a note');
SELECT throws_ok(format('INSERT INTO feedback.feedback (tenant_id, id, user_id, comment, change_note, created_at, updated_at)'
                        ' VALUES (%L, gen_random_uuid(), %L, %L, %L, now(), now())', :t, :alice, 'x', 'stray'),
                 '23514', NULL, 'an INSERT may not store a change note');

-- The trigger makes the examples of inserted approved feedback too.
SET LOCAL feedback.user_id = '';
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, status, reviewed_by, reviewed_at,
                               created_at, updated_at)
VALUES (:t, 'f1000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000004', 'a0000000-0000-0000-0000-000000000004',
        :rita, 'positive', 'reviewed', :adam, now(), now(), now());
SELECT coalesce(((SELECT ARRAY[id::text, approval_type, is_active::text, approved_by::text, golden_response, prompt]
             FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = 'f1000000-0000-0000-0000-000000000009'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['f1000000-0000-0000-0000-000000000009', 'manual', 'true', :adam, 'answer 4', 'question 4'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'an INSERT of reviewed feedback gets its example from the trigger');
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, status, created_at, updated_at)
VALUES (:t, 'f1000000-0000-0000-0000-00000000000a', 'c0000000-0000-0000-0000-000000000004', 'a0000000-0000-0000-0000-000000000004',
        :alice, 'positive', 'auto_approved', now(), now());
SELECT coalesce(((SELECT ARRAY[approval_type, coalesce(approved_by::text, 'none')]
             FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = 'f1000000-0000-0000-0000-00000000000a'))::text, 'NULL') AS got \gset
SELECT coalesce((ARRAY['auto', 'none'])::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'an INSERT of auto-approved feedback gets an auto example');
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, status, created_at, updated_at)
VALUES (:t, 'f1000000-0000-0000-0000-00000000000b', 'c0000000-0000-0000-0000-000000000005', 'a0000000-0000-0000-0000-000000000005',
        :rita, 'negative', 'to_review', now(), now());
SELECT coalesce(((SELECT count(*)::int FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = 'f1000000-0000-0000-0000-00000000000b'))::text, 'NULL') AS got \gset
SELECT coalesce((0)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'an INSERT of feedback to review makes no example');
DELETE FROM feedback.feedback WHERE tenant_id = :t AND id = 'f1000000-0000-0000-0000-000000000009';
SELECT coalesce(((SELECT is_active FROM feedback.golden_example WHERE tenant_id = :t AND feedback_id = 'f1000000-0000-0000-0000-000000000009'))::text, 'NULL') AS got \gset
SELECT coalesce((false)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'deleting the feedback deactivates its example');

-- A replacement stores every field it is given, and keeps the status when
-- only those fields change; an exact repeat writes nothing.
SET LOCAL feedback.user_id = :alice;
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'up', 'now with a comment', source_surface => 'email',
                          client_feedback_id => 'ce000000-0000-0000-0000-000000000001',
                          turn_id => 'e0000000-0000-0000-0000-000000000002', context => '{"source": "mail"}')
              - '{id,tenant_id,conversation_id,message_id,given_by,impersonated_by,rating,is_positive,reaction,comment,reasons,kind,reviewed_by,reviewed_at,corrected_response,user_message,conversation_title,suggested_action_type,suggested_action_data,created_at,updated_at}'::text[],
          jsonb_build_object('source_surface', 'email', 'client_feedback_id', 'ce000000-0000-0000-0000-000000000001',
                             'turn_id', 'e0000000-0000-0000-0000-000000000002',
                             'context', jsonb_build_object('conversation_id', 'c0000000-0000-0000-0000-000000000002',
                                                           'query_id', NULL, 'source', 'mail'),
                             'status', 'auto_approved'),
          'a replacement with the same content stores source_surface, client_feedback_id, turn_id and context, and keeps the status');
SELECT is(current_setting('response.status'), '200', 'and answers 200');
UPDATE feedback.feedback SET updated_at = '2026-01-02 03:04:05.678+00' WHERE tenant_id = :t AND id = :'f2';
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'up', 'now with a comment', source_surface => 'email')
              ->> 'updated_at', '2026-01-02T03:04:05.678Z',
          'a repeat that gives no turn_id, context or key keeps the stored ones and writes nothing');
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'up', 'now with a comment', source_surface => 'email',
                          client_feedback_id => 'ce000000-0000-0000-0000-000000000001',
                          turn_id => 'e0000000-0000-0000-0000-000000000002', context => '{"source": "mail"}')
              ->> 'updated_at', '2026-01-02T03:04:05.678Z', 'an exact repeat writes nothing');

-- The queue stayed in step through all of it.
SELECT is(feedback.verify_review_groups(:t), '[]'::jsonb, 'the review queue matches the feedback');

SELECT * FROM finish();
ROLLBACK;
