#!/usr/bin/env bash
# test/selftest.sh -- the runners cannot pass vacuously: each is fed a
# broken input and must fail, and where it can pass, a sound input shows
# that it does.
#   - valgrind (test/valgrind.sh): a `valgrind` that only runs its
#     arguments, one that also claims to be valgrind, memcheck logs that are
#     missing, headerless or name the extension in an error, a suite that
#     reported nothing;
#   - soak (test/soak.sh, test/soak/*.sql): an invariant that errors or
#     prints nothing, a state each invariant must catch (one corruption
#     each), an error mix with an unexpected SQLSTATE, a provocation that
#     succeeded, a bound exceeded, a required error never seen, and a whole
#     soak whose identity layer refuses a member;
#   - fuzz (test/fuzz.sql): a review queue the triggers do not keep, calls
#     that accept nothing, a parser that rejects the accepted words, an
#     undocumented SQLSTATE;
#   - test/dump.sh, test/upgrade.sh, test/reference.sh, test/doctest.sh and test/encodings.sh
#     without a server;
#   - test/worker.sh without a server, and with a reference that lost its
#     worker batch.
# Prints TAP lines ("ok N - ..." / "not ok N - ...") and
# "selftest: N checks, M failed"; exits non-zero on any failure.  Runs its
# own private cluster; about half a minute.

source "$(dirname "$0")/harness.sh"
set +e
set -u

cd "$TOP" || exit 1
WORK="$(mktemp -d /tmp/feedback-selftest.XXXXXX)" || exit 1
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

st_n=0
st_failed=0
# st_report STATUS NAME [OUTPUT-FILE]: a TAP line; on failure the output's
# last lines follow as TAP comments.
st_report() {
	st_n=$((st_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $st_n - $2"
	else
		st_failed=$((st_failed + 1))
		echo "not ok $st_n - $2"
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			tail -n 15 "$3" | sed 's/^/#   /'
		fi
	fi
}

# st_fails RC FILE PATTERN...: the run exited non-zero and its output FILE
# matches every extended regular expression PATTERN.
st_fails() {
	local rc="$1" file="$2" p
	shift 2
	[ "$rc" -ne 0 ] || return 1
	for p in "$@"; do
		grep -qE -- "$p" "$file" || return 1
	done
}

harness_setup >/dev/null || { echo "not ok 1 - the extension builds and installs"; exit 1; }
cluster_start || { echo "not ok 1 - a private cluster starts"; exit 1; }
trap 'cluster_stop; rm -rf "$WORK"' EXIT
export PGOPTIONS="-c client_min_messages=warning"

##############################################################################
# valgrind
##############################################################################
source "$TOP/test/valgrind.sh"
mkdir -p "$WORK/bin-exec" "$WORK/bin-claims"
# a valgrind that only runs its arguments
cat >"$WORK/bin-exec/valgrind" <<'STUB'
#!/bin/sh
exec "$@"
STUB
# one that also claims to be valgrind, and runs the program without it
cat >"$WORK/bin-claims/valgrind" <<'STUB'
#!/bin/sh
[ "$1" = --version ] && { echo valgrind-3.19.0; exit 0; }
while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do shift; done
exec "$@"
STUB
chmod 755 "$WORK/bin-exec" "$WORK/bin-claims" "$WORK/bin-exec/valgrind" "$WORK/bin-claims/valgrind"

PATH="$WORK/bin-exec:$PATH" VALGRIND_NO_SETUP=1 bash test/valgrind.sh >"$WORK/vg-exec.out" 2>&1
st_fails $? "$WORK/vg-exec.out" 'not valgrind-3\.x' '^0 passed, 1 failed$'
st_report $? "valgrind.sh fails when valgrind is a script that only runs its arguments" "$WORK/vg-exec.out"

PATH="$WORK/bin-claims:$PATH" VALGRIND_NO_SETUP=1 VALGRIND_START_TIMEOUT=60 bash test/valgrind.sh >"$WORK/vg-claims.out" 2>&1
st_fails $? "$WORK/vg-claims.out" "not valgrind's memcheck" '^0 passed, 1 failed$'
st_report $? "valgrind.sh fails when a valgrind that claims to be one starts the server without memcheck" "$WORK/vg-claims.out"

# memcheck logs: the postmaster (pid 100) and a backend (pid 101)
vg_log() {	# PID [ERROR-FRAME]: a log as memcheck writes it
	printf '==%s== Memcheck, a memory error detector\n==%s== Command: postgres -D data\n==%s== \n' "$1" "$1" "$1"
	if [ -n "${2:-}" ]; then
		printf '==%s== Conditional jump or move depends on uninitialised value(s)\n' "$1"
		printf '==%s==    at 0x4A0B1C: %s\n' "$1" "$2"
		printf '==%s==    by 0x4A0B2D: PostgresMain (in /usr/lib/postgresql/15/bin/postgres)\n==%s== \n' "$1" "$1"
	fi
	printf '==%s== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)\n' "$1"
}
mkdir -p "$WORK/vg-empty" "$WORK/vg-plain" "$WORK/vg-ours" "$WORK/vg-clean"
echo "LOG:  database system is ready" >"$WORK/vg-plain/vg.100"
echo "LOG:  connection received" >"$WORK/vg-plain/vg.101"
vg_log 100 >"$WORK/vg-ours/vg.100"
vg_log 101 'ReviewGroupDelta (queue.c:412)' >"$WORK/vg-ours/vg.101"
vg_log 100 'hash_search (in /usr/lib/postgresql/15/bin/postgres)' >"$WORK/vg-clean/vg.100"
vg_log 101 >"$WORK/vg-clean/vg.101"

vg_reports_check "$WORK/vg-empty" 100 "$TOP" >"$WORK/vg-empty.out" 2>&1
st_fails $? "$WORK/vg-empty.out" 'valgrind did not run the server'
st_report $? "the memcheck check fails without any memcheck log" "$WORK/vg-empty.out"

vg_reports_check "$WORK/vg-plain" 100 "$TOP" >"$WORK/vg-plain.out" 2>&1
st_fails $? "$WORK/vg-plain.out" '2 log file\(s\), 0 with memcheck' 'valgrind did not run the server'
st_report $? "the memcheck check fails on logs without memcheck's header" "$WORK/vg-plain.out"

vg_reports_check "$WORK/vg-ours" 100 "$TOP" >"$WORK/vg-ours.out" 2>&1
st_fails $? "$WORK/vg-ours.out" '1 with a frame in the extension' 'ReviewGroupDelta'
st_report $? "the memcheck check fails on an error with a frame in the extension's source" "$WORK/vg-ours.out"

vg_reports_check "$WORK/vg-clean" 100 "$TOP" >"$WORK/vg-clean.out" 2>&1
[ $? -eq 0 ] && grep -q '1 error record(s) in all, 0 with a frame in the extension' "$WORK/vg-clean.out"
st_report $? "the memcheck check passes clean logs (an error of the server's own is listed, not counted)" "$WORK/vg-clean.out"

(vg_summary 0 0 && exit 1; vg_summary 12 1 && exit 1; vg_summary 12 0) >"$WORK/vg-summary.out" 2>&1
st_report $? "valgrind.sh's verdict fails when the suites report nothing or a failure" "$WORK/vg-summary.out"

##############################################################################
# soak
##############################################################################
source "$TOP/test/soak.sh"
T=7e000000-0000-4000-8000-00000000500a
INV="$TOP/test/soak/invariants.sql"
psql -qX -c 'CREATE DATABASE selftest_soak' >/dev/null
export PGDATABASE=selftest_soak
psql -qX -v ON_ERROR_STOP=1 -v t="$T" -f test/soak/setup.sql >"$WORK/soak-setup.out" 2>&1 &&
	psql -qXAt -v ON_ERROR_STOP=1 -c "SELECT count(soak.op('$T')) FROM generate_series(1, 1000)" >>"$WORK/soak-setup.out" 2>&1
st_report $? "the soak's setup and a thousand operations run" "$WORK/soak-setup.out"

# soak_invariants in a subshell: its counters stay there
(soak_invariants "$INV" "$T" "$WORK") >"$WORK/inv-sound.out" 2>&1
! grep -q '^not ok' "$WORK/inv-sound.out" && grep -q '^ok .* - every invariant ran' "$WORK/inv-sound.out"
st_report $? "the invariants hold after a sound workload" "$WORK/inv-sound.out"

{ sed -n '1,/^SELECT /{/^SELECT /!p}' "$INV"; echo "SELECT 'an invariant that errors', 1 / 0;"; sed -n '/^SELECT /,$p' "$INV"; } \
	>"$WORK/inv-error.sql"
(soak_invariants "$WORK/inv-error.sql" "$T" "$WORK") >"$WORK/inv-error.out" 2>&1
grep -qE '^not ok [0-9]+ - every invariant ran \(0 result lines of [0-9]+ invariants, psql exit 3\)' "$WORK/inv-error.out"
st_report $? "the soak fails when an invariant errors" "$WORK/inv-error.out"

{ cat "$INV"; echo "SELECT 'an invariant that prints nothing', 0 WHERE false;"; } >"$WORK/inv-silent.sql"
(soak_invariants "$WORK/inv-silent.sql" "$T" "$WORK") >"$WORK/inv-silent.out" 2>&1
grep -qE '^not ok [0-9]+ - every invariant ran \([0-9]+ result lines of [0-9]+ invariants, psql exit 0\)' "$WORK/inv-silent.out"
st_report $? "the soak fails when an invariant prints no line" "$WORK/inv-silent.out"

# Each corruption, made in a transaction with the triggers off and rolled
# back, must fail the invariant whose label matches.
corrupt() {	# LABEL-PATTERN SQL WHAT
	local out="$WORK/corrupt.$st_n"
	{
		echo "BEGIN;"
		echo "SET LOCAL session_replication_role = replica;"
		echo "$2"
		cat "$INV"
		echo "ROLLBACK;"
	} >"$out.sql"
	(soak_invariants "$out.sql" "$T" "$WORK") >"$out" 2>&1
	grep -qE "^not ok [0-9]+ - .*$1" "$out" && grep -qE '^ok [0-9]+ - every invariant ran' "$out"
	st_report $? "an invariant catches: $3" "$out"
}
corrupt 'review queue of every tenant' \
	"UPDATE feedback.review_groups SET to_review_count = to_review_count + 1
	  WHERE group_id = (SELECT group_id FROM feedback.review_groups ORDER BY group_id LIMIT 1);" \
	"a queue group's count off by one (verify_review_groups)"
corrupt 'every queue group counts its feedback' \
	"UPDATE feedback.review_groups SET latest_updated_at = latest_updated_at - interval '1 hour'
	  WHERE group_id = (SELECT group_id FROM feedback.review_groups ORDER BY group_id LIMIT 1);" \
	"a queue group's latest change that is not its feedback's"
corrupt "golden example's activity" \
	"UPDATE feedback.golden_example SET is_active = NOT is_active
	  WHERE id = (SELECT id FROM feedback.golden_example WHERE feedback_id IS NOT NULL ORDER BY id LIMIT 1);" \
	"an example active against its feedback's state"
corrupt 'has its example' \
	"DELETE FROM feedback.golden_example WHERE feedback_id = (SELECT id FROM feedback.feedback
	  WHERE status = 'auto_approved' AND rating IS NOT NULL AND message_id IS NOT NULL ORDER BY id LIMIT 1);" \
	"an approved feedback without its example"
corrupt 'teaches the answer' \
	"UPDATE feedback.golden_example SET golden_response = 'something else'
	  WHERE id = (SELECT id FROM feedback.golden_example WHERE is_active AND feedback_id IS NOT NULL ORDER BY id LIMIT 1);" \
	"an active example teaching another answer"
corrupt 'history chain is unbroken' \
	"UPDATE feedback.status_history SET from_status = CASE WHEN from_status = 'dismissed' THEN 'reviewed' ELSE 'dismissed' END
	  WHERE id = (SELECT max(h.id) FROM feedback.status_history h WHERE (SELECT count(*) FROM feedback.status_history o
	               WHERE o.tenant_id = h.tenant_id AND o.feedback_id = h.feedback_id) > 1);" \
	"a history entry that starts elsewhere than the last one ended"
corrupt 'current status is where its history ends' \
	"UPDATE feedback.feedback SET status = 'dismissed', reviewed_by = '00000000-0000-4000-8000-000000000006', reviewed_at = now()
	  WHERE id = (SELECT id FROM feedback.feedback WHERE status = 'to_review' ORDER BY id LIMIT 1);" \
	"a status changed without its history"
corrupt 'only changes of the transition table' \
	"INSERT INTO feedback.status_history (tenant_id, feedback_id, from_status, to_status, changed_by, changed_at)
	 SELECT tenant_id, id, status, status, '00000000-0000-4000-8000-000000000006', now()
	   FROM feedback.feedback WHERE status = 'reviewed' ORDER BY id LIMIT 1;" \
	"a history entry from a status to itself"
corrupt "author or a reviewer of its tenant" \
	"UPDATE feedback.status_history SET changed_by = '00000000-0000-4000-8000-000000000009'
	  WHERE id = (SELECT min(id) FROM feedback.status_history WHERE to_status = 'reviewed');" \
	"a review by someone who is no reviewer of the tenant"
corrupt 'reviewed_by and reviewed_at' \
	"UPDATE feedback.feedback SET reviewed_at = NULL
	  WHERE id = (SELECT id FROM feedback.feedback WHERE status IN ('reviewed', 'dismissed') ORDER BY id LIMIT 1);" \
	"a reviewed feedback without its review time"
corrupt "member author's own" \
	"UPDATE feedback.feedback SET user_id = '00000000-0000-4000-8000-000000000009'
	  WHERE id = (SELECT id FROM feedback.feedback WHERE message_id IS NULL ORDER BY id LIMIT 1);" \
	"a feedback by someone who is no member"
corrupt 'never changes is as set up' \
	"UPDATE feedback.feedback SET corrected_response = 'worse' WHERE message_id = 'a0000000-0000-4000-8000-000000000512';" \
	"the feedback the workload must not change, changed"

# the error mix: sound, then one wrong outcome at a time
(soak_error_mix "$WORK") >"$WORK/mix-sound.out" 2>&1
grep -qE '^ok [0-9]+ - every call' "$WORK/mix-sound.out"
st_report $? "the error mix of a sound workload passes" "$WORK/mix-sound.out"
mix_fails() {	# VERDICT-PATTERN NAME SQL-TO-BREAK SQL-TO-REPAIR
	psql -qX -v ON_ERROR_STOP=1 -c "$3" >"$WORK/mix.out" 2>&1 &&
		(soak_error_mix "$WORK") >>"$WORK/mix.out" 2>&1
	grep -qE '^not ok [0-9]+ - every call' "$WORK/mix.out" && grep -qE "$1" "$WORK/mix.out"
	st_report $? "the error mix fails on $2" "$WORK/mix.out"
	psql -qX -c "$4" >/dev/null
}
mix_fails 'submit +XX000 .*UNEXPECTED' "an internal error (XX000) from an allowed call" \
	"INSERT INTO soak.outcomes VALUES ('submit', 'XX000', 'injected')" \
	"DELETE FROM soak.outcomes WHERE message = 'injected'"
mix_fails 'submit +42501 .*UNEXPECTED' "42501 from a member's allowed submit" \
	"INSERT INTO soak.outcomes VALUES ('submit', '42501', 'injected')" \
	"DELETE FROM soak.outcomes WHERE message = 'injected'"
mix_fails 'member_reads_queue +ok .*UNEXPECTED' "a provocation that succeeded" \
	"INSERT INTO soak.outcomes VALUES ('member_reads_queue', 'ok', 'injected')" \
	"DELETE FROM soak.outcomes WHERE message = 'injected'"
mix_fails 'submit +40P01 .*TOO OFTEN' "deadlocks beyond their bound" \
	"INSERT INTO soak.outcomes SELECT 'submit', '40P01', 'injected' FROM generate_series(1, 100)" \
	"DELETE FROM soak.outcomes WHERE message = 'injected'"
mix_fails 'no_acting_user +42501 .*NEVER SEEN' "a provocation that never ran" \
	"DELETE FROM soak.outcomes WHERE op = 'no_acting_user'" \
	"SELECT 1"

# a whole soak whose identity layer refuses a member, with an invariant
# that errors
{ cat test/soak/setup.sql
  echo "DELETE FROM feedback.memberships WHERE tenant_id = :'t' AND user_id = '00000000-0000-4000-8000-000000000003';"
} >"$WORK/setup-broken.sql"
SOAK_SECONDS=2 SOAK_CRASH=0 SOAK_CLIENTS=2 SOAK_SETUP="$WORK/setup-broken.sql" \
	SOAK_INVARIANTS="$WORK/inv-error.sql" bash test/soak.sh >"$WORK/soak-broken.out" 2>&1
st_fails $? "$WORK/soak-broken.out" '^not ok [0-9]+ - every call' 'submit +42501 .*UNEXPECTED' \
	'^not ok [0-9]+ - every invariant ran' '^soak: [0-9]+ checks, [1-9][0-9]* failed$'
st_report $? "soak.sh fails when a member is refused and an invariant errors" "$WORK/soak-broken.out"
export PGDATABASE=postgres

##############################################################################
# fuzz
##############################################################################
# fuzz_run NAME SQL: test/fuzz.sql on 2000 inputs in a new database where
# the extension was created and SQL run first; output in fuzz-NAME.out.
fuzz_run() {
	local db="selftest_fuzz_$1"
	psql -qX -c "CREATE DATABASE $db" >/dev/null &&
		psql -qX -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION feedback CASCADE' -c "$2" >"$WORK/fuzz-$1.out" 2>&1 &&
		psql -qXAt -v ON_ERROR_STOP=1 -v seed=0.42 -d "$db" -c 'SET fuzz.inputs = 2000' -f test/fuzz.sql \
			>>"$WORK/fuzz-$1.out" 2>&1
}
refuse() {	# FUNCTION ARGUMENTS SQLSTATE: replace an API function by one that always fails
	echo "CREATE OR REPLACE FUNCTION feedback.$1($2) RETURNS jsonb LANGUAGE plpgsql
	      AS \$\$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '$3'; END \$\$;"
}
fuzz_run sound 'SELECT 1'
[ $? -eq 0 ] && [ "$(tail -n 1 "$WORK/fuzz-sound.out")" = 'fuzz: ok' ]
st_report $? "the fuzz run passes the extension as it is (2000 inputs)" "$WORK/fuzz-sound.out"

fuzz_run queue 'ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_after_change'
st_fails $? "$WORK/fuzz-queue.out" 'verify_review_groups finds'
st_report $? "the fuzz run fails when the review queue is not kept (verify_review_groups)" "$WORK/fuzz-queue.out"

fuzz_run refused "$(refuse patch 'tenant_id uuid, id uuid, changes jsonb' 22023)
$(refuse update 'tenant_id uuid, id uuid, changes jsonb' 22023)
$(refuse put_conversation_feedback 'tenant_id uuid, conversation_id uuid, body jsonb' 22023)"
st_fails $? "$WORK/fuzz-refused.out" 'patch accepted 0 of' 'update accepted 0 of' 'put accepted 0 of'
st_report $? "the fuzz run fails when no body is accepted (each refused with a documented 22023)" "$WORK/fuzz-refused.out"

fuzz_run parser "UPDATE pg_type SET typinput = 'int4in'::regproc WHERE oid = 'feedback.rating'::regtype"
st_fails $? "$WORK/fuzz-parser.out" 'contract violation: rating input'
st_report $? "the fuzz run fails when the rating parser rejects the accepted words" "$WORK/fuzz-parser.out"

fuzz_run internal "$(refuse patch 'tenant_id uuid, id uuid, changes jsonb' XX000)"
st_fails $? "$WORK/fuzz-internal.out" 'undocumented error XX000'
st_report $? "the fuzz run fails on an undocumented SQLSTATE" "$WORK/fuzz-internal.out"

##############################################################################
# dump, upgrade, the reference's check, the documents' and the encodings' without a server
##############################################################################
for runner in dump upgrade reference doctest encodings; do
	PGHOST=/nonexistent bash "test/$runner.sh" >"$WORK/$runner.out" 2>&1
	st_fails $? "$WORK/$runner.out" '^not ok [0-9]+ ' && ! grep -qE '^ok [0-9]+ ' "$WORK/$runner.out"
	st_report $? "$runner.sh without a server exits non-zero with only \"not ok\" lines" "$WORK/$runner.out"
done

##############################################################################
# the reference's worker: without a server, and with a reference that lost it
##############################################################################
PGHOST=/nonexistent bash test/worker.sh >"$WORK/worker.out" 2>&1
st_fails $? "$WORK/worker.out" '^not ok 2 ' '^not ok 3 ' '^not ok 4 '
st_report $? "worker.sh without a server exits non-zero and fails every check that needs one" "$WORK/worker.out"
mkdir -p "$WORK/no-worker/test" "$WORK/no-worker/docs"
cp test/worker.sh test/tap.sh "$WORK/no-worker/test/"
grep -v 'the enrichment worker.s batch' docs/reference.md >"$WORK/no-worker/docs/reference.md"
bash "$WORK/no-worker/test/worker.sh" >"$WORK/no-worker.out" 2>&1
st_fails $? "$WORK/no-worker.out" '^not ok 1 '
st_report $? "worker.sh fails when the reference has no worker batch" "$WORK/no-worker.out"

echo "1..$st_n"
echo "selftest: $st_n checks, $st_failed failed"
[ "$st_failed" -eq 0 ]
