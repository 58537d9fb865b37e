-- The review queue's maintained state against its recomputation after a
-- randomized sequence of thousands of operations by every entry point:
-- submits, replacements, PUTs, patches, status changes, reviewer updates,
-- direct UPDATEs, deletes, archiving, ungrouped feedback.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(6);

SELECT setseed(0.4242);
SELECT count(*) FROM (
    SELECT feedback.put_user(format('00000000-0000-0000-0000-%s', lpad(u::text, 12, '0'))::uuid,
                             format('user%s@example.com', u))
      FROM generate_series(1, 6) AS u) AS s;
SELECT count(*) FROM (
    SELECT feedback.put_member(t, format('00000000-0000-0000-0000-%s', lpad(u::text, 12, '0'))::uuid,
                               CASE WHEN u <= 4 THEN 'member' WHEN u = 5 THEN 'reviewer' ELSE 'admin' END)
      FROM generate_series(1, 6) AS u,
           (VALUES ('7e000000-0000-0000-0000-000000000001'::uuid), ('7e000000-0000-0000-0000-000000000002')) AS v(t)) AS s;
SELECT count(*) FROM (
    SELECT feedback.put_conversation(t, format('c0000000-0000-0000-0000-%s', lpad(c::text, 12, '0'))::uuid, 'c' || c),
           feedback.put_message(t, format('a0000000-0000-0000-0000-%s', lpad((c * 10 + m)::text, 12, '0'))::uuid,
                                format('c0000000-0000-0000-0000-%s', lpad(c::text, 12, '0'))::uuid,
                                'assistant', format('answer %s.%s', c, m))
      FROM generate_series(1, 8) AS c, generate_series(1, 3) AS m,
           (VALUES ('7e000000-0000-0000-0000-000000000001'::uuid), ('7e000000-0000-0000-0000-000000000002')) AS v(t)) AS s;

CREATE TEMP TABLE outcomes (op text, ok boolean);

DO $$
DECLARE
    tenants uuid[] := ARRAY['7e000000-0000-0000-0000-000000000001', '7e000000-0000-0000-0000-000000000002'];
    statuses text[] := ARRAY['to_review', 'reviewed', 'dismissed', 'auto_approved'];
    t uuid;
    u int;
    c int;
    op int;
    fid uuid;
    answer uuid;
    s text;
BEGIN
    FOR i IN 1..3000 LOOP
        t := tenants[1 + floor(random() * 2)::int];
        u := 1 + floor(random() * 6)::int;
        c := 1 + floor(random() * 8)::int;
        answer := format('a0000000-0000-0000-0000-%s', lpad((c * 10 + 1 + floor(random() * 3)::int)::text, 12, '0'));
        op := floor(random() * 12)::int;
        PERFORM set_config('feedback.user_id', format('00000000-0000-0000-0000-%s', lpad(u::text, 12, '0')), true);
        SELECT f.id INTO fid FROM feedback.feedback f WHERE f.tenant_id = t ORDER BY random() LIMIT 1;
        BEGIN
            CASE op
            WHEN 0, 1, 2 THEN
                PERFORM feedback.submit(t, answer, CASE WHEN random() < 0.2 THEN NULL ELSE (random() < 0.5)::feedback.rating END,
                                        CASE WHEN random() < 0.5 THEN 'comment ' || floor(random() * 4) END);
            WHEN 3 THEN
                PERFORM feedback.put_conversation_feedback(t, format('c0000000-0000-0000-0000-%s', lpad(c::text, 12, '0'))::uuid,
                        CASE floor(random() * 3)::int WHEN 0 THEN '{"rating": "POSITIVE"}' WHEN 1 THEN '{"rating": null}'
                             ELSE '{"comment": "via put"}' END::jsonb);
            WHEN 4 THEN
                PERFORM feedback.submit(t, NULL, comment => 'ungrouped ' || floor(random() * 3));
            WHEN 5 THEN
                PERFORM feedback.patch(t, fid, jsonb_build_object('rating', CASE WHEN random() < 0.5 THEN 'up' ELSE 'down' END));
            WHEN 6, 7 THEN
                PERFORM set_config('feedback.user_id', '00000000-0000-0000-0000-000000000005', true);
                PERFORM feedback.set_status(t, fid, statuses[1 + floor(random() * 4)::int]::feedback.review_status);
            WHEN 8 THEN
                PERFORM set_config('feedback.user_id', '00000000-0000-0000-0000-000000000006', true);
                PERFORM feedback.update(t, fid, jsonb_build_object('status', statuses[1 + floor(random() * 3)::int],
                                                                   'is_positive', random() < 0.5));
            WHEN 9 THEN
                s := statuses[1 + floor(random() * 3)::int];
                UPDATE feedback.feedback SET status = s::feedback.review_status WHERE tenant_id = t AND id = fid;
            WHEN 10 THEN
                PERFORM set_config('feedback.user_id', '00000000-0000-0000-0000-000000000006', true);
                PERFORM feedback.delete(t, fid);
            ELSE
                UPDATE feedback.conversations SET is_archived = NOT is_archived
                 WHERE tenant_id = t AND id = format('c0000000-0000-0000-0000-%s', lpad(c::text, 12, '0'))::uuid;
            END CASE;
            INSERT INTO outcomes VALUES (op::text, true);
        EXCEPTION WHEN OTHERS THEN
            IF SQLSTATE NOT IN ('PT404', 'PT409', '22023', '42501') THEN
                RAISE;
            END IF;
            INSERT INTO outcomes VALUES (op::text, false);
        END;
    END LOOP;
END
$$;

SELECT cmp_ok((SELECT count(*)::int FROM outcomes WHERE ok), '>', 2000, 'most of the 3000 random operations succeeded');
SELECT cmp_ok((SELECT count(*)::int FROM feedback.feedback), '>', 50, 'they left feedback behind');
SELECT cmp_ok((SELECT count(DISTINCT (archived, state))::int FROM feedback.review_groups), '>=', 4,
              'groups ended in several buckets');
SELECT is(feedback.verify_review_groups('7e000000-0000-0000-0000-000000000001'), '[]'::jsonb,
          'tenant 1: every maintained group and count equals its recomputation');
SELECT is(feedback.verify_review_groups('7e000000-0000-0000-0000-000000000002'), '[]'::jsonb,
          'tenant 2: every maintained group and count equals its recomputation');
UPDATE feedback.review_groups SET latest_updated_at = '2000-01-01 00:00:00+00'
 WHERE tenant_id = '7e000000-0000-0000-0000-000000000001' AND group_id = (SELECT group_id FROM feedback.review_groups
                    WHERE tenant_id = '7e000000-0000-0000-0000-000000000001' ORDER BY group_id LIMIT 1);
SELECT is(jsonb_array_length(feedback.verify_review_groups('7e000000-0000-0000-0000-000000000001')), 1,
          'and a corrupted group is reported');

SELECT * FROM finish();
ROLLBACK;
