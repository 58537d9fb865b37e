-- Edges of the contract: a long comment, keys a DBA's statement left
-- half-bound, late retries after a rule tightened, a direct UPDATE under
-- the reason rule, a resubmission the rule auto-approves from a review,
-- messages stored in one transaction, rows a BEFORE trigger sees before
-- their NOT NULL constraints, and the caps of the ingest API's texts.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(28);

-- The SQLSTATE and error context of a statement that fails ('' for no
-- context).
CREATE FUNCTION pg_temp.context_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    context text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    RETURN SQLSTATE || ': ' || context;
END
$$;

\set t '''7e000000-0000-0000-0000-000000000001'''
\set c '''c0000000-0000-0000-0000-000000000001'''
\set ada '''00000000-0000-0000-0000-0000000000a1'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set adam '''00000000-0000-0000-0000-0000000000ad'''
\set long 'repeat(''too long answer '', 125)'

\o /dev/null
SELECT feedback.put_user(:ada, 'ada@example.com');
SELECT feedback.put_user(:rita, 'rita@example.com');
SELECT feedback.put_user(:adam, 'adam@example.com');
SELECT feedback.put_member(:t, :ada);
SELECT feedback.put_member(:t, :rita, 'reviewer');
SELECT feedback.put_member(:t, :adam, 'admin');
SELECT feedback.put_conversation(:t, :c);
-- in one transaction, with the default created_at: all four share it
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', :c, 'user', 'First question?');
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000002', :c, 'assistant', 'First answer.');
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000003', :c, 'user', 'Second question?');
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000004', :c, 'assistant', 'Second answer.');
\o

-- 1. A comment long enough to be stored compressed is still the same
-- comment: a change of source_surface alone keeps the review.
SET LOCAL feedback.user_id = :ada;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000002', 'down', :long, source_surface => 'web')->>'id' AS long_id \gset
-- (values are read into variables first: on Citus a query of the tables
-- with an assertion in it would run on a worker, which has no pgTAP)
SELECT coalesce(pg_column_compression(comment), 'none') AS compression
  FROM feedback.feedback WHERE tenant_id = :t AND id = :'long_id' \gset
SELECT isnt(:'compression'::text, 'none', 'the 2000-character comment is stored compressed');
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'long_id', 'reviewed') IS NOT NULL AS reviewed \gset
SET LOCAL feedback.user_id = :ada;
SELECT results_eq(format('SELECT r->>''status'', r->''reviewed_by''->>''email'', r->>''source_surface''
                            FROM feedback.submit(%L, %L, ''down'', %s, source_surface => ''mobile'') r',
                         :t, 'a0000000-0000-0000-0000-000000000002', :'long'),
                  $$VALUES ('reviewed', 'rita@example.com', 'mobile')$$,
                  'a new source_surface with the same long comment keeps the status and the reviewer');
SELECT count(*) AS entries FROM feedback.status_history WHERE tenant_id = :t AND feedback_id = :'long_id' \gset
SELECT is(:entries, 1, 'and writes no history');

-- 2. Keys that a direct statement left half-bound: the call answers, it
-- does not fail (nor crash the server).
SELECT feedback.submit(:t, NULL, 'up', 'Ungrouped one', client_feedback_id => 'eeeeeeee-0000-0000-0000-000000000001')->>'id' AS k1 \gset
SELECT feedback.submit(:t, NULL, 'up', 'Ungrouped two', client_feedback_id => 'eeeeeeee-0000-0000-0000-000000000002')->>'id' AS k2 \gset
UPDATE feedback.feedback SET client_feedback_id = NULL WHERE tenant_id = :t AND id = :'k1';
SELECT is(feedback.submit(:t, NULL, 'up', 'Ungrouped one', client_feedback_id => 'eeeeeeee-0000-0000-0000-000000000001')->>'id',
          :'k1', 'a bound key no longer on its feedback is an older key: the late retry gets the feedback');
DELETE FROM feedback.client_keys WHERE tenant_id = :t AND feedback_id = :'k2';
SELECT is(feedback.submit(:t, NULL, 'up', 'Ungrouped two', client_feedback_id => 'eeeeeeee-0000-0000-0000-000000000002')->>'id',
          :'k2', 'an exact repeat whose key lost its binding still gets its feedback');

-- 3. A late retry, and an exact repeat, after the tenant came to require
-- a reason: the rule holds for what is written, and they write nothing.
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down',
                       client_feedback_id => '99999999-0000-0000-0000-000000000001')->>'id' AS late_id \gset
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down', 'Too vague',
                       client_feedback_id => '99999999-0000-0000-0000-000000000002') IS NOT NULL AS replaced \gset
SET LOCAL feedback.user_id = :adam;
SELECT feedback.configure(:t, 'negative', false, true) IS NOT NULL AS configured \gset
SET LOCAL feedback.user_id = :ada;
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down',
                          client_feedback_id => '99999999-0000-0000-0000-000000000001')->>'comment',
          'Too vague', 'a late retry with the older key returns the feedback as it is, reason rule or not');
SELECT is(current_setting('response.status', true), '200', 'with 200');
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down', 'Too vague',
                          client_feedback_id => '99999999-0000-0000-0000-000000000002')->>'id',
          :'late_id', 'an exact repeat with the current key returns it too');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, client_feedback_id => %L)', :t,
                        'a0000000-0000-0000-0000-000000000004', 'down', '99999999-0000-0000-0000-000000000002'),
                 '22023', 'a reason is required for negative feedback in this tenant',
                 'a replacement without a reason is refused');
-- The trigger's refusal says what was wrong, not which statement of the
-- extension ran into it: no context naming the API's upsert.  (On Citus
-- the coordinator adds the context of the statement it sent the worker.)
\if :citus
SELECT pass('a refusal of the trigger: the coordinator adds its own context');
SELECT pass('and for a transition');
\else
SELECT is(pg_temp.context_of(format('SELECT feedback.submit(%L, %L, %L, client_feedback_id => %L)', :t,
                                    'a0000000-0000-0000-0000-000000000004', 'down', '99999999-0000-0000-0000-000000000002')),
          '22023: ', 'a refusal of the trigger carries no context of the extension''s statements');
SET LOCAL feedback.user_id = :rita;
SELECT is(pg_temp.context_of(format('SELECT feedback.set_status(%L, %L, %L)', :t, :'late_id', 'auto_approved')),
          'PT409: ', 'nor does a transition it refuses');
SET LOCAL feedback.user_id = :ada;
\endif
SET LOCAL feedback.user_id = :rita;
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', :t, 'a0000000-0000-0000-0000-000000000002', 'down'),
                 '22023', 'a reason is required for negative feedback in this tenant', 'and so is new feedback without one');
SET LOCAL feedback.user_id = :ada;

-- 4. A direct UPDATE is held to the reason rule as an API call is.
SELECT throws_ok(format('UPDATE feedback.feedback SET comment = NULL WHERE tenant_id = %L AND id = %L', :t, :'late_id'),
                 '22023', 'a reason is required for negative feedback in this tenant',
                 'a direct UPDATE that leaves negative feedback without a reason: 22023');
SELECT lives_ok(format('UPDATE feedback.feedback SET comment = NULL, reasons = %L WHERE tenant_id = %L AND id = %L',
                       '{incorrect}', :t, :'late_id'),
                'with a reason tag instead, it is accepted');
SET LOCAL feedback.user_id = :adam;
SELECT feedback.configure(:t, 'negative', false, false) IS NOT NULL AS configured \gset

-- 5. A resubmission of dismissed feedback that the rule auto-approves goes
-- back to review, then to auto-approval: two legal steps in the history.
SELECT feedback.configure(:t, 'positive', true, false) IS NOT NULL AS configured \gset
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'late_id', 'dismissed') IS NOT NULL AS dismissed \gset
SET LOCAL feedback.user_id = :ada;
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'up')->>'status', 'auto_approved',
          'a thumbs-up on dismissed feedback is auto-approved');
SELECT results_eq(format('SELECT e->>''from'', e->>''to'', e->''by''->>''email'' FROM jsonb_array_elements(feedback.history(%L, %L)) e',
                         :t, :'late_id'),
                  $$VALUES ('to_review', 'dismissed', 'rita@example.com'), ('dismissed', 'to_review', 'ada@example.com'),
                           ('to_review', 'auto_approved', 'ada@example.com')$$,
                  'its history: dismissed by Rita, then back to review and auto-approved, both by Ada');

-- A correction of dismissed feedback keeps the reviewer who dismissed it
-- (reviewed_by names whoever last set reviewed or dismissed); one of
-- reviewed feedback approves its example, and names its author.
SET LOCAL feedback.user_id = :ada;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'down', 'Wrong again')->>'id' AS corrected_id \gset
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'corrected_id', 'dismissed') IS NOT NULL AS dismissed \gset
SET LOCAL feedback.user_id = :adam;
SELECT is(feedback.set_status(:t, :'corrected_id', 'dismissed', corrected_response => 'A better answer.')->'reviewed_by'->>'email',
          'rita@example.com', 'a correction of dismissed feedback keeps the reviewer who dismissed it');
SELECT feedback.set_status(:t, :'corrected_id', 'reviewed') IS NOT NULL AS reviewed \gset
SET LOCAL feedback.user_id = :rita;
SELECT is(feedback.set_status(:t, :'corrected_id', 'reviewed', corrected_response => 'The best answer.')->'reviewed_by'->>'email',
          'rita@example.com', 'a new correction of reviewed feedback names its author');

-- 6. Messages stored in one transaction share created_at: the question of
-- an answer is the user message before it in (created_at, id) order.
SET LOCAL feedback.user_id = :rita;
SELECT is(feedback.add_golden_example(:t, 'a0000000-0000-0000-0000-000000000002', 'Gold.')->>'prompt', 'First question?',
          'the first answer''s question is the first question, not the one stored after it');
SELECT is(feedback.add_golden_example(:t, 'a0000000-0000-0000-0000-000000000004', 'Gold.')->>'prompt', 'Second question?',
          'and the second answer''s the second');
RESET feedback.user_id;

-- 7. A row the BEFORE trigger sees before its NOT NULL constraints fails
-- on them.
SELECT throws_ok(format('UPDATE feedback.feedback SET id = NULL, comment = %L WHERE tenant_id = %L AND id = %L',
                        'changed', :t, :'late_id'), '23502', NULL, 'a NULL id with new content: 23502');
SELECT throws_ok(format('UPDATE feedback.feedback SET reasons = NULL, comment = %L WHERE tenant_id = %L AND id = %L',
                        'changed', :t, :'late_id'), '23502', NULL, 'NULL reasons with new content: 23502');

-- 8. The ingest API's texts have caps, and the longest agent_name still
-- counts in the analytics (its index holds it); an acting user that is no
-- uuid is quoted short.
SELECT throws_ok(format('SELECT feedback.put_conversation(%L, %L, agent_name => %L)', :t,
                        'c0000000-0000-0000-0000-000000000002', repeat('x', 201)),
                 '22001', 'agent_name is 201 characters long; the limit is 200', 'an agent_name of 201 characters: 22001');
SELECT throws_ok(format('SELECT feedback.put_conversation(%L, %L, %L)', :t,
                        'c0000000-0000-0000-0000-000000000002', repeat('x', 1001)),
                 '22001', 'title is 1001 characters long; the limit is 1000', 'a title of 1001 characters: 22001');
SELECT throws_ok(format('SELECT feedback.put_message(%L, %L, %L, %L, repeat(%L, 1000001))', :t,
                        'a0000000-0000-0000-0000-000000000005', :c, 'assistant', 'x'),
                 '22001', 'content is 1000001 characters long; the limit is 1000000', 'a message of 1,000,001 characters: 22001');
\o /dev/null
SELECT feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000002', repeat('t', 1000), repeat('👍', 200));
SELECT feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000006', 'c0000000-0000-0000-0000-000000000002',
                            'assistant', 'An answer.');
\o
SET LOCAL feedback.user_id = :ada;
SELECT is(feedback.submit(:t, 'a0000000-0000-0000-0000-000000000006', 'up')->>'status', 'auto_approved',
          'feedback in a conversation whose agent_name has 200 four-byte characters is counted');
SET LOCAL feedback.user_id = :rita;
SELECT is(feedback.stats(:t, now() - interval '1 day', now() + interval '1 day', 'day', 'agent_name')->'buckets'->0->>'group',
          repeat('👍', 200), 'under that agent');
SELECT set_config('feedback.user_id', repeat('x', 100000), true) IS NOT NULL AS long_user \gset
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :t), '42501',
                 format('acting user "%s..." is not a uuid', repeat('x', 64)), 'an acting user of 100,000 bytes is quoted by its first 64');
RESET feedback.user_id;

SELECT * FROM finish();
ROLLBACK;
