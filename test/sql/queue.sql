-- The review queue: grouped_by_conversation's groups, order, filters,
-- search, archiving, counts and paging, and the maintained state checked
-- against a recomputation.
CREATE EXTENSION feedback CASCADE;
\i test/t/helpers/distribute.psql

\set t '''7e000000-0000-0000-0000-000000000001'''
\set other '''7e000000-0000-0000-0000-000000000002'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
SELECT count(*) AS setup FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')),
    (feedback.put_user(:bob, 'Bob.100%_sure@example.com')),
    (feedback.put_user(:rita, 'rita@example.com')),
    (feedback.put_member(:t, :alice)),
    (feedback.put_member(:t, :bob)),
    (feedback.put_member(:t, :rita, 'reviewer')),
    (feedback.put_member(:other, :alice)),
    (feedback.put_member(:other, :rita, 'reviewer'))) AS s(x);

-- Three conversations with two answers each, created in a known order.
SELECT count(*) AS setup FROM (
    SELECT feedback.put_conversation(:t, format('c0000000-0000-0000-0000-00000000000%s', c)::uuid,
                                     'Conversation ' || c, 'Agent ' || c,
                                     created_at => '2026-03-01T10:00:00Z'::timestamptz + c * interval '1 hour'),
           feedback.put_message(:t, format('a0000000-0000-0000-0000-0000000000%s1', c)::uuid,
                                format('c0000000-0000-0000-0000-00000000000%s', c)::uuid, 'assistant', 'Answer ' || c || '.1'),
           feedback.put_message(:t, format('a0000000-0000-0000-0000-0000000000%s2', c)::uuid,
                                format('c0000000-0000-0000-0000-00000000000%s', c)::uuid, 'assistant', 'Answer ' || c || '.2')
      FROM generate_series(1, 3) AS c) AS s;

-- A compact view of a page: each group's key facts and its items.
CREATE FUNCTION page(j jsonb) RETURNS TABLE (conversation text, title text, summary text, counts text,
                                            archived boolean, items text) LANGUAGE sql AS $$
    SELECT COALESCE(g->>'conversation_id', 'ungrouped'), g->>'conversation_title', g->>'status_summary',
           format('%s fb, %s to review, %s reviewed, +%s -%s, unreviewed %s', g->'feedback_count', g->'to_review_count',
                  g->'reviewed_count', g->'positive_count', g->'negative_count', g->'has_unreviewed'),
           (g->>'conversation_is_archived')::boolean,
           (SELECT string_agg(format('%s/%s/%s/%s', i->'given_by'->>'email', i->>'status', i->>'rating', i->>'feedback'), ' | ')
              FROM jsonb_array_elements(g->'feedbacks') AS i)
      FROM jsonb_array_elements(j->'results') AS g
$$;

-- Feedback: alice and bob on conversation 1, alice on 2, bob ungrouped; in
-- separate transactions so each is newer than the one before.
SET feedback.user_id = :alice;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000011', 'down', 'The answer was inaccurate') IS NOT NULL AS given;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000021', 'up', 'Great explanation!') IS NOT NULL AS given;
SET feedback.user_id = :bob;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000012', 'down', 'Missing citation for this claim') IS NOT NULL AS given;
SELECT feedback.submit(:t, NULL, comment => 'Search returned nothing: 50% off? it''s "weird" C:\temp') IS NOT NULL AS given;

-- The whole queue, newest group first; every field of a group and of an item.
SET feedback.user_id = :rita;
SELECT * FROM page(feedback.grouped_by_conversation(:t));
SELECT jsonb_pretty(jsonb_set(feedback.grouped_by_conversation(:t, "limit" => 1, "offset" => 1), '{results,0,feedbacks}',
       (SELECT jsonb_agg(i - '{id,updated_at}'::text[]) FROM jsonb_array_elements(
               feedback.grouped_by_conversation(:t, "limit" => 1, "offset" => 1)->'results'->0->'feedbacks') AS i))
       #- '{results,0,latest_updated_at}' - '{next,previous}'::text[]);
SELECT (r->>'latest_updated_at') = (r->'feedbacks'->0->>'updated_at') AS latest_is_newest_item,
       ((r->'feedbacks'->0->>'updated_at'), (r->'feedbacks'->0->>'id'))
         > ((r->'feedbacks'->1->>'updated_at'), (r->'feedbacks'->1->>'id')) AS items_newest_first
  FROM jsonb_array_elements(feedback.grouped_by_conversation(:t)->'results') AS r
 WHERE r->>'conversation_id' = 'c0000000-0000-0000-0000-000000000001';

-- Status: reviewing one of conversation 1's two feedback makes it mixed.
SELECT feedback.set_status(:t, (SELECT id FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000012'),
                           'reviewed') ->> 'status' AS reviewed;
SELECT feedback.set_status(:t, (SELECT id FROM feedback.feedback WHERE message_id = 'a0000000-0000-0000-0000-000000000021'),
                           'dismissed') ->> 'status' AS dismissed;
SELECT * FROM page(feedback.grouped_by_conversation(:t));
SELECT 'to_review' AS filter, * FROM page(feedback.grouped_by_conversation(:t, 'to_review'));
SELECT 'pending' AS filter, conversation FROM page(feedback.grouped_by_conversation(:t, 'pending'));
SELECT 'reviewed' AS filter, * FROM page(feedback.grouped_by_conversation(:t, 'reviewed'));
SELECT 'mixed' AS filter, * FROM page(feedback.grouped_by_conversation(:t, 'mixed'));
SELECT f AS filter, feedback.grouped_by_conversation(:t, f) - 'results' AS page
  FROM unnest(ARRAY['to_review', 'reviewed', 'mixed']) AS f;
SELECT feedback.grouped_by_conversation(:t, 'dismissed');
\echo :LAST_ERROR_SQLSTATE

-- Search: case-insensitive, in comments and givers' emails, literal.
SELECT s AS search, conversation, items
  FROM unnest(ARRAY['INACCURATE', 'bob.100', '50%', '%', '_', '100%_', 'it''s', '"weird"', 'C:\temp', '\', 'ALICE@',
                    'nothing matches this', 'a_c', 'e%r']) AS s,
       LATERAL page(feedback.grouped_by_conversation(:t, search => s))
 ORDER BY 1, 2;
-- groups are formed from the matching feedback only
SELECT * FROM page(feedback.grouped_by_conversation(:t, search => 'citation'));
SELECT feedback.grouped_by_conversation(:t, search => 'the') - 'results' AS counts_matching_groups;
-- search with a status filter
SELECT conversation, summary FROM page(feedback.grouped_by_conversation(:t, 'reviewed', 'citation'));
SELECT conversation, summary FROM page(feedback.grouped_by_conversation(:t, 'to_review', 'citation'));

-- Archiving moves a conversation out of the queue and back.
SELECT feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001', 'Conversation 1', 'Agent 1', true,
                                 '2026-03-01T11:00:00Z') ->> 'is_archived' AS archived;
SELECT feedback.grouped_by_conversation(:t) - 'results' AS without_archived;
SELECT conversation, archived FROM page(feedback.grouped_by_conversation(:t));
SELECT conversation, archived FROM page(feedback.grouped_by_conversation(:t, include_archived => true));
SELECT conversation, archived FROM page(feedback.grouped_by_conversation(:t, 'mixed', include_archived => true));
SELECT conversation FROM page(feedback.grouped_by_conversation(:t, search => 'citation'));
SELECT conversation FROM page(feedback.grouped_by_conversation(:t, search => 'citation', include_archived => true));
SELECT feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001', 'Conversation 1', 'Agent 1', false,
                                 '2026-03-01T11:00:00Z') ->> 'is_archived' AS restored;
SELECT conversation, archived FROM page(feedback.grouped_by_conversation(:t));

-- Counts after a delete and after status changes; a group disappears with its last feedback.
SET feedback.user_id = :bob;
SELECT id AS gone FROM feedback.feedback WHERE tenant_id = :t AND message_id = 'a0000000-0000-0000-0000-000000000012' \gset
SELECT feedback.delete(:t, :'gone');
SET feedback.user_id = :rita;
SELECT * FROM page(feedback.grouped_by_conversation(:t));
SET feedback.user_id = :alice;
SELECT id AS gone FROM feedback.feedback WHERE tenant_id = :t AND message_id = 'a0000000-0000-0000-0000-000000000021' \gset
SELECT feedback.delete(:t, :'gone');
SET feedback.user_id = :rita;
SELECT feedback.grouped_by_conversation(:t) - 'results' AS after_deletes, conversation
  FROM page(feedback.grouped_by_conversation(:t));

-- Ties: groups updated in one transaction share latest_updated_at, ordered by id descending.
BEGIN;
SET LOCAL feedback.user_id = :alice;
SELECT count(*) AS given FROM (VALUES
    (feedback.submit(:t, 'a0000000-0000-0000-0000-000000000021', 'up')),
    (feedback.submit(:t, 'a0000000-0000-0000-0000-000000000031', 'up')),
    (feedback.submit(:t, 'a0000000-0000-0000-0000-000000000011', 'up', 'tie'))) AS s(x);
COMMIT;
SELECT conversation FROM page(feedback.grouped_by_conversation(:t));

-- Paging.  next and previous are ?tenant_id=<uuid>&cursor=<token>, null at
-- the ends; the token carries the page size, the filters and the position.
CREATE FUNCTION links(j jsonb) RETURNS TABLE (count int, next text, previous text) LANGUAGE sql AS $$
    SELECT (j->>'count')::int, regexp_replace(j->>'next', 'cursor=[A-Za-z0-9_-]+$', 'cursor=<token>'),
           regexp_replace(j->>'previous', 'cursor=[A-Za-z0-9_-]+$', 'cursor=<token>')
$$;
CREATE FUNCTION cursor_of(link text) RETURNS text LANGUAGE sql AS $$
    SELECT substring(link FROM '^\?tenant_id=[0-9a-f-]{36}&cursor=([A-Za-z0-9_-]+)$')
$$;
-- Walk a queue by its links, one page after another from the first page;
-- then back by previous from the last one.
CREATE FUNCTION walk(first jsonb) RETURNS TABLE (step int, groups text, has_next boolean) LANGUAGE sql AS $$
    WITH RECURSIVE w(step, p) AS (
        SELECT 1, first
        UNION ALL
        SELECT w.step + 1, feedback.grouped_by_conversation(t.id, cursor => cursor_of(w.p->>'next'))
          FROM w, (SELECT substring(first->>'next' FROM 'tenant_id=([0-9a-f-]{36})')::uuid AS id) t
         WHERE w.p->>'next' IS NOT NULL AND w.step < 20)
    SELECT w.step, (SELECT string_agg(c.conversation, ' ') FROM page(w.p) c), w.p->>'next' IS NOT NULL FROM w
$$;
SELECT * FROM links(feedback.grouped_by_conversation(:t, "limit" => 2));
SELECT * FROM walk(feedback.grouped_by_conversation(:t, "limit" => 2));
SELECT string_agg(conversation, ' ') AS one_page FROM page(feedback.grouped_by_conversation(:t));
-- a page walked to by cursors is the page at that offset
SELECT feedback.grouped_by_conversation(:t, "limit" => 2, "offset" => 2) AS last_page \gset
SELECT * FROM links(:'last_page');
SELECT string_agg(c.conversation, ' ') AS back_from_last
  FROM page(feedback.grouped_by_conversation(:t, cursor => cursor_of(:'last_page'::jsonb->>'previous'))) c;
SELECT * FROM links(feedback.grouped_by_conversation(:t, cursor => cursor_of(:'last_page'::jsonb->>'previous')));
SELECT * FROM links(feedback.grouped_by_conversation(:t, "limit" => 2, "offset" => 3));
SELECT feedback.grouped_by_conversation(:t, "limit" => 2, "offset" => 10) AS beyond;
-- the filters travel in the token, and a cursor overrides the arguments
SELECT * FROM walk(feedback.grouped_by_conversation(:t, 'to_review', NULL, true, 1));
SELECT feedback.grouped_by_conversation(:t, 'to_review', 'ALICE@', true, 1) AS filtered \gset
SELECT * FROM links(:'filtered');
SELECT * FROM walk(:'filtered');
SELECT * FROM walk(feedback.grouped_by_conversation(:t, 'to_review', 'ALICE@', true, 5));
SELECT string_agg(c.conversation, ' ') AS overridden
  FROM page(feedback.grouped_by_conversation(:t, 'reviewed', 'zzz', false, 1000, 7,
                                             cursor_of(:'filtered'::jsonb->>'next'))) c;
-- a token is refused when malformed, made for another tenant or another function
SELECT feedback.grouped_by_conversation(:t, cursor => 'not a token');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.grouped_by_conversation(:t, cursor => '');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.grouped_by_conversation(:t, cursor => 'AAAA');
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.grouped_by_conversation(:t, cursor => left(cursor_of(:'filtered'::jsonb->>'next'), 30));
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.grouped_by_conversation(:other, cursor => cursor_of(:'filtered'::jsonb->>'next'));
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.golden_examples(:t, cursor => cursor_of(:'filtered'::jsonb->>'next'));
\echo :LAST_ERROR_SQLSTATE
SELECT conversation FROM page(feedback.grouped_by_conversation(:t, "limit" => 1, "offset" => 1));
SELECT feedback.grouped_by_conversation(:t, "limit" => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.grouped_by_conversation(:t, "limit" => 1001);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.grouped_by_conversation(:t, "offset" => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT feedback.grouped_by_conversation(:t, include_archived => NULL);
\echo :LAST_ERROR_SQLSTATE

-- Tenants are apart: the other tenant's queue is empty.
SELECT feedback.grouped_by_conversation(:other);
SET feedback.user_id = :bob;
SELECT feedback.grouped_by_conversation(:t);
\echo :LAST_ERROR_SQLSTATE

-- The search reads a copy of each comment the trigger keeps: a direct UPDATE
-- of the comment moves it, clearing the comment or deleting the feedback
-- drops it, and a change of anything else leaves the copy as it was.
SET feedback.user_id = :bob;
SELECT feedback.submit(:t, 'a0000000-0000-0000-0000-000000000031', 'negative', 'an outdated price list')
       ->> 'id' AS searched \gset
RESET feedback.user_id;
SELECT xmin AS copy_version FROM feedback.feedback_comments WHERE tenant_id = :t AND feedback_id = :'searched' \gset
UPDATE feedback.feedback SET rating = 'positive' WHERE tenant_id = :t AND id = :'searched';
SELECT xmin = :'copy_version' AS copy_untouched_by_rating
  FROM feedback.feedback_comments WHERE tenant_id = :t AND feedback_id = :'searched';
SET feedback.user_id = :rita;
SELECT s AS search, conversation, items
  FROM unnest(ARRAY['outdated price', 'fresh price']) AS s,
       LATERAL page(feedback.grouped_by_conversation(:t, search => s)) ORDER BY 1;
UPDATE feedback.feedback SET comment = 'a fresh price list' WHERE tenant_id = :t AND id = :'searched';
SELECT s AS search, conversation, items
  FROM unnest(ARRAY['outdated price', 'fresh price']) AS s,
       LATERAL page(feedback.grouped_by_conversation(:t, search => s)) ORDER BY 1;
UPDATE feedback.feedback SET comment = NULL WHERE tenant_id = :t AND id = :'searched';
SELECT count(*) AS copies_after_clearing FROM feedback.feedback_comments WHERE tenant_id = :t AND feedback_id = :'searched';
UPDATE feedback.feedback SET comment = 'price list again' WHERE tenant_id = :t AND id = :'searched';
DELETE FROM feedback.feedback WHERE tenant_id = :t AND id = :'searched';
SELECT count(*) AS copies_after_deleting FROM feedback.feedback_comments WHERE tenant_id = :t AND feedback_id = :'searched';
-- a copy that drifted (written by hand) is shown by verify and mended by rebuild
UPDATE feedback.feedback_comments SET comment = 'drifted' WHERE tenant_id = :t
   AND feedback_id = (SELECT min(feedback_id::text)::uuid FROM feedback.feedback_comments WHERE tenant_id = :t);
-- and so is a group whose time drifted, its times in UTC whatever the session's zone
UPDATE feedback.review_groups SET latest_updated_at = '2026-01-02 03:04:05.678901+00'
 WHERE tenant_id = :t AND group_id = (SELECT min(group_id::text)::uuid FROM feedback.review_groups WHERE tenant_id = :t);
SET timezone = 'Asia/Kolkata';
SELECT d->>'kind' AS kind, CASE d->>'kind' WHEN 'group' THEN d->'maintained'->>'latest_updated_at'
                                 ELSE d->>'maintained' END AS maintained,
       d->>'recomputed' IS NOT NULL AS recomputed
  FROM jsonb_array_elements(feedback.verify_review_groups(:t)) AS d ORDER BY 1;
RESET timezone;
SELECT feedback.rebuild_review_groups(:t) > 0 AS rebuilt;

-- The maintained state equals its recomputation.
SELECT feedback.verify_review_groups(:t) AS differences, feedback.verify_review_groups(:other) AS other;

DROP FUNCTION walk(jsonb);
DROP FUNCTION links(jsonb);
DROP FUNCTION cursor_of(text);
DROP FUNCTION page(jsonb);
-- CASCADE: on Citus the shards' triggers and policies depend on the extension too.
SET client_min_messages = warning;
DROP EXTENSION feedback, btree_gin, pg_trgm CASCADE;
