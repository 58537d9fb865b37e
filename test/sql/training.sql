-- Training data: the chat export with each answer's conversation and a
-- system prompt, and the preference pairs of reviewers' corrections in
-- OpenAI's and TRL's formats; each line checked field by field against
-- the published format, and the errors of the arguments.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

\set t '''7e000000-0000-0000-0000-000000000001'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set plans '''c0000000-0000-0000-0000-000000000001'''
\set greeting '''c0000000-0000-0000-0000-000000000002'''
SELECT count(*) AS setup FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')),
    (feedback.put_user(:bob, 'bob@example.com')),
    (feedback.put_user(:rita, 'rita@example.com')),
    (feedback.put_member(:t, :alice)),
    (feedback.put_member(:t, :bob)),
    (feedback.put_member(:t, :rita, 'reviewer')),
    (feedback.put_conversation(:t, :plans, 'Plans')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', :plans, 'user', 'I run a team of 12.',
                          created_at => '2026-03-01T10:00:00Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000002', :plans, 'assistant', 'Great, how can I help?',
                          created_at => '2026-03-01T10:00:01Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000003', :plans, 'user', 'What does the monthly plan cost?',
                          created_at => '2026-03-01T10:00:02Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000004', :plans, 'assistant', 'The monthly plan is 30 dollars a seat.',
                          created_at => '2026-03-01T10:00:03Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000005', :plans, 'user', 'And for the yearly plan?',
                          created_at => '2026-03-01T10:00:04Z')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000006', :plans, 'assistant', 'The yearly plan is 300 dollars a seat.',
                          created_at => '2026-03-01T10:00:05Z')),
    -- a late answer to the first question: its context is what came before that question
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000007', :plans, 'assistant', 'Welcome, team of 12!',
                          reply_to => 'a0000000-0000-0000-0000-000000000001', created_at => '2026-03-01T10:00:06Z')),
    (feedback.put_conversation(:t, :greeting, 'Greeting')),
    -- an answer no question precedes
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000008', :greeting, 'assistant', 'Hello! Ask me anything.',
                          created_at => '2026-03-01T11:00:00Z'))
    ) AS s(x);

-- Feedback, then the reviews that make examples: the monthly answer and the
-- greeting approved as they are (the greeting corrected too), the yearly
-- answer corrected twice (by two
-- reviews of two users' thumbs-down, the later one wins), the late answer
-- reviewed without a correction (an inactive example: no line, no pair).
SET feedback.user_id = :alice;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000004', 'up') ->> 'id' AS monthly_up \gset
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000006', 'down', 'wrong price') ->> 'id' AS yearly_down_1 \gset
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000008', 'up') ->> 'id' AS greeting_up \gset
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000007', 'down') ->> 'id' AS late_down \gset
SET feedback.user_id = :bob;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000006', 'down', 'still wrong') ->> 'id' AS yearly_down_2 \gset
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000008', 'down', 'too short') ->> 'id' AS greeting_down \gset
SET feedback.user_id = :rita;
SELECT count(*) AS reviewed FROM (VALUES
    (feedback.set_status(:t, :'monthly_up', 'reviewed')),
    (feedback.set_status(:t, :'greeting_up', 'reviewed')),
    (feedback.set_status(:t, :'late_down', 'reviewed')),
    (feedback.set_status(:t, :'yearly_down_1', 'reviewed', corrected_response => 'The yearly plan is 288 dollars a seat.'))
    ) AS s(x);
SELECT feedback.set_status(:t, :'greeting_down', 'reviewed', corrected_response => 'Hello! I can help with plans and prices.')
       ->> 'status' AS greeting_corrected;
SELECT feedback.set_status(:t, :'yearly_down_2', 'reviewed',
                           corrected_response => E'The yearly plan is 288 dollars a seat, billed "once a year".\nAsk sales about C:\\discounts.')
       ->> 'status' AS second_correction;

-- The chat export: without context (the question alone), with two messages
-- of context, with more context than there is, and with a system prompt.
-- The greeting answers no question: its line has no user message (a null
-- content is no message), and it gives no preference pair.
SELECT * FROM feedback.export_golden_examples(:t);
SELECT * FROM feedback.export_golden_examples(:t, context_turns => 2);
SELECT * FROM feedback.export_golden_examples(:t, context_turns => 50, system_prompt => 'You are the sales assistant of Acme.');
-- an empty system prompt is none
SELECT count(*) FILTER (WHERE line -> 'messages' -> 0 ->> 'role' = 'system') AS system_messages
  FROM feedback.export_golden_examples(:t, system_prompt => '') AS line;

-- The format of a chat line (OpenAI chat fine-tuning, and TRL's
-- conversational language modeling): one key, messages; every message a
-- role and a content (a string); a system message first if any, then the
-- conversation's messages as it had them, the question (where there is one)
-- right before the answer, which ends the line.
SELECT count(*) AS lines,
       bool_and((SELECT array_agg(k) FROM jsonb_object_keys(line) AS k) = ARRAY['messages']) AS only_messages,
       bool_and((SELECT bool_and((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(m) AS k) = ARRAY['content', 'role'])
                   FROM jsonb_array_elements(line -> 'messages') AS m)) AS role_and_content,
       bool_and(line -> 'messages' -> -1 ->> 'role' = 'assistant') AS ends_with_the_answer,
       count(*) FILTER (WHERE line -> 'messages' -> -2 ->> 'role' = 'user') AS after_a_question,
       bool_and(NOT jsonb_path_exists(line, 'strict $.messages[*].content ? (@ == null)')) AS no_null_content,
       bool_and((SELECT count(*) FROM jsonb_array_elements(line -> 'messages') AS m WHERE m ->> 'role' = 'system') =
                CASE WHEN line -> 'messages' -> 0 ->> 'role' = 'system' THEN 1 ELSE 0 END) AS system_first_only
  FROM feedback.export_golden_examples(:t, context_turns => 3, system_prompt => 'Be brief.') AS line;

-- Preference pairs: one per corrected answer (the latest correction
-- preferred over the answer), with the same prompt messages.
SELECT * FROM feedback.export_preference_pairs(:t);
SELECT * FROM feedback.export_preference_pairs(:t, 'trl', context_turns => 2, system_prompt => 'Be exact.');
SELECT * FROM feedback.export_preference_pairs(:t, 'openai', 4);
-- OpenAI's preference fine-tuning: input.messages ending with a user
-- message, one assistant message in each output.
SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(line) AS k) AS openai_keys,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(line -> 'input') AS k) AS input_keys,
       line -> 'input' -> 'messages' -> -1 ->> 'role' AS input_ends_with,
       jsonb_array_length(line -> 'preferred_output') AS preferred,
       line -> 'preferred_output' -> 0 ->> 'role' AS preferred_role,
       jsonb_array_length(line -> 'non_preferred_output') AS non_preferred,
       line -> 'non_preferred_output' -> 0 ->> 'role' AS non_preferred_role
  FROM feedback.export_preference_pairs(:t, 'openai', 2) AS line;
-- TRL's conversational preference format: prompt, chosen, rejected.
SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(line) AS k) AS trl_keys,
       line -> 'prompt' -> -1 ->> 'role' AS prompt_ends_with,
       jsonb_array_length(line -> 'chosen') AS chosen, line -> 'chosen' -> 0 ->> 'role' AS chosen_role,
       jsonb_array_length(line -> 'rejected') AS rejected, line -> 'rejected' -> 0 ->> 'role' AS rejected_role
  FROM feedback.export_preference_pairs(:t, 'trl') AS line;
-- Into a file the tools read, one JSON document per line.  COPY's text
-- format doubles every backslash (the \" and \n of the JSON); the CSV format
-- with a quote and a delimiter that JSON never holds raw writes each line
-- as it is.  Read back, the file is the export, line for line.
COPY (SELECT * FROM feedback.export_preference_pairs('7e000000-0000-0000-0000-000000000001', 'trl')) TO STDOUT;
SELECT current_setting('data_directory') || '/feedback-training.jsonl' AS training_file \gset
COPY (SELECT * FROM feedback.export_preference_pairs('7e000000-0000-0000-0000-000000000001', 'openai', 2))
  TO :'training_file' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02');
SELECT count(*) AS lines_in_file,
       bool_and(f.line::jsonb = e.line) AS each_line_the_json_exported,
       bool_and(e.line -> 'preferred_output' -> 0 ->> 'content' LIKE E'%"once a year".\nAsk%') AS quotes_and_newlines_kept
  FROM unnest(string_to_array(rtrim(pg_read_file(:'training_file'), E'\n'), E'\n')) WITH ORDINALITY AS f(line, n)
  JOIN (SELECT line, row_number() OVER () AS n
          FROM feedback.export_preference_pairs(:t, 'openai', 2) AS line) e ON e.n = f.n;
COPY (SELECT WHERE false) TO :'training_file';

-- A correction withdrawn (the feedback back to review) takes its pair away;
-- the other correction of the answer is exported again.
SELECT feedback.set_status(:t, :'yearly_down_2', 'to_review') ->> 'status' AS back_to_review;
SELECT line -> 'chosen' -> 0 ->> 'content' AS chosen FROM feedback.export_preference_pairs(:t, 'trl') AS line;

-- Errors: the arguments, and who may export.
SELECT * FROM feedback.export_golden_examples(:t, context_turns => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM feedback.export_golden_examples(:t, context_turns => 51);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM feedback.export_golden_examples(:t, context_turns => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM feedback.export_golden_examples(:t, system_prompt => repeat('é', 32001));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS long_system_prompt FROM feedback.export_golden_examples(:t, system_prompt => repeat('é', 32000));
SELECT * FROM feedback.export_preference_pairs(:t, 'dpo');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM feedback.export_preference_pairs(:t, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM feedback.export_preference_pairs(:t, 'OpenAI');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM feedback.export_preference_pairs(:t, context_turns => 99);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.export_preference_pairs(:t) IS NOT NULL AS in_select_list;
SET feedback.user_id = :alice;
SELECT * FROM feedback.export_preference_pairs(:t);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM feedback.export_golden_examples(:t, 1);
\echo :LAST_ERROR_SQLSTATE

-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
