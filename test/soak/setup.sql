-- test/soak/setup.sql -- the soak's tenant, and soak.op(): one random
-- operation of the mixed workload.  Documented errors (a refused
-- transition, a feedback deleted meanwhile...) are part of the workload and
-- counted; any other error propagates and fails the soak.
CREATE EXTENSION feedback CASCADE;
SELECT count(*) FROM (
    SELECT feedback.put_user(format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
                             format('soak%s@example.com', u))
      FROM generate_series(1, 8) AS u) AS s;
SELECT count(*) FROM (
    SELECT feedback.put_member(:'t', format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
                               CASE WHEN u <= 5 THEN 'member' WHEN u <= 7 THEN 'reviewer' ELSE 'admin' END)
      FROM generate_series(1, 8) AS u) AS s;
SELECT count(*) FROM (
    SELECT feedback.put_conversation(:'t', format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid, 'c' || c),
           feedback.put_message(:'t', format('a0000000-0000-4000-8000-%s', lpad((c * 10 + m)::text, 12, '0'))::uuid,
                                format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid,
                                'assistant', format('answer %s.%s', c, m))
      FROM generate_series(1, 50) AS c, generate_series(1, 3) AS m) AS s;
SET feedback.user_id = '00000000-0000-4000-8000-000000000008';
SELECT feedback.configure(:'t', 'positive', true) IS NOT NULL;

CREATE SCHEMA soak;
CREATE TABLE soak.errors (sqlstate text, n bigint, PRIMARY KEY (sqlstate));
CREATE FUNCTION soak.op(tenant uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    kind int := floor(random() * 20)::int;
    u int := 1 + floor(random() * 8)::int;
    c int := 1 + floor(random() * 50)::int;
    answer uuid := format('a0000000-0000-4000-8000-%s', lpad((c * 10 + 1 + floor(random() * 3)::int)::text, 12, '0'));
    fid uuid;
BEGIN
    PERFORM set_config('feedback.user_id', format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0')), true);
    SELECT f.id INTO fid FROM feedback.feedback f
     WHERE f.tenant_id = tenant AND f.message_id IS NOT NULL AND f.conversation_id = format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid
     LIMIT 1;
    BEGIN
        CASE
        WHEN kind < 6 THEN      -- submit or replace
            PERFORM feedback.submit(tenant, answer, (random() < 0.6)::feedback.rating,
                                    CASE WHEN random() < 0.5 THEN 'soak ' || floor(random() * 5) END);
        WHEN kind < 8 THEN
            PERFORM feedback.put_conversation_feedback(tenant, format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid,
                    CASE WHEN random() < 0.8 THEN '{"rating": "NEGATIVE", "comment": "put"}' ELSE '{"rating": null}' END::jsonb);
        WHEN kind < 10 THEN
            PERFORM feedback.patch(tenant, fid, jsonb_build_object('reaction', CASE WHEN random() < 0.5 THEN 'thumbs_up' ELSE 'thumbs_down' END));
        WHEN kind < 13 THEN
            PERFORM set_config('feedback.user_id', '00000000-0000-4000-8000-000000000006', true);
            PERFORM feedback.set_status(tenant, fid,
                    (ARRAY['reviewed', 'dismissed', 'to_review'])[1 + floor(random() * 3)::int]::feedback.review_status,
                    corrected_response => CASE WHEN random() < 0.5 THEN 'corrected' END);
        WHEN kind < 14 THEN
            PERFORM set_config('feedback.user_id', '00000000-0000-4000-8000-000000000008', true);
            PERFORM feedback.delete(tenant, fid);
        WHEN kind < 17 THEN
            PERFORM set_config('feedback.user_id', '00000000-0000-4000-8000-000000000007', true);
            PERFORM feedback.grouped_by_conversation(tenant, CASE WHEN random() < 0.5 THEN 'to_review' END,
                                                     include_archived => random() < 0.5);
        WHEN kind < 18 THEN
            PERFORM feedback.put_conversation(tenant, format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid,
                                              'c' || c, is_archived => random() < 0.5);
        ELSE
            PERFORM feedback.submit(tenant, NULL, comment => 'ungrouped ' || floor(random() * 3));
        END CASE;
        RETURN 'ok';
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE NOT IN ('PT404', 'PT409', '22023', '42501', '40001', '40P01') THEN
            RAISE;
        END IF;
        RETURN SQLSTATE;
    END;
END
$$;
