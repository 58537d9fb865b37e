-- PostgREST's transaction, reproduced: set_config('role', ..., true) to a web role
-- granted with grant_api, request.jwt.claims, request.headers (lower-case
-- names), request.method and request.path as transaction-local settings,
-- and the call with named arguments from json_to_record of the body, as
-- PostgREST builds it.  Asserts response.status and, for every error of the
-- contract, the SQLSTATE and the HTTP status PostgREST maps it to.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(46);

CREATE ROLE feedback_test_web NOLOGIN;
SELECT feedback.grant_api('feedback_test_web');

\set t '''7e000000-0000-0000-0000-000000000001'''
SELECT count(*) FROM (VALUES
    (feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'member@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000e1', 'reviewer@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-00000000005a', 'support@example.com', true)),
    (feedback.put_user('00000000-0000-0000-0000-0000000000f0', 'outsider@example.com')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000a1')),
    (feedback.put_member(:t, '00000000-0000-0000-0000-0000000000e1', 'reviewer')),
    (feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000001', 'Pricing')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                          'user', 'How much?')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000001',
                          'assistant', '20 dollars.', 'a0000000-0000-0000-0000-000000000001')),
    (feedback.put_conversation(:t, 'c0000000-0000-0000-0000-000000000002', 'Streaming')),
    (feedback.put_message(:t, 'a0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000002',
                          'assistant', 'Think', is_complete => false))) AS s(x);

-- The HTTP status PostgREST answers an SQLSTATE with (its documented table).
CREATE FUNCTION pg_temp.http_status(sqlstate text, authenticated boolean) RETURNS int LANGUAGE sql AS $$
    SELECT CASE
        WHEN sqlstate IS NULL THEN 200
        WHEN sqlstate ~ '^PT[0-9]{3}$' THEN substr(sqlstate, 3)::int
        WHEN sqlstate = '42501' THEN CASE WHEN authenticated THEN 403 ELSE 401 END
        WHEN sqlstate IN ('23503', '23505') THEN 409
        WHEN sqlstate IN ('42883', '42P01') THEN 404
        WHEN sqlstate ~ '^(08|53)' THEN 503
        WHEN sqlstate ~ '^(09|25|2D|38|39|3B|40|55|57|58|F0|HV|P0|XX)' AND sqlstate <> 'P0001' THEN 500
        ELSE 400 END
$$;

-- One request: role, JWT sub (NULL: anonymous), impersonation header,
-- method, the function and its argument types, the JSON body.  Returns
-- (status, sqlstate, body): status is response.status or the mapped error.
CREATE TEMP TABLE responses (n serial, status int, sqlstate text, body jsonb);
CREATE FUNCTION pg_temp.request(sub text, impersonate text, method text, fn text, args text, body json)
RETURNS SETOF responses LANGUAGE plpgsql AS $$
DECLARE
    call text;
    result jsonb;
    status int;
    state text;
BEGIN
    SELECT format('SELECT to_jsonb(pgrst_call.pgrst_scalar) FROM json_to_record($1) AS _(%s), '
                  'LATERAL (SELECT feedback.%I(%s) AS pgrst_scalar) pgrst_call',
                  string_agg(format('%I %s', a[1], a[2]), ', '), fn,
                  string_agg(format('%1$I := _.%1$I', a[1]), ', '))
      INTO call
      FROM (SELECT regexp_split_to_array(trim(x), '\s+') AS a FROM unnest(string_to_array(args, ',')) AS x) AS s;
    BEGIN
        PERFORM set_config('role', 'feedback_test_web', true);
        PERFORM set_config('request.jwt.claims',
                           CASE WHEN sub IS NULL THEN '{"role": "feedback_test_web"}'
                                ELSE json_build_object('sub', sub, 'role', 'feedback_test_web')::text END, true);
        PERFORM set_config('request.headers',
                           CASE WHEN impersonate IS NULL THEN '{"accept": "application/json"}'
                                ELSE json_build_object('accept', 'application/json', 'x-impersonate-email', impersonate)::text END,
                           true);
        PERFORM set_config('request.method', method, true);
        PERFORM set_config('request.path', '/rpc/' || fn, true);
        PERFORM set_config('response.status', '', true);
        EXECUTE call INTO result USING body;
        status := coalesce(nullif(current_setting('response.status', true), '')::int, 200);
        EXECUTE 'RESET ROLE';
    EXCEPTION WHEN OTHERS THEN
        state := SQLSTATE;
        status := pg_temp.http_status(state, sub IS NOT NULL);
        result := NULL;
    END;
    RETURN QUERY INSERT INTO responses (status, sqlstate, body) VALUES (status, state, result) RETURNING *;
END
$$;

\set member '''00000000-0000-0000-0000-0000000000a1'''
\set reviewer '''00000000-0000-0000-0000-0000000000e1'''
\set support '''00000000-0000-0000-0000-00000000005a'''
\set submit_args '''tenant_id uuid, message_id uuid, rating feedback.rating, comment text'''

-- Seed 004: POST /rpc/submit creates (201), the same again replaces (200).
SELECT is(status, 201, 'POST /rpc/submit: 201 Created') FROM pg_temp.request(:member, NULL, 'POST', 'submit', :submit_args,
    json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002', 'rating', 'positive'));
SELECT is(body->>'status', 'to_review', 'the body is the feedback object') FROM responses WHERE n = 1;
SELECT is(status, 200, 'POST /rpc/submit again: 200 OK') FROM pg_temp.request(:member, NULL, 'POST', 'submit', :submit_args,
    json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002', 'rating', 'thumbs_down',
                      'comment', 'Wrong price'));
SELECT is(body->>'rating', 'negative', 'and replaced the rating') FROM responses WHERE n = 2;
-- GET /rpc/for_message
SELECT is(body->>'comment', 'Wrong price', 'GET /rpc/for_message returns the feedback')
  FROM pg_temp.request(:member, NULL, 'GET', 'for_message', 'tenant_id uuid, message_id uuid',
       json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002'));
-- Seed 001: PUT on the conversation.
SELECT is(body, jsonb_build_object('conversation_id', 'c0000000-0000-0000-0000-000000000001', 'rating', 'POSITIVE',
                                   'comment', 'Matched our dashboard exactly.') || jsonb_build_object('updated_at', body->'updated_at'),
          'POST /rpc/put_conversation_feedback: the PUT response')
  FROM pg_temp.request(:member, NULL, 'POST', 'put_conversation_feedback', 'tenant_id uuid, conversation_id uuid, body jsonb',
       json_build_object('tenant_id', :t, 'conversation_id', 'c0000000-0000-0000-0000-000000000001',
                         'body', json_build_object('rating', 'POSITIVE', 'comment', 'Matched our dashboard exactly.')));
SELECT is(status, 200, 'with 200') FROM responses ORDER BY n DESC LIMIT 1;
-- Seed 003: thread reactions, patch, delete with the member's JWT.
SELECT is(jsonb_array_length(body), 1, 'POST /rpc/thread_reactions lists the reaction')
  FROM pg_temp.request(:member, NULL, 'POST', 'thread_reactions', 'tenant_id uuid, conversation_id uuid',
       json_build_object('tenant_id', :t, 'conversation_id', 'c0000000-0000-0000-0000-000000000001'));
SELECT id AS fid FROM feedback.feedback LIMIT 1 \gset
SELECT is(body->>'reaction', 'thumbs_down', 'POST /rpc/patch with {"reaction": "thumbs_down"}')
  FROM pg_temp.request(:member, NULL, 'PATCH', 'patch', 'tenant_id uuid, id uuid, changes jsonb',
       json_build_object('tenant_id', :t, 'id', :'fid', 'changes', json_build_object('reaction', 'thumbs_down')));
-- Seed 002: the queue, as the reviewer, POST with a JSON body carrying limit and offset.
SELECT is(body - 'results', '{"count": 1, "next": null, "previous": null}'::jsonb, 'POST /rpc/grouped_by_conversation')
  FROM pg_temp.request(:reviewer, NULL, 'POST', 'grouped_by_conversation',
       'tenant_id uuid, status text, limit integer, offset integer',
       json_build_object('tenant_id', :t, 'status', 'to_review', 'limit', 10, 'offset', 0));
-- Seed 000: support staff impersonating the reviewer through X-Impersonate-Email.
SELECT is(body->>'status', 'reviewed', 'PATCH as the impersonated reviewer: the status changes')
  FROM pg_temp.request(:support, 'reviewer@example.com', 'PATCH', 'update', 'tenant_id uuid, id uuid, changes jsonb',
       json_build_object('tenant_id', :t, 'id', :'fid', 'changes', json_build_object('status', 'reviewed', 'feedback', 'checked')));
SELECT is(body->'reviewed_by'->>'email', 'reviewer@example.com', 'recorded as the reviewer') FROM responses ORDER BY n DESC LIMIT 1;
-- DELETE by the author.
SELECT is(status, 200, 'POST /rpc/delete by the author')
  FROM pg_temp.request(:member, NULL, 'DELETE', 'delete', 'tenant_id uuid, id uuid', json_build_object('tenant_id', :t, 'id', :'fid'));
SELECT is((SELECT count(*)::int FROM feedback.feedback), 0, 'and the feedback is gone');

-- The queue's next and previous links, followed by GET as PostgREST serves
-- them: the query string of the link, and nothing else, is the arguments.
CREATE FUNCTION pg_temp.query_of(link text) RETURNS json LANGUAGE sql AS $$
    SELECT json_object_agg(split_part(kv, '=', 1), split_part(kv, '=', 2))
      FROM regexp_split_to_table(substr(link, 2), '&') AS kv WHERE left(link, 1) = '?'
$$;
SELECT status AS created FROM pg_temp.request(:member, NULL, 'POST', 'submit', 'tenant_id uuid, message_id uuid, comment text',
       json_build_object('tenant_id', :t, 'message_id', NULL, 'comment', 'First ungrouped')) \gset
SELECT status AS created FROM pg_temp.request(:member, NULL, 'POST', 'submit', 'tenant_id uuid, message_id uuid, comment text',
       json_build_object('tenant_id', :t, 'message_id', NULL, 'comment', 'Second ungrouped')) \gset
SELECT body AS first_page FROM pg_temp.request(:reviewer, NULL, 'POST', 'grouped_by_conversation',
       'tenant_id uuid, limit integer', json_build_object('tenant_id', :t, 'limit', 1)) \gset
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(pg_temp.query_of(:'first_page'::jsonb->>'next')) k),
          '{cursor,tenant_id}'::text[], 'the next link is ?tenant_id=<uuid>&cursor=<token>, nothing else');
SELECT body AS second_page FROM pg_temp.request(:reviewer, NULL, 'GET', 'grouped_by_conversation',
       'tenant_id uuid, cursor text', pg_temp.query_of(:'first_page'::jsonb->>'next')) \gset
SELECT is(status, 200, 'GET /rpc/grouped_by_conversation with the next link: 200') FROM responses ORDER BY n DESC LIMIT 1;
SELECT is(ARRAY[:'first_page'::jsonb->'results'->0->'feedbacks'->0->>'feedback',
                :'second_page'::jsonb->'results'->0->'feedbacks'->0->>'feedback'] <@ ARRAY['First ungrouped', 'Second ungrouped']
          AND jsonb_array_length(:'second_page'::jsonb->'results') = 1
          AND :'first_page'::jsonb->'results' <> :'second_page'::jsonb->'results', true,
          'it gives the second page: the other group, one as the first page had');
SELECT is(:'second_page'::jsonb->'next', 'null', 'the last page has no next link');
SELECT is(body->'results', :'first_page'::jsonb->'results', 'GET with its previous link gives the first page back')
  FROM pg_temp.request(:reviewer, NULL, 'GET', 'grouped_by_conversation',
       'tenant_id uuid, cursor text', pg_temp.query_of(:'second_page'::jsonb->>'previous'));
SELECT is(status, 400, 'a link with its cursor cut short: 400')
  FROM pg_temp.request(:reviewer, NULL, 'GET', 'grouped_by_conversation', 'tenant_id uuid, cursor text',
       json_build_object('tenant_id', :t, 'cursor', left(pg_temp.query_of(:'first_page'::jsonb->>'next')->>'cursor', 20)));
DELETE FROM feedback.feedback;

-- Every error of the contract: its SQLSTATE and PostgREST's HTTP status.
CREATE TEMP TABLE errors (label text, sub text, impersonate text, fn text, args text, body json, sqlstate text, http int, n serial);
INSERT INTO errors (label, sub, impersonate, fn, args, body, sqlstate, http) VALUES
 ('malformed uuid', :member, NULL, 'submit', :submit_args,
  json_build_object('tenant_id', :t, 'message_id', 'nope', 'rating', 'up'), '22P02', 400),
 ('malformed rating', :member, NULL, 'submit', :submit_args,
  json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002', 'rating', 'meh'), '22P02', 400),
 ('malformed status', :reviewer, NULL, 'set_status', 'tenant_id uuid, id uuid, status feedback.review_status',
  json_build_object('tenant_id', :t, 'id', 'f0000000-0000-0000-0000-000000000001', 'status', 'approved'), '22P02', 400),
 ('missing rating and comment', :member, NULL, 'submit', :submit_args,
  json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002'), '22023', 400),
 ('bad limit', :reviewer, NULL, 'grouped_by_conversation', 'tenant_id uuid, limit integer',
  json_build_object('tenant_id', :t, 'limit', 0), '22023', 400),
 ('unknown patch key', :member, NULL, 'put_conversation_feedback', 'tenant_id uuid, conversation_id uuid, body jsonb',
  json_build_object('tenant_id', :t, 'conversation_id', 'c0000000-0000-0000-0000-000000000001', 'body', json_build_object('stars', 5)),
  '22023', 400),
 ('comment over 2000 characters', :member, NULL, 'submit', :submit_args,
  json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002', 'comment', repeat('x', 2001)), '22001', 400),
 ('no acting user (anonymous)', NULL, NULL, 'submit', :submit_args,
  json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002', 'rating', 'up'), '42501', 401),
 ('not a member', '00000000-0000-0000-0000-0000000000f0', NULL, 'submit', :submit_args,
  json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002', 'rating', 'up'), '42501', 403),
 ('role too low', :member, NULL, 'grouped_by_conversation', 'tenant_id uuid', json_build_object('tenant_id', :t), '42501', 403),
 ('impersonation not allowed', :member, 'reviewer@example.com', 'submit', :submit_args,
  json_build_object('tenant_id', :t, 'message_id', 'a0000000-0000-0000-0000-000000000002', 'rating', 'up'), '42501', 403),
 ('feedback not found', :member, NULL, 'get', 'tenant_id uuid, id uuid',
  json_build_object('tenant_id', :t, 'id', 'f0000000-0000-0000-0000-0000000000ff'), 'PT404', 404),
 ('conversation not completed', :member, NULL, 'put_conversation_feedback', 'tenant_id uuid, conversation_id uuid, body jsonb',
  json_build_object('tenant_id', :t, 'conversation_id', 'c0000000-0000-0000-0000-000000000002', 'body', json_build_object('rating', 'POSITIVE')),
  'PT409', 409);
SELECT unnest(ARRAY[is(r.sqlstate, e.sqlstate, format('%s: SQLSTATE %s', e.label, e.sqlstate)),
                    is(r.status, e.http, format('%s: HTTP %s', e.label, e.http))])
  FROM errors e, LATERAL pg_temp.request(e.sub, e.impersonate, 'POST', e.fn, e.args, e.body) r
 ORDER BY e.n;

SELECT * FROM finish();
ROLLBACK;
