-- test/bench/load.sql -- a tenant of :n conversations with three feedback
-- each, created over the last 30 days by four agents, loaded in bulk: the
-- feedback triggers are off during the load, and the queue's groups and the
-- analytics counters are rebuilt after it (feedback.rebuild_review_groups,
-- feedback.rebuild_stats).
\set ON_ERROR_STOP on
INSERT INTO feedback.conversations (tenant_id, id, title, agent_name, is_archived, created_at, updated_at)
SELECT :'tenant', format('c0000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid,
       'Conversation ' || i, 'Bench agent ' || i % 4, i % 50 = 0,
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
ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_stats_after_change;
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment,
                               reasons, status, created_at, updated_at)
SELECT :'tenant', gen_random_uuid(), format('c0000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid,
       format('a2000000-0000-4000-8000-%s', lpad(i::text, 12, '0'))::uuid,
       format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
       ((i + u) % 3 <> 0)::feedback.rating,
       CASE WHEN (i + u) % 4 = 0 THEN format('feedback word%s on answer %s', (i * 7 + u) % 5000, i) END,
       CASE WHEN (i + u) % 3 = 0 THEN ARRAY['reason' || i % 13, 'reason' || i % 5] ELSE '{}' END,
       CASE WHEN (i + u) % 5 = 0 THEN 'reviewed' ELSE 'to_review' END::feedback.review_status,
       now() - (:n - i) * (interval '30 days' / :n) - u * interval '1 ms',
       now() - (:n - i) * interval '1 second' - u * interval '1 ms'
  FROM generate_series(1, :n) AS i, generate_series(1, 3) AS u;
ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_after_change;
ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_stats_after_change;
SELECT feedback.rebuild_review_groups(:'tenant') AS groups;
SELECT feedback.rebuild_stats(:'tenant') AS counter_rows;
-- The rebuild writes one slot per row; concurrent writers fill all of them.
-- Spread each row over the slots (FB_COUNTER_SLOTS of src/feedback.h), as
-- many writers at once would leave it, so that stats() reads as many rows
-- as it would in production.
\set slots 8
INSERT INTO feedback.stats_counts
SELECT c.tenant_id, c.grain, c.bucket_start, c.agent_name, c.kind, c.source_surface, k,
       c.feedback / :slots + (k < c.feedback % :slots)::int,
       c.positive / :slots + (k < c.positive % :slots)::int,
       c.negative / :slots + (k < c.negative % :slots)::int,
       c.comment_only / :slots + (k < c.comment_only % :slots)::int,
       c.to_review / :slots + (k < c.to_review % :slots)::int,
       c.auto_approved / :slots + (k < c.auto_approved % :slots)::int,
       c.reviewed / :slots + (k < c.reviewed % :slots)::int,
       c.dismissed / :slots + (k < c.dismissed % :slots)::int,
       (SELECT COALESCE(jsonb_object_agg(e.key, e.value::int / :slots + (k < e.value::int % :slots)::int)
                          FILTER (WHERE e.value::int / :slots + (k < e.value::int % :slots)::int <> 0), '{}')
          FROM jsonb_each_text(c.reasons) AS e)
  FROM feedback.stats_counts c, generate_series(1, :slots - 1) AS k
 WHERE c.tenant_id = :'tenant' AND c.slot = 0;
UPDATE feedback.stats_counts
   SET feedback = feedback / :slots + (feedback % :slots > 0)::int,
       positive = positive / :slots + (positive % :slots > 0)::int,
       negative = negative / :slots + (negative % :slots > 0)::int,
       comment_only = comment_only / :slots + (comment_only % :slots > 0)::int,
       to_review = to_review / :slots + (to_review % :slots > 0)::int,
       auto_approved = auto_approved / :slots + (auto_approved % :slots > 0)::int,
       reviewed = reviewed / :slots + (reviewed % :slots > 0)::int,
       dismissed = dismissed / :slots + (dismissed % :slots > 0)::int,
       reasons = (SELECT COALESCE(jsonb_object_agg(e.key, e.value::int / :slots + (e.value::int % :slots > 0)::int), '{}')
                    FROM jsonb_each_text(reasons) AS e)
 WHERE tenant_id = :'tenant' AND slot = 0;
