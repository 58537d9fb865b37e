#!/usr/bin/env bash
# test/bench.sh -- `make bench`: pgbench against a private cluster, each
# measurement side by side with its baseline in the same run, alternating
# rounds, median of BENCH_ROUNDS (>= 3).  Writes a table to the terminal and
# to test/bench/results.md, and a chart to test/bench/page-time.png.
#
#   BENCH_SCALE   multiplies the tenant sizes (default 1: 10k, 100k, 1M
#                 conversations with three feedback each); 0.1 is quick
#   BENCH_SECONDS length of one throughput round (default 10)
#   BENCH_ROUNDS  rounds per measurement (default 3)
#
# Where Citus is installed, a second part restarts the server with Citus
# loaded, copies the database, distributes the copy (feedback.distribute,
# 32 shards on the one node) and measures the API on both databases side by
# side; its table is added to results.md.

source "$(dirname "$0")/harness.sh"

SCALE="${BENCH_SCALE:-1}"
SECONDS_PER_ROUND="${BENCH_SECONDS:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
[ "$ROUNDS" -ge 3 ] || ROUNDS=3
OUT="$TOP/test/bench"
WORK="$(mktemp -d /tmp/feedback-bench.XXXXXX)"
chmod 755 "$WORK"

harness_setup gnuplot-nox
# pg_stat_statements is loaded for the profile of one submit, and tracks
# nothing until that profile's sessions turn it on.
CLUSTER_FSYNC=on CLUSTER_CONF="shared_buffers = 2GB
max_wal_size = 8GB
checkpoint_timeout = 30min
work_mem = 16MB
max_connections = 50
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = none" cluster_start
cd "$TOP"
export PGDATABASE=feedback_bench

progress() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
sql() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }

MEMBER=00000000-0000-4000-8000-000000000001
REVIEWER=00000000-0000-4000-8000-000000000004
ADMIN=00000000-0000-4000-8000-000000000005
declare -a SIZES TENANTS
for base in 10000 100000 1000000; do
	SIZES+=("$(awk -v b="$base" -v s="$SCALE" 'BEGIN { n = int(b * s); print (n < 100 ? 100 : n) }')")
done
for i in 0 1 2; do TENANTS+=("7e000000-0000-4000-8000-00000000000$((i + 1))"); done
SMALL=${TENANTS[0]}
LARGE=${TENANTS[2]}

progress "creating the database"
psql -qX -d postgres -c 'CREATE DATABASE feedback_bench' >/dev/null
sql -c 'CREATE EXTENSION feedback CASCADE' 2>/dev/null
for t in "${TENANTS[@]}"; do
	sql >/dev/null <<SQL
SELECT feedback.put_user(format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
                         format('user%s@example.com', u))
  FROM generate_series(1, 5) AS u;
SELECT feedback.put_member('$t', format('00000000-0000-4000-8000-%s', lpad(u::text, 12, '0'))::uuid,
                           CASE u WHEN 4 THEN 'reviewer' WHEN 5 THEN 'admin' ELSE 'member' END)
  FROM generate_series(1, 5) AS u;
SQL
done
for i in 0 1 2; do
	progress "loading tenant $((i + 1)): ${SIZES[$i]} conversations, $((SIZES[$i] * 3)) feedback"
	sql -v tenant="${TENANTS[$i]}" -v n="${SIZES[$i]}" -f test/bench/load.sql >/dev/null
done
progress "vacuum analyze"
sql -c 'VACUUM ANALYZE'
sql >/dev/null <<SQL
CREATE TABLE bench_raw (tenant_id uuid, message_id uuid, user_id uuid, kind text, rating boolean,
                        comment text, updated_at timestamptz,
                        PRIMARY KEY (tenant_id, message_id, user_id, kind));
INSERT INTO bench_raw SELECT tenant_id, message_id, user_id, kind, rating::boolean, comment, updated_at
  FROM feedback.feedback WHERE tenant_id = '$SMALL';
VACUUM ANALYZE bench_raw;
-- The feedback table's own shape (columns, indexes, constraints, storage
-- parameters) without its triggers, holding the small tenant's feedback.
CREATE TABLE bench_feedback (LIKE feedback.feedback INCLUDING ALL);
SELECT format('ALTER TABLE bench_feedback SET (%s)', array_to_string(reloptions, ', '))
  FROM pg_class WHERE oid = 'feedback.feedback'::regclass AND reloptions IS NOT NULL \gexec
INSERT INTO bench_feedback SELECT * FROM feedback.feedback WHERE tenant_id = '$SMALL';
VACUUM ANALYZE bench_feedback;
SQL
# Stop unless every tenant's queue state equals its recomputation; $1 says which.
check_queues() {
	local t
	for t in "${TENANTS[@]}"; do
		[ "$(sql -c "SELECT feedback.verify_review_groups('$t')")" = "[]" ] ||
			{ echo "error: the $1 queue state of $t is not exact" >&2; exit 1; }
	done
}
check_queues loaded
# Stop unless a tenant's analytics counters equal their recomputation.
check_stats() {	# tenant, when
	[ "$(PGOPTIONS="-c feedback.user_id=$REVIEWER" sql -c "SELECT feedback.verify_stats('$1')")" = "[]" ] ||
		{ echo "error: the $2 analytics counters of $1 are not exact" >&2; exit 1; }
}
progress "checking the analytics counters of the ${SIZES[2]}-conversation tenant against a recomputation"
check_stats "$LARGE" loaded

# Training data: the middle tenant's conversations get four earlier messages
# each (two turns before the question) and every answer an active corrected
# example, so that each export writes one line per conversation with four
# messages of context.
MID=${TENANTS[1]}
progress "training data: ${SIZES[1]} examples with four messages of context each"
sql -v tenant="$MID" >/dev/null <<'SQL'
INSERT INTO feedback.messages (tenant_id, id, conversation_id, role, content, created_at, updated_at)
SELECT :'tenant', format('a%s-0000-4000-8000-%s', 3000000 + k, lpad(c.i::text, 12, '0'))::uuid, c.id,
       CASE k % 2 WHEN 1 THEN 'user' ELSE 'assistant' END,
       format('Earlier message %s of conversation %s', k, c.i),
       c.created_at - (5 - k) * interval '1 ms', c.created_at
  FROM (SELECT id, created_at, substr(id::text, 25)::bigint AS i FROM feedback.conversations
         WHERE tenant_id = :'tenant') c, generate_series(1, 4) AS k;
INSERT INTO feedback.golden_example (tenant_id, id, conversation_id, message_id, source_type, approval_type,
                                     prompt, original_response, golden_response, is_active, created_at, updated_at)
SELECT m.tenant_id, gen_random_uuid(), m.conversation_id, m.id, 'negative', 'manual',
       'Question ' || substr(m.id::text, 25)::bigint, m.content, 'A better answer, ' || m.content, true,
       m.created_at, m.created_at
  FROM feedback.messages m
 WHERE m.tenant_id = :'tenant' AND m.id::text LIKE 'a2000000-%';
ANALYZE feedback.messages;
ANALYZE feedback.golden_example;
SQL

# ---- scripts --------------------------------------------------------------
n_small=${SIZES[0]}
answer="format('a2000000-0000-4000-8000-%s', lpad(:i::text, 12, '0'))::uuid"
cat >"$WORK/raw.sql" <<SQL
\set i random(1, $n_small)
\set c random(1, 1000000000)
INSERT INTO bench_raw AS b VALUES ('$SMALL', $answer, '$MEMBER', 'message_reaction', :c % 2 = 0, 'bench ' || :c, now())
ON CONFLICT (tenant_id, message_id, user_id, kind) DO UPDATE
SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at;
SQL
cat >"$WORK/submit.sql" <<SQL
\set i random(1, $n_small)
\set c random(1, 1000000000)
SELECT feedback.submit('$SMALL', $answer, (:c % 2 = 0)::feedback.rating, 'bench ' || :c) IS NOT NULL;
SQL
# Submit's upsert alone, as one statement at the top level: into the copy of
# the table without triggers, and into feedback.feedback with its triggers
# (the tenant's rule, the queue, the counters, the search's copy), naming
# the acting user as the API does.  No implementation of submit that keeps
# its derived state in triggers can be faster than the second.
upsert_row() {	# table, extra SET
	cat <<SQL
\set i random(1, $n_small)
\set c random(1, 1000000000)
INSERT INTO $1 AS f (tenant_id, id, conversation_id, message_id, user_id, rating, comment, reasons,
                     kind, source_surface, status, created_at, updated_at)
VALUES ('$SMALL', gen_random_uuid(), format('c0000000-0000-4000-8000-%s', lpad(:i::text, 12, '0'))::uuid,
        $answer, '$MEMBER', (:c % 2 = 0)::feedback.rating, 'bench ' || :c, '{}', 'message_reaction',
        'chat_message', 'to_review', now(), now())
ON CONFLICT (tenant_id, message_id, user_id, kind) DO UPDATE
SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at$2
WHERE f.rating IS DISTINCT FROM EXCLUDED.rating OR f.comment IS DISTINCT FROM EXCLUDED.comment;
SQL
}
upsert_row bench_feedback "" >"$WORK/upsert-bare.sql"
upsert_row feedback.feedback ", change_by = EXCLUDED.user_id" >"$WORK/upsert-triggers.sql"
cat >"$WORK/submit-up.sql" <<SQL
\set i random(1, $n_small)
\set c random(1, 1000000000)
SELECT feedback.submit('$SMALL', $answer, 'positive', 'bench ' || :c) IS NOT NULL;
SQL
page_script() {	# name, SQL
	printf '%s\n' "$2" >"$WORK/$1.sql"
}
for i in 0 1 2; do
	t=${TENANTS[$i]}
	page_script "queue$i" "SELECT length(feedback.grouped_by_conversation('$t')::text);"
	page_script "naive$i" "WITH g AS (
  SELECT COALESCE(f.conversation_id, f.id) AS group_id, count(*) AS feedback_count,
         count(*) FILTER (WHERE f.status = 'to_review') AS to_review_count,
         count(*) FILTER (WHERE f.status <> 'to_review') AS reviewed_count,
         count(*) FILTER (WHERE f.rating = 'positive') AS positive_count,
         count(*) FILTER (WHERE f.rating = 'negative') AS negative_count,
         max(f.updated_at) AS latest_updated_at
    FROM feedback.feedback f
    LEFT JOIN feedback.conversations c ON c.tenant_id = f.tenant_id AND c.id = f.conversation_id
   WHERE f.tenant_id = '$t' AND NOT COALESCE(c.is_archived, false)
   GROUP BY 1)
SELECT length(jsonb_build_object('count', (SELECT count(*) FROM g), 'results', jsonb_agg(p))::text)
  FROM (SELECT g.*, (SELECT jsonb_agg(jsonb_build_object('id', i.id, 'status', i.status, 'feedback', i.comment,
                                      'rating', i.rating, 'updated_at', i.updated_at) ORDER BY i.updated_at DESC)
                       FROM feedback.feedback i
                      WHERE i.tenant_id = '$t' AND i.conversation_id = g.group_id) AS feedbacks
          FROM g ORDER BY g.latest_updated_at DESC, g.group_id DESC LIMIT 100) p;"
done
# A chart of the last 30 days (30 or 31 daily buckets) of the largest tenant,
# from the counters and by the equivalent GROUP BY over its feedback.
page_script stats "SELECT length(feedback.stats('$LARGE', now() - interval '30 days', now())::text);"
page_script naive_stats "WITH f AS (
  SELECT * FROM feedback.feedback
   WHERE tenant_id = '$LARGE' AND created_at >= date_trunc('day', now() - interval '30 days', 'UTC')
     AND created_at < date_trunc('day', now(), 'UTC')),
b AS (
  SELECT date_trunc('day', created_at, 'UTC') AS start, count(*) AS feedback,
         count(*) FILTER (WHERE rating = 'positive') AS positive, count(*) FILTER (WHERE rating = 'negative') AS negative,
         count(*) FILTER (WHERE rating IS NULL) AS comment_only,
         count(*) FILTER (WHERE status = 'to_review') AS to_review, count(*) FILTER (WHERE status = 'auto_approved') AS auto_approved,
         count(*) FILTER (WHERE status = 'reviewed') AS reviewed, count(*) FILTER (WHERE status = 'dismissed') AS dismissed
    FROM f GROUP BY 1),
r AS (
  SELECT reason, count(*) AS count FROM f, unnest(f.reasons) AS reason
   WHERE f.rating = 'negative' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10)
SELECT length(jsonb_build_object('buckets', (SELECT jsonb_agg(b ORDER BY b.start) FROM b),
                                 'top_negative_reasons', (SELECT jsonb_agg(r) FROM r))::text);"
page_script export0 "SELECT count(*) FROM feedback.export_golden_examples('$MID');"
page_script export4 "SELECT count(*) FROM feedback.export_golden_examples('$MID', 4);"
page_script pairs4 "SELECT count(*) FROM feedback.export_preference_pairs('$MID', 'openai', 4);"
page_script deep "SELECT length(feedback.grouped_by_conversation('$LARGE', \"offset\" => 50000)::text);"
# The page a reviewer reaches by following next 500 times from the first
# page (100 groups each): keyset paging, so as cheap as the first page.
progress "following next 500 times in the queue of ${SIZES[2]} conversations"
deep_cursor=$(PGOPTIONS="-c feedback.user_id=$REVIEWER" sql <<SQL
WITH RECURSIVE walk(n, page) AS (
    SELECT 0, feedback.grouped_by_conversation('$LARGE')
    UNION ALL
    SELECT w.n + 1, feedback.grouped_by_conversation('$LARGE', cursor => substring(w.page->>'next' FROM 'cursor=(.*)\$'))
      FROM walk w WHERE w.n < 499)
SELECT substring(page->>'next' FROM 'cursor=(.*)\$') FROM walk WHERE n = 499;
SQL
)
[ -n "$deep_cursor" ] || { echo "error: the queue of $LARGE has no page 501 to reach" >&2; exit 1; }
page_script cursor "SELECT length(feedback.grouped_by_conversation('$LARGE', cursor => '$deep_cursor')::text);"
page_script to_review "SELECT length(feedback.grouped_by_conversation('$LARGE', 'to_review')::text);"
page_script search "SELECT length(feedback.grouped_by_conversation('$LARGE', search => 'word4242 ')::text);"

# ---- measuring ------------------------------------------------------------
declare -A RESULTS

# One pgbench round: name, clients, user, then -T seconds or -t transactions.
round() {
	local name=$1 clients=$2 user=$3 mode=$4 amount=$5 log="$WORK/pgbench.log" value
	PGOPTIONS="-c feedback.user_id=$user${NOTIFY_ON:+ -c feedback.notify_events=on}" pgbench -n -M prepared -c "$clients" -j "$clients" \
		"$mode" "$amount" -f "$WORK/$name.sql" >"$log" 2>&1 ||
		{ cat "$log" >&2; exit 1; }
	if [ "$mode" = -T ]; then
		value=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log")
	else
		value=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$log")
	fi
	RESULTS["${TAG:-}$name/$clients"]+="$value "
}

# The median of the values on stdin: tps rounded to units, latencies to 0.1 ms.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf (m >= 100 ? "%.0f\n" : "%.1f\n"), m }'; }
med() { echo "${RESULTS[$1]}" | median; }

for r in $(seq 1 "$ROUNDS"); do
	for c in 1 8; do
		progress "round $r/$ROUNDS: raw upsert and submit at $c client(s), ${SECONDS_PER_ROUND}s each"
		round raw "$c" "$MEMBER" -T "$SECONDS_PER_ROUND"
		round submit "$c" "$MEMBER" -T "$SECONDS_PER_ROUND"
	done
	progress "round $r/$ROUNDS: submit's upsert alone at 8 clients, without and with the triggers"
	round upsert-bare 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
	round upsert-triggers 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
	progress "round $r/$ROUNDS: submit at 8 clients without the analytics counters (their trigger disabled)"
	sql -c 'ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_stats_after_change'
	cp "$WORK/submit.sql" "$WORK/submit-nostats.sql"
	round submit-nostats 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
	sql -c 'ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_stats_after_change'
	sql -c "SELECT feedback.rebuild_stats('$SMALL')" >/dev/null
	progress "round $r/$ROUNDS: submit at 8 clients with feedback.notify_events on (the default before 1.1)"
	cp "$WORK/submit.sql" "$WORK/submit-notify.sql"
	NOTIFY_ON=1 round submit-notify 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
	progress "round $r/$ROUNDS: submit with auto-approval on and off, 8 clients"
	sql -c "SET feedback.user_id = '$ADMIN'" -c "SELECT feedback.configure('$SMALL', 'positive', true)" >/dev/null
	round submit-up 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
	RESULTS[auto_on]+="$(echo "${RESULTS[submit-up/8]}" | awk '{ print $NF }') "
	sql -c "SET feedback.user_id = '$ADMIN'" -c "SELECT feedback.configure('$SMALL', 'positive', false)" >/dev/null
	round submit-up 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
	RESULTS[auto_off]+="$(echo "${RESULTS[submit-up/8]}" | awk '{ print $NF }') "
	for i in 0 1 2; do
		progress "round $r/$ROUNDS: first page, tenant of ${SIZES[$i]} conversations: queue and naive GROUP BY"
		round "queue$i" 1 "$REVIEWER" -t 50
		round "naive$i" 1 "$REVIEWER" -t "$([ "$i" -eq 2 ] && echo 2 || echo 5)"
	done
	progress "round $r/$ROUNDS: 30 days of stats at $((SIZES[2] * 3)) feedback: counters and GROUP BY"
	round stats 1 "$REVIEWER" -t 50
	round naive_stats 1 "$REVIEWER" -t 2
	progress "round $r/$ROUNDS: deep (offset and cursor), to_review and search pages at ${SIZES[2]} conversations"
	round deep 1 "$REVIEWER" -t 10
	round cursor 1 "$REVIEWER" -t 50
	round to_review 1 "$REVIEWER" -t 50
	round search 1 "$REVIEWER" -t 50
	progress "round $r/$ROUNDS: exports of ${SIZES[1]} examples, without and with four messages of context"
	round export0 1 "$REVIEWER" -t 1
	round export4 1 "$REVIEWER" -t 1
	round pairs4 1 "$REVIEWER" -t 1
done

# A claim of one enrichment task in the small tenant while two thirds of its
# feedback are under running leases, against the same claim with none
# running (each claim rolled back, so every round finds the same queue).
LEASED=$((SIZES[0] * 2))
page_script claim "$(printf "BEGIN;\nSELECT count(*) FROM feedback.claim_suggestions(1, '1 second', '%s');\nROLLBACK;" "$SMALL")"
cp "$WORK/claim.sql" "$WORK/claim-leased.sql"
for r in $(seq 1 "$ROUNDS"); do
	progress "round $r/$ROUNDS: a claim of one, with none and with $LEASED running leases"
	round claim 1 "$MEMBER" -t 200
	for _ in $(seq 1 $(( (LEASED + 999) / 1000 ))); do
		sql -c "SELECT count(*) FROM feedback.claim_suggestions(1000, '1 day', '$SMALL')" >/dev/null
	done
	round claim-leased 1 "$MEMBER" -t 200
	sql -c "UPDATE feedback.feedback SET suggestion_leased_until = NULL
	         WHERE tenant_id = '$SMALL' AND suggestion_leased_until > now()" >/dev/null
done

check_stats "$SMALL" final
check_queues final
progress "peak backend memory of the largest page (limit 1000, ${SIZES[2]} conversations)"
memory=$(PGOPTIONS="-c feedback.user_id=$REVIEWER" psql -qXAt <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv BACKEND :pid
\! grep VmHWM /proc/\$BACKEND/status | awk '{ print \$2 }' > $WORK/hwm0
SELECT length(feedback.grouped_by_conversation('$LARGE', "limit" => 1000)::text) AS bytes \gset
\! grep VmHWM /proc/\$BACKEND/status | awk '{ print \$2 }' > $WORK/hwm1
\echo :bytes
SQL
)
hwm0=$(cat "$WORK/hwm0")
hwm1=$(cat "$WORK/hwm1")
# The private memory of the backend (RssAnon; its resident size would count
# the shared buffers it reads), sampled every 20 ms while it exports.
cat >"$WORK/peak.sh" <<'PEAK'
max=0
while [ ! -e "$2" ]; do
	v=$(awk '/^RssAnon/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
	sleep 0.02
done
echo "$max"
PEAK
progress "peak private memory of an export of ${SIZES[1]} lines with four messages of context"
export_bytes=$(PGOPTIONS="-c feedback.user_id=$REVIEWER" psql -qXAt <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv BACKEND :pid
\! awk '/^RssAnon/ { print \$2 }' /proc/\$BACKEND/status > $WORK/anon0; (bash $WORK/peak.sh \$BACKEND $WORK/stop > $WORK/anon1 &)
SELECT sum(length(line::text)) AS bytes FROM feedback.export_golden_examples('$MID', 4) AS line \gset
\! touch $WORK/stop; sleep 0.5
\echo :bytes
SQL
)
anon0=$(cat "$WORK/anon0")
anon1=$(cat "$WORK/anon1")

# Where one call's time goes: 2000 calls at one client with
# pg_stat_statements tracking nested statements too (a statement's time
# includes the statements it runs, its triggers' among them), per call of
# the script; $1 the script, $2 the acting user.
profile() {
	local calls=2000
	sql -c 'SELECT pg_stat_statements_reset()' >/dev/null
	PGOPTIONS="-c feedback.user_id=$2 -c pg_stat_statements.track=all" pgbench -n -M prepared -c 1 -j 1 \
		-t "$calls" -f "$WORK/$1.sql" >"$WORK/profile.log" 2>&1 || { cat "$WORK/profile.log" >&2; exit 1; }
	sql <<SQL
SELECT format('| %s | %s | %s | %s |', replace(left(regexp_replace(query, '\s+', ' ', 'g'), 90), '|', '\|'),
              round(calls / $calls.0, 2), round((total_exec_time / $calls)::numeric, 3), round(wal_bytes / $calls))
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND query NOT LIKE '%pg_stat_statements%'
 ORDER BY total_exec_time DESC LIMIT 14;
SQL
}
progress "profile of a submit and of the raw upsert (pg_stat_statements, track = all)"
sql -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
{
	echo
	echo "Where the time of one call goes: 2000 calls at one client, pg_stat_statements with"
	echo "track = all (a statement's time includes the statements it runs, its triggers' among"
	echo "them), per call of the script:"
	echo
	echo "| statement | runs per call | ms per call | WAL bytes per call |"
	echo "|---|---|---|---|"
	profile submit "$MEMBER"
	profile raw "$MEMBER"
} >"$WORK/profile.md"

# The statements of the upsert-alone scripts under EXPLAIN (ANALYZE, WAL),
# 1000 times each, each in its own transaction: what the statement costs,
# and each of its triggers, per statement (a trigger's time is within the
# statement's).
# The statement of a script as a format() string, its pgbench variables
# :i and :c as its first and second arguments.
format_of() {
	sed -e '/^\\set/d' -e 's/%/%%/g' -e 's/:i\b/%1$s/g' -e 's/:c\b/%2$s/g' -e 's/;$//' "$1"
}
cat >"$WORK/explain.sql" <<'SQL'
CREATE TEMP TABLE plans (plan json);
SELECT set_config('bench.calls', :'calls', false), set_config('bench.n', :'n', false),
       set_config('bench.statement', :'statement', false) \g /dev/null
DO $do$
DECLARE
	p json;
BEGIN
	FOR k IN 1..current_setting('bench.calls')::int LOOP
		EXECUTE format('EXPLAIN (ANALYZE, WAL, FORMAT JSON) ' || current_setting('bench.statement'),
					   1 + floor(random() * current_setting('bench.n')::int)::int, floor(random() * 1e9)::bigint)
			INTO p;
		INSERT INTO plans VALUES (p);
		COMMIT;
	END LOOP;
END
$do$;
SELECT format('| %s%s | %s | %s | %s |', :'label', part, round(sum(calls)::numeric / :calls, 2),
              round(sum(ms) / :calls, 3), COALESCE(round(sum(wal) / :calls)::text, ''))
  FROM (SELECT '' AS part, (plan->0->>'Execution Time')::numeric AS ms, 1 AS calls,
               (plan->0->'Plan'->>'WAL Bytes')::numeric AS wal, 0 AS o
          FROM plans
        UNION ALL
        SELECT ', of which the trigger ' || (t->>'Trigger Name'), (t->>'Time')::numeric,
               (t->>'Calls')::int, NULL, 1
          FROM plans, json_array_elements(plan->0->'Triggers') AS t) s
 GROUP BY part, o ORDER BY o, sum(ms) DESC;
SQL
explain_upsert() {	# label, pgbench script
	PGOPTIONS="-c feedback.user_id=$MEMBER" sql -v calls=1000 -v n="$n_small" -v label="$1" \
		-v statement="$(format_of "$WORK/$2.sql")" -f "$WORK/explain.sql"
}
progress "EXPLAIN (ANALYZE, WAL) of submit's upsert alone, 1000 times without and with the triggers"
{
	echo
	echo "Submit's upsert alone under EXPLAIN (ANALYZE, WAL), 1000 statements at one client, each"
	echo "in its own transaction, per statement (a trigger's time is part of its statement's; WAL"
	echo "of the row and its indexes, the triggers' own writes not included):"
	echo
	echo "| statement | runs per statement | ms per statement | WAL bytes per statement |"
	echo "|---|---|---|---|"
	explain_upsert "into the copy without triggers" upsert-bare
	explain_upsert "into feedback.feedback" upsert-triggers
} >>"$WORK/profile.md"

# ---- report ---------------------------------------------------------------
raw1=$(med raw/1); sub1=$(med submit/1); raw8=$(med raw/8); sub8=$(med submit/8)
on=$(echo "${RESULTS[auto_on]}" | median); off=$(echo "${RESULTS[auto_off]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
{
	echo "| measurement | feedback | baseline | ratio |"
	echo "|---|---|---|---|"
	echo "| submit, 1 client (tps) | $sub1 | raw upsert $raw1 | $(ratio "$sub1" "$raw1") |"
	echo "| submit, 8 clients, the defaults (tps) | $sub8 | raw upsert $raw8 | $(ratio "$sub8" "$raw8") |"
	bare=$(med upsert-bare/8); triggered=$(med upsert-triggers/8)
	echo "| submit's upsert alone, 8 clients, into a copy of the table without triggers (tps) | $bare | raw upsert $raw8 | $(ratio "$bare" "$raw8") |"
	echo "| submit's upsert alone, 8 clients, into feedback.feedback with its triggers (tps) | $triggered | raw upsert $raw8 | $(ratio "$triggered" "$raw8") |"
	notify=$(med submit-notify/8)
	echo "| submit, 8 clients, feedback.notify_events on, the 1.0 default (tps) | $notify | raw upsert $raw8 | $(ratio "$notify" "$raw8") |"
	nostats=$(med submit-nostats/8)
	echo "| submit, 8 clients, analytics counters on (the default) against off (tps) | on $sub8 | off $nostats | $(ratio "$sub8" "$nostats") |"
	echo "| submit with auto-approval, 8 clients (tps) | on $on | off $off | $(ratio "$on" "$off") |"
	echo "| stats(), 30 daily buckets, $((SIZES[2] * 3)) feedback in the tenant (ms) | $(med stats/1) | GROUP BY $(med naive_stats/1) | $(ratio "$(med naive_stats/1)" "$(med stats/1)") faster |"
	for i in 0 1 2; do
		q=$(med "queue$i/1"); nv=$(med "naive$i/1")
		echo "| first page + count, ${SIZES[$i]} conversations (ms) | $q | naive GROUP BY $nv | $(ratio "$nv" "$q") faster |"
	done
	q=$(med queue2/1); deep=$(med cursor/1)
	echo "| page after following next 500 times, ${SIZES[2]} conversations (ms) | $deep | first page $q | $(ratio "$deep" "$q") |"
	echo "| deep page by offset 50,000, ${SIZES[2]} conversations (ms) | $(med deep/1) | first page $q | $(ratio "$(med deep/1)" "$q") |"
	echo "| to_review page, ${SIZES[2]} conversations (ms) | $(med to_review/1) | | |"
	echo "| search page, ${SIZES[2]} conversations (ms) | $(med search/1) | | |"
	echo "| peak backend memory, page of 1000 groups, ${SIZES[2]} conversations | +$(( (hwm1 - hwm0) / 1024 )) MB RSS ($memory bytes of JSON) | | |"
	e0=$(med export0/1); e4=$(med export4/1)
	echo "| export_golden_examples, ${SIZES[1]} lines, context_turns => 4 (ms) | $e4 | context_turns => 0: $e0 | $(ratio "$e4" "$e0") |"
	echo "| export_preference_pairs 'openai', ${SIZES[1]} lines, context_turns => 4 (ms) | $(med pairs4/1) | | |"
	echo "| claim_suggestions of one, $LEASED of $((SIZES[0] * 3)) feedback under running leases (ms) | $(med claim-leased/1) | none leased $(med claim/1) | $(ratio "$(med claim-leased/1)" "$(med claim/1)") |"
	echo "| peak private memory of the backend, export of ${SIZES[1]} lines, context_turns => 4 (work_mem 16MB) | $(( anon1 / 1024 )) MB, $(( anon0 / 1024 )) MB before ($export_bytes bytes of JSON) | | |"
} >"$WORK/table.md"

for i in 0 1 2; do
	echo "${SIZES[$i]} $(med "queue$i/1") $(med "naive$i/1")"
done >"$WORK/pages.dat"
gnuplot <<GP
set terminal pngcairo size 800,500 font ",11" noenhanced
set output "$OUT/page-time.png"
set title "Review queue: first page (100 groups + exact count)"
set xlabel "conversations in the tenant (3 feedback each)"
set ylabel "median page time (ms)"
set logscale xy
set key top left
set grid
plot "$WORK/pages.dat" using 1:2 with linespoints lw 2 pt 7 title "grouped_by_conversation", \
     "$WORK/pages.dat" using 1:3 with linespoints lw 2 pt 5 title "naive GROUP BY"
GP

{
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GiB,"
	echo "PostgreSQL $(psql -qXAt -c 'SHOW server_version'), fsync and synchronous_commit on;"
	echo "BENCH_SCALE=$SCALE, $ROUNDS rounds of ${SECONDS_PER_ROUND}s, medians."
	echo
	cat "$WORK/table.md"
	cat "$WORK/profile.md"
} >"$OUT/results.md"
# ---- on Citus ---------------------------------------------------------------
if [ -f "$("$PG_BIN/pg_config" --pkglibdir)/citus.so" ]; then
	progress "Citus: restarting the server with Citus loaded"
	cat >>"$CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
citus.enable_unsafe_triggers = on
max_connections = 100
CONF
	as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -w -t 120 restart >/dev/null
	psql -qX -d postgres -c 'CREATE DATABASE feedback_bench_citus TEMPLATE feedback_bench' >/dev/null
	export PGDATABASE=feedback_bench_citus
	sql >/dev/null <<SQL
DROP TABLE bench_raw, bench_feedback;
SET client_min_messages = warning;
CREATE EXTENSION citus;
SELECT citus_set_coordinator_host('$PGHOST', $PGPORT);
SELECT citus_set_node_property('$PGHOST', $PGPORT, 'shouldhaveshards', true);
SQL
	progress "Citus: feedback.distribute(32) on the loaded copy"
	started=$(date +%s)
	sql -c 'SELECT feedback.distribute(32)' >/dev/null
	distribute_seconds=$(($(date +%s) - started))
	sql -c 'VACUUM ANALYZE'
	check_queues distributed
	check_stats "$LARGE" distributed
	citus_version=$(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'")
	for r in $(seq 1 "$ROUNDS"); do
		for db in feedback_bench feedback_bench_citus; do
			tag=$([ "$db" = feedback_bench ] && echo plain/ || echo citus/)
			progress "Citus round $r/$ROUNDS, $db: submit at 1 and 8 clients, pages"
			export PGDATABASE=$db
			TAG=$tag round submit 1 "$MEMBER" -T "$SECONDS_PER_ROUND"
			TAG=$tag round submit 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
			TAG=$tag round upsert-triggers 8 "$MEMBER" -T "$SECONDS_PER_ROUND"
			for i in 0 1 2; do
				TAG=$tag round "queue$i" 1 "$REVIEWER" -t 50
			done
			TAG=$tag round deep 1 "$REVIEWER" -t 10
			TAG=$tag round cursor 1 "$REVIEWER" -t 50
			TAG=$tag round search 1 "$REVIEWER" -t 50
			TAG=$tag round stats 1 "$REVIEWER" -t 50
		done
	done
	compare() {	# label, key
		local p c
		p=$(med "plain/$2"); c=$(med "citus/$2")
		echo "| $1 | $p | $c | $(ratio "$c" "$p") |"
	}
	{
		echo
		echo "On Citus $citus_version, single node (the coordinator holds the 32 shards), against the plain"
		echo "database in the same server (Citus loaded, not installed there), alternating rounds, medians."
		echo "feedback.distribute(32) converted the loaded database (${SIZES[*]} conversations, three"
		echo "feedback each) in $distribute_seconds s."
		echo
		echo "| measurement | plain | Citus | Citus / plain |"
		echo "|---|---|---|---|"
		compare "submit, 1 client (tps)" submit/1
		compare "submit, 8 clients (tps)" submit/8
		compare "submit's upsert alone, with its triggers, 8 clients (tps)" upsert-triggers/8
		for i in 0 1 2; do
			compare "first page + count, ${SIZES[$i]} conversations (ms)" "queue$i/1"
		done
		compare "deep page by offset 50,000, ${SIZES[2]} conversations (ms)" deep/1
		compare "page after following next 500 times, ${SIZES[2]} conversations (ms)" cursor/1
		compare "search page, ${SIZES[2]} conversations (ms)" search/1
		compare "stats(), 30 daily buckets, $((SIZES[2] * 3)) feedback (ms)" stats/1
	} >>"$OUT/results.md"
else
	echo "Citus is not installed: no figures on Citus" >&2
fi

echo
cat "$OUT/results.md"
echo
echo "chart: test/bench/page-time.png"
rm -rf "$WORK"
