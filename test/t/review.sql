-- The review workflow: every cell of the transition table by each role and
-- by a direct UPDATE, who may review, history, settings and their errors.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(78);

\set t '''7e000000-0000-0000-0000-000000000001'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set adam '''00000000-0000-0000-0000-0000000000ad'''

SELECT count(*) FROM (VALUES
    (feedback.put_user(:alice, 'alice@example.com')),
    (feedback.put_user(:rita, 'rita@example.com')),
    (feedback.put_user(:adam, 'adam@example.com')),
    (feedback.put_member(:t, :alice)),
    (feedback.put_member(:t, :rita, 'reviewer')),
    (feedback.put_member(:t, :adam, 'admin'))) AS s(x);

-- The table: (from, to) -> allowed.  to_review -> auto_approved is the system's.
CREATE TEMP TABLE cells AS
SELECT f.s::feedback.review_status AS from_status, t.s::feedback.review_status AS to_status,
       (f.s, t.s) IN (('to_review', 'reviewed'), ('to_review', 'dismissed'),
                      ('auto_approved', 'to_review'), ('auto_approved', 'reviewed'), ('auto_approved', 'dismissed'),
                      ('reviewed', 'to_review'), ('reviewed', 'dismissed'),
                      ('dismissed', 'to_review'), ('dismissed', 'reviewed')) AS allowed,
       row_number() OVER () AS n
  FROM unnest(ARRAY['to_review', 'auto_approved', 'reviewed', 'dismissed']) WITH ORDINALITY AS f(s, i),
       unnest(ARRAY['to_review', 'auto_approved', 'reviewed', 'dismissed']) WITH ORDINALITY AS t(s, j);

-- One feedback per cell and caller kind, starting in the cell's from status.
CREATE TEMP TABLE cell_feedback AS
SELECT c.*, k.kind, format('f%s000000-0000-4000-8000-%s', k.i, lpad(c.n::text, 12, '0'))::uuid AS id
  FROM cells c, (VALUES (1, 'reviewer'), (2, 'admin'), (3, 'direct')) AS k(i, kind);
INSERT INTO feedback.feedback (tenant_id, id, user_id, rating, comment, status, created_at, updated_at)
SELECT :t, id, :alice, 'positive', 'cell ' || n || ' ' || kind, from_status, now() - interval '1 day', now() - interval '1 day'
  FROM cell_feedback;

-- Reviewer and admin through set_status: allowed cells change, others are PT409.
SET LOCAL feedback.user_id = :rita;
SELECT CASE WHEN from_status = to_status OR allowed
            THEN lives_ok(format('SELECT feedback.set_status(%L, %L, %L)', :t, id, to_status),
                          format('reviewer: %s -> %s allowed', from_status, to_status))
            ELSE throws_ok(format('SELECT feedback.set_status(%L, %L, %L)', :t, id, to_status), 'PT409',
                           format('cannot change the status of a feedback from %s to %s', from_status, to_status),
                           format('reviewer: %s -> %s is PT409', from_status, to_status)) END
  FROM cell_feedback WHERE kind = 'reviewer' ORDER BY n;
SET LOCAL feedback.user_id = :adam;
SELECT CASE WHEN from_status = to_status OR allowed
            THEN lives_ok(format('SELECT feedback.set_status(%L, %L, %L)', :t, id, to_status),
                          format('admin: %s -> %s allowed', from_status, to_status))
            ELSE throws_ok(format('SELECT feedback.set_status(%L, %L, %L)', :t, id, to_status), 'PT409', NULL,
                           format('admin: %s -> %s is PT409', from_status, to_status)) END
  FROM cell_feedback WHERE kind = 'admin' ORDER BY n;
-- The same table holds for a direct UPDATE of the table.
SELECT CASE WHEN from_status = to_status OR allowed
            THEN lives_ok(format('UPDATE feedback.feedback SET status = %L WHERE id = %L', to_status, id),
                          format('direct UPDATE: %s -> %s allowed', from_status, to_status))
            ELSE throws_ok(format('UPDATE feedback.feedback SET status = %L WHERE id = %L', to_status, id), 'PT409', NULL,
                           format('direct UPDATE: %s -> %s is PT409', from_status, to_status)) END
  FROM cell_feedback WHERE kind = 'direct' ORDER BY n;

SELECT is((SELECT count(*)::int FROM cell_feedback c JOIN feedback.feedback f USING (id)
            WHERE f.status <> CASE WHEN c.allowed THEN c.to_status ELSE c.from_status END),
          0, 'every feedback ends in the status the table says');
SELECT is((SELECT count(*)::int FROM feedback.status_history), 27,
          'one history row per change made (9 allowed cells x 3), none for no-ops or refusals');
SELECT is((SELECT count(*)::int FROM feedback.status_history h JOIN cell_feedback c ON c.id = h.feedback_id
            WHERE (h.from_status, h.to_status) <> (c.from_status, c.to_status)), 0,
          'each history row records its from and to');
SELECT is((SELECT array_agg(DISTINCT h.changed_by::text ORDER BY h.changed_by::text) FROM feedback.status_history h
            JOIN cell_feedback c ON c.id = h.feedback_id WHERE c.kind <> 'direct'),
          ARRAY[:adam, :rita]::text[], 'history records the reviewer who changed the status');
SELECT is((SELECT count(*)::int FROM cell_feedback c JOIN feedback.feedback f USING (id)
            WHERE c.allowed AND c.kind = 'reviewer' AND f.updated_at IS DISTINCT FROM now()
               OR c.allowed AND c.kind = 'reviewer' AND c.to_status IN ('reviewed', 'dismissed')
              AND (f.reviewed_by IS DISTINCT FROM :rita OR f.reviewed_at IS DISTINCT FROM now())
               OR c.allowed AND c.kind = 'reviewer' AND c.to_status = 'to_review'
              AND (f.reviewed_by IS NOT NULL OR f.reviewed_at IS NOT NULL)), 0,
          'a status change sets updated_at, and reviewed_by and reviewed_at for reviewed and dismissed, null for to_review');
SELECT is((SELECT count(*)::int FROM cell_feedback c JOIN feedback.feedback f USING (id)
            WHERE c.from_status = c.to_status AND (f.reviewed_by IS NOT NULL OR f.updated_at = now())), 0,
          'setting the current status again changes nothing');
SELECT is((SELECT count(*)::int FROM cell_feedback c JOIN feedback.feedback f USING (id)
            WHERE c.allowed AND c.kind = 'direct' AND c.to_status IN ('reviewed', 'dismissed')
              AND (f.reviewed_by IS DISTINCT FROM :adam OR f.reviewed_at IS DISTINCT FROM now())), 0,
          'a direct UPDATE records the acting user of feedback.user_id as the reviewer');
SELECT is((SELECT array_agg(DISTINCT h.changed_by::text) FROM feedback.status_history h
            JOIN cell_feedback c ON c.id = h.feedback_id WHERE c.kind = 'direct'),
          ARRAY[:adam]::text[], 'a direct UPDATE records the acting user of feedback.user_id in the history');

-- Members may not review.
SET LOCAL feedback.user_id = :alice;
SELECT throws_ok(format('SELECT feedback.set_status(%L, %L, %L)', :t, id, 'reviewed'), '42501', NULL,
                 'a member may not set a status: 42501')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.update(%L, %L, %L)', :t, id, '{"status": "reviewed"}'), '42501', NULL,
                 'a member may not update as a reviewer: 42501')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.configure(%L, %L, true)', :t, 'positive'), '42501', NULL,
                 'a member may not configure: 42501');
SELECT is(feedback.settings(:t)->'positive'->>'auto_approve', 'false', 'a member may read the settings');
SET LOCAL feedback.user_id = :rita;
SELECT throws_ok(format('SELECT feedback.configure(%L, %L, true)', :t, 'positive'), '42501', NULL,
                 'a reviewer may not configure: 42501');

-- set_status and update: arguments.
SELECT throws_ok(format('SELECT feedback.set_status(%L, %L, %L)', :t, 'f0000000-0000-0000-0000-0000000000ff', 'reviewed'),
                 'PT404', NULL, 'set_status of an unknown feedback: PT404');
SELECT throws_ok(format('SELECT feedback.set_status(%L, %L, NULL)', :t, id), '22023', NULL, 'a NULL status: 22023')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.set_status(%L, %L, %L)', :t, id, 'approved'), '22P02', NULL, 'a malformed status: 22P02')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.set_status(%L, %L, %L, corrected_response => %L)', :t, id, 'reviewed', 'better'),
                 '22023', 'corrected_response is only for negative feedback', 'a correction of positive feedback: 22023')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.update(%L, %L, %L)', :t, id, '{"stars": 1}'), '22023', NULL, 'an unknown update key: 22023')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.update(%L, %L, %L)', :t, id, '{"status": "approved"}'), '22P02', NULL,
                 'a malformed status in update: 22P02')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.update(%L, %L, %L)', :t, id, '{"status": "auto_approved"}'), 'PT409', NULL,
                 'update to auto_approved: PT409')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.update(%L, %L, %L)', :t, id, '{"is_positive": null, "feedback": null}'), '22023', NULL,
                 'an update leaving neither rating nor comment: 22023')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.history(%L, %L)', :t, 'f0000000-0000-0000-0000-0000000000ff'), 'PT404', NULL,
                 'history of an unknown feedback: PT404');

-- configure: arguments.
SET LOCAL feedback.user_id = :adam;
SELECT throws_ok(format('SELECT feedback.configure(%L, NULL, true)', :t), '22023', NULL, 'configure a NULL rating: 22023');
SELECT throws_ok(format('SELECT feedback.configure(%L, %L, NULL)', :t, 'positive'), '22023', NULL, 'configure NULL auto_approve: 22023');
SELECT throws_ok(format('SELECT feedback.configure(%L, %L, true)', :t, 'meh'), '22P02', NULL, 'configure a malformed rating: 22P02');
SELECT is(feedback.configure(:t, 'thumbs_down', false, true), jsonb_build_object('tenant_id', :t,
          'positive', jsonb_build_object('auto_approve', false, 'reason_required', false,
                                         'updated_by', NULL, 'impersonated_by', NULL, 'updated_at', NULL),
          'negative', jsonb_build_object('auto_approve', false, 'reason_required', true,
                                         'updated_by', jsonb_build_object('id', :adam, 'email', 'adam@example.com'),
                                         'impersonated_by', NULL,
                                         'updated_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
          'configure returns the settings, who changed them and when, defaults for the rating not configured');

-- update takes every content key of patch, with the same names and aliases.
SET LOCAL feedback.user_id = :rita;
SELECT is(feedback.update(:t, id, '{"rating": "down", "reasons": ["incorrect", "outdated"], "comment": "old price"}')
              - '{id,tenant_id,conversation_id,message_id,turn_id,given_by,impersonated_by,context,user_message,conversation_title,suggested_action_type,suggested_action_data,created_at,updated_at,client_feedback_id,source_surface,kind,reviewed_by,reviewed_at,corrected_response}'::text[],
          '{"rating": "negative", "is_positive": false, "reaction": "thumbs_down", "comment": "old price",
            "reasons": ["incorrect", "outdated"], "status": "to_review"}'::jsonb,
          'update: rating, comment and reasons, a resubmission back to review')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT is(feedback.update(:t, id, '{"reaction": "thumbs_up", "feedback": "fine after all", "status": "reviewed"}')
              ->> 'status', 'reviewed', 'update: the aliases reaction and feedback, with a status')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.update(%L, %L, %L)', :t, id, '{"comment": "a", "feedback": "b"}'), '22023',
                 'comment and feedback disagree', 'update: two names of the comment that disagree: 22023')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;
SELECT throws_ok(format('SELECT feedback.update(%L, %L, %L)', :t, id, '{"kind": "other"}'), '22023', NULL,
                 'update: kind is not a key of update: 22023')
  FROM cell_feedback WHERE kind = 'reviewer' AND n = 1;

SELECT * FROM finish();
ROLLBACK;
