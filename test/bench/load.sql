-- test/bench/load.sql -- a tenant of :n conversations with three feedback
-- each, loaded in bulk: the feedback trigger is off during the load and the
-- queue's groups are rebuilt after it (feedback.rebuild_review_groups).
\set ON_ERROR_STOP on
INSERT INTO feedback.conversations (tenant_id, id, title, agent_name, is_archived, created_at, updated_at)
SELECT :'tenant', format('c0000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid,
       'Conversation ' || i, 'Bench agent', i % 50 = 0,
       now() - (:n - i) * interval '1 second', now()
  FROM generate_series(1, :n) AS i;
INSERT INTO feedback.messages (tenant_id, id, conversation_id, role, content, reply_to, created_at, updated_at)
SELECT :'tenant', format('a%s-0000-4000-8000-%s', m, lpad(i::text, 12, '0'))::uuid,
       format('c0000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid,
       CASE m WHEN '1000000' THEN 'user' ELSE 'assistant' END,
       CASE m WHEN '1000000' THEN 'Question ' || i ELSE 'Answer ' || i END,
       CASE m WHEN '2000000' THEN format('a1000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid END,
       now() - (:n - i) * interval '1 second' + CASE m WHEN '2000000' THEN interval '1 ms' ELSE interval '0' END, now()
  FROM generate_series(1, :n) AS i, (VALUES ('1000000'), ('2000000')) AS q(m);
ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_after_change;
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment,
                               status, created_at, updated_at)
SELECT :'tenant', gen_random_uuid(), format('c0000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid,
       format('a2000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid,
       format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
       ((i + u) % 3 <> 0)::feedback.rating,
       CASE WHEN (i + u) % 4 = 0 THEN format('feedback word%s on answer %s', (i * 7 + u) % 5000, i) END,
       CASE WHEN (i + u) % 5 = 0 THEN 'reviewed' ELSE 'to_review' END::feedback.review_status,
       now() - interval '30 days', now() - (:n - i) * interval '1 second' - u * interval '1 ms'
  FROM generate_series(1, :n) AS i, generate_series(1, 3) AS u;
ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_after_change;
SELECT feedback.rebuild_review_groups(:'tenant') AS groups;
