#!/usr/bin/env bash
# test/worker.sh -- the reference's enrichment worker, run as the reference
# shows it: its batch (the SQL block after the marker "the enrichment
# worker's batch") is read from docs/reference.md and run with psql, as the ingest role,
# against a database with open work in two tenants.  Two batches at once
# claim different feedback; batches run until the queue is empty complete
# every feedback, with the suggestion the batch's rule gives.
# Run by test/run.sh against the private cluster (PGHOST etc. set); prints
# TAP lines and exits non-zero when a check failed.
set -uo pipefail

source "$(dirname "$0")/tap.sh"
tmp=
db=feedback_worker

cleanup() {
	psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	psql -qX -d postgres -c "DROP ROLE IF EXISTS feedback_test_worker" >/dev/null 2>&1
	[ -n "$tmp" ] && rm -rf "$tmp"
}

cd "$(dirname "$0")/.." || exit 1

plan \
	"the reference holds the worker's batch" \
	"two batches run at once, as the ingest role, and claim different feedback" \
	"batches until the queue is empty complete every feedback once, with the batch's rule" \
	"a batch on an empty queue claims nothing and fails nothing"
echo "1..$planned"

tmp="$(mktemp -d /tmp/feedback-worker.XXXXXX)" || exit 1
awk '/<!-- the enrichment worker.s batch/ { found = 1; next }
     found && /^```sql/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' docs/reference.md >"$tmp/worker.sql"
grep -q 'claim_suggestions' "$tmp/worker.sql" && grep -q 'set_suggestion' "$tmp/worker.sql"
report $? "$tmp/worker.sql"

q() { psql -qXAt -v ON_ERROR_STOP=1 -d "$db" "$@"; }
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
q >/dev/null <<'SQL'
CREATE EXTENSION feedback CASCADE;
DROP ROLE IF EXISTS feedback_test_worker;
CREATE ROLE feedback_test_worker LOGIN;
SELECT feedback.grant_ingest('feedback_test_worker');
SELECT feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'alice@example.com');
SELECT feedback.put_member(t, '00000000-0000-0000-0000-0000000000a1')
  FROM (VALUES ('7e000000-0000-0000-0000-000000000001'::uuid), ('7e000000-0000-0000-0000-000000000002')) v(t);
SELECT feedback.put_conversation(t, 'c0000000-0000-0000-0000-000000000001')
  FROM (VALUES ('7e000000-0000-0000-0000-000000000001'::uuid), ('7e000000-0000-0000-0000-000000000002')) v(t);
SELECT feedback.put_message(t, format('a0000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid,
                            'c0000000-0000-0000-0000-000000000001', 'assistant', 'Answer ' || i)
  FROM (VALUES ('7e000000-0000-0000-0000-000000000001'::uuid), ('7e000000-0000-0000-0000-000000000002')) v(t),
       generate_series(1, 15) i;
SET feedback.user_id = '00000000-0000-0000-0000-0000000000a1';
-- 30 feedback: a third about prices, a third other complaints, a third praise
SELECT feedback.submit(t, format('a0000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid,
                       (CASE i % 3 WHEN 2 THEN 'up' ELSE 'down' END)::feedback.rating,
                       CASE i % 3 WHEN 0 THEN 'The price is wrong' WHEN 1 THEN 'Too vague' ELSE 'Great' END)
  FROM (VALUES ('7e000000-0000-0000-0000-000000000001'::uuid), ('7e000000-0000-0000-0000-000000000002')) v(t),
       generate_series(1, 15) i;
SQL

# as the README's loop runs it: output discarded, errors kept
batch() { psql -X -q -o /dev/null -U feedback_test_worker -d "$db" -f "$tmp/worker.sql" 2>>"$tmp/$1.log"; }

# two at once: each claims ten, and they are not the same ten
q -c "CREATE TABLE seen (worker text, id uuid)" >/dev/null
q -c "CREATE FUNCTION note_claims() RETURNS trigger LANGUAGE plpgsql AS \$\$
      BEGIN
          IF NEW.suggested_at IS NOT NULL AND OLD.suggested_at IS NULL THEN
              INSERT INTO public.seen VALUES (current_setting('application_name'), NEW.id);
          END IF;
          RETURN NULL;
      END \$\$" >/dev/null
q -c "CREATE TRIGGER note_claims AFTER UPDATE ON feedback.feedback FOR EACH ROW EXECUTE FUNCTION note_claims()" >/dev/null
q -c "GRANT INSERT ON seen TO PUBLIC" >/dev/null
PGAPPNAME=first batch first &
PGAPPNAME=second batch second &
wait
{
	q -c "SELECT format('%s completed %s, %s distinct', worker, count(*), count(DISTINCT id)) FROM seen GROUP BY worker ORDER BY worker"
	q -c "SELECT 'completed by both: ' || id FROM seen GROUP BY id HAVING count(*) > 1"
	cat "$tmp/first.log" "$tmp/second.log"
} >"$tmp/concurrent" 2>&1
[ "$(q -c "SELECT count(*) FROM seen")" = 20 ] && [ "$(q -c "SELECT count(DISTINCT id) FROM seen")" = 20 ] &&
	[ "$(q -c "SELECT count(DISTINCT worker) FROM seen")" = 2 ] && [ ! -s "$tmp/first.log" ] && [ ! -s "$tmp/second.log" ]
report $? "$tmp/concurrent"

# until the queue is empty
for _ in 1 2 3; do batch rest; done
q >"$tmp/complete" 2>&1 <<'SQL'
SELECT format('%s feedback still open', count(*)) FROM feedback.feedback WHERE suggested_at IS NULL HAVING count(*) > 0;
SELECT format('feedback %s (%s, %s) has %s', id, rating, comment, coalesce(suggested_action_type, 'no suggestion'))
  FROM feedback.feedback
 WHERE suggested_action_type IS DISTINCT FROM
       CASE WHEN rating = 'negative' AND comment ILIKE '%price%' THEN 'update_pricing_page'
            WHEN rating = 'negative' THEN 'review_answer' END
    OR suggested_action_data <> jsonb_build_object('why', comment);
SELECT format('%s completed more than once', id) FROM seen GROUP BY id HAVING count(*) > 1;
SELECT format('%s completions for 30 feedback', count(*)) FROM seen HAVING count(*) <> 30;
SQL
cat "$tmp/rest.log" >>"$tmp/complete" 2>/dev/null
[ ! -s "$tmp/complete" ]
report $? "$tmp/complete"

batch empty
[ ! -s "$tmp/empty.log" ] && [ "$(q -c "SELECT count(*) FROM seen")" = 30 ]
report $? "$tmp/empty.log"

[ "$failed" -eq 0 ]
