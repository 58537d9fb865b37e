#!/usr/bin/env bash
# test/doctest.sh -- the documentation runs as shown: every ```sql block
# of README.md and then of docs/*.md, in order, in one psql session against
# a fresh database, as a reader pasting them would (the documents continue
# the README's tutorial, on its dataset).  A statement ends at a line that ends with ";"
# (a comment may follow it) or is a psql meta-command (\gset and the like
# end the statement before them).  Each statement must succeed, unless the
# line right under it says the error it shows:
#     -- ERROR: 22023 ...
# and where lines right under it say what it returns, it must return that
# (psql's unaligned output, one line per row):
#     -- result: mixed
# Run by test/run.sh against the private cluster (PGHOST etc. set), as a
# superuser; prints TAP lines and exits non-zero when a check failed.
set -uo pipefail

source "$(dirname "$0")/tap.sh"
tmp=
db=feedback_doctest
# The roles the documents create: dropped before and after the run.
ROLES="chat_backend, web_user, web_anon, authenticator, reporting, grafana"

cleanup() {
	psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	psql -qX -d postgres -c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1
	[ -n "$tmp" ] && rm -rf "$tmp"
}

cd "$(dirname "$0")/.." || exit 1
DOCS="${DOCTEST_FILES:-README.md $(echo docs/*.md)}"

plan \
	"the SQL blocks of $DOCS are found and run in a fresh database" \
	"every statement succeeds, or fails with the SQLSTATE shown under it" \
	"every result shown under a statement is what it returns"
echo "1..$planned"

tmp="$(mktemp -d /tmp/feedback-doctest.XXXXXX)" || exit 1
chmod 755 "$tmp"

# The statements, numbered: a script for psql that writes each statement's
# output to its own file (out.N) and its SQLSTATE to the log ("@@ N
# SQLSTATE"), each statement's text (stmt.N), and what each is said to do
# ("N error SQLSTATE", "N result LINE").  A psql meta-command of its own
# (\set, \echo...) runs as it is, unchecked.
awk -v dir="$tmp" '
	function emit() {
		if (stmt == "") return
		n++
		printf "%s", stmt > (dir "/stmt." n)
		close(dir "/stmt." n)
		printf "\\o %s/out.%d\n%s\\o\n\\echo @@ %d :SQLSTATE\n", dir, n, stmt, n > script
		stmt = ""
		waiting = 1
	}
	/^```sql/ { inside = 1; next }
	inside && /^```/ { emit(); inside = 0; waiting = 0; next }
	!inside { next }
	waiting && /^-- ERROR: / { split($0, w, " "); print n " error " w[3] > expect; next }
	waiting && /^-- result: / { sub(/^-- result: /, ""); print n " result " $0 > expect; next }
	waiting && /^-- result:$/ { print n " result " > expect; next }
	{ waiting = 0 }
	/^\\g(set|exec)?( |$)/ && stmt != "" { stmt = stmt $0 "\n"; emit(); next }
	/^\\/ { emit(); print > script; next }
	/^[[:space:]]*(--.*)?$/ && stmt == "" { next }
	{ stmt = stmt $0 "\n" }
	/;[[:space:]]*(--.*)?$/ { emit() }
	END { emit(); print n + 0 > (dir "/count") }
' script="$tmp/doc.sql" expect="$tmp/expected" $DOCS
touch "$tmp/expected" "$tmp/doc.sql"

psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >"$tmp/setup" 2>&1 &&
	psql -qX -d postgres -c "DROP ROLE IF EXISTS $ROLES" >>"$tmp/setup" 2>&1 &&
	[ "$(cat "$tmp/count")" -gt 0 ] &&
	psql -X -At -d "$db" -v ON_ERROR_STOP=0 -f "$tmp/doc.sql" >"$tmp/log" 2>&1 &&
	[ "$(grep -c '^@@ ' "$tmp/log")" -eq "$(cat "$tmp/count")" ]
setup=$?
[ "$setup" -eq 0 ] ||
	{ echo "$(cat "$tmp/count") statements, $(grep -c '^@@ ' "$tmp/log" 2>/dev/null || echo none) ran"; tail -n 20 "$tmp/log" 2>/dev/null; } >>"$tmp/setup"
report $setup "$tmp/setup"
[ "$setup" -eq 0 ] || { skip_to 3 "the blocks did not run"; exit 1; }

# The statement's text, for the diagnostics.
statement() { sed 's/^/    /' "$tmp/stmt.$1"; }

: >"$tmp/errors"
while read -r _ i state; do
	want=$(awk -v n="$i" '$1 == n && $2 == "error" { print $3 }' "$tmp/expected")
	[ "$state" = "${want:-00000}" ] && continue
	{
		echo "statement $i: SQLSTATE $state, the text shows ${want:-success}"
		statement "$i"
		awk -v n="$i" '/^@@ / { k = $2; next } k == n - 1' "$tmp/log" | sed 's/^/    /'
	} >>"$tmp/errors"
done < <(grep '^@@ ' "$tmp/log")
[ ! -s "$tmp/errors" ]
report $? "$tmp/errors"

: >"$tmp/results"
for i in $(awk '$2 == "result" { print $1 }' "$tmp/expected" | sort -un); do
	awk -v n="$i" '$1 == n && $2 == "result" { sub(/^[0-9]+ result ?/, ""); print }' "$tmp/expected" >"$tmp/want.$i"
	if ! cmp -s "$tmp/want.$i" "$tmp/out.$i"; then
		{
			echo "statement $i returns something else than the text shows"
			statement "$i"
			diff "$tmp/want.$i" "$tmp/out.$i" | sed 's/^/    /'
		} >>"$tmp/results"
	fi
done
[ ! -s "$tmp/results" ]
report $? "$tmp/results"

[ "$failed" -eq 0 ]
