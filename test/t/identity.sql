-- Who is calling: acting user from feedback.user_id or the JWT sub claim,
-- membership roles, impersonation by email.  Every refusal is 42501.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION feedback CASCADE;
\ir helpers/distribute.psql
SELECT plan(35);

\set tenant '''aaaaaaaa-0000-0000-0000-000000000001'''
\set other_tenant '''aaaaaaaa-0000-0000-0000-000000000002'''
\set member '''00000000-0000-0000-0000-000000000001'''
\set reviewer '''00000000-0000-0000-0000-000000000002'''
\set admin '''00000000-0000-0000-0000-000000000003'''
\set outsider '''00000000-0000-0000-0000-000000000004'''
\set support '''00000000-0000-0000-0000-000000000005'''
\set support_member '''00000000-0000-0000-0000-000000000006'''

SELECT feedback.put_user(:member, 'member@example.com');
SELECT feedback.put_user(:reviewer, 'reviewer@example.com');
SELECT feedback.put_user(:admin, 'admin@example.com');
SELECT feedback.put_user(:outsider, 'outsider@example.com');
SELECT feedback.put_user(:support, 'support@example.com', can_impersonate => true);
SELECT feedback.put_user(:support_member, 'support-member@example.com', can_impersonate => true);
SELECT feedback.put_member(:tenant, :member, 'member');
SELECT feedback.put_member(:tenant, :reviewer, 'reviewer');
SELECT feedback.put_member(:tenant, :admin, 'admin');
SELECT feedback.put_member(:tenant, :support_member, 'member');
SELECT feedback.put_member(:other_tenant, :outsider, 'admin');

-- No acting user.
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', 'no acting user',
                 'no setting and no JWT: 42501');
SET LOCAL feedback.user_id = '';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', 'no acting user',
                 'an empty setting counts as unset');

-- The setting.
SET LOCAL feedback.user_id = 'not-a-uuid';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', NULL,
                 'an acting user that is not a uuid: 42501');
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000ff';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', NULL,
                 'an unknown acting user: 42501');
SET LOCAL feedback.user_id = :member;
SELECT is(feedback.whoami(:tenant)->>'role', 'member', 'a member resolves with its role');
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'member@example.com', 'the acting user is the setting');
SELECT is(feedback.whoami(:tenant)->'impersonated_by', 'null'::jsonb, 'not impersonated');
SET LOCAL feedback.user_id = :reviewer;
SELECT is(feedback.whoami(:tenant)->>'role', 'reviewer', 'a reviewer resolves with its role');
SET LOCAL feedback.user_id = :admin;
SELECT is(feedback.whoami(:tenant)->>'role', 'admin', 'an admin resolves with its role');
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :other_tenant), '42501', NULL,
                 'a member of one tenant is refused on another');
SET LOCAL feedback.user_id = :outsider;
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', NULL,
                 'a known user who is not a member: 42501');
SELECT throws_ok('SELECT feedback.whoami(NULL)', '22023', 'tenant_id must not be null',
                 'a NULL tenant: 22023');
SELECT throws_ok($$SELECT feedback.whoami('nope')$$, '22P02', NULL, 'a malformed tenant uuid: 22P02');

-- The JWT sub claim of a verified token; with a token, the setting is not read.
SET LOCAL feedback.user_id = '';
SET LOCAL request.jwt.claims = '{"sub": "00000000-0000-0000-0000-000000000002", "role": "web"}';
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'reviewer@example.com', 'the JWT sub claim names the acting user');
SET LOCAL feedback.user_id = :admin;
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'reviewer@example.com', 'the token wins over the setting');
SET LOCAL feedback.user_id = '';
SET LOCAL request.jwt.claims = '{"role": "web"}';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', 'no acting user', 'claims without sub: 42501');
SET LOCAL request.jwt.claims = '{"sub": 42}';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', 'no acting user', 'a sub that is not a string: 42501');
SET LOCAL request.jwt.claims = '{"sub": "00000000-0000-0000-0000-000000000002"';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', 'no acting user', 'malformed claims: 42501');
SET LOCAL request.jwt.claims = '{"nested": {"sub": "00000000-0000-0000-0000-000000000002"}}';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', 'no acting user', 'only a top-level sub counts');
SET LOCAL request.jwt.claims = '{"sub": "not-a-uuid"}';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', NULL, 'a sub that is not a uuid: 42501');
SET LOCAL request.jwt.claims = '';

-- Impersonation.
SET LOCAL feedback.user_id = :member;
SET LOCAL feedback.impersonate_email = 'reviewer@example.com';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501',
                 'user member@example.com may not impersonate other users',
                 'impersonation without can_impersonate: 42501');
SET LOCAL feedback.user_id = :support;
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'reviewer@example.com', 'can_impersonate acts as the member');
SELECT is(feedback.whoami(:tenant)->>'role', 'reviewer', 'with the role of the impersonated member');
SELECT is(feedback.whoami(:tenant)->'impersonated_by'->>'email', 'support@example.com', 'and records the impersonator');
SET LOCAL feedback.impersonate_email = 'REVIEWER@Example.COM';
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'reviewer@example.com', 'the email matches case-insensitively');
SET LOCAL feedback.impersonate_email = 'outsider@example.com';
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', NULL,
                 'a non-member target falls back to the acting user, itself no member here');
SET LOCAL feedback.user_id = :support_member;
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'support-member@example.com', 'a non-member target: the call proceeds as the acting user');
SELECT is(feedback.whoami(:tenant)->'impersonated_by', 'null'::jsonb, 'and is not impersonated');
SET LOCAL feedback.impersonate_email = 'nobody@example.com';
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'support-member@example.com', 'an unknown email: the call proceeds as the acting user');
SET LOCAL feedback.impersonate_email = 'admin@example.com';
SELECT is(feedback.whoami(:tenant)->>'role', 'admin', 'a member with can_impersonate can act as an admin');

-- Impersonation from PostgREST's request.headers.
SET LOCAL feedback.impersonate_email = '';
SET LOCAL request.headers = '{"x-impersonate-email": "member@example.com", "accept": "*/*"}';
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'member@example.com', 'the x-impersonate-email header impersonates');
SET LOCAL feedback.user_id = :admin;
SELECT throws_ok(format('SELECT feedback.whoami(%L)', :tenant), '42501', NULL,
                 'the header without can_impersonate: 42501');
SET LOCAL request.headers = '{"x-impersonate-email": ""}';
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'admin@example.com', 'an empty header is no impersonation');
SET LOCAL request.headers = 'garbage';
SELECT is(feedback.whoami(:tenant)->'user'->>'email', 'admin@example.com', 'malformed headers are ignored');

-- Impersonation through the JWT: the sub claim is the impersonator.
SET LOCAL feedback.user_id = '';
SET LOCAL request.jwt.claims = '{"sub": "00000000-0000-0000-0000-000000000005"}';
SET LOCAL request.headers = '{"x-impersonate-email": "member@example.com"}';
SELECT is(feedback.whoami(:tenant)->'impersonated_by'->>'email', 'support@example.com', 'JWT user impersonating through the header');

SELECT * FROM finish();
ROLLBACK;
