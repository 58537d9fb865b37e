#!/usr/bin/env bash
# test/encodings.sh -- the extension in databases that are not UTF-8:
# CREATE EXTENSION succeeds in a LATIN1, an EUC_JP and an SQL_ASCII
# database (the scripts are read in the database's encoding), and the main
# path works there: the chat backend's ingest, a user's feedback by a
# rating word, an email with a character of that encoding, the queue and
# the export.
# Run by test/run.sh against the private cluster (PGHOST etc. set), as a
# superuser; prints TAP lines and exits non-zero when a check failed.
set -uo pipefail

source "$(dirname "$0")/tap.sh"
tmp=
ENCODINGS="LATIN1 EUC_JP SQL_ASCII"

cleanup() {
	local e
	for e in $ENCODINGS; do
		psql -qX -d postgres -c "DROP DATABASE IF EXISTS feedback_enc_${e,,}" >/dev/null 2>&1
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}

for e in $ENCODINGS; do
	plan "CREATE EXTENSION feedback in a $e database" "ingest, feedback, the queue and the export in a $e database"
done
echo "1..$planned"
tmp="$(mktemp -d /tmp/feedback-encodings.XXXXXX)" || exit 1

for e in $ENCODINGS; do
	db="feedback_enc_${e,,}"
	psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" \
		-c "CREATE DATABASE $db TEMPLATE template0 ENCODING '$e' LC_COLLATE 'C' LC_CTYPE 'C'" >"$tmp/$e.create" 2>&1 &&
		q "$db" -c 'CREATE EXTENSION feedback CASCADE' >>"$tmp/$e.create" 2>&1
	created=$?
	report $created "$tmp/$e.create"
	if [ "$created" -ne 0 ]; then
		skip_to $((n + 1)) "the extension is not installed"
		continue
	fi
	# a letter of the encoding in the email: e acute in LATIN1, a kanji in EUC_JP
	case "$e" in
		LATIN1) letter="convert_from('\xe9'::bytea, 'LATIN1')" ;;
		EUC_JP) letter="convert_from('\xb0a1'::bytea, 'EUC_JP')" ;;
		*) letter="'e'" ;;
	esac
	q "$db" >"$tmp/$e.out" 2>&1 <<SQL
\\set t '7e000000-0000-0000-0000-000000000001'
SELECT count(*) FROM (VALUES
    (feedback.put_user('00000000-0000-0000-0000-0000000000a1',
                       'ren' || $letter || '@example.com')),
    (feedback.put_user('00000000-0000-0000-0000-0000000000e1', 'rita@example.com')),
    (feedback.put_member(:'t', '00000000-0000-0000-0000-0000000000a1')),
    (feedback.put_member(:'t', '00000000-0000-0000-0000-0000000000e1', 'reviewer')),
    (feedback.put_conversation(:'t', 'c0000000-0000-0000-0000-000000000001', 'Pricing')),
    (feedback.put_message(:'t', 'a0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001',
                          'user', 'How much is Pro?')),
    (feedback.put_message(:'t', 'a0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000001',
                          'assistant', 'Pro is 20 dollars a month.'))) AS mirrored(x);
BEGIN;
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000a1';
SELECT feedback.submit(:'t', 'a0000000-0000-0000-0000-000000000002', 'thumbs_down', 'Outdated') ->> 'status';
COMMIT;
BEGIN;
SET LOCAL feedback.user_id = '00000000-0000-0000-0000-0000000000e1';
SELECT feedback.grouped_by_conversation(:'t') ->> 'count';
SELECT feedback.set_status(:'t', f.id, 'reviewed', corrected_response => 'Pro is 25 dollars a month.') ->> 'status'
  FROM feedback.feedback f WHERE f.tenant_id = :'t';
SELECT line -> 'messages' -> -1 ->> 'content' FROM feedback.export_golden_examples(:'t') AS line;
COMMIT;
SQL
	ran=$?
	printf '7\nto_review\n1\nreviewed\nPro is 25 dollars a month.\n' >"$tmp/$e.want"
	if [ "$ran" -eq 0 ] && diff "$tmp/$e.want" "$tmp/$e.out" >"$tmp/$e.diff" 2>&1; then
		report 0
	else
		cat "$tmp/$e.out" >>"$tmp/$e.diff"
		report 1 "$tmp/$e.diff"
	fi
done

[ "$failed" -eq 0 ]
