#!/usr/bin/env bash
# test/dump.sh -- pg_dump of a database using the extension restores with
# its data.  The source holds golden examples of every kind; pg_dump leaves
# out those the feedback trigger rebuilds when the restore inserts their
# feedback, and the restored database must have the same rows, the same
# examples (approver and impersonator included; only the timestamps of the
# rebuilt ones are new), the same sequence and the same answers from the API.
# Run by test/run.sh against the private cluster (PGHOST etc. set); prints
# TAP lines, "not ok" for every planned check that did not pass or did not
# run, and exits non-zero when any check failed.
set -uo pipefail

source "$(dirname "$0")/tap.sh"

plan \
	"the source holds golden examples of every kind" \
	"a direct INSERT of an approved feedback gets its example from the trigger" \
	"pg_dump of a database using the extension" \
	"the dump holds exactly the golden examples the trigger does not rebuild" \
	"pg_restore --exit-on-error into an empty database" \
	"the source holds the data (an older idempotency key among it)" \
	"the restored database has the same rows, sequence and identity" \
	"the restored golden examples and their export are the same (content, activity, approver, impersonator)"
tmp=

cleanup() {
	[ -n "$tmp" ] && rm -rf "$tmp"
}

echo "1..$planned"
tmp="$(mktemp -d /tmp/feedback-dump.XXXXXX)" || exit 1
dump="$tmp/dump"
src=feedback_dump_src
dst=feedback_dump_dst

psql -qX \
	-c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
	-c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" >/dev/null

# The source.  Tenant aaaa..01 auto-approves positive feedback (a settings
# row written directly); tenant bbbb..02 keeps the defaults.  ada is an
# admin with can_impersonate, rita a reviewer, bob and carol members.
if ! q "$src" >"$tmp/setup.log" 2>&1 <<'SQL'; then
\set a '''aaaaaaaa-0000-0000-0000-000000000001'''
\set b '''bbbbbbbb-0000-0000-0000-000000000002'''
\set ada '''00000000-0000-0000-0000-000000000001'''
\set bob '''00000000-0000-0000-0000-000000000002'''
\set rita '''00000000-0000-0000-0000-000000000003'''
\set carol '''00000000-0000-0000-0000-000000000004'''
\set c1 '''cccccccc-0000-0000-0000-000000000001'''
\set c2 '''cccccccc-0000-0000-0000-000000000002'''
\set c3 '''cccccccc-0000-0000-0000-000000000003'''
\set m02 '''dddddddd-0000-0000-0000-000000000002'''
\set m04 '''dddddddd-0000-0000-0000-000000000004'''
\set m06 '''dddddddd-0000-0000-0000-000000000006'''
\set m08 '''dddddddd-0000-0000-0000-000000000008'''
\set m10 '''dddddddd-0000-0000-0000-000000000010'''
\set m12 '''dddddddd-0000-0000-0000-000000000012'''
\set m14 '''dddddddd-0000-0000-0000-000000000014'''
CREATE EXTENSION feedback CASCADE;
SELECT feedback.put_user(:ada, 'ada@example.com', true);
SELECT feedback.put_user(:bob, 'bob@example.com');
SELECT feedback.put_user(:rita, 'rita@example.com');
SELECT feedback.put_user(:carol, 'carol@example.com');
SELECT feedback.put_member(:a, :ada, 'admin');
SELECT feedback.put_member(:a, :bob);
SELECT feedback.put_member(:a, :rita, 'reviewer');
SELECT feedback.put_member(:a, :carol);
SELECT feedback.put_member(:b, :ada, 'admin');
SELECT feedback.put_member(:b, :bob);
SELECT feedback.put_conversation(:a, :c1, 'Pricing');
SELECT feedback.put_conversation(:a, :c2, 'Trials', 'sales-bot');
SELECT feedback.put_conversation(:b, :c3, 'Other tenant');
SELECT feedback.put_message(:a, 'dddddddd-0000-0000-0000-000000000001', :c1, 'user', 'How much?');
SELECT feedback.put_message(:a, :m02, :c1, 'assistant', '20 dollars.', 'dddddddd-0000-0000-0000-000000000001');
SELECT feedback.put_message(:a, 'dddddddd-0000-0000-0000-000000000003', :c1, 'user', 'And Team?');
SELECT feedback.put_message(:a, :m04, :c1, 'assistant', '50 dollars.', 'dddddddd-0000-0000-0000-000000000003');
SELECT feedback.put_message(:a, 'dddddddd-0000-0000-0000-000000000005', :c1, 'user', 'Is there a trial?');
SELECT feedback.put_message(:a, :m06, :c1, 'assistant', '14 days.', 'dddddddd-0000-0000-0000-000000000005');
SELECT feedback.put_message(:a, 'dddddddd-0000-0000-0000-000000000007', :c1, 'user', 'Refunds?');
SELECT feedback.put_message(:a, :m08, :c1, 'assistant', 'Within 30 days.', 'dddddddd-0000-0000-0000-000000000007');
SELECT feedback.put_message(:a, 'dddddddd-0000-0000-0000-000000000009', :c2, 'user', 'Can I extend it?');
SELECT feedback.put_message(:a, :m10, :c2, 'assistant', 'Ask sales.', 'dddddddd-0000-0000-0000-000000000009');
SELECT feedback.put_message(:a, 'dddddddd-0000-0000-0000-000000000011', :c1, 'user', 'Invoices?');
SELECT feedback.put_message(:a, :m12, :c1, 'assistant', 'Monthly, by email.', 'dddddddd-0000-0000-0000-000000000011');
SELECT feedback.put_message(:b, 'dddddddd-0000-0000-0000-000000000013', :c3, 'user', 'Hello?');
SELECT feedback.put_message(:b, :m14, :c3, 'assistant', 'Hello!', 'dddddddd-0000-0000-0000-000000000013');

-- feedback, its history and a rule written directly, as a bulk load would
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment, reasons, created_at, updated_at)
VALUES (:a, 'ffffffff-0000-0000-0000-000000000001', :c1, :m02, :bob, 'up', 'Exactly right', '{accurate}', now(), now());
INSERT INTO feedback.status_history (tenant_id, feedback_id, to_status, changed_at)
VALUES (:a, 'ffffffff-0000-0000-0000-000000000001', 'to_review', now());
INSERT INTO feedback.settings (tenant_id, rating, auto_approve, updated_at)
VALUES (:a, 'positive', true, now());

-- a reviewed positive example
SET feedback.user_id = :ada;
SELECT feedback.set_status(:a, 'ffffffff-0000-0000-0000-000000000001', 'reviewed', 'checked');
-- an auto-approved positive example
SET feedback.user_id = :carol;
SELECT feedback.submit(:a, :m02, 'up', 'Right again');
-- a reviewed negative example with a correction (active)
SET feedback.user_id = :bob;
SELECT feedback.submit(:a, :m04, 'down', 'Too expensive') ->> 'id' AS corrected \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:a, :'corrected', 'reviewed', 'corrected', corrected_response => '50 dollars a month.');
-- a reviewed negative example without a correction (inactive)
SET feedback.user_id = :carol;
SELECT feedback.submit(:a, :m04, 'down', 'Unclear') ->> 'id' AS uncorrected \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:a, :'uncorrected', 'reviewed', 'nothing to correct');
-- an example whose feedback went back to to_review (a resubmission)
SET feedback.user_id = :bob;
SELECT feedback.submit(:a, :m06, 'up', client_feedback_id => 'd0000000-0000-0000-0000-000000000001');
SELECT feedback.submit(:a, :m06, 'down', 'Actually only 7 days', client_feedback_id => 'd0000000-0000-0000-0000-000000000002');
-- approved by ada impersonating the reviewer
SET feedback.user_id = :carol;
SELECT feedback.submit(:a, :m08, 'down', 'Wrong policy') ->> 'id' AS impersonated \gset
SET feedback.user_id = :ada;
SET feedback.impersonate_email = 'rita@example.com';
SELECT feedback.set_status(:a, :'impersonated', 'reviewed', 'fixed by support',
       corrected_response => 'Within 14 days.');
-- given by ada impersonating a member, auto-approved
SET feedback.impersonate_email = 'carol@example.com';
SELECT feedback.submit(:a, :m12, 'up', 'Clear');
RESET feedback.impersonate_email;
-- an example of feedback dismissed after auto-approval (inactive)
SET feedback.user_id = :carol;
SELECT feedback.submit(:a, :m10, 'up') ->> 'id' AS dismissed \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:a, :'dismissed', 'dismissed', 'not helpful');
-- an example of deleted feedback (inactive)
SET feedback.user_id = :bob;
SELECT feedback.submit(:a, :m10, 'up') ->> 'id' AS deleted \gset
SELECT feedback.delete(:a, :'deleted');
-- an archived conversation
SELECT feedback.put_conversation(:a, :c2, 'Trials', 'sales-bot', is_archived => true);
-- a manual example
SET feedback.user_id = :rita;
SELECT feedback.add_golden_example(:a, :m02, '20 dollars a month.');
-- ungrouped feedback
SET feedback.user_id = :ada;
SELECT feedback.submit(:a, NULL, comment => 'ungrouped');
-- the second tenant: reviewed without auto-approval
SET feedback.user_id = :bob;
SELECT feedback.submit(:b, :m14, 'up', 'Friendly') ->> 'id' AS other \gset
SET feedback.user_id = :ada;
SELECT feedback.set_status(:b, :'other', 'reviewed');
SQL
	report 1 "$tmp/setup.log"
	skip_to "$planned" "not run: the source could not be populated"
	exit 1
fi

# Every kind of example the source must hold, and how many it holds (its
# kind, then its condition on the example g and its feedback f, if any).
while IFS='|' read -r kind cond; do
	count=$(q "$src" -c "SELECT count(*) FROM feedback.golden_example g
	                      LEFT JOIN feedback.feedback f ON f.tenant_id = g.tenant_id AND f.id = g.feedback_id
	                     WHERE $cond" 2>&1)
	echo "$kind: $count"
done >"$tmp/kinds" <<'KINDS'
auto-approved positive, active|g.approval_type = 'auto' AND g.source_type = 'positive' AND g.is_active AND f.status = 'auto_approved' AND g.approved_by IS NULL
reviewed positive, active|g.approval_type = 'manual' AND g.source_type = 'positive' AND g.is_active AND f.status = 'reviewed' AND g.approved_by IS NOT NULL
reviewed negative with a correction, active|g.source_type = 'negative' AND g.is_active AND f.status = 'reviewed' AND g.golden_response IS NOT NULL
reviewed negative without a correction, inactive|g.source_type = 'negative' AND NOT g.is_active AND f.status = 'reviewed' AND g.golden_response IS NULL
of feedback back in to_review after a resubmission, inactive|NOT g.is_active AND f.status = 'to_review'
of dismissed feedback, inactive|NOT g.is_active AND f.status = 'dismissed'
of deleted feedback, inactive|NOT g.is_active AND g.feedback_id IS NOT NULL AND f.id IS NULL
manual, active|g.source_type = 'manual' AND g.feedback_id IS NULL AND g.is_active AND g.approved_by IS NOT NULL
approved under impersonation, active|g.approved_by IS NOT NULL AND g.impersonated_by IS NOT NULL AND g.is_active
KINDS
! grep -qvE ': [1-9][0-9]*$' "$tmp/kinds"
report $? "$tmp/kinds"

# A feedback inserted directly, already reviewed (as a bulk load or a
# restore inserts it): the trigger makes its example, with the feedback's
# id, approved by its reviewer.
q "$src" >"$tmp/insert" 2>&1 <<'SQL'
\set a '''aaaaaaaa-0000-0000-0000-000000000001'''
\set f '''ffffffff-0000-0000-0000-000000000002'''
RESET feedback.user_id;
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment, status,
                               reviewed_by, reviewed_at, created_at, updated_at)
VALUES (:a, :f, 'cccccccc-0000-0000-0000-000000000001', 'dddddddd-0000-0000-0000-000000000006',
        '00000000-0000-0000-0000-000000000004', 'up', 'Loaded as reviewed', 'reviewed',
        '00000000-0000-0000-0000-000000000003', now(), now(), now());
SELECT 'its example: ' || coalesce((SELECT string_agg(g::text, '; ') FROM feedback.golden_example g
                                     WHERE g.tenant_id = :a AND g.feedback_id = :f), 'none')
 WHERE NOT EXISTS (SELECT FROM feedback.golden_example g
                    WHERE g.tenant_id = :a AND g.feedback_id = :f AND g.id = :f AND g.is_active
                      AND g.source_type = 'positive' AND g.approval_type = 'manual'
                      AND g.prompt = 'Is there a trial?' AND g.original_response = '14 days.'
                      AND g.golden_response = '14 days.'
                      AND g.approved_by = '00000000-0000-0000-0000-000000000003' AND g.impersonated_by IS NULL);
SQL
[ ! -s "$tmp/insert" ]
report $? "$tmp/insert"

pg_dump -Fc -d "$src" -f "$dump" >"$tmp/pg_dump.log" 2>&1
report $? "$tmp/pg_dump.log"

# The examples the dump holds as rows (the id column of its COPY data)
# against those the trigger does not rebuild: the manual ones and those
# whose feedback is gone or no longer approved.
{
	q "$src" -c "SELECT g.id FROM feedback.golden_example g
	              WHERE NOT EXISTS (SELECT FROM feedback.feedback f
	                                 WHERE f.tenant_id = g.tenant_id AND f.id = g.feedback_id
	                                   AND f.rating IS NOT NULL AND f.message_id IS NOT NULL
	                                   AND f.status IN ('auto_approved', 'reviewed'))
	              ORDER BY 1" >"$tmp/kept.expected" &&
		pg_restore -a -t golden_example -f - "$dump" |
		awk '/^COPY feedback\.golden_example /{
			     sub(/^[^(]*\(/, ""); sub(/\).*$/, ""); k = split($0, cols, ", ")
			     for (i = 1; i <= k; i++) if (cols[i] == "id") col = i
			     copying = 1; next }
		     copying && /^\\\.$/ { copying = 0; next }
		     copying { split($0, f, "\t"); print f[col] }' | sort >"$tmp/kept.dumped" &&
		[ -s "$tmp/kept.expected" ] &&
		diff -u --label "not rebuilt by the trigger" --label "in the dump" "$tmp/kept.expected" "$tmp/kept.dumped"
} >"$tmp/kept.diff" 2>&1
report $? "$tmp/kept.diff"

pg_restore -d "$dst" --exit-on-error "$dump" >"$tmp/pg_restore.log" 2>&1
report $? "$tmp/pg_restore.log"

# Every table of the extension, row by row in a stable order (a golden
# example without its timestamps: those the trigger rebuilt on restore are
# new), the sequence, and API calls, as text.
snapshot() {
	local t cols
	for t in $(q "$1" -c "SELECT relname FROM pg_class
	                       WHERE relnamespace = 'feedback'::regnamespace AND relkind = 'r' ORDER BY 1"); do
		echo "== $t"
		case "$t" in
		review_group_counts)
			# slots are per transaction; the counts are their sums
			q "$1" -c "SELECT tenant_id, archived, state, sum(groups) FROM feedback.$t
			            GROUP BY 1, 2, 3 HAVING sum(groups) <> 0 ORDER BY 1, 2, 3" 2>&1
			;;
		stats_counts)
			q "$1" -c "SELECT tenant_id, grain, bucket_start, agent_name, kind, source_surface, sum(feedback),
			                  sum(positive), sum(negative), sum(comment_only), sum(to_review),
			                  sum(auto_approved), sum(reviewed), sum(dismissed)
			             FROM feedback.$t GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(feedback) <> 0
			            ORDER BY 1, 2, 3, 4, 5, 6" 2>&1
			;;
		golden_example)
			cols=$(q "$1" -c "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
			                    FROM information_schema.columns
			                   WHERE table_schema = 'feedback' AND table_name = '$t'
			                     AND column_name NOT IN ('created_at', 'updated_at')")
			q "$1" -c "SELECT ROW($cols)::text FROM feedback.$t ORDER BY 1" 2>&1
			;;
		*)
			q "$1" -c "SELECT r::text FROM feedback.$t r ORDER BY 1" 2>&1
			;;
		esac
	done
	q "$1" 2>&1 <<'SQL'
SELECT 'next history id: ' || nextval('feedback.status_history_id_seq');
SET feedback.user_id = '00000000-0000-0000-0000-000000000002';
SELECT feedback.whoami('aaaaaaaa-0000-0000-0000-000000000001');
SET feedback.user_id = '00000000-0000-0000-0000-000000000001';
SELECT feedback.settings(t) FROM (VALUES ('aaaaaaaa-0000-0000-0000-000000000001'::uuid),
                                         ('bbbbbbbb-0000-0000-0000-000000000002')) AS v(t);
SELECT feedback.grouped_by_conversation(t, include_archived => true)
  FROM (VALUES ('aaaaaaaa-0000-0000-0000-000000000001'::uuid), ('bbbbbbbb-0000-0000-0000-000000000002')) AS v(t);
SELECT f.id, feedback.history(f.tenant_id, f.id) FROM feedback.feedback f ORDER BY f.tenant_id, f.id;
SELECT feedback.verify_review_groups(t)
  FROM (VALUES ('aaaaaaaa-0000-0000-0000-000000000001'::uuid), ('bbbbbbbb-0000-0000-0000-000000000002')) AS v(t);
SELECT feedback.stats(t, '2000-01-01', '2070-01-01', 'month', 'agent_name'), feedback.verify_stats(t)
  FROM (VALUES ('aaaaaaaa-0000-0000-0000-000000000001'::uuid), ('bbbbbbbb-0000-0000-0000-000000000002')) AS v(t);
SQL
}

# The golden examples of each tenant through the API, without their
# timestamps, by id; then the lines of the fine-tuning export, sorted (it
# runs oldest first, and the rebuilt examples are new).
examples() {
	q "$1" 2>&1 <<'SQL'
SET feedback.user_id = '00000000-0000-0000-0000-000000000001';
SELECT t, p -> 'count', e - 'created_at' - 'updated_at'
  FROM (VALUES ('aaaaaaaa-0000-0000-0000-000000000001'::uuid), ('bbbbbbbb-0000-0000-0000-000000000002')) AS v(t),
       feedback.golden_examples(t, false) p,
       jsonb_array_elements(p -> 'results') e
 ORDER BY 1, e ->> 'id';
SELECT t, x.line
  FROM (VALUES ('aaaaaaaa-0000-0000-0000-000000000001'::uuid), ('bbbbbbbb-0000-0000-0000-000000000002')) AS v(t),
       feedback.export_golden_examples(t) AS x(line)
 ORDER BY 1, x.line::text;
SQL
}

snapshot "$src" >"$tmp/src.rows"
snapshot "$dst" >"$tmp/dst.rows"
[ "$(grep -c "Exactly right" "$tmp/src.rows")" -ge 2 ] && grep -q "20 dollars a month" "$tmp/src.rows" &&
	grep -q "d0000000-0000-0000-0000-000000000001" "$tmp/src.rows" &&
	! grep -q '^ERROR' "$tmp/src.rows"
report $? "$tmp/src.rows"

diff -u --label source --label restored "$tmp/src.rows" "$tmp/dst.rows" >"$tmp/rows.diff"
report $? "$tmp/rows.diff"

examples "$src" >"$tmp/src.examples"
examples "$dst" >"$tmp/dst.examples"
{
	grep -q '"approved_by": {' "$tmp/src.examples" && grep -q '"impersonated_by": {' "$tmp/src.examples" ||
		echo "the source's examples name no approver or no impersonator"
	diff -u --label source --label restored "$tmp/src.examples" "$tmp/dst.examples"
} >"$tmp/examples.diff"
[ ! -s "$tmp/examples.diff" ]
report $? "$tmp/examples.diff"

psql -qX -c "DROP DATABASE $src" -c "DROP DATABASE $dst" >/dev/null
