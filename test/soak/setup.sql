-- test/soak/setup.sql -- the soak's tenant :t, soak.op(): one random
-- operation of the mixed workload, and soak.expected: which outcome each
-- operation may have, and how often.
--
-- Every call of soak.op() records its outcome in soak.outcomes: 'ok', or
-- the SQLSTATE of its error, or 'none' when it found nothing to act on.
-- Most operations are calls the acting user is allowed to make on valid
-- input: they may only fail where concurrency makes them (a deadlock, a
-- feedback deleted meanwhile), and rarely.  A few provoke one documented
-- error on purpose (a member reading the queue, a reused idempotency key, an
-- illegal transition...) and must give exactly that error.  Whatever
-- soak.expected does not allow fails the soak (test/soak.sh).
--
-- Users 1..5 are members, 6 and 7 reviewers, 8 the admin; user 9 exists
-- but is no member.  Conversations 1..50 have three complete answers each
-- and are the workload's.  Conversation 51 holds two feedback the workload
-- never changes: user 1's, bound to the idempotency key
-- ee000000-...-000000000001, and user 2's, reviewed.  Conversation 52 ends
-- with an answer still streaming.
CREATE EXTENSION feedback CASCADE;
SELECT count(*) FROM (
    SELECT feedback.put_user(format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
                             format('soak%s@example.com', u))
      FROM generate_series(1, 9) AS u) AS s;
SELECT count(*) FROM (
    SELECT feedback.put_member(:'t', format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
                               CASE WHEN u <= 5 THEN 'member' WHEN u <= 7 THEN 'reviewer' ELSE 'admin' END)
      FROM generate_series(1, 8) AS u) AS s;
SELECT count(*) FROM (
    SELECT feedback.put_conversation(:'t', format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid, 'c' || c),
           feedback.put_message(:'t', format('b0000000-0000-4000-8000-%s', lpad((c * 10 + m)::text, 12, '0'))::uuid,
                                format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid,
                                'user', format('question %s.%s', c, m),
                                created_at => now() - make_interval(mins => 10 - 2 * m)),
           feedback.put_message(:'t', format('a0000000-0000-4000-8000-%s', lpad((c * 10 + m)::text, 12, '0'))::uuid,
                                format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'))::uuid,
                                'assistant', format('answer %s.%s', c, m),
                                reply_to => format('b0000000-0000-4000-8000-%s', lpad((c * 10 + m)::text, 12, '0'))::uuid,
                                created_at => now() - make_interval(mins => 9 - 2 * m))
      FROM generate_series(1, 51) AS c, generate_series(1, 3) AS m) AS s;
SELECT feedback.put_conversation(:'t', 'c0000000-0000-4000-8000-000000000052', 'streaming') IS NOT NULL;
SELECT feedback.put_message(:'t', 'a0000000-0000-4000-8000-000000000521', 'c0000000-0000-4000-8000-000000000052',
                            'assistant', 'still stream', is_complete => false) IS NOT NULL;

SET feedback.user_id = '00000000-0000-4000-8000-000000000008';
SELECT feedback.configure(:'t', 'positive', true) IS NOT NULL;
SET feedback.user_id = '00000000-0000-4000-8000-000000000001';
SELECT feedback.submit(:'t', 'a0000000-0000-4000-8000-000000000511', 'positive',
                       client_feedback_id => 'ee000000-0000-4000-8000-000000000001') IS NOT NULL;
SET feedback.user_id = '00000000-0000-4000-8000-000000000002';
SELECT feedback.submit(:'t', 'a0000000-0000-4000-8000-000000000512', 'negative', 'kept reviewed') ->> 'id' AS kept \gset
SET feedback.user_id = '00000000-0000-4000-8000-000000000006';
SELECT feedback.set_status(:'t', :'kept', 'reviewed', corrected_response => 'better') ->> 'status' = 'reviewed';
RESET feedback.user_id;

CREATE SCHEMA soak;
-- one row per call of soak.op(): which operation, how it ended
CREATE TABLE soak.outcomes (op text NOT NULL, outcome text NOT NULL, message text);
-- the outcomes each operation may have, each at most max_share of its
-- calls; a required outcome must occur at least once
CREATE TABLE soak.expected (op text, outcome text, max_share float8 NOT NULL, required boolean NOT NULL,
                            PRIMARY KEY (op, outcome));
-- the calls allowed on valid input: they succeed, or meet a concurrent change
INSERT INTO soak.expected
SELECT op, o.outcome, o.max_share, o.outcome = 'ok'
  FROM unnest(ARRAY['submit', 'submit_ungrouped', 'put_conversation_feedback', 'patch_own', 'delete_own',
                    'set_status', 'update', 'admin_delete', 'grouped_by_conversation', 'put_conversation']) AS op,
       (VALUES ('ok', 1.0), ('40P01', 0.02), ('40001', 0.02)) AS o(outcome, max_share);
-- a caller may find no feedback to act on; one picked without a lock may
-- be deleted before the call reaches it
INSERT INTO soak.expected
SELECT op, 'none', 1.0, false
  FROM unnest(ARRAY['patch_own', 'delete_own', 'set_status', 'update', 'admin_delete']) AS op;
INSERT INTO soak.expected
SELECT op, 'PT404', 0.1, false
  FROM unnest(ARRAY['patch_own', 'delete_own', 'admin_delete']) AS op;
-- the provocations: exactly their documented error, every time
INSERT INTO soak.expected VALUES
    ('key_reused_elsewhere', 'PT409', 1.0, true),
    ('submit_on_streaming_answer', 'PT409', 1.0, true),
    ('rate_streaming_conversation', 'PT409', 1.0, true),
    ('reviewed_to_auto_approved', 'PT409', 1.0, true),
    ('member_reads_queue', '42501', 1.0, true),
    ('non_member_submits', '42501', 1.0, true),
    ('no_acting_user', '42501', 1.0, true),
    ('neither_rating_nor_comment', '22023', 1.0, true),
    ('unknown_patch_key', '22023', 1.0, true),
    ('queue_limit_zero', '22023', 1.0, true),
    ('unknown_feedback', 'PT404', 1.0, true),
    ('unknown_answer', 'PT404', 1.0, true),
    ('patch_someone_elses', 'PT404', 1.0, true);

CREATE FUNCTION soak.op(tenant uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    kind int := floor(random() * 100)::int;
    u int := 1 + floor(random() * 8)::int;
    c int := 1 + floor(random() * 50)::int;
    conv uuid := format('c0000000-0000-4000-8000-%s', lpad(c::text, 12, '0'));
    answer uuid := format('a0000000-0000-4000-8000-%s', lpad((c * 10 + 1 + floor(random() * 3)::int)::text, 12, '0'));
    kept uuid;
    fid uuid;
    negative boolean;
    op text;
    outcome text := 'ok';
    message text;
BEGIN
    SELECT f.id INTO kept FROM feedback.feedback f
     WHERE f.tenant_id = tenant AND f.message_id = 'a0000000-0000-4000-8000-000000000512'
       AND f.user_id = '00000000-0000-4000-8000-000000000002';
    op := CASE WHEN kind < 25 THEN 'submit'
               WHEN kind < 31 THEN 'submit_ungrouped'
               WHEN kind < 37 THEN 'put_conversation_feedback'
               WHEN kind < 43 THEN 'patch_own'
               WHEN kind < 45 THEN 'delete_own'
               WHEN kind < 55 THEN 'set_status'
               WHEN kind < 59 THEN 'update'
               WHEN kind < 61 THEN 'admin_delete'
               WHEN kind < 71 THEN 'grouped_by_conversation'
               WHEN kind < 74 THEN 'put_conversation'
               ELSE (ARRAY['key_reused_elsewhere', 'submit_on_streaming_answer', 'rate_streaming_conversation',
                           'reviewed_to_auto_approved', 'member_reads_queue', 'non_member_submits', 'no_acting_user',
                           'neither_rating_nor_comment', 'unknown_patch_key', 'queue_limit_zero', 'unknown_feedback',
                           'unknown_answer', 'patch_someone_elses'])[1 + (kind - 74) % 13] END;
    -- the acting user: a reviewer for the review calls, the admin for an
    -- admin's delete, a member for what members may not do, else anyone
    u := CASE WHEN op IN ('set_status', 'reviewed_to_auto_approved') THEN 6
              WHEN op IN ('update', 'grouped_by_conversation') THEN 7
              WHEN op = 'admin_delete' THEN 8
              WHEN op IN ('key_reused_elsewhere', 'patch_someone_elses') THEN 1
              WHEN op = 'member_reads_queue' THEN 1 + floor(random() * 5)::int
              WHEN op = 'non_member_submits' THEN 9
              ELSE u END;
    PERFORM set_config('feedback.user_id',
                       CASE WHEN op = 'no_acting_user' THEN ''
                            ELSE format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0')) END, true);
    IF op IN ('patch_own', 'delete_own') THEN
        SELECT f.id INTO fid FROM feedback.feedback f
         WHERE f.tenant_id = tenant AND f.conversation_id = conv
           AND f.user_id = format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid
         LIMIT 1;
    ELSIF op = 'admin_delete' THEN
        SELECT f.id INTO fid FROM feedback.feedback f
         WHERE f.tenant_id = tenant AND f.conversation_id = conv
         LIMIT 1;
    ELSIF op IN ('set_status', 'update') THEN
        -- locked, so that its rating (only a negative one takes a
        -- correction) is still the same when the call reaches it
        SELECT f.id, f.rating = 'negative' INTO fid, negative FROM feedback.feedback f
         WHERE f.tenant_id = tenant AND f.conversation_id = conv
         LIMIT 1 FOR UPDATE;
    END IF;
    IF fid IS NULL AND op IN ('patch_own', 'delete_own', 'set_status', 'update', 'admin_delete') THEN
        outcome := 'none';
    ELSE
        BEGIN
            CASE op
            WHEN 'submit' THEN
                PERFORM feedback.submit(tenant, answer, (random() < 0.6)::feedback.rating,
                                        CASE WHEN random() < 0.5 THEN 'soak ' || floor(random() * 5) END,
                                        CASE WHEN random() < 0.3 THEN ARRAY['slow', 'wrong'] ELSE '{}' END);
            WHEN 'submit_ungrouped' THEN
                PERFORM feedback.submit(tenant, NULL, comment => 'ungrouped ' || floor(random() * 3));
            WHEN 'put_conversation_feedback' THEN
                PERFORM feedback.put_conversation_feedback(tenant, conv,
                        CASE WHEN random() < 0.8 THEN '{"rating": "NEGATIVE", "comment": "put"}'
                             ELSE '{"rating": null}' END::jsonb);
            WHEN 'patch_own' THEN
                PERFORM feedback.patch(tenant, fid,
                        jsonb_build_object('reaction', CASE WHEN random() < 0.5 THEN 'thumbs_up' ELSE 'thumbs_down' END));
            WHEN 'delete_own' THEN
                PERFORM feedback.delete(tenant, fid);
            WHEN 'set_status' THEN
                PERFORM feedback.set_status(tenant, fid,
                        (ARRAY['reviewed', 'dismissed', 'to_review'])[1 + floor(random() * 3)::int]::feedback.review_status,
                        note => 'soak', corrected_response => CASE WHEN negative AND random() < 0.5 THEN 'corrected' END);
            WHEN 'update' THEN
                PERFORM feedback.update(tenant, fid,
                        jsonb_build_object('status', 'reviewed', 'feedback', 'checked ' || floor(random() * 3)));
            WHEN 'admin_delete' THEN
                PERFORM feedback.delete(tenant, fid);
            WHEN 'grouped_by_conversation' THEN
                PERFORM feedback.grouped_by_conversation(tenant, CASE WHEN random() < 0.5 THEN 'to_review' END,
                                                         include_archived => random() < 0.5);
            WHEN 'put_conversation' THEN
                PERFORM feedback.put_conversation(tenant, conv, 'c' || c, CASE WHEN random() < 0.5 THEN 'helper' ELSE 'coder' END,
                                                  is_archived => random() < 0.5);
            WHEN 'key_reused_elsewhere' THEN
                PERFORM feedback.submit(tenant, answer, 'positive',
                                        client_feedback_id => 'ee000000-0000-4000-8000-000000000001');
            WHEN 'submit_on_streaming_answer' THEN
                PERFORM feedback.submit(tenant, 'a0000000-0000-4000-8000-000000000521', 'positive');
            WHEN 'rate_streaming_conversation' THEN
                PERFORM feedback.put_conversation_feedback(tenant, 'c0000000-0000-4000-8000-000000000052',
                                                           '{"rating": "POSITIVE"}');
            WHEN 'reviewed_to_auto_approved' THEN
                PERFORM feedback.set_status(tenant, kept, 'auto_approved');
            WHEN 'member_reads_queue' THEN
                PERFORM feedback.grouped_by_conversation(tenant);
            WHEN 'non_member_submits', 'no_acting_user' THEN
                PERFORM feedback.submit(tenant, answer, 'positive');
            WHEN 'neither_rating_nor_comment' THEN
                PERFORM feedback.submit(tenant, answer);
            WHEN 'unknown_patch_key' THEN
                PERFORM feedback.patch(tenant, kept, '{"stars": 5}');
            WHEN 'queue_limit_zero' THEN
                PERFORM set_config('feedback.user_id', '00000000-0000-4000-8000-000000000007', true);
                PERFORM feedback.grouped_by_conversation(tenant, "limit" => 0);
            WHEN 'unknown_feedback' THEN
                PERFORM feedback.get(tenant, 'ee000000-0000-4000-8000-00000000dead');
            WHEN 'unknown_answer' THEN
                PERFORM feedback.submit(tenant, 'ee000000-0000-4000-8000-00000000dead', 'positive');
            WHEN 'patch_someone_elses' THEN
                PERFORM feedback.patch(tenant, kept, '{"rating": "positive"}');
            END CASE;
        EXCEPTION WHEN OTHERS THEN
            outcome := SQLSTATE;
            message := SQLERRM;
        END;
    END IF;
    INSERT INTO soak.outcomes VALUES (op, outcome, message);
    RETURN op || ' ' || outcome;
END
$$;
SELECT soak.op(:'t') IS NOT NULL;
