#!/usr/bin/env bash
# test/dump.sh -- pg_dump of a database using the extension restores with
# its data.  Run by test/run.sh against the private cluster; prints TAP lines.
set -uo pipefail

dump="$(mktemp /tmp/feedback-dump.XXXXXX)"
trap 'rm -f "$dump" "$dump".a "$dump".b' EXIT
n=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

psql -qX -c 'DROP DATABASE IF EXISTS feedback_dump_src' -c 'DROP DATABASE IF EXISTS feedback_dump_dst' \
	-c 'CREATE DATABASE feedback_dump_src' -c 'CREATE DATABASE feedback_dump_dst' >/dev/null
psql -qX -d feedback_dump_src -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION feedback CASCADE;
SELECT feedback.put_user('00000000-0000-0000-0000-000000000001', 'ada@example.com', true);
SELECT feedback.put_user('00000000-0000-0000-0000-000000000002', 'bob@example.com');
SELECT feedback.put_member('aaaaaaaa-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001', 'admin');
SELECT feedback.put_member('aaaaaaaa-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002');
SELECT feedback.put_conversation('aaaaaaaa-0000-0000-0000-000000000001', 'cccccccc-0000-0000-0000-000000000001', 'Pricing');
SELECT feedback.put_message('aaaaaaaa-0000-0000-0000-000000000001', 'dddddddd-0000-0000-0000-000000000001',
       'cccccccc-0000-0000-0000-000000000001', 'user', 'How much?');
SELECT feedback.put_message('aaaaaaaa-0000-0000-0000-000000000001', 'dddddddd-0000-0000-0000-000000000002',
       'cccccccc-0000-0000-0000-000000000001', 'assistant', '20 dollars.', 'dddddddd-0000-0000-0000-000000000001');
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, user_id, rating, comment, reasons, created_at, updated_at)
VALUES ('aaaaaaaa-0000-0000-0000-000000000001', 'ffffffff-0000-0000-0000-000000000001', 'cccccccc-0000-0000-0000-000000000001',
        'dddddddd-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000002', 'up', 'Exactly right', '{accurate}', now(), now());
INSERT INTO feedback.status_history (tenant_id, feedback_id, to_status, changed_at)
VALUES ('aaaaaaaa-0000-0000-0000-000000000001', 'ffffffff-0000-0000-0000-000000000001', 'to_review', now());
INSERT INTO feedback.settings (tenant_id, rating, auto_approve, updated_at)
VALUES ('aaaaaaaa-0000-0000-0000-000000000001', 'positive', true, now());
SET feedback.user_id = '00000000-0000-0000-0000-000000000001';
SELECT feedback.set_status('aaaaaaaa-0000-0000-0000-000000000001', 'ffffffff-0000-0000-0000-000000000001',
       'reviewed', 'checked');
SELECT feedback.add_golden_example('aaaaaaaa-0000-0000-0000-000000000001', 'dddddddd-0000-0000-0000-000000000002',
       '20 dollars a month.');
SELECT feedback.submit('aaaaaaaa-0000-0000-0000-000000000001', NULL, comment => 'ungrouped');
SQL

# Every table of the extension, row by row in a stable order, and the
# sequence and an API call, as text.
snapshot() {
	local t
	for t in $(psql -qXAt -d "$1" -c "SELECT relname FROM pg_class
	            WHERE relnamespace = 'feedback'::regnamespace AND relkind = 'r' ORDER BY 1"); do
		echo "== $t"
		if [ "$t" = review_group_counts ]; then
			# slots are per backend; the counts are their sums
			psql -qXAt -d "$1" -c "SELECT tenant_id, archived, state, sum(groups) FROM feedback.$t
			                       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
		else
			psql -qXAt -d "$1" -c "SELECT r::text FROM feedback.$t r ORDER BY 1"
		fi
	done
	psql -qXAt -d "$1" <<'SQL'
SELECT 'next history id: ' || nextval('feedback.status_history_id_seq');
SET feedback.user_id = '00000000-0000-0000-0000-000000000002';
SELECT feedback.whoami('aaaaaaaa-0000-0000-0000-000000000001');
SET feedback.user_id = '00000000-0000-0000-0000-000000000001';
SELECT feedback.grouped_by_conversation('aaaaaaaa-0000-0000-0000-000000000001', include_archived => true);
SELECT feedback.golden_examples('aaaaaaaa-0000-0000-0000-000000000001', false);
SELECT feedback.verify_review_groups('aaaaaaaa-0000-0000-0000-000000000001');
SQL
}

pg_dump -Fc -d feedback_dump_src -f "$dump"
check $? "pg_dump of a database using the extension"
pg_restore -d feedback_dump_dst --exit-on-error "$dump"
check $? "pg_restore into an empty database"
snapshot feedback_dump_src >"$dump.a"
snapshot feedback_dump_dst >"$dump.b"
[ "$(grep -c "Exactly right" "$dump.a")" -ge 2 ] && grep -q "20 dollars a month" "$dump.a"
check $? "the source holds the data"
diff -u "$dump.a" "$dump.b"
check $? "the restored database has the same rows, sequence and identity"
psql -qX -c 'DROP DATABASE feedback_dump_src' -c 'DROP DATABASE feedback_dump_dst' >/dev/null

