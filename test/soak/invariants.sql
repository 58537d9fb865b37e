-- test/soak/invariants.sql -- each line: a label and its number of
-- violations, checked from scratch after the soak.
\pset fieldsep '|'
SELECT 'one feedback per (tenant, answer, user, kind)',
       count(*) FROM (SELECT 1 FROM feedback.feedback WHERE message_id IS NOT NULL
                       GROUP BY tenant_id, message_id, user_id, kind HAVING count(*) > 1) AS d;
SELECT 'every queue group and count equals its recomputation',
       jsonb_array_length(feedback.verify_review_groups(:'t'));
SELECT 'every golden example''s activity matches its feedback''s status and rating',
       count(*) FROM feedback.golden_example g LEFT JOIN feedback.feedback f
                  ON f.tenant_id = g.tenant_id AND f.id = g.feedback_id
        WHERE g.feedback_id IS NOT NULL
          AND g.is_active IS DISTINCT FROM COALESCE(f.status IN ('auto_approved', 'reviewed') AND f.rating IS NOT NULL
                                                    AND (f.rating = 'positive' OR f.corrected_response IS NOT NULL), false);
SELECT 'every approved, rated feedback on an answer has its example',
       count(*) FROM feedback.feedback f
        WHERE f.message_id IS NOT NULL AND f.rating IS NOT NULL AND f.status IN ('auto_approved', 'reviewed')
          AND NOT EXISTS (SELECT FROM feedback.golden_example g WHERE g.tenant_id = f.tenant_id AND g.feedback_id = f.id);
SELECT 'every history chain is unbroken (each change starts where the last ended)',
       count(*) FROM (SELECT h.from_status, lag(h.to_status) OVER w AS previous
                        FROM feedback.status_history h WINDOW w AS (PARTITION BY h.tenant_id, h.feedback_id ORDER BY h.id)) AS c
        WHERE c.previous IS NOT NULL AND c.previous <> c.from_status;
SELECT 'every feedback''s current status is where its history ends',
       count(*) FROM feedback.feedback f
        JOIN LATERAL (SELECT h.to_status FROM feedback.status_history h
                       WHERE h.tenant_id = f.tenant_id AND h.feedback_id = f.id ORDER BY h.id DESC LIMIT 1) AS last ON true
        WHERE last.to_status <> f.status;
SELECT 'only the author''s own changes lead to auto_approved in the history',
       count(*) FROM feedback.status_history h
        JOIN feedback.feedback f ON f.tenant_id = h.tenant_id AND f.id = h.feedback_id
        WHERE h.to_status = 'auto_approved' AND h.changed_by IS DISTINCT FROM f.user_id;
