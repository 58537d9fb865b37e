-- Golden examples: auto-approval at submit, the example each approved
-- feedback yields, its deactivation and reactivation, manual examples,
-- paging and the fine-tuning export; the history of a feedback.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

\set t '''7e000000-0000-0000-0000-000000000001'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set adam '''00000000-0000-0000-0000-0000000000ad'''
\set conv '''c0000000-0000-0000-0000-000000000001'''
SELECT count(*) AS setup FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')),
    (feedback.put_user(:bob, 'bob@example.com')),
    (feedback.put_user(:rita, 'rita@example.com')),
    (feedback.put_user(:adam, 'adam@example.com')),
    (feedback.put_member(:t, :alice)),
    (feedback.put_member(:t, :bob)),
    (feedback.put_member(:t, :rita, 'reviewer')),
    (feedback.put_member(:t, :adam, 'admin')),
    (feedback.put_conversation(:t, :conv, 'Pricing')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', :conv, 'user', 'How much is Pro?',
                          created_at => '2026-03-01T10:00:00Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000002', :conv, 'assistant', 'Pro is 20 dollars.',
                          created_at => '2026-03-01T10:00:01Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000003', :conv, 'user', 'And Team?',
                          created_at => '2026-03-01T10:01:00Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000004', :conv, 'assistant', 'Team is 50 dollars.',
                          reply_to => 'a0000000-0000-0000-0000-000000000003', created_at => '2026-03-01T10:01:01Z'))
    ) AS s(x);

CREATE VIEW examples AS
SELECT f.comment AS feedback, g.source_type, g.approval_type, g.prompt, g.original_response,
       g.golden_response, g.is_active
  FROM feedback.golden_example g LEFT JOIN feedback.feedback f ON f.tenant_id = g.tenant_id AND f.id = g.feedback_id
 ORDER BY g.created_at, g.prompt, g.source_type;

-- Defaults: no auto-approval, no reason required.
SET feedback.user_id = :alice;
-- (who changed a rule and when are left out here: test/t/audit.sql checks them)
SELECT feedback.settings(:t) #- '{positive,updated_at}' #- '{negative,updated_at}' AS settings;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'up', 'default rules') ->> 'status' AS status;
SELECT count(*) AS examples FROM feedback.golden_example;

-- Auto-approval at submit, for each rating, with and without a required reason.
SET feedback.user_id = :adam;
SELECT feedback.configure(:t, 'positive', auto_approve => true) #- '{positive,updated_at}' #- '{negative,updated_at}' AS configure;
SELECT feedback.configure(:t, 'negative', auto_approve => true, reason_required => true) #- '{positive,updated_at}' #- '{negative,updated_at}' AS configure;
SET feedback.user_id = :bob;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'up') ->> 'status' AS positive_auto;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down', 'Team is 60 now') ->> 'status' AS negative_auto;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', comment => 'comment only, no rule') ->> 'status'
       AS comment_only;
SELECT * FROM examples;
SET feedback.user_id = :adam;
SELECT (feedback.configure(:t, 'negative', auto_approve => false, reason_required => true) -> 'negative') - 'updated_at' AS negative_rule;
SET feedback.user_id = :alice;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down', 'reason given') ->> 'status' AS negative_not_auto;
SET feedback.user_id = :adam;
SELECT (feedback.configure(:t, 'positive', auto_approve => false) -> 'positive') - 'updated_at' AS positive_rule;
SELECT (feedback.configure(:t, 'negative', auto_approve => false) -> 'negative') - 'updated_at' AS negative_rule;

-- The flip: positive -> negative -> corrected -> dismissed -> reviewed.
TRUNCATE feedback.golden_example, feedback.status_history;
DELETE FROM feedback.feedback;
SET feedback.user_id = :alice;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'up', 'flip') ->> 'id' AS flip \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'flip', 'reviewed', 'good answer') ->> 'status' AS reviewed_positive;
SELECT * FROM examples;
SET feedback.user_id = :alice;
SELECT feedback.patch(:t, :'flip', '{"rating": "negative"}') ->> 'status' AS author_flips_to_negative;
SELECT * FROM examples;
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'flip', 'reviewed') ->> 'status' AS reviewed_negative;
SELECT * FROM examples;
SELECT feedback.set_status(:t, :'flip', 'reviewed', 'corrected', corrected_response => 'Pro is 25 dollars since March.')
       ->> 'corrected_response' AS corrected;
SELECT * FROM examples;
SELECT feedback.set_status(:t, :'flip', 'dismissed', 'not useful after all') ->> 'status' AS dismissed;
SELECT * FROM examples;
SELECT feedback.set_status(:t, :'flip', 'reviewed', 'useful again') ->> 'status' AS reviewed_again;
SELECT * FROM examples;
-- back to review, and a cleared rating, deactivate it; the feedback deleted too
SELECT feedback.set_status(:t, :'flip', 'to_review') ->> 'status' AS back_to_review;
SELECT is_active FROM feedback.golden_example;
SELECT feedback.set_status(:t, :'flip', 'reviewed') ->> 'status' AS reviewed;
SELECT feedback.update(:t, :'flip', '{"is_positive": null}') ->> 'rating' AS rating_cleared;
SELECT is_active FROM feedback.golden_example;
-- a reviewer's change of the rating is a resubmission too: back to review,
-- recorded as by that reviewer, and the example stays inactive
SELECT feedback.update(:t, :'flip', '{"is_positive": false}') ->> 'status' AS rating_back;
SELECT is_active FROM feedback.golden_example;
SET feedback.user_id = :alice;
SELECT feedback.delete(:t, :'flip');
SELECT count(*) AS examples, bool_or(is_active) AS any_active FROM feedback.golden_example;

-- The history of a feedback: who, when, note, oldest first.
SET feedback.user_id = :alice;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down', 'history') ->> 'id' AS hist \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'hist', 'dismissed', 'duplicate') IS NOT NULL AS dismissed;
SELECT feedback.update(:t, :'hist', '{"status": "pending"}') ->> 'status' AS pending_is_to_review;
SELECT feedback.set_status(:t, :'hist', 'reviewed') IS NOT NULL AS reviewed;
SET feedback.user_id = :alice;
SELECT feedback.patch(:t, :'hist', '{"comment": "history, edited"}') ->> 'status' AS edited_back_to_review;
SELECT h->>'from' AS from, h->>'to' AS to, h->'by'->>'email' AS by, h->>'note' AS note,
       h->>'at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$' AS at_is_rfc3339
  FROM jsonb_array_elements(feedback.history(:t, :'hist')) AS h;

-- An author's change under an auto-approval rule re-approves, from any status.
SET feedback.user_id = :adam;
SELECT (feedback.configure(:t, 'positive', auto_approve => true) -> 'positive') - 'updated_at' AS positive_rule;
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'hist', 'reviewed') ->> 'status' AS reviewed;
SET feedback.user_id = :alice;
SELECT feedback.patch(:t, :'hist', '{"rating": "positive"}') ->> 'status' AS reapproved;
SELECT source_type, approval_type, golden_response, is_active FROM feedback.golden_example
 WHERE feedback_id = :'hist';
SELECT h->>'from' AS from, h->>'to' AS to, h->'by'->>'email' AS by
  FROM jsonb_array_elements(feedback.history(:t, :'hist')) AS h OFFSET 4;
SET feedback.user_id = :adam;
SELECT (feedback.configure(:t, 'positive', auto_approve => false) -> 'positive') - 'updated_at' AS positive_rule;

-- Manual examples, paging, export.
SET feedback.user_id = :rita;
SELECT e - '{id,created_at,updated_at}'::text[] AS manual
  FROM feedback.add_golden_example(:t, 'a0000000-0000-0000-0000-000000000002', 'Pro is 25 dollars a month.') AS e;
SELECT feedback.add_golden_example(:t, 'a0000000-0000-0000-0000-000000000004', 'Team is 60 dollars a month.') IS NOT NULL AS added;
SELECT feedback.add_golden_example(:t, 'a0000000-0000-0000-0000-000000000001', 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.add_golden_example(:t, 'a0000000-0000-0000-0000-000000000004', '');
\echo :LAST_ERROR_SQLSTATE
-- Paging: next and previous carry a cursor (the page size, active_only and
-- the position); following them gives the adjacent pages.
CREATE FUNCTION links(j jsonb) RETURNS TABLE (count int, results int, next text, previous text) LANGUAGE sql AS $$
    SELECT (j->>'count')::int, jsonb_array_length(j->'results'),
           regexp_replace(j->>'next', 'cursor=[A-Za-z0-9_-]+$', 'cursor=<token>'),
           regexp_replace(j->>'previous', 'cursor=[A-Za-z0-9_-]+$', 'cursor=<token>')
$$;
CREATE FUNCTION cursor_of(link text) RETURNS text LANGUAGE sql AS $$
    SELECT substring(link FROM '^\?tenant_id=[0-9a-f-]{36}&cursor=([A-Za-z0-9_-]+)$')
$$;
CREATE FUNCTION responses(j jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(e->>'golden_response', ' | ' ORDER BY n) FROM jsonb_array_elements(j->'results') WITH ORDINALITY AS x(e, n)
$$;
SELECT feedback.golden_examples(:t, "limit" => 1) AS first_page \gset
SELECT * FROM links(:'first_page');
SELECT responses(:'first_page') AS newest;
SELECT feedback.golden_examples(:t, cursor => cursor_of(:'first_page'::jsonb->>'next')) AS second_page \gset
SELECT * FROM links(:'second_page');
SELECT responses(:'second_page') = responses(feedback.golden_examples(:t, "limit" => 1, "offset" => 1)) AS same_as_offset_1;
SELECT responses(feedback.golden_examples(:t, cursor => cursor_of(:'second_page'::jsonb->>'previous')))
       = responses(:'first_page') AS back_to_first;
SELECT * FROM links(feedback.golden_examples(:t, "limit" => 1, "offset" => 1));
SELECT feedback.golden_examples(:t, false, 2, 1) AS inactive_too \gset
SELECT * FROM links(:'inactive_too');
SELECT responses(feedback.golden_examples(:t, cursor => cursor_of(:'inactive_too'::jsonb->>'next')))
       = responses(feedback.golden_examples(:t, false, 2, 3)) AS next_keeps_active_only_false;
SELECT feedback.golden_examples(:t, cursor => 'AWdh');
\echo :LAST_ERROR_SQLSTATE
-- a cursor of another tenant, by a reviewer of both: refused
SELECT feedback.put_member('7e000000-0000-0000-0000-0000000000ff', :rita, 'reviewer') ->> 'role';
SELECT feedback.golden_examples('7e000000-0000-0000-0000-0000000000ff', cursor => cursor_of(:'first_page'::jsonb->>'next'));
\echo :LAST_ERROR_SQLSTATE
-- and by someone who is not a member of that tenant: who calls is checked first
SELECT feedback.remove_member('7e000000-0000-0000-0000-0000000000ff', :rita) -> 'deleted' ->> 'memberships';
SELECT feedback.golden_examples('7e000000-0000-0000-0000-0000000000ff', cursor => cursor_of(:'first_page'::jsonb->>'next'));
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION responses(jsonb);
DROP FUNCTION cursor_of(text);
DROP FUNCTION links(jsonb);
SELECT feedback.golden_examples(:t, "limit" => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.golden_examples(:t, "limit" => 1001);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.golden_examples(:t, "offset" => -1);
\echo :LAST_ERROR_SQLSTATE
-- One line per answer: the Team answer has two active examples (a user's
-- thumbs-up and a manual one); only the most recently added is exported.
SELECT * FROM feedback.export_golden_examples(:t);
COPY (SELECT * FROM feedback.export_golden_examples('7e000000-0000-0000-0000-000000000001')) TO STDOUT;
SET feedback.user_id = :alice;
SELECT * FROM feedback.export_golden_examples(:t);
\echo :LAST_ERROR_SQLSTATE

DROP VIEW examples;
-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
