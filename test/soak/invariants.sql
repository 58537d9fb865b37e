-- test/soak/invariants.sql -- what must hold after the soak, checked from
-- scratch: the state the triggers derive (queue, golden examples, history,
-- reviewer fields) against the feedback, and who may have done what.
-- Every invariant is one statement beginning a line with SELECT, giving
-- exactly one row: its label and its number of violations.  test/soak.sh
-- counts those statements and requires one result line from each.
\pset fieldsep '|'
SELECT 'the review queue of every tenant equals its recomputation (verify_review_groups is [])',
       count(*) FILTER (WHERE feedback.verify_review_groups(s.t) <> '[]')
  FROM (SELECT :'t'::uuid UNION SELECT tenant_id FROM feedback.memberships
        UNION SELECT tenant_id FROM feedback.feedback) AS s(t);
-- verify_stats is for reviewers: as the soak tenant's admin
SET feedback.user_id = '00000000-0000-4000-8000-000000000008';
SELECT 'the analytics counters equal their recomputation (verify_stats is [])',
       jsonb_array_length(feedback.verify_stats(:'t'));
RESET feedback.user_id;
SELECT 'every queue group counts its feedback: total, to review, reviewed, ratings, latest change, archived',
       count(*) FROM (SELECT COALESCE(f.conversation_id, f.id) AS group_id, f.conversation_id IS NULL AS ungrouped,
                             count(*) AS n, count(*) FILTER (WHERE f.status = 'to_review') AS to_review,
                             count(*) FILTER (WHERE f.rating = 'positive') AS positive,
                             count(*) FILTER (WHERE f.rating = 'negative') AS negative,
                             max(f.updated_at) AS latest, COALESCE(bool_or(c.is_archived), false) AS archived
                        FROM feedback.feedback f
                        LEFT JOIN feedback.conversations c ON c.tenant_id = f.tenant_id AND c.id = f.conversation_id
                       WHERE f.tenant_id = :'t' GROUP BY 1, 2) AS r
                FULL JOIN (SELECT * FROM feedback.review_groups WHERE tenant_id = :'t') AS g
                  ON g.group_id = r.group_id AND g.ungrouped = r.ungrouped
        WHERE r.group_id IS NULL OR g.group_id IS NULL OR g.feedback_count <> r.n
           OR g.to_review_count <> r.to_review OR g.reviewed_count <> r.n - r.to_review
           OR g.positive_count <> r.positive OR g.negative_count <> r.negative
           OR g.latest_updated_at <> r.latest OR g.archived <> r.archived;
SELECT 'every golden example''s activity matches its feedback''s status and rating',
       count(*) FROM feedback.golden_example g LEFT JOIN feedback.feedback f
                  ON f.tenant_id = g.tenant_id AND f.id = g.feedback_id
        WHERE g.feedback_id IS NOT NULL
          AND g.is_active IS DISTINCT FROM COALESCE(f.status IN ('auto_approved', 'reviewed') AND f.rating IS NOT NULL
                                                    AND (f.rating = 'positive' OR f.corrected_response IS NOT NULL), false);
SELECT 'every approved, rated feedback on an answer has its example: same id, answer, source, approval and approver',
       count(*) FROM feedback.feedback f
        LEFT JOIN feedback.golden_example g ON g.tenant_id = f.tenant_id AND g.feedback_id = f.id
        WHERE f.message_id IS NOT NULL AND f.rating IS NOT NULL AND f.status IN ('auto_approved', 'reviewed')
          AND (g.id IS DISTINCT FROM f.id OR g.message_id IS DISTINCT FROM f.message_id
               OR g.conversation_id IS DISTINCT FROM f.conversation_id
               OR g.source_type IS DISTINCT FROM f.rating::text
               OR g.approval_type IS DISTINCT FROM CASE WHEN f.status = 'auto_approved' THEN 'auto' ELSE 'manual' END
               OR g.approved_by IS DISTINCT FROM CASE WHEN f.status = 'reviewed' THEN f.reviewed_by END);
SELECT 'every active example from feedback teaches the answer (positive) or its correction (negative), to its prompt',
       count(*) FROM feedback.golden_example g
        JOIN feedback.feedback f ON f.tenant_id = g.tenant_id AND f.id = g.feedback_id
        JOIN feedback.messages a ON a.tenant_id = g.tenant_id AND a.id = g.message_id
        LEFT JOIN feedback.messages q ON q.tenant_id = a.tenant_id AND q.id = a.reply_to
        WHERE g.is_active
          AND (g.original_response IS DISTINCT FROM a.content OR g.prompt IS DISTINCT FROM q.content
               OR g.golden_response IS DISTINCT FROM CASE WHEN f.rating = 'positive' THEN a.content
                                                          ELSE f.corrected_response END);
SELECT 'every history chain is unbroken (each change starts where the last ended)',
       count(*) FROM (SELECT h.from_status, lag(h.to_status) OVER w AS previous
                        FROM feedback.status_history h WINDOW w AS (PARTITION BY h.tenant_id, h.feedback_id ORDER BY h.id)) AS c
        WHERE c.previous IS NOT NULL AND c.previous <> c.from_status;
SELECT 'every feedback''s current status is where its history ends, or where a submit starts',
       count(*) FROM feedback.feedback f
        LEFT JOIN LATERAL (SELECT h.to_status FROM feedback.status_history h
                            WHERE h.tenant_id = f.tenant_id AND h.feedback_id = f.id ORDER BY h.id DESC LIMIT 1) AS last ON true
        WHERE last.to_status <> f.status
           OR (last.to_status IS NULL AND f.status NOT IN ('to_review', 'auto_approved'));
SELECT 'the history holds only changes of the transition table, and resubmissions to auto_approved',
       count(*) FROM feedback.status_history h
        WHERE h.from_status IS NULL OR h.from_status = h.to_status
           OR (h.to_status <> 'auto_approved'
               AND (h.from_status::text, h.to_status::text) NOT IN (
                   ('to_review', 'reviewed'), ('to_review', 'dismissed'),
                   ('auto_approved', 'to_review'), ('auto_approved', 'reviewed'), ('auto_approved', 'dismissed'),
                   ('reviewed', 'to_review'), ('reviewed', 'dismissed'),
                   ('dismissed', 'to_review'), ('dismissed', 'reviewed')));
SELECT 'every status change is by the feedback''s author or a reviewer of its tenant; reviewed and dismissed only by a reviewer',
       count(*) FROM feedback.status_history h
        JOIN feedback.feedback f ON f.tenant_id = h.tenant_id AND f.id = h.feedback_id
        LEFT JOIN feedback.memberships m ON m.tenant_id = h.tenant_id AND m.user_id = h.changed_by
        WHERE h.impersonated_by IS NOT NULL
           OR NOT COALESCE(m.role IN ('reviewer', 'admin')
                           OR (h.changed_by = f.user_id AND h.to_status IN ('to_review', 'auto_approved')), false);
SELECT 'reviewed_by and reviewed_at are null exactly in to_review and auto_approved, else a reviewer of the tenant',
       count(*) FROM feedback.feedback f
        LEFT JOIN feedback.memberships m ON m.tenant_id = f.tenant_id AND m.user_id = f.reviewed_by
        WHERE (f.reviewed_by IS NULL) <> (f.status IN ('to_review', 'auto_approved'))
           OR (f.reviewed_at IS NULL) <> (f.status IN ('to_review', 'auto_approved'))
           OR (f.reviewed_by IS NOT NULL AND m.role IS DISTINCT FROM 'reviewer' AND m.role IS DISTINCT FROM 'admin')
           OR f.review_impersonated_by IS NOT NULL;
SELECT 'every feedback is its member author''s own (a member of its tenant, no impersonation)',
       count(*) FROM feedback.feedback f
        WHERE f.impersonated_by IS NOT NULL
           OR NOT EXISTS (SELECT FROM feedback.memberships m WHERE m.tenant_id = f.tenant_id AND m.user_id = f.user_id);
SELECT 'the feedback the workload never changes is as set up (user 1''s keyed, user 2''s reviewed)',
       2 - count(*) FROM feedback.feedback f
        WHERE f.tenant_id = :'t'
          AND ((f.message_id = 'a0000000-0000-4000-8000-000000000511' AND f.user_id = '00000000-0000-4000-8000-000000000001'
                AND f.client_feedback_id = 'ee000000-0000-4000-8000-000000000001' AND f.rating = 'positive'
                AND f.status = 'auto_approved')
            OR (f.message_id = 'a0000000-0000-4000-8000-000000000512' AND f.user_id = '00000000-0000-4000-8000-000000000002'
                AND f.rating = 'negative' AND f.status = 'reviewed' AND f.corrected_response = 'better'));
