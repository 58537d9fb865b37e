-- Security: every API function by every kind of caller, tenant isolation by
-- every path, and objects planted on the caller's search_path changing
-- nothing.  Row-level security for reporting roles is in rls.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(187);

\set t '''7e000000-0000-0000-0000-000000000001'''
\set t2 '''7e000000-0000-0000-0000-000000000002'''

-- Users: member, second member, reviewer, admin, impersonator (support),
-- outsider (known, member of no tenant), member of the other tenant only.
SELECT count(*) FROM (VALUES
    (feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'member@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000a2', 'member2@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000e1', 'reviewer@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000ad', 'admin@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-00000000005a', 'support@example.com', true)),
    (feedback.put_user('00000000-0000-0000-0000-0000000000f0', 'outsider@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000b2', 'other@example.com')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a1')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a2')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000e1', 'reviewer')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000ad', 'admin')),
    (feedback.put_member(:t2, '00000000-0000-0000-0000-0000000000b2', 'admin')),
    (feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001', 'Pricing')),
    (feedback.put_conversation(:t2, 'c0000000-0000-0000-0000-000000000002', 'Other tenant')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                          'assistant', '20 dollars.')),
    (feedback.put_message(:t2, 'a0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000002',
                          'assistant', 'Other tenant answer.'))) AS s(x);
-- The member's feedback, and one in the other tenant.
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment, created_at, updated_at)
VALUES (:t, 'f0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
        'a0000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1', 'negative', 'wrong', now(), now()),
       (:t2, 'f0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000002',
        'a0000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-0000000000b2', 'positive', 'right', now(), now());

\ir helpers/outcome.psql

-- Caller kinds: how to become each.
CREATE TEMP TABLE callers (kind text, user_id text, impersonate text, n int);
INSERT INTO callers VALUES
    ('no acting user', '', '', 1),
    ('unknown user', '00000000-0000-0000-0000-0000000000ff', '', 2),
    ('non-member', '00000000-0000-0000-0000-0000000000f0', '', 3),
    ('other tenant''s member', '00000000-0000-0000-0000-0000000000b2', '', 4),
    ('member', '00000000-0000-0000-0000-0000000000a1', '', 5),
    ('reviewer', '00000000-0000-0000-0000-0000000000e1', '', 6),
    ('admin', '00000000-0000-0000-0000-0000000000ad', '', 7),
    ('impersonator', '00000000-0000-0000-0000-00000000005a', 'member@example.com', 8);

-- Calls on tenant t; the feedback is the member's.  Expected outcome per caller
-- kind: denied for the first four kinds, then member, reviewer, admin (the
-- impersonator acts as the member).
CREATE TEMP TABLE calls (fn text, call text, member text, reviewer text, admin text, n int);
INSERT INTO calls VALUES
 ('whoami', 'feedback.whoami(%1$L)', 'ok', 'ok', 'ok', 1),
 ('submit', 'feedback.submit(%1$L, ''a0000000-0000-0000-0000-000000000001'', ''up'')', 'ok', 'ok', 'ok', 2),
 ('put_conversation_feedback', 'feedback.put_conversation_feedback(%1$L, ''c0000000-0000-0000-0000-000000000001'', ''{"rating": "POSITIVE"}'')', 'ok', 'ok', 'ok', 3),
 ('get', 'feedback.get(%1$L, ''f0000000-0000-0000-0000-000000000001'')', 'ok', 'ok', 'ok', 4),
 ('for_message', 'feedback.for_message(%1$L, ''a0000000-0000-0000-0000-000000000001'')', 'ok', 'ok', 'ok', 5),
 ('thread_reactions', 'feedback.thread_reactions(%1$L, ''c0000000-0000-0000-0000-000000000001'')', 'ok', 'ok', 'ok', 6),
 ('patch', 'feedback.patch(%1$L, ''f0000000-0000-0000-0000-000000000001'', ''{"comment": "x"}'')', 'ok', '42501', '42501', 7),
 ('delete', 'feedback.delete(%1$L, ''f0000000-0000-0000-0000-000000000001'')', 'ok', '42501', 'ok', 8),
 ('set_status', 'feedback.set_status(%1$L, ''f0000000-0000-0000-0000-000000000001'', ''reviewed'')', '42501', 'ok', 'ok', 9),
 ('update', 'feedback.update(%1$L, ''f0000000-0000-0000-0000-000000000001'', ''{"status": "dismissed"}'')', '42501', 'ok', 'ok', 10),
 ('history', 'feedback.history(%1$L, ''f0000000-0000-0000-0000-000000000001'')', 'ok', 'ok', 'ok', 11),
 ('grouped_by_conversation', 'feedback.grouped_by_conversation(%1$L)', '42501', 'ok', 'ok', 12),
 ('configure', 'feedback.configure(%1$L, ''positive'', true)', '42501', '42501', 'ok', 13),
 ('settings', 'feedback.settings(%1$L)', 'ok', 'ok', 'ok', 14),
 ('add_golden_example', 'feedback.add_golden_example(%1$L, ''a0000000-0000-0000-0000-000000000001'', ''25 dollars.'')', '42501', 'ok', 'ok', 15),
 ('golden_examples', 'feedback.golden_examples(%1$L)', '42501', 'ok', 'ok', 16),
 ('export_golden_examples', '(SELECT count(*) FROM feedback.export_golden_examples(%1$L))', '42501', 'ok', 'ok', 17),
 ('export_preference_pairs', '(SELECT count(*) FROM feedback.export_preference_pairs(%1$L, ''trl'', 2))', '42501', 'ok', 'ok', 18),
 ('stats', 'feedback.stats(%1$L, now() - interval ''1 day'', now() + interval ''1 day'')', '42501', 'ok', 'ok', 19),
 ('verify_stats', 'feedback.verify_stats(%1$L)', '42501', 'ok', 'ok', 20);

SELECT is(pg_temp.outcome(format('SELECT pg_catalog.set_config(''feedback.user_id'', %L, true),'
                                 ' pg_catalog.set_config(''feedback.impersonate_email'', %L, true), %s',
                                 k.user_id, k.impersonate, format(c.call, :t))),
          CASE WHEN k.n <= 4 THEN '42501'
               WHEN k.kind IN ('member', 'impersonator') THEN c.member
               WHEN k.kind = 'reviewer' THEN c.reviewer ELSE c.admin END,
          format('%s by %s', c.fn, k.kind))
  FROM calls c, callers k
 ORDER BY c.n, k.n;

-- Nothing of one tenant through another: the other tenant's admin passing
-- its own tenant with this tenant's ids finds nothing.
CREATE TEMP TABLE cross_calls (call text, expected text, n int);
INSERT INTO cross_calls VALUES
 ('feedback.get(%1$L, ''f0000000-0000-0000-0000-000000000001'')', 'PT404', 1),
 ('feedback.patch(%1$L, ''f0000000-0000-0000-0000-000000000001'', ''{"comment": "x"}'')', 'PT404', 2),
 ('feedback.delete(%1$L, ''f0000000-0000-0000-0000-000000000001'')', 'PT404', 3),
 ('feedback.set_status(%1$L, ''f0000000-0000-0000-0000-000000000001'', ''reviewed'')', 'PT404', 4),
 ('feedback.update(%1$L, ''f0000000-0000-0000-0000-000000000001'', ''{"status": "reviewed"}'')', 'PT404', 5),
 ('feedback.history(%1$L, ''f0000000-0000-0000-0000-000000000001'')', 'PT404', 6),
 ('feedback.submit(%1$L, ''a0000000-0000-0000-0000-000000000001'', ''up'')', 'PT404', 7),
 ('feedback.for_message(%1$L, ''a0000000-0000-0000-0000-000000000001'')', 'PT404', 8),
 ('feedback.thread_reactions(%1$L, ''c0000000-0000-0000-0000-000000000001'')', 'PT404', 9),
 ('feedback.put_conversation_feedback(%1$L, ''c0000000-0000-0000-0000-000000000001'', ''{"rating": null}'')', 'PT404', 10),
 ('feedback.add_golden_example(%1$L, ''a0000000-0000-0000-0000-000000000001'', ''x'')', 'PT404', 11);
SELECT is(pg_temp.outcome(format('SELECT pg_catalog.set_config(''feedback.user_id'', %L, true), %s',
                                 '00000000-0000-0000-0000-0000000000b2', format(c.call, :t2))),
          c.expected, format('other tenant''s admin: %s', format(c.call, 't2')))
  FROM cross_calls c ORDER BY c.n;
SELECT coalesce(((SELECT count(*)::int FROM feedback.feedback WHERE tenant_id = :t))::text, 'NULL') AS got \gset
SELECT coalesce((1)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'tenant t still has its one feedback');
SELECT coalesce(((SELECT comment FROM feedback.feedback WHERE id = 'f0000000-0000-0000-0000-000000000001'))::text, 'NULL') AS got \gset
SELECT coalesce(('wrong')::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'unchanged by every refused or undone call');
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000b2';
SELECT is(feedback.grouped_by_conversation(:t2)->'count', '1'::jsonb, 'the other tenant''s queue holds its own group only');
SELECT coalesce(((SELECT count(*)::int FROM feedback.export_golden_examples(:t2)))::text, 'NULL') AS got \gset
SELECT coalesce((0)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'and no examples of tenant t');
SELECT is((SELECT count(*)::int FROM feedback.export_preference_pairs(:t2, context_turns => 50)), 0,
          'nor preference pairs');
SELECT is((SELECT sum((b->>'feedback')::int)
             FROM jsonb_array_elements(feedback.stats(:t2, '2000-01-01', '2070-01-01', 'month')->'buckets') b),
          1::bigint, 'the other tenant''s stats count its own feedback only');
RESET feedback.user_id;

-- Objects planted on the caller's search_path change nothing.
CREATE SCHEMA planted;
CREATE FUNCTION planted.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT 'planted' $$;
CREATE FUNCTION planted.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '2000-01-01'::timestamptz $$;
CREATE FUNCTION planted.uuid_eq_any(uuid, uuid) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR planted.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = planted.uuid_eq_any);
CREATE FUNCTION planted.text_eq_any(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR planted.= (LEFTARG = text, RIGHTARG = text, FUNCTION = planted.text_eq_any);
CREATE OPERATOR planted.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = planted.text_eq_any);
-- Every statement below runs with the planted schema first on search_path;
-- results are kept and asserted once the search_path is back (pgTAP itself
-- would use the planted operators).
CREATE TEMP TABLE planted_results (n int, got text);
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000a1';
SET LOCAL search_path = planted, pg_catalog, public;
INSERT INTO pg_temp.planted_results VALUES (1, feedback.whoami('7e000000-0000-0000-0000-000000000001')::text);
INSERT INTO pg_temp.planted_results VALUES (2, feedback.get('7e000000-0000-0000-0000-000000000001',
                                                         'f0000000-0000-0000-0000-000000000001')::text);
INSERT INTO pg_temp.planted_results VALUES (3, pg_temp.outcome($$SELECT feedback.get('7e000000-0000-0000-0000-000000000001',
                                                                'f0000000-0000-0000-0000-000000000002')$$));
INSERT INTO pg_temp.planted_results VALUES (4, feedback.submit('7e000000-0000-0000-0000-000000000001',
                                                         'a0000000-0000-0000-0000-000000000001', 'up', 'planted')::text);
INSERT INTO pg_temp.planted_results VALUES (5, feedback.put_user('00000000-0000-0000-0000-0000000000c1', 'Case@Example.com')::text);
INSERT INTO pg_temp.planted_results VALUES (6, pg_temp.outcome($$SELECT feedback.put_user('00000000-0000-0000-0000-0000000000c2',
                                                                'CASE@example.COM')$$));
UPDATE feedback.feedback SET status = 'reviewed'
 WHERE tenant_id OPERATOR(pg_catalog.=) '7e000000-0000-0000-0000-000000000001'
   AND id OPERATOR(pg_catalog.=) 'f0000000-0000-0000-0000-000000000001';
INSERT INTO pg_temp.planted_results VALUES (7, feedback.verify_review_groups('7e000000-0000-0000-0000-000000000001')::text);
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000e1';
INSERT INTO pg_temp.planted_results VALUES (8, feedback.grouped_by_conversation('7e000000-0000-0000-0000-000000000001')::text);
RESET search_path;
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000ad';
SELECT is((SELECT got::jsonb->'user'->>'email' FROM planted_results WHERE n = 1), 'member@example.com',
          'planted lower(), now() and = operators: identity unchanged');
SELECT is((SELECT got::jsonb->>'comment' FROM planted_results WHERE n = 2), 'wrong', 'get unchanged');
SELECT is((SELECT got FROM planted_results WHERE n = 3), 'PT404', 'another tenant''s feedback stays invisible');
SELECT is((SELECT got::jsonb->'given_by'->>'email' FROM planted_results WHERE n = 4), 'member@example.com',
          'submit writes the caller''s own feedback');
SELECT coalesce(((SELECT count(*)::int FROM feedback.feedback WHERE comment = 'planted'))::text, 'NULL') AS got \gset
SELECT coalesce((1)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'on the one answer, once');
SELECT is((SELECT got::jsonb->>'email' FROM planted_results WHERE n = 5), 'Case@Example.com',
          'put_user unchanged by a planted lower()');
SELECT is((SELECT got FROM planted_results WHERE n = 6), 'PT409', 'and the email is still unique case-insensitively');
SELECT coalesce(((SELECT count(*)::int FROM feedback.status_history WHERE feedback_id = 'f0000000-0000-0000-0000-000000000001'))::text, 'NULL') AS got \gset
SELECT coalesce((1)::text, 'NULL') AS want \gset
SELECT is(:'got'::text, :'want'::text, 'a direct UPDATE under planted operators: the trigger writes one history row');
SELECT is((SELECT got FROM planted_results WHERE n = 7), '[]', 'and the queue state stays exact');
SELECT is((SELECT (got::jsonb->>'count')::int FROM planted_results WHERE n = 8), 1, 'the queue counts the one group');

SELECT * FROM finish();
ROLLBACK;
