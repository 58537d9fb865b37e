-- The feedback API's errors: every condition of the error table with its
-- SQLSTATE, and that a failed call writes nothing.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(64);

\set t '''7e000000-0000-0000-0000-000000000001'''
\set other '''7e000000-0000-0000-0000-000000000002'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set conv '''c0000000-0000-0000-0000-000000000001'''
\set streaming_conv '''c0000000-0000-0000-0000-000000000002'''
\set question_conv '''c0000000-0000-0000-0000-000000000003'''
\set empty_conv '''c0000000-0000-0000-0000-000000000004'''
\set question '''a0000000-0000-0000-0000-000000000001'''
\set answer '''a0000000-0000-0000-0000-000000000002'''
\set streaming '''a0000000-0000-0000-0000-000000000003'''
\set other_answer '''a0000000-0000-0000-0000-000000000005'''

SELECT count(*) FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')),
    (feedback.put_user(:bob, 'bob@example.com')),
    (feedback.put_user(:rita, 'rita@example.com')),
    (feedback.put_member(:t, :alice)),
    (feedback.put_member(:t, :bob)),
    (feedback.put_member(:t, :rita, 'reviewer')),
    (feedback.put_member(:other, :alice)),
    (feedback.put_conversation(:t, :conv, 'Pricing')),
    (feedback.put_conversation(:t, :streaming_conv, 'Streaming')),
    (feedback.put_conversation(:t, :question_conv, 'Unanswered')),
    (feedback.put_conversation(:t, :empty_conv, 'Empty')),
    (feedback.put_conversation(:other, :conv, 'Other tenant')),
    (feedback.put_message(:t, :question, :conv, 'user', 'How much?', created_at => '2026-03-01T10:00:00Z')),
    (feedback.put_message(:t, :answer, :conv, 'assistant', '20 dollars.', created_at => '2026-03-01T10:00:01Z')),
    (feedback.put_message(:t, :other_answer, :conv, 'assistant', 'Or 200 a year.', created_at => '2026-03-01T10:00:02Z')),
    (feedback.put_message(:t, :streaming, :streaming_conv, 'assistant', 'Thinking', is_complete => false)),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000004', :question_conv, 'user', 'Hello?'))) AS s(x);

-- Caller checks come first, for every function.
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', :t, :answer, 'up'), '42501', 'no acting user',
                 'submit without an acting user: 42501');
SET LOCAL feedback.user_id = :alice;
SELECT throws_ok(format('SELECT feedback.submit(NULL, %L, %L)', :answer, 'up'), '22023', NULL, 'submit with a NULL tenant: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', '7e000000-0000-0000-0000-0000000000ff', :answer, 'up'),
                 '42501', NULL, 'submit on a tenant the user is not a member of: 42501');

-- submit: arguments.
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', :t, :answer, 'meh'), '22P02', NULL, 'a malformed rating: 22P02');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L)', :t, 'not-a-uuid'), '22P02', NULL, 'a malformed message id: 22P02');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L)', :t, :answer), '22023',
                 'feedback needs a rating or a comment', 'neither rating nor comment: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, comment => %L)', :t, :answer, ''), '22023',
                 'feedback needs a rating or a comment', 'an empty comment is no comment: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, comment => repeat(%L, 2001))', :t, :answer, 'x'), '22001',
                 NULL, 'a comment over 2000 characters: 22001');
SELECT lives_ok(format('SELECT feedback.submit(%L, %L, comment => repeat(%L, 2000))', :t, :answer, 'é'),
                'a comment of 2000 multibyte characters is accepted');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, reasons => %L)', :t, :answer, 'up', '{""}'), '22023', NULL,
                 'an empty reason: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, reasons => ARRAY[repeat(%L, 65)])', :t, :answer, 'up', 'r'),
                 '22023', NULL, 'a reason over 64 characters: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, reasons => ARRAY[NULL]::text[])', :t, :answer, 'up'),
                 '22023', NULL, 'a NULL reason: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, reasons => %L)', :t, :answer, 'up', '{{a},{b}}'),
                 '22023', NULL, 'a two-dimensional reasons array: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, reasons => (SELECT array_agg(g::text) FROM generate_series(1, 17) g))',
                 :t, :answer, 'up'), '22023', NULL, '17 distinct reasons: 22023');
SELECT is(jsonb_array_length(feedback.submit(:t, :answer, 'up', reasons => (SELECT array_agg((g % 16)::text) FROM generate_series(1, 40) g))->'reasons'),
          16, '40 reasons with 16 distinct are stored as 16');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, kind => NULL)', :t, :answer, 'up'), '22023', NULL, 'a NULL kind: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, kind => %L)', :t, :answer, 'up', ''), '22023', NULL, 'an empty kind: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, source_surface => repeat(%L, 65))', :t, :answer, 'up', 's'),
                 '22023', NULL, 'a source_surface over 64 characters: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, NULL, comment => %L, context => %L)', :t, 'x', '[1]'), '22023', NULL,
                 'a context that is not an object: 22023');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', :t, :question, 'up'), 'PT404', NULL,
                 'a user message is not an answer: PT404');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', :t, 'a0000000-0000-0000-0000-0000000000ff', 'up'), 'PT404', NULL,
                 'an unknown answer: PT404');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', :other, :answer, 'up'), 'PT404', NULL,
                 'an answer of another tenant: PT404');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L)', :t, :streaming, 'up'), 'PT409', NULL,
                 'an answer still streaming: PT409');

-- client_feedback_id: the same key on another answer or kind is PT409.
SELECT lives_ok(format('SELECT feedback.submit(%L, %L, %L, client_feedback_id => %L)', :t, :answer, 'up',
                'c1000000-0000-0000-0000-000000000001'), 'a first use of a key');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, client_feedback_id => %L)', :t, :other_answer, 'up',
                 'c1000000-0000-0000-0000-000000000001'), 'PT409', NULL, 'the key reused on another answer: PT409');
SELECT throws_ok(format('SELECT feedback.submit(%L, %L, %L, kind => %L, client_feedback_id => %L)', :t, :answer, 'up',
                 'bookmark', 'c1000000-0000-0000-0000-000000000001'), 'PT409', NULL, 'the key reused for another kind: PT409');
SELECT throws_ok(format('SELECT feedback.submit(%L, NULL, comment => %L, client_feedback_id => %L)', :t, 'x',
                 'c1000000-0000-0000-0000-000000000001'), 'PT409', NULL, 'the key reused on ungrouped feedback: PT409');
SELECT is((SELECT count(*)::int FROM feedback.feedback WHERE client_feedback_id = 'c1000000-0000-0000-0000-000000000001'),
          1, 'the refused calls wrote nothing');
SET LOCAL feedback.user_id = :bob;
SELECT lives_ok(format('SELECT feedback.submit(%L, %L, %L, client_feedback_id => %L)', :t, :other_answer, 'up',
                'c1000000-0000-0000-0000-000000000001'), 'another user may use the same key');
SET LOCAL feedback.user_id = :alice;

-- put_conversation_feedback.
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :conv, '{}'), '22023', NULL,
                 'an empty body: 22023');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, NULL)', :t, :conv), '22023', NULL,
                 'a NULL body: 22023');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :conv, '[1]'), '22023', NULL,
                 'a body that is not an object: 22023');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :conv, '{"rating": "POSITIVE", "stars": 5}'),
                 '22023', 'unknown key "stars" in body', 'an unknown key: 22023');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :conv, '{"rating": "GREAT"}'),
                 '22P02', NULL, 'a malformed rating: 22P02');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :conv, '{"rating": 5}'),
                 '22P02', NULL, 'a rating of the wrong JSON type: 22P02');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :conv, '{"comment": 5}'),
                 '22023', NULL, 'a comment of the wrong JSON type: 22023');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, jsonb_build_object(%L, repeat(%L, 2001)))',
                 :t, :conv, 'comment', 'x'), '22001', NULL, 'a comment over 2000 characters: 22001');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :streaming_conv, '{"rating": "POSITIVE"}'),
                 'PT409', NULL, 'the latest answer is streaming: PT409');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :question_conv, '{"rating": "POSITIVE"}'),
                 'PT409', NULL, 'the latest message is a question: PT409');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, :empty_conv, '{"rating": "POSITIVE"}'),
                 'PT409', NULL, 'a conversation without messages: PT409');
SELECT throws_ok(format('SELECT feedback.put_conversation_feedback(%L, %L, %L)', :t, 'c0000000-0000-0000-0000-0000000000ff',
                 '{"rating": "POSITIVE"}'), 'PT404', NULL, 'an unknown conversation: PT404');
SELECT is(feedback.put_conversation_feedback(:t, :conv, '{"rating": "POSITIVE"}')->>'rating', 'POSITIVE',
          'the latest answer is rated');
SELECT is((SELECT rating::text FROM feedback.feedback WHERE message_id = :other_answer AND user_id = :alice),
          'positive', 'and it is the latest answer of the conversation');

-- get, for_message, thread_reactions.
SELECT throws_ok(format('SELECT feedback.get(%L, %L)', :t, 'f0000000-0000-0000-0000-0000000000ff'), 'PT404', NULL,
                 'get of an unknown feedback: PT404');
SELECT throws_ok(format('SELECT feedback.get(%L, NULL)', :t), '22023', NULL, 'get of NULL: 22023');
SELECT throws_ok(format('SELECT feedback.for_message(%L, %L)', :t, 'a0000000-0000-0000-0000-0000000000ff'), 'PT404', NULL,
                 'for_message of an unknown message: PT404');
SELECT throws_ok(format('SELECT feedback.thread_reactions(%L, %L)', :t, 'c0000000-0000-0000-0000-0000000000ff'), 'PT404', NULL,
                 'thread_reactions of an unknown conversation: PT404');
SELECT is(feedback.thread_reactions(:other, :conv), '[]'::jsonb, 'the same conversation id in another tenant has none of it');

-- patch.
SELECT id AS alices FROM feedback.feedback WHERE user_id = :alice AND message_id = :answer \gset
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :t, :'alices', '{"stars": 5}'), '22023',
                 'unknown key "stars" in changes', 'an unknown patch key: 22023');
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :t, :'alices', '{"rating": null}'), '22023',
                 'feedback needs a rating or a comment', 'a patch leaving neither rating nor comment: 22023');
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :t, :'alices', '{"rating": "up", "is_positive": false}'), '22023',
                 NULL, 'rating and is_positive that disagree: 22023');
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :t, :'alices', '{"reasons": "incorrect"}'), '22023',
                 NULL, 'reasons that are not an array: 22023');
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :t, :'alices', '{"reaction": "meh"}'), '22P02',
                 NULL, 'a malformed reaction: 22P02');
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, NULL)', :t, :'alices'), '22023', NULL, 'NULL changes: 22023');
-- an earlier updated_at, so that a write in this transaction would show
UPDATE feedback.feedback SET updated_at = '2026-01-02 03:04:05.678+00' WHERE tenant_id = :t AND id = :'alices';
SELECT is(feedback.patch(:t, :'alices', '{}')->>'updated_at', '2026-01-02T03:04:05.678Z',
          'an empty patch changes nothing');
SELECT is(feedback.patch(:t, :'alices', jsonb_build_object('comment', feedback.get(:t, :'alices')->'comment',
                                                          'reasons', feedback.get(:t, :'alices')->'reasons'))->>'updated_at',
          '2026-01-02T03:04:05.678Z', 'a patch that repeats the stored values changes nothing');
SET LOCAL feedback.user_id = :bob;
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :t, :'alices', '{"comment": "mine now"}'), 'PT404', NULL,
                 'another member''s feedback is not found: PT404');
SELECT throws_ok(format('SELECT feedback.delete(%L, %L)', :t, :'alices'), 'PT404', NULL,
                 'nor can it be deleted: PT404');
SET LOCAL feedback.user_id = :rita;
SELECT throws_ok(format('SELECT feedback.patch(%L, %L, %L)', :t, :'alices', '{"comment": "reviewer"}'), '42501', NULL,
                 'a reviewer may not patch another''s feedback: 42501');
SELECT throws_ok(format('SELECT feedback.delete(%L, %L)', :t, :'alices'), '42501', NULL,
                 'nor delete it: 42501');
SELECT is((SELECT comment FROM feedback.feedback WHERE id = :'alices'), NULL, 'refused patches wrote nothing');

-- A resubmission (rating, comment, reasons) and a review change no column
-- that an index of feedback.feedback holds: both are HOT updates, which
-- write no index entry.  (On a Citus cluster the rows are in the shards.)
SELECT pg_stat_get_xact_tuples_updated('feedback.feedback'::regclass) AS updated,
       pg_stat_get_xact_tuples_hot_updated('feedback.feedback'::regclass) AS hot \gset
SET LOCAL feedback.user_id = :alice;
SELECT feedback.submit(:t, :answer, 'negative', 'a HOT resubmission', ARRAY['outdated']) IS NOT NULL AS resubmitted \gset
SET LOCAL feedback.user_id = :rita;
SELECT feedback.set_status(:t, :'alices', 'reviewed') IS NOT NULL AS reviewed \gset
SELECT CASE WHEN :'citus'::boolean THEN skip('on a Citus cluster the rows are updated in the shards')
       ELSE is(ARRAY[pg_stat_get_xact_tuples_updated('feedback.feedback'::regclass) - :updated,
                     pg_stat_get_xact_tuples_hot_updated('feedback.feedback'::regclass) - :hot],
               ARRAY[2, 2]::bigint[], 'a resubmission and a review are HOT updates') END;

-- A replacement that changes no content (here source_surface) keeps the
-- review, and the object it returns names the reviewer as get does.
SET LOCAL feedback.user_id = :alice;
SELECT feedback.submit(:t, :answer, 'negative', 'a HOT resubmission', ARRAY['outdated'],
                       source_surface => 'sidebar') AS kept \gset
SELECT is(:'kept'::jsonb ->> 'status', 'reviewed', 'a replacement of other fields than the content keeps the status');
SELECT is(:'kept'::jsonb -> 'reviewed_by', feedback.get(:t, :'alices') -> 'reviewed_by',
          'and returns its reviewer with the email, as get does');

SELECT * FROM finish();
ROLLBACK;
