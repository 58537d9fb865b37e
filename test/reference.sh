#!/usr/bin/env bash
# test/reference.sh -- docs/reference.md against the installed extension:
# every function of the API has an entry whose heading is its signature as
# the catalog gives it (argument names, types, defaults, result), every
# entry names a function that exists with that signature, every entry
# shows an SQL example and says its errors, and every documented function
# has a COMMENT ON FUNCTION whose summary (its first line) the entry's text
# says (compared without case, markup or line breaks), so a comment and its
# entry cannot drift apart; the functions outside the API have a comment
# too.  The support functions of the types and of the
# aggregate, and the trigger functions, are not part of the API.
# Run by test/run.sh against the private cluster (PGHOST etc. set); prints
# TAP lines and exits non-zero when a check failed.
set -uo pipefail

source "$(dirname "$0")/tap.sh"
tmp=
db=feedback_reference

cleanup() {
	psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	[ -n "$tmp" ] && rm -rf "$tmp"
}

cd "$(dirname "$0")/.." || exit 1

plan \
	"the reference has entries and the extension installs" \
	"every function of the API has an entry whose heading is its installed signature" \
	"every entry names a function installed with that signature" \
	"every entry shows an SQL example and says its errors" \
	"every documented function has a COMMENT ON FUNCTION whose summary its entry says"
echo "1..$planned"

tmp="$(mktemp -d /tmp/feedback-reference.XXXXXX)" || exit 1
q() { psql -qXAt -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# The entries: "signature<TAB>has an example<TAB>says its errors<TAB>its
# text", one per heading; headings with nothing between them share the text
# that follows.  The text is without code blocks, markup (` and *) and line
# breaks, in lower case.
awk 'function flush(   i) { for (i = 1; i <= k; i++) print sig[i] "\t" sql "\t" err "\t" body; k = 0; sql = 0; err = 0; body = "" }
     /^#### `feedback\./ { if (k && text) flush(); text = 0; s = $0; sub(/^#### `/, "", s); sub(/`$/, "", s); sig[++k] = s; next }
     /^#{1,4} / { if (k) flush(); text = 0; next }
     k && /[^ ]/ { text = 1 }
     k && /^```/ { code = !code; if (code && /^```sql/) sql = 1; next }
     k && !code && /[Ee]rrors?[ :(]|\| *[0-9A-Z]{5} *\|/ { err = 1 }
     k && !code { line = tolower($0); gsub(/[`*]/, "", line); body = body " " line }
     END { if (k) flush() }' docs/reference.md | awk -F'\t' -v OFS='\t' '{ gsub(/[[:space:]]+/, " ", $4); print }' >"$tmp/entries"
cut -f1 "$tmp/entries" | sort >"$tmp/documented"

psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>"$tmp/setup" &&
	q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION feedback CASCADE' >>"$tmp/setup" 2>&1 &&
	[ -s "$tmp/documented" ]
setup=$?
report $setup "$tmp/setup"
[ "$setup" -eq 0 ] || { skip_to 5 "no database or no entries"; exit 1; }

# The API's functions, each as its heading writes it (the catalog's
# arguments and result, defaults without their casts, timestamptz short),
# with the first line of its comment, whitespace folded, in lower case.
q -F $'\t' >"$tmp/summaries" <<'SQL'
SELECT 'feedback.' || p.proname || '(' ||
       regexp_replace(replace(pg_catalog.pg_get_function_arguments(p.oid), 'timestamp with time zone', 'timestamptz'),
                      '::[a-z_.]+( [a-z]+)*(\[\])?', '', 'g') ||
       ') RETURNS ' || replace(pg_catalog.pg_get_function_result(p.oid), 'timestamp with time zone', 'timestamptz'),
       lower(regexp_replace(split_part(coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), ''), E'\n', 1),
                            '\s+', ' ', 'g'))
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'feedback'::regnamespace
   AND p.prorettype <> 'trigger'::regtype
   AND p.proname !~ '^(rating_|review_status_|bool_to_rating$|status_summary_(accum|final)$|stats_add_reasons$)'
 ORDER BY 1;
SQL
cut -f1 "$tmp/summaries" >"$tmp/installed"
sort -o "$tmp/installed" "$tmp/installed"

comm -23 "$tmp/installed" "$tmp/documented" | sed 's/^/no entry for: /' >"$tmp/missing"
[ -s "$tmp/installed" ] && [ ! -s "$tmp/missing" ]
report $? "$tmp/missing"

comm -13 "$tmp/installed" "$tmp/documented" | sed 's/^/no such function: /' >"$tmp/stale"
[ ! -s "$tmp/stale" ]
report $? "$tmp/stale"

awk -F'\t' '$2 == 0 { print "no SQL example: " $1 } $3 == 0 { print "no errors: " $1 }' "$tmp/entries" >"$tmp/incomplete"
[ ! -s "$tmp/incomplete" ]
report $? "$tmp/incomplete"

awk -F'\t' 'FNR == NR { summary[$1] = $2; next }
     !($1 in summary) { next }
     summary[$1] == "" { print "no comment: " $1; next }
     index($4, summary[$1]) == 0 { print "the entry does not say its comment'"'"'s summary \"" summary[$1] "\": " $1 }' \
	"$tmp/summaries" "$tmp/entries" >"$tmp/uncommented"
q >>"$tmp/uncommented" <<'SQL'
SELECT 'no comment: feedback.' || p.proname
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'feedback'::regnamespace
   AND coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') = ''
 ORDER BY 1;
SQL
[ -s "$tmp/summaries" ] && [ ! -s "$tmp/uncommented" ]
report $? "$tmp/uncommented"

[ "$failed" -eq 0 ]
