#!/usr/bin/env bash
# test/upgrade.sh -- the upgrade path, whenever a newer version script
# exists.  For each sql/feedback--A--B.sql: a fresh database gets
# CREATE EXTENSION feedback VERSION 'A' and is populated through the API of
# version A, served by the library of version A (built from the last commit
# of the git history at version A and installed for that step only): every
# review status, a resubmission, a patch, ungrouped feedback, an archived
# conversation, impersonation, examples of every kind.  Where the checkout
# has no such history (a shallow clone), that check says SKIP and the others
# run on a bulk load of the same kind of rows.  Then, with the current
# library back in place, ALTER EXTENSION feedback UPDATE must:
#   - give the objects, their definitions and the table columns (same order)
#     of a fresh install of the default version;
#   - keep every row of every table of version A, in the columns of version
#     A; a golden example made from a feedback takes that feedback's id;
#   - leave the derived state consistent (review queue, golden examples);
#   - leave a database the new API works on (history, examples, with
#     impersonation).
# Run by test/run.sh against the private cluster (PGHOST etc. set); prints
# TAP lines, "not ok" for every planned check that did not pass or did not
# run, and exits non-zero when any check failed.
set -uo pipefail

source "$(dirname "$0")/tap.sh"
tmp=

cleanup() {
	restore_library
	[ -n "$tmp" ] && rm -rf "$tmp"
}

cd "$(dirname "$0")/.." || exit 1

scripts=$(ls sql/feedback--*--*.sql 2>/dev/null)
if [ -z "$scripts" ]; then
	echo "# no upgrade script yet (only version $(make -s print-version)): no upgrade path to test"
	exit 0
fi

tmp="$(mktemp -d /tmp/feedback-upgrade.XXXXXX)" || exit 1

# The checks of the upgrade path from version $1, in the order they run.
path_checks() {
	local from="$1"
	checks=(
		"from $from, populated through the API of $from (every status, examples of every kind)"
		"from $from, ALTER EXTENSION feedback UPDATE succeeds"
		"from $from, the update gives the objects of a fresh install"
		"from $from, the update gives the definitions (functions, constraints, indexes, triggers, policies, dump rules) of a fresh install"
		"from $from, the update gives the table columns of a fresh install, in the same order"
		"from $from, every row of every table is kept, in the columns of $from (examples made from feedback take its id)"
		"from $from, every golden example made from a feedback has id = feedback_id"
		"from $from, verify_review_groups finds no difference in any tenant"
		"from $from, the golden examples agree with their feedback"
		"from $from, set_status on an old feedback writes a history entry of the new shape"
		"from $from, under impersonation a status change and its example record both users"
		"from $from, golden_examples returns the new shape (approved_by, impersonated_by)"
		"from $from, every client_feedback_id stored before stays bound to its feedback: after a new key, a late retry with it writes nothing"
		"from $from, the feedback without a suggestion is the open enrichment work, the rest is completed"
		"from $from, the analytics counters are built from the old rows: verify_stats finds no difference, stats counts every feedback"
		"from $from, the exports of the old examples: a chat line per answer with an active example, a preference pair per corrected answer"
	)
}

# the version an upgrade script starts from
from_version() {
	basename "$1" .sql | sed -E 's/^feedback--([^-]+)--.*/\1/'
}

plan "a fresh install of the default version"
for script in $scripts; do
	path_checks "$(from_version "$script")"
	plan "${checks[@]}"
done
echo "1..$planned"

# The extension's members, described, in a stable order.
objects() {
	q "$1" -c "SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
	            WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	              AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'feedback')
	            ORDER BY 1"
}

# What the members are: every property a fresh install and an update could
# set differently, one line each, in a stable order.
definitions() {
	q "$1" <<'SQL'
CREATE TEMP VIEW member AS
SELECT classid, objid FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'feedback');
CREATE TEMP VIEW tbl AS
SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'feedback'::regnamespace AND c.relkind IN ('r', 'p');
SELECT line FROM (
  SELECT format('function %s: kind %s, args (%s), returns %s, volatile %s, strict %s, definer %s, leakproof %s, parallel %s, config %s, symbol %s, library %s, acl %s, comment %L',
                p.oid::regprocedure, p.prokind, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                p.provolatile, p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel, p.proconfig,
                p.prosrc, p.probin, p.proacl, obj_description(p.oid, 'pg_proc'))
    FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
  UNION ALL
  SELECT format('aggregate %s: transition %s, final %s, combine %s, state %s, initial %L',
                a.aggfnoid::regprocedure, a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggtranstype::regtype, a.agginitval)
    FROM pg_aggregate a JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
  UNION ALL
  SELECT format('type %s: length %s, by value %s, align %s, storage %s, in %s, out %s, receive %s, send %s, comment %L',
                t.oid::regtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typinput, t.typoutput,
                t.typreceive, t.typsend, obj_description(t.oid, 'pg_type'))
    FROM pg_type t JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
  UNION ALL
  SELECT format('operator %s: %s, commutator %s, negator %s, restrict %s, join %s, merges %s, hashes %s',
                o.oid::regoperator, o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator,
                o.oprrest, o.oprjoin, o.oprcanmerge, o.oprcanhash)
    FROM pg_operator o JOIN member m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
  UNION ALL
  SELECT format('cast %s -> %s: function %s, context %s, method %s',
                c.castsource::regtype, c.casttarget::regtype, c.castfunc::regprocedure, c.castcontext, c.castmethod)
    FROM pg_cast c JOIN member m ON m.classid = 'pg_cast'::regclass AND m.objid = c.oid
  UNION ALL
  SELECT format('operator family %s %s: strategy %s %s',
                f.opfname, am.amname, o.amopstrategy, o.amopopr::regoperator)
    FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily JOIN pg_am am ON am.oid = f.opfmethod
   WHERE f.opfnamespace = 'feedback'::regnamespace
  UNION ALL
  SELECT format('operator family %s %s: support %s %s',
                f.opfname, am.amname, p.amprocnum, p.amproc::regprocedure)
    FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily JOIN pg_am am ON am.oid = f.opfmethod
   WHERE f.opfnamespace = 'feedback'::regnamespace
  UNION ALL
  SELECT format('relation %s: kind %s, persistence %s, row security %s, forced %s, replica identity %s, options %s, acl %s, comment %L',
                c.oid::regclass, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
                c.relreplident, c.reloptions, c.relacl, obj_description(c.oid, 'pg_class'))
    FROM pg_class c WHERE c.relnamespace = 'feedback'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  UNION ALL
  SELECT format('column %s.%s: comment %L', a.attrelid::regclass, a.attname, col_description(a.attrelid, a.attnum))
    FROM pg_attribute a JOIN tbl ON tbl.oid = a.attrelid
   WHERE a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NOT NULL
  UNION ALL
  SELECT format('constraint %s on %s: %s', c.conname, c.conrelid::regclass, pg_get_constraintdef(c.oid))
    FROM pg_constraint c JOIN tbl ON tbl.oid = c.conrelid
  UNION ALL
  SELECT format('index %s', pg_get_indexdef(i.indexrelid)) FROM pg_index i JOIN tbl ON tbl.oid = i.indrelid
  UNION ALL
  SELECT format('trigger %s, enabled %s', pg_get_triggerdef(t.oid), t.tgenabled)
    FROM pg_trigger t JOIN tbl ON tbl.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('policy %s on %s: %s %s to %s using %s check %s', p.policyname, p.tablename, p.permissive,
                p.cmd, p.roles, p.qual, p.with_check)
    FROM pg_policies p WHERE p.schemaname = 'feedback'
  UNION ALL
  SELECT format('sequence %s: type %s, start %s, increment %s, min %s, max %s, cache %s, cycle %s',
                s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                s.seqcache, s.seqcycle)
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = 'feedback'::regnamespace
  UNION ALL
  SELECT format('dumped with the extension: %s %L', x.tab::regclass, x.cond)
    FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(tab, cond) WHERE e.extname = 'feedback'
  UNION ALL
  SELECT format('schema feedback: acl %s, comment %L', n.nspacl, obj_description(n.oid, 'pg_namespace'))
    FROM pg_namespace n WHERE n.nspname = 'feedback'
) d(line)
ORDER BY 1;
SQL
}

# The columns of every table of the schema, in order.
columns() {
	q "$1" -c "SELECT c.table_name, c.ordinal_position, c.column_name, c.data_type, c.udt_schema || '.' || c.udt_name,
	                  c.is_nullable, c.column_default, c.is_generated, c.generation_expression
	             FROM information_schema.columns c
	             JOIN pg_class r ON r.relname = c.table_name AND r.relnamespace = 'feedback'::regnamespace
	                            AND r.relkind IN ('r', 'p')
	            WHERE c.table_schema = 'feedback'
	            ORDER BY 1, 2"
}

# The select lists of every table of the schema as it is now, one line
# "table|before|after": its columns in order; "before" reads a golden
# example's id as the id the update gives it (its feedback's, if it has one).
select_lists() {
	q "$1" -F '|' -c "SELECT c.table_name,
	                         string_agg(CASE WHEN c.table_name = 'golden_example' AND c.column_name = 'id'
	                                         THEN 'COALESCE(feedback_id, id)' ELSE quote_ident(c.column_name) END,
	                                    ', ' ORDER BY c.ordinal_position),
	                         string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position)
	                    FROM information_schema.columns c
	                    JOIN pg_class r ON r.relname = c.table_name AND r.relnamespace = 'feedback'::regnamespace
	                                   AND r.relkind IN ('r', 'p')
	                   WHERE c.table_schema = 'feedback'
	                   GROUP BY 1 ORDER BY 1"
}

# rows DB LISTS FIELD: every row of every table in LISTS (see select_lists),
# through select list FIELD (2 before the update, 3 after), in a stable
# order; then the sequences.
rows() {
	local db="$1" lists="$2" field="$3" t cols
	while IFS='|' read -r t before after; do
		if [ "$field" = 2 ]; then cols="$before"; else cols="$after"; fi
		echo "== $t"
		if [ "$t" = review_group_counts ]; then
			# slots are per backend; the counts are their sums
			q "$db" -c "SELECT tenant_id, archived, state, sum(groups) FROM feedback.$t
			             GROUP BY 1, 2, 3 HAVING sum(groups) <> 0 ORDER BY 1, 2, 3" 2>&1
		else
			q "$db" -c "SELECT ROW($cols)::text FROM feedback.$t ORDER BY 1" 2>&1
		fi
	done <"$lists"
	q "$db" -c "SELECT 'sequence ' || c.oid::regclass FROM pg_class c
	             WHERE c.relnamespace = 'feedback'::regnamespace AND c.relkind = 'S' ORDER BY 1" |
		while read -r _ s; do
			echo "== $s"
			q "$db" -c "SELECT last_value, is_called FROM $s" 2>&1
		done
}

# The rows of version A, through its API.  Tenant 7e..01 auto-approves
# positive feedback; tenant 7e..02 keeps the defaults.  Users: support
# (can_impersonate, a member of no tenant), alice, bob and carl (members),
# rita (reviewer; admin of the second tenant), adam (admin).
populate() {
	q "$1" <<'SQL'
\set t1 '''7e000000-0000-0000-0000-000000000001'''
\set t2 '''7e000000-0000-0000-0000-000000000002'''
\set support '''00000000-0000-0000-0000-000000000051'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set carl '''00000000-0000-0000-0000-0000000000c1'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set adam '''00000000-0000-0000-0000-0000000000ad'''
\set c1 '''c0000000-0000-0000-0000-000000000001'''
\set c2 '''c0000000-0000-0000-0000-000000000002'''
\set c3 '''c0000000-0000-0000-0000-000000000003'''
\set c4 '''c0000000-0000-0000-0000-000000000004'''
\set a02 '''a0000000-0000-0000-0000-000000000002'''
\set a04 '''a0000000-0000-0000-0000-000000000004'''
\set a06 '''a0000000-0000-0000-0000-000000000006'''
\set a08 '''a0000000-0000-0000-0000-000000000008'''
\set a10 '''a0000000-0000-0000-0000-000000000010'''
\set a12 '''a0000000-0000-0000-0000-000000000012'''
\set a14 '''a0000000-0000-0000-0000-000000000014'''

-- ingest
SELECT feedback.put_user(:support, 'support@example.com', true);
SELECT feedback.put_user(:alice, 'alice@example.com');
SELECT feedback.put_user(:bob, 'bob@example.com');
SELECT feedback.put_user(:carl, 'carl@example.com');
SELECT feedback.put_user(:rita, 'rita@example.com');
SELECT feedback.put_user(:adam, 'adam@example.com');
SELECT feedback.put_member(:t1, :alice);
SELECT feedback.put_member(:t1, :bob, 'member');
SELECT feedback.put_member(:t1, :carl);
SELECT feedback.put_member(:t1, :rita, 'reviewer');
SELECT feedback.put_member(:t1, :adam, 'admin');
SELECT feedback.put_member(:t2, :alice);
SELECT feedback.put_member(:t2, :rita, 'admin');
SELECT feedback.put_conversation(:t1, :c1, 'Pricing', 'sales-bot', created_at => '2026-03-01T10:00:00Z');
SELECT feedback.put_conversation(:t1, :c2, 'Old thread', 'sales-bot', created_at => '2026-03-01T09:00:00Z');
SELECT feedback.put_conversation(:t1, :c3, 'Support', 'help-bot', created_at => '2026-03-01T11:00:00Z');
SELECT feedback.put_conversation(:t2, :c4, 'Other tenant', created_at => '2026-03-01T12:00:00Z');
SELECT feedback.put_message(:t1, 'a0000000-0000-0000-0000-000000000001', :c1, 'user', 'How much is Pro?',
       created_at => '2026-03-01T10:00:00Z');
SELECT feedback.put_message(:t1, :a02, :c1, 'assistant', 'Pro is 20 dollars.',
       'a0000000-0000-0000-0000-000000000001', created_at => '2026-03-01T10:00:01Z');
SELECT feedback.put_message(:t1, 'a0000000-0000-0000-0000-000000000003', :c1, 'user', 'And Team?',
       created_at => '2026-03-01T10:01:00Z');
SELECT feedback.put_message(:t1, :a04, :c1, 'assistant', 'Team is 50 dollars.',
       'a0000000-0000-0000-0000-000000000003', created_at => '2026-03-01T10:01:01Z');
SELECT feedback.put_message(:t1, 'a0000000-0000-0000-0000-000000000005', :c2, 'user', 'Is there a trial?',
       created_at => '2026-03-01T09:00:00Z');
SELECT feedback.put_message(:t1, :a06, :c2, 'assistant', 'Yes, 14 days.',
       'a0000000-0000-0000-0000-000000000005', created_at => '2026-03-01T09:00:01Z');
SELECT feedback.put_message(:t1, 'a0000000-0000-0000-0000-000000000007', :c3, 'user', 'How do I reset my password?',
       created_at => '2026-03-01T11:00:00Z');
SELECT feedback.put_message(:t1, :a08, :c3, 'assistant', 'Use the link on the login page.',
       'a0000000-0000-0000-0000-000000000007', turn_id => 'b0000000-0000-0000-0000-000000000001',
       created_at => '2026-03-01T11:00:01Z');
SELECT feedback.put_message(:t1, 'a0000000-0000-0000-0000-000000000009', :c3, 'user', 'And my username?',
       created_at => '2026-03-01T11:01:00Z');
SELECT feedback.put_message(:t1, :a10, :c3, 'assistant', 'It is your email address.',
       'a0000000-0000-0000-0000-000000000009', created_at => '2026-03-01T11:01:01Z');
SELECT feedback.put_message(:t1, 'a0000000-0000-0000-0000-000000000011', :c3, 'user', 'Thanks. Anything else?',
       created_at => '2026-03-01T11:02:00Z');
SELECT feedback.put_message(:t1, :a12, :c3, 'assistant', 'No, that is all.',
       'a0000000-0000-0000-0000-000000000011', created_at => '2026-03-01T11:02:01Z');
SELECT feedback.put_message(:t2, 'a0000000-0000-0000-0000-000000000013', :c4, 'user', 'Hello?',
       created_at => '2026-03-01T12:00:00Z');
SELECT feedback.put_message(:t2, :a14, :c4, 'assistant', 'Hello, how can I help?',
       'a0000000-0000-0000-0000-000000000013', created_at => '2026-03-01T12:00:01Z');

-- the first tenant approves positive feedback at once
SET feedback.user_id = :adam;
SELECT feedback.configure(:t1, 'positive', true);

-- auto_approved (an active positive example)
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, :a02, 'up', 'Exactly right', '{accurate}') ->> 'id' AS f_auto \gset
-- reviewed with a correction (an active negative example)
SET feedback.user_id = :bob;
SELECT feedback.submit(:t1, :a02, 'down', 'Wrong price', '{outdated}') ->> 'id' AS f_corrected \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t1, :'f_corrected', 'reviewed', 'confirmed',
       corrected_response => 'Pro is 25 dollars since March.');
-- reviewed without a correction (an inactive negative example)
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, :a04, 'down', 'Vague') ->> 'id' AS f_uncorrected \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t1, :'f_uncorrected', 'reviewed', 'nothing to correct');
-- dismissed
SET feedback.user_id = :bob;
SELECT feedback.submit(:t1, :a04, 'down', 'Rude') ->> 'id' AS f_dismissed \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t1, :'f_dismissed', 'dismissed', 'not actionable');
-- comment only, in a conversation archived afterwards: to_review
SET feedback.user_id = :carl;
SELECT feedback.submit(:t1, :a06, comment => 'Is this still true?') ->> 'id' AS f_comment \gset
-- a resubmission: auto_approved, then a changed rating back to to_review
SET feedback.user_id = :bob;
SELECT feedback.submit(:t1, :a06, 'up', client_feedback_id => 'd0000000-0000-0000-0000-000000000001')
       ->> 'id' AS f_resubmitted \gset
SELECT feedback.submit(:t1, :a06, 'down', 'Changed my mind', '{incomplete}',
       client_feedback_id => 'd0000000-0000-0000-0000-000000000002');
SELECT feedback.put_conversation(:t1, :c2, 'Old thread', 'sales-bot', is_archived => true,
       created_at => '2026-03-01T09:00:00Z');
-- a patch of a reviewed feedback: back to to_review, its example inactive
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, :a08, 'down', 'Too long', turn_id => 'b0000000-0000-0000-0000-000000000001')
       ->> 'id' AS f_patched \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t1, :'f_patched', 'reviewed', 'shortened', corrected_response => 'Click "Forgot password".');
SET feedback.user_id = :alice;
SELECT feedback.patch(:t1, :'f_patched', '{"comment": "Too long, really", "reasons": ["verbose"]}');
-- reviewed by support impersonating the reviewer
SET feedback.user_id = :bob;
SELECT feedback.submit(:t1, :a08, 'down', 'Missing detail') ->> 'id' AS f_impersonated \gset
SET feedback.user_id = :support;
SET feedback.impersonate_email = 'rita@example.com';
SELECT feedback.set_status(:t1, :'f_impersonated', 'reviewed', 'via support',
       corrected_response => 'Use the link, then check your inbox.');
-- given by support impersonating a member (auto_approved)
SET feedback.impersonate_email = 'carl@example.com';
SELECT feedback.submit(:t1, :a10, 'up', 'Clear') ->> 'id' AS f_given_impersonated \gset
RESET feedback.impersonate_email;
-- auto_approved, back to to_review, then reviewed
SET feedback.user_id = :alice;
SELECT feedback.submit(:t1, :a10, 'up', context => '{"source": "web"}') ->> 'id' AS f_rereviewed \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t1, :'f_rereviewed', 'to_review', 'look again');
SELECT feedback.set_status(:t1, :'f_rereviewed', 'reviewed');
-- dismissed, then reviewed
SET feedback.user_id = :carl;
SELECT feedback.submit(:t1, :a12, 'up') ->> 'id' AS f_redismissed \gset
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t1, :'f_redismissed', 'dismissed');
SELECT feedback.set_status(:t1, :'f_redismissed', 'reviewed', 'fine after all');
-- ungrouped feedback (no answer)
SET feedback.user_id = :bob;
SELECT feedback.submit(:t1, NULL, 'down', 'Search is slow',
       context => '{"query_id": "q-1", "source": "search"}') ->> 'id' AS f_ungrouped \gset
-- deleted after auto-approval: its example stays, inactive
SET feedback.user_id = :carl;
SELECT feedback.submit(:t1, :a02, 'up') ->> 'id' AS f_deleted \gset
SELECT feedback.delete(:t1, :'f_deleted');
-- a manual example
SET feedback.user_id = :rita;
SELECT feedback.add_golden_example(:t1, :a04, 'Team is 50 dollars a month per seat.');
-- a suggestion from an enrichment worker
SELECT feedback.set_suggestion(:t1, :'f_comment', 'reply', '{"text": "Yes, still 14 days."}');
-- the second tenant: to_review, then reviewed, without auto-approval
SET feedback.user_id = :alice;
SELECT feedback.submit(:t2, :a14, 'up', 'Friendly') ->> 'id' AS f_other \gset
SELECT feedback.submit(:t2, NULL, comment => 'Ungrouped in the other tenant');
SET feedback.user_id = :rita;
SELECT feedback.set_status(:t2, :'f_other', 'reviewed', 'ok');
SELECT feedback.configure(:t2, 'negative', false, true);
SQL
}

# The same kind of rows, loaded directly into the tables of version A as a
# bulk load does (the feedback triggers off, then rebuild_review_groups):
# for when the installed library cannot serve the API of version A.  The
# ingest calls (put_*) go through the API; feedback, its history, the
# rules and the examples are rows as version 1.0 writes them.
populate_bulk() {
	q "$1" <<'SQL'
\set t1 '''7e000000-0000-0000-0000-000000000001'''
\set t2 '''7e000000-0000-0000-0000-000000000002'''
\set support '''00000000-0000-0000-0000-000000000051'''
\set alice '''00000000-0000-0000-0000-0000000000a1'''
\set bob '''00000000-0000-0000-0000-0000000000b0'''
\set carl '''00000000-0000-0000-0000-0000000000c1'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
\set adam '''00000000-0000-0000-0000-0000000000ad'''
\set c1 '''c0000000-0000-0000-0000-000000000001'''
\set c2 '''c0000000-0000-0000-0000-000000000002'''
\set c3 '''c0000000-0000-0000-0000-000000000003'''
\set c4 '''c0000000-0000-0000-0000-000000000004'''
SELECT feedback.put_user(:support, 'support@example.com', true);
SELECT feedback.put_user(:alice, 'alice@example.com');
SELECT feedback.put_user(:bob, 'bob@example.com');
SELECT feedback.put_user(:carl, 'carl@example.com');
SELECT feedback.put_user(:rita, 'rita@example.com');
SELECT feedback.put_user(:adam, 'adam@example.com');
SELECT feedback.put_member(:t1, :alice);
SELECT feedback.put_member(:t1, :bob, 'member');
SELECT feedback.put_member(:t1, :carl);
SELECT feedback.put_member(:t1, :rita, 'reviewer');
SELECT feedback.put_member(:t1, :adam, 'admin');
SELECT feedback.put_member(:t2, :alice);
SELECT feedback.put_member(:t2, :rita, 'admin');
SELECT feedback.put_conversation(:t1, :c1, 'Pricing', 'sales-bot', created_at => '2026-03-01T10:00:00Z');
SELECT feedback.put_conversation(:t1, :c2, 'Old thread', 'sales-bot', is_archived => true,
       created_at => '2026-03-01T09:00:00Z');
SELECT feedback.put_conversation(:t1, :c3, 'Support', 'help-bot', created_at => '2026-03-01T11:00:00Z');
SELECT feedback.put_conversation(:t2, :c4, 'Other tenant', created_at => '2026-03-01T12:00:00Z');
SELECT feedback.put_message(m.t, m.id::uuid, m.c, m.r, m.content, m.reply::uuid, created_at => m.at::timestamptz)
  FROM (VALUES
    (:t1::uuid, 'a0000000-0000-0000-0000-000000000001', :c1::uuid, 'user', 'How much is Pro?', NULL, '2026-03-01T10:00:00Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000002', :c1, 'assistant', 'Pro is 20 dollars.', 'a0000000-0000-0000-0000-000000000001', '2026-03-01T10:00:01Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000003', :c1, 'user', 'And Team?', NULL, '2026-03-01T10:01:00Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000004', :c1, 'assistant', 'Team is 50 dollars.', 'a0000000-0000-0000-0000-000000000003', '2026-03-01T10:01:01Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000005', :c2, 'user', 'Is there a trial?', NULL, '2026-03-01T09:00:00Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000006', :c2, 'assistant', 'Yes, 14 days.', 'a0000000-0000-0000-0000-000000000005', '2026-03-01T09:00:01Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000007', :c3, 'user', 'How do I reset my password?', NULL, '2026-03-01T11:00:00Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000008', :c3, 'assistant', 'Use the link on the login page.', 'a0000000-0000-0000-0000-000000000007', '2026-03-01T11:00:01Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000009', :c3, 'user', 'And my username?', NULL, '2026-03-01T11:01:00Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000010', :c3, 'assistant', 'It is your email address.', 'a0000000-0000-0000-0000-000000000009', '2026-03-01T11:01:01Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000011', :c3, 'user', 'Thanks. Anything else?', NULL, '2026-03-01T11:02:00Z'),
    (:t1, 'a0000000-0000-0000-0000-000000000012', :c3, 'assistant', 'No, that is all.', 'a0000000-0000-0000-0000-000000000011', '2026-03-01T11:02:01Z'),
    (:t2, 'a0000000-0000-0000-0000-000000000013', :c4, 'user', 'Hello?', NULL, '2026-03-01T12:00:00Z'),
    (:t2, 'a0000000-0000-0000-0000-000000000014', :c4, 'assistant', 'Hello, how can I help?', 'a0000000-0000-0000-0000-000000000013', '2026-03-01T12:00:01Z')
  ) AS m(t, id, c, r, content, reply, at)
 ORDER BY m.at;

BEGIN;
ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_after_change;
ALTER TABLE feedback.feedback DISABLE TRIGGER feedback_before_update;
INSERT INTO feedback.settings (tenant_id, rating, auto_approve, reason_required, updated_by, updated_at) VALUES
    (:t1, 'positive', true, false, :adam, '2026-03-02T09:00:00Z'),
    (:t2, 'negative', false, true, :rita, '2026-03-02T09:00:00Z');
-- every status: auto_approved, reviewed (with and without a correction),
-- dismissed, to_review (comment only, resubmitted, patched), ungrouped
INSERT INTO feedback.feedback (tenant_id, id, conversation_id, message_id, turn_id, user_id, impersonated_by,
        rating, comment, reasons, client_feedback_id, status, reviewed_by, reviewed_at, corrected_response,
        context, suggested_action_type, suggested_action_data, created_at, updated_at) VALUES
    (:t1, 'f0000000-0000-0000-0000-000000000001', :c1, 'a0000000-0000-0000-0000-000000000002', NULL, :alice, NULL,
     'positive', 'Exactly right', '{accurate}', NULL, 'auto_approved', NULL, NULL, NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:01Z', '2026-03-02T10:00:01Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000002', :c1, 'a0000000-0000-0000-0000-000000000002', NULL, :bob, NULL,
     'negative', 'Wrong price', '{outdated}', NULL, 'reviewed', :rita, '2026-03-02T10:00:03Z', 'Pro is 25 dollars since March.',
     NULL, NULL, '{}', '2026-03-02T10:00:02Z', '2026-03-02T10:00:03Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000003', :c1, 'a0000000-0000-0000-0000-000000000004', NULL, :alice, NULL,
     'negative', 'Vague', '{}', NULL, 'reviewed', :rita, '2026-03-02T10:00:05Z', NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:04Z', '2026-03-02T10:00:05Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000004', :c1, 'a0000000-0000-0000-0000-000000000004', NULL, :bob, NULL,
     'negative', 'Rude', '{}', NULL, 'dismissed', :rita, '2026-03-02T10:00:07Z', NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:06Z', '2026-03-02T10:00:07Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000005', :c2, 'a0000000-0000-0000-0000-000000000006', NULL, :carl, NULL,
     NULL, 'Is this still true?', '{}', NULL, 'to_review', NULL, NULL, NULL,
     NULL, 'reply', '{"text": "Yes, still 14 days."}', '2026-03-02T10:00:08Z', '2026-03-02T10:00:08Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000006', :c2, 'a0000000-0000-0000-0000-000000000006', NULL, :bob, NULL,
     'negative', 'Changed my mind', '{incomplete}', 'd0000000-0000-0000-0000-000000000002', 'to_review', NULL, NULL, NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:09Z', '2026-03-02T10:00:10Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000007', :c3, 'a0000000-0000-0000-0000-000000000008', 'b0000000-0000-0000-0000-000000000001', :alice, NULL,
     'negative', 'Too long, really', '{verbose}', NULL, 'to_review', NULL, NULL, NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:11Z', '2026-03-02T10:00:13Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000008', :c3, 'a0000000-0000-0000-0000-000000000008', NULL, :bob, NULL,
     'negative', 'Missing detail', '{}', NULL, 'reviewed', :rita, '2026-03-02T10:00:15Z', 'Use the link, then check your inbox.',
     NULL, NULL, '{}', '2026-03-02T10:00:14Z', '2026-03-02T10:00:15Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000009', :c3, 'a0000000-0000-0000-0000-000000000010', NULL, :carl, :support,
     'positive', 'Clear', '{}', NULL, 'auto_approved', NULL, NULL, NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:16Z', '2026-03-02T10:00:16Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000010', :c3, 'a0000000-0000-0000-0000-000000000010', NULL, :alice, NULL,
     'positive', NULL, '{}', NULL, 'reviewed', :rita, '2026-03-02T10:00:19Z', NULL,
     '{"source": "web"}', NULL, '{}', '2026-03-02T10:00:17Z', '2026-03-02T10:00:19Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000011', :c3, 'a0000000-0000-0000-0000-000000000012', NULL, :carl, NULL,
     'positive', NULL, '{}', NULL, 'reviewed', :rita, '2026-03-02T10:00:22Z', NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:20Z', '2026-03-02T10:00:22Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000012', NULL, NULL, NULL, :bob, NULL,
     'negative', 'Search is slow', '{}', NULL, 'to_review', NULL, NULL, NULL,
     '{"query_id": "q-1", "source": "search"}', NULL, '{}', '2026-03-02T10:00:23Z', '2026-03-02T10:00:23Z'),
    (:t2, 'f0000000-0000-0000-0000-000000000015', :c4, 'a0000000-0000-0000-0000-000000000014', NULL, :alice, NULL,
     'positive', 'Friendly', '{}', NULL, 'reviewed', :rita, '2026-03-02T10:00:26Z', NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:24Z', '2026-03-02T10:00:26Z'),
    (:t2, 'f0000000-0000-0000-0000-000000000016', NULL, NULL, NULL, :alice, NULL,
     NULL, 'Ungrouped in the other tenant', '{}', NULL, 'to_review', NULL, NULL, NULL,
     NULL, NULL, '{}', '2026-03-02T10:00:25Z', '2026-03-02T10:00:25Z');
INSERT INTO feedback.status_history (tenant_id, feedback_id, from_status, to_status, changed_by, changed_at, note)
SELECT h.t, h.f::uuid, h.fr::feedback.review_status, h.tr::feedback.review_status, h.b, h.at::timestamptz, h.note
  FROM (VALUES
    (:t1::uuid, 'f0000000-0000-0000-0000-000000000002', 'to_review', 'reviewed', :rita::uuid, '2026-03-02T10:00:03Z', 'confirmed'),
    (:t1, 'f0000000-0000-0000-0000-000000000003', 'to_review', 'reviewed', :rita, '2026-03-02T10:00:05Z', 'nothing to correct'),
    (:t1, 'f0000000-0000-0000-0000-000000000004', 'to_review', 'dismissed', :rita, '2026-03-02T10:00:07Z', 'not actionable'),
    (:t1, 'f0000000-0000-0000-0000-000000000006', 'auto_approved', 'to_review', :bob, '2026-03-02T10:00:10Z', NULL),
    (:t1, 'f0000000-0000-0000-0000-000000000007', 'to_review', 'reviewed', :rita, '2026-03-02T10:00:12Z', 'shortened'),
    (:t1, 'f0000000-0000-0000-0000-000000000007', 'reviewed', 'to_review', :alice, '2026-03-02T10:00:13Z', NULL),
    (:t1, 'f0000000-0000-0000-0000-000000000008', 'to_review', 'reviewed', :rita, '2026-03-02T10:00:15Z', 'via support'),
    (:t1, 'f0000000-0000-0000-0000-000000000010', 'auto_approved', 'to_review', :rita, '2026-03-02T10:00:18Z', 'look again'),
    (:t1, 'f0000000-0000-0000-0000-000000000010', 'to_review', 'reviewed', :rita, '2026-03-02T10:00:19Z', NULL),
    (:t1, 'f0000000-0000-0000-0000-000000000011', 'auto_approved', 'dismissed', :rita, '2026-03-02T10:00:21Z', NULL),
    (:t1, 'f0000000-0000-0000-0000-000000000011', 'dismissed', 'reviewed', :rita, '2026-03-02T10:00:22Z', 'fine after all'),
    (:t2, 'f0000000-0000-0000-0000-000000000015', 'to_review', 'reviewed', :rita, '2026-03-02T10:00:26Z', 'ok')
  ) AS h(t, f, fr, tr, b, at, note)
 ORDER BY h.at;
-- examples with ids of their own, as version 1.0 made them: active and
-- inactive, of feedback approved, no longer approved and deleted, manual
INSERT INTO feedback.golden_example (tenant_id, id, feedback_id, conversation_id, message_id, source_type,
        approval_type, prompt, original_response, golden_response, is_active, created_at, updated_at)
SELECT e.t, gen_random_uuid(), e.f::uuid, e.c, e.m::uuid, e.src, e.appr, e.prompt, e.orig, e.golden, e.active,
       e.created::timestamptz, e.updated::timestamptz
  FROM (VALUES
    (:t1::uuid, 'f0000000-0000-0000-0000-000000000001', :c1::uuid, 'a0000000-0000-0000-0000-000000000002', 'positive', 'auto',
     'How much is Pro?', 'Pro is 20 dollars.', 'Pro is 20 dollars.', true, '2026-03-02T10:00:01Z', '2026-03-02T10:00:01Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000002', :c1, 'a0000000-0000-0000-0000-000000000002', 'negative', 'manual',
     'How much is Pro?', 'Pro is 20 dollars.', 'Pro is 25 dollars since March.', true, '2026-03-02T10:00:03Z', '2026-03-02T10:00:03Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000003', :c1, 'a0000000-0000-0000-0000-000000000004', 'negative', 'manual',
     'And Team?', 'Team is 50 dollars.', NULL, false, '2026-03-02T10:00:05Z', '2026-03-02T10:00:05Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000006', :c2, 'a0000000-0000-0000-0000-000000000006', 'positive', 'auto',
     'Is there a trial?', 'Yes, 14 days.', 'Yes, 14 days.', false, '2026-03-02T10:00:09Z', '2026-03-02T10:00:10Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000007', :c3, 'a0000000-0000-0000-0000-000000000008', 'negative', 'manual',
     'How do I reset my password?', 'Use the link on the login page.', 'Click "Forgot password".', false, '2026-03-02T10:00:12Z', '2026-03-02T10:00:13Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000008', :c3, 'a0000000-0000-0000-0000-000000000008', 'negative', 'manual',
     'How do I reset my password?', 'Use the link on the login page.', 'Use the link, then check your inbox.', true, '2026-03-02T10:00:15Z', '2026-03-02T10:00:15Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000009', :c3, 'a0000000-0000-0000-0000-000000000010', 'positive', 'auto',
     'And my username?', 'It is your email address.', 'It is your email address.', true, '2026-03-02T10:00:16Z', '2026-03-02T10:00:16Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000010', :c3, 'a0000000-0000-0000-0000-000000000010', 'positive', 'manual',
     'And my username?', 'It is your email address.', 'It is your email address.', true, '2026-03-02T10:00:17Z', '2026-03-02T10:00:19Z'),
    (:t1, 'f0000000-0000-0000-0000-000000000011', :c3, 'a0000000-0000-0000-0000-000000000012', 'positive', 'manual',
     'Thanks. Anything else?', 'No, that is all.', 'No, that is all.', true, '2026-03-02T10:00:20Z', '2026-03-02T10:00:22Z'),
    (:t1, 'f0000000-0000-0000-0000-0000000000de', :c1, 'a0000000-0000-0000-0000-000000000002', 'positive', 'auto',
     'How much is Pro?', 'Pro is 20 dollars.', 'Pro is 20 dollars.', false, '2026-03-02T10:00:27Z', '2026-03-02T10:00:28Z'),
    (:t1, NULL, :c1, 'a0000000-0000-0000-0000-000000000004', 'manual', 'manual',
     'And Team?', 'Team is 50 dollars.', 'Team is 50 dollars a month per seat.', true, '2026-03-02T10:00:29Z', '2026-03-02T10:00:29Z'),
    (:t2, 'f0000000-0000-0000-0000-000000000015', :c4, 'a0000000-0000-0000-0000-000000000014', 'positive', 'manual',
     'Hello?', 'Hello, how can I help?', 'Hello, how can I help?', true, '2026-03-02T10:00:26Z', '2026-03-02T10:00:26Z')
  ) AS e(t, f, c, m, src, appr, prompt, orig, golden, active, created, updated);
ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_before_update;
ALTER TABLE feedback.feedback ENABLE TRIGGER feedback_after_change;
SELECT feedback.rebuild_review_groups(:t1);
SELECT feedback.rebuild_review_groups(:t2);
COMMIT;
SQL
}

# After the update: the new API on the old rows.  Prints nothing when every
# expectation holds, else what differs.  $1: the database; $2: "history" or
# "impersonation" or "examples".
after_update() {
	q "$1" -v part="$2" <<'SQL'
\set t1 '''7e000000-0000-0000-0000-000000000001'''
\set support '''00000000-0000-0000-0000-000000000051'''
\set rita '''00000000-0000-0000-0000-0000000000e1'''
SET feedback.user_id = :rita;
-- old feedback in to_review: the patched one, the resubmitted one
SELECT id AS f_patched FROM feedback.feedback WHERE tenant_id = :t1 AND comment = 'Too long, really' \gset
SELECT id AS f_resubmitted FROM feedback.feedback WHERE tenant_id = :t1 AND comment = 'Changed my mind' \gset
SELECT :'part' = 'history' AS history, :'part' = 'impersonation' AS impersonation,
       :'part' = 'examples' AS examples \gset
\if :history
CREATE TEMP TABLE before AS SELECT feedback.history(:t1, :'f_patched') AS h;
CREATE TEMP TABLE changed AS SELECT feedback.set_status(:t1, :'f_patched', 'reviewed', 'after the update') AS o;
CREATE TEMP TABLE after AS SELECT feedback.history(:t1, :'f_patched') AS h;
SELECT 'set_status returned status ' || coalesce(o ->> 'status', 'NULL') FROM changed WHERE o ->> 'status' IS DISTINCT FROM 'reviewed';
SELECT format('history has %s entries after the change, %s before', jsonb_array_length(a.h), jsonb_array_length(b.h))
  FROM before b, after a WHERE jsonb_array_length(a.h) <> jsonb_array_length(b.h) + 1;
SELECT 'an entry has the keys ' || (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(e) k) || ': ' || e::text
  FROM after, jsonb_array_elements(h) e
 WHERE (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k)
       <> '{at,by,from,impersonated_by,note,to}'::text[];
SELECT 'the new entry is ' || coalesce((h -> -1)::text, 'nothing')
  FROM after
 WHERE h -> -1 ->> 'from' IS DISTINCT FROM 'to_review' OR h -> -1 ->> 'to' IS DISTINCT FROM 'reviewed'
    OR h -> -1 -> 'by' IS DISTINCT FROM '{"id": "00000000-0000-0000-0000-0000000000e1", "email": "rita@example.com"}'
    OR h -> -1 -> 'impersonated_by' IS DISTINCT FROM 'null' OR h -> -1 ->> 'note' IS DISTINCT FROM 'after the update';
SELECT 'the feedback had no history to check: ' || h::text FROM before WHERE jsonb_array_length(h) = 0;
SELECT 'an old entry is ' || e::text FROM before, jsonb_array_elements(h) e
 WHERE e -> 'impersonated_by' IS DISTINCT FROM 'null';
SELECT format('the table has %s new entries, by %s, impersonated by %s', count(*), min(changed_by::text),
              min(impersonated_by::text))
  FROM feedback.status_history WHERE tenant_id = :t1 AND feedback_id = :'f_patched' AND note = 'after the update'
HAVING count(*) <> 1 OR min(changed_by::text) IS DISTINCT FROM '00000000-0000-0000-0000-0000000000e1'
    OR count(impersonated_by) <> 0;
\endif
\if :impersonation
SET feedback.user_id = :support;
SET feedback.impersonate_email = 'rita@example.com';
CREATE TEMP TABLE changed AS
SELECT feedback.set_status(:t1, :'f_resubmitted', 'reviewed', 'impersonated after the update',
       corrected_response => 'Yes, 14 days, no card needed.') AS o;
RESET feedback.impersonate_email;
SET feedback.user_id = :rita;
SELECT 'set_status returned ' || o::text FROM changed
 WHERE o ->> 'status' IS DISTINCT FROM 'reviewed'
    OR o -> 'reviewed_by' ->> 'id' IS DISTINCT FROM '00000000-0000-0000-0000-0000000000e1';
SELECT 'the new history entry is ' || coalesce((h -> -1)::text, 'nothing')
  FROM (SELECT feedback.history(:t1, :'f_resubmitted') AS h) x
 WHERE h -> -1 -> 'by' IS DISTINCT FROM '{"id": "00000000-0000-0000-0000-0000000000e1", "email": "rita@example.com"}'
    OR h -> -1 -> 'impersonated_by' IS DISTINCT FROM '{"id": "00000000-0000-0000-0000-000000000051", "email": "support@example.com"}'
    OR h -> -1 ->> 'note' IS DISTINCT FROM 'impersonated after the update';
SELECT 'the history row is ' || h::text FROM feedback.status_history h
 WHERE h.tenant_id = :t1 AND h.feedback_id = :'f_resubmitted' AND h.note = 'impersonated after the update'
   AND (h.changed_by IS DISTINCT FROM :rita OR h.impersonated_by IS DISTINCT FROM :support);
SELECT 'the feedback row has review_impersonated_by ' || coalesce(f.review_impersonated_by::text, 'NULL')
  FROM feedback.feedback f
 WHERE f.tenant_id = :t1 AND f.id = :'f_resubmitted' AND f.review_impersonated_by IS DISTINCT FROM :support;
SELECT format('%s examples of the feedback, ids %s', count(*), string_agg(g.id::text, ', '))
  FROM feedback.golden_example g WHERE g.tenant_id = :t1 AND g.feedback_id = :'f_resubmitted'
HAVING count(*) <> 1 OR bool_or(g.id <> g.feedback_id);
SELECT 'its example is ' || e::text FROM jsonb_array_elements(feedback.golden_examples(:t1, false) -> 'results') e
 WHERE e ->> 'feedback_id' = :'f_resubmitted'
   AND (e -> 'approved_by' IS DISTINCT FROM '{"id": "00000000-0000-0000-0000-0000000000e1", "email": "rita@example.com"}'
        OR e -> 'impersonated_by' IS DISTINCT FROM '{"id": "00000000-0000-0000-0000-000000000051", "email": "support@example.com"}'
        OR e ->> 'is_active' IS DISTINCT FROM 'true' OR e ->> 'id' IS DISTINCT FROM :'f_resubmitted'
        OR e ->> 'golden_response' IS DISTINCT FROM 'Yes, 14 days, no card needed.');
\endif
\if :examples
CREATE TEMP TABLE page AS SELECT feedback.golden_examples(:t1, false) AS p;
SELECT format('golden_examples returns %s examples, the table holds %s', jsonb_array_length(p -> 'results'),
              (SELECT count(*) FROM feedback.golden_example WHERE tenant_id = :t1))
  FROM page
 WHERE jsonb_array_length(p -> 'results') <> (SELECT count(*) FROM feedback.golden_example WHERE tenant_id = :t1);
SELECT 'an example lacks approved_by or impersonated_by: ' || e::text
  FROM page, jsonb_array_elements(p -> 'results') e
 WHERE NOT (e ? 'approved_by' AND e ? 'impersonated_by');
SELECT 'an auto-approved example has ' || e::text
  FROM page, jsonb_array_elements(p -> 'results') e
 WHERE e ->> 'approval_type' = 'auto'
   AND (e -> 'approved_by' IS DISTINCT FROM 'null' OR e -> 'impersonated_by' IS DISTINCT FROM 'null');
SELECT 'an example''s id is not its feedback''s: ' || e::text
  FROM page, jsonb_array_elements(p -> 'results') e
 WHERE e ->> 'feedback_id' IS NOT NULL AND e ->> 'id' IS DISTINCT FROM e ->> 'feedback_id';
\endif
SQL
}

# The golden examples against their feedback, in every tenant: an approved
# feedback with a rating and an answer has its example (id = feedback_id,
# active when positive or corrected); any other example of a feedback is
# inactive.  Prints the differences.
examples_consistent() {
	q "$1" <<'SQL'
SELECT format('feedback %s (%s, %s) has %s', f.id, f.status, f.rating,
              CASE WHEN g.id IS NULL THEN 'no example'
                   ELSE format('example %s, active %s, %s', g.id, g.is_active, g.source_type) END)
  FROM feedback.feedback f
  LEFT JOIN feedback.golden_example g ON g.tenant_id = f.tenant_id AND g.feedback_id = f.id
 WHERE f.rating IS NOT NULL AND f.message_id IS NOT NULL AND f.status IN ('auto_approved', 'reviewed')
   AND (g.id IS NULL OR g.id <> f.id
        OR g.is_active <> (f.rating = 'positive' OR f.corrected_response IS NOT NULL)
        OR g.source_type <> f.rating::text
        OR (f.status = 'auto_approved') <> (g.approval_type = 'auto'))
UNION ALL
SELECT format('example %s of feedback %s (%s) is active', g.id, g.feedback_id, coalesce(f.status::text, 'deleted'))
  FROM feedback.golden_example g
  LEFT JOIN feedback.feedback f ON f.tenant_id = g.tenant_id AND f.id = g.feedback_id
 WHERE g.feedback_id IS NOT NULL AND g.is_active
   AND NOT (f.rating IS NOT NULL AND f.message_id IS NOT NULL AND f.status IN ('auto_approved', 'reviewed'))
ORDER BY 1;
SQL
}

# The idempotency keys after the update: every key stored on a feedback
# before it is bound to that feedback in client_keys, and a submit with it
# (as a late retry would send it) writes nothing.  Prints the differences.
keys_bound() {
	q "$1" <<'SQL'
SELECT 'no feedback with a client_feedback_id to check'
 WHERE NOT EXISTS (SELECT FROM feedback.feedback WHERE client_feedback_id IS NOT NULL AND message_id IS NOT NULL);
SELECT format('feedback %s: key %s is bound to %s', f.id, f.client_feedback_id, coalesce(k.feedback_id::text, 'nothing'))
  FROM feedback.feedback f
  LEFT JOIN feedback.client_keys k ON k.tenant_id = f.tenant_id AND k.user_id = f.user_id
                                  AND k.client_feedback_id = f.client_feedback_id
 WHERE f.client_feedback_id IS NOT NULL AND k.feedback_id IS DISTINCT FROM f.id;
SELECT f.tenant_id, f.id, f.user_id, f.message_id, f.client_feedback_id, f.updated_at
  FROM feedback.feedback f WHERE f.client_feedback_id IS NOT NULL AND f.message_id IS NOT NULL
 ORDER BY f.id LIMIT 1 \gset
SET feedback.user_id = :'user_id';
SELECT feedback.submit(:'tenant_id', :'message_id', 'up', 'with a new key',
                       client_feedback_id => 'd0000000-0000-0000-0000-0000000000ff') AS replaced \gset
SELECT updated_at AS after_new_key FROM feedback.feedback WHERE id = :'id' \gset
SELECT feedback.submit(:'tenant_id', :'message_id', 'down', 'a late retry',
                       client_feedback_id => :'client_feedback_id') AS late \gset
SELECT format('after a late retry with the old key %s the feedback is %s', :'client_feedback_id', f::text)
  FROM feedback.feedback f
 WHERE f.id = :'id' AND (f.updated_at <> :'after_new_key' OR f.comment <> 'with a new key'
                         OR f.client_feedback_id <> 'd0000000-0000-0000-0000-0000000000ff');
SELECT 'the late retry returned ' || :'late' WHERE (:'late'::jsonb ->> 'comment') IS DISTINCT FROM 'with a new key';
SQL
}

# The enrichment queue after the update: the feedback that had a suggestion
# is completed, every other is open and claim_suggestions returns exactly
# those, oldest first.  Prints the differences.
open_work() {
	q "$1" <<'SQL'
SELECT 'no feedback with a suggestion to check' WHERE NOT EXISTS (SELECT FROM feedback.feedback WHERE suggested_action_type IS NOT NULL);
SELECT format('feedback %s: suggestion %s, suggested_at %s', id, suggested_action_type, suggested_at)
  FROM feedback.feedback WHERE (suggested_action_type IS NULL) <> (suggested_at IS NULL);
CREATE TEMP TABLE claimed AS SELECT row_number() OVER () AS n, (f ->> 'id')::uuid AS id FROM feedback.claim_suggestions(1000) f;
SELECT format('claim_suggestions returned %s in this order: %s', count(*), string_agg(c.id::text, ' ' ORDER BY c.n))
  FROM claimed c
HAVING array_agg(c.id ORDER BY c.n) IS DISTINCT FROM
       (SELECT array_agg(f.id ORDER BY f.created_at, f.id) FROM feedback.feedback f WHERE f.suggested_at IS NULL);
SQL
}

# The analytics counters after the update, built from the rows of the old
# version: as a reviewer of each tenant, verify_stats finds no difference
# and stats counts every feedback.  Prints the differences.
stats_built() {
	q "$1" <<'SQL'
SELECT 'no feedback to count' WHERE NOT EXISTS (SELECT FROM feedback.feedback);
SELECT format('tenant %s has feedback and no reviewer to check it', t.tenant_id)
  FROM (SELECT DISTINCT tenant_id FROM feedback.feedback) t
 WHERE NOT EXISTS (SELECT FROM feedback.memberships m WHERE m.tenant_id = t.tenant_id AND m.role <> 'member');
SELECT format('SET feedback.user_id = %L', r.user_id),
       format($$SELECT format('tenant %%s: %%s', %1$L, d) FROM (SELECT feedback.verify_stats(%1$L) AS d) x
                 WHERE d <> '[]'$$, t.tenant_id),
       format($$SELECT format('tenant %%s: stats counts %%s feedback of %%s', %1$L, s, n)
                  FROM (SELECT (SELECT sum((b ->> 'feedback')::int)
                                  FROM jsonb_array_elements(feedback.stats(%1$L, '2000-01-01', '2070-01-01', 'month')
                                                            -> 'buckets') b) AS s,
                               (SELECT count(*) FROM feedback.feedback f WHERE f.tenant_id = %1$L) AS n) x
                 WHERE s IS DISTINCT FROM n$$, t.tenant_id)
  FROM (SELECT DISTINCT tenant_id FROM feedback.feedback) t
 CROSS JOIN LATERAL (SELECT m.user_id FROM feedback.memberships m
                      WHERE m.tenant_id = t.tenant_id AND m.role <> 'member' ORDER BY m.user_id LIMIT 1) r
\gexec
SQL
}

# The exports of the examples of the old version, as a reviewer of each
# tenant: one chat line per answer with an active example, and one
# preference pair per answer with an active correction (its latest
# correction chosen).  Prints what differs.
exports_of_old() {
	q "$1" <<'SQL'
SELECT 'no corrected example to export'
 WHERE NOT EXISTS (SELECT FROM feedback.golden_example g WHERE g.is_active AND g.source_type = 'negative');
SELECT format('SET feedback.user_id = %L', r.user_id),
       format($$SELECT format('tenant %%s: %%s chat lines for %%s answers', %1$L, l, a)
                  FROM (SELECT (SELECT count(*) FROM feedback.export_golden_examples(%1$L, 2)) AS l,
                               (SELECT count(DISTINCT g.message_id) FROM feedback.golden_example g
                                 WHERE g.tenant_id = %1$L AND g.is_active) AS a) x
                 WHERE l <> a$$, t.tenant_id),
       format($$SELECT format('tenant %%s: pairs choose %%s, the corrections are %%s', %1$L, p, e)
                  FROM (SELECT (SELECT array_agg(c ORDER BY c)
                                  FROM (SELECT line -> 'chosen' -> 0 ->> 'content' AS c
                                          FROM feedback.export_preference_pairs(%1$L, 'trl') AS line) l) AS p,
                               (SELECT array_agg(c ORDER BY c)
                                  FROM (SELECT DISTINCT ON (g.message_id) g.golden_response AS c
                                          FROM feedback.golden_example g
                                         WHERE g.tenant_id = %1$L AND g.is_active AND g.source_type = 'negative'
                                         ORDER BY g.message_id, g.updated_at DESC, g.id DESC) g) AS e) x
                 WHERE p IS DISTINCT FROM e$$, t.tenant_id)
  FROM (SELECT DISTINCT tenant_id FROM feedback.golden_example) t
 CROSS JOIN LATERAL (SELECT m.user_id FROM feedback.memberships m
                      WHERE m.tenant_id = t.tenant_id AND m.role <> 'member' ORDER BY m.user_id LIMIT 1) r
\gexec
SQL
}

# verify_review_groups of every tenant that is not [] (nothing when the
# maintained review queue is exact).
verify_groups() {
	q "$1" -c "SELECT format('tenant %s: %s', tenant_id, v)
	             FROM (SELECT tenant_id, feedback.verify_review_groups(tenant_id) AS v
	                     FROM (SELECT DISTINCT tenant_id FROM feedback.memberships) m) x
	            WHERE v <> '[]' ORDER BY 1"
}

PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/${PG_MAJOR:-15}/bin/pg_config}"
libdir="$("$PG_CONFIG" --pkglibdir)"

# Run a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The last commit of the git history whose control file names version $1
# as its default: the parent of the commit that moved on from it.  Fails
# when the checkout has no such history.
commit_of_version() {
	local version="$1" newer="" c
	git rev-parse --git-dir >/dev/null 2>&1 || return 1
	for c in $(git rev-list HEAD -- feedback.control); do
		if git show "$c:feedback.control" | grep -q "^default_version = '$version'"; then
			[ -n "$newer" ] || return 1
			git rev-parse --verify -q "$newer^" || return 1
			return 0
		fi
		newer="$c"
	done
	return 1
}

# Build the library of version $1 from its commit and install it in place
# of the current one (put back by restore_library, also on exit).
install_library_of() {
	local commit src
	commit=$(commit_of_version "$1") || return 1
	src="$tmp/library-$1"
	mkdir -p "$src" &&
		git archive "$commit" Makefile feedback.control src | tar -x -C "$src" &&
		make -s -C "$src" PG_CONFIG="$PG_CONFIG" >"$src/build.log" 2>&1 &&
		as_root install -m 755 "$src/feedback.so" "$libdir/feedback.so" || return 1
	old_library=$commit
}

# Put the current library back (the one make test built).
restore_library() {
	if [ -n "${old_library:-}" ]; then
		as_root install -m 755 feedback.so "$libdir/feedback.so"
		old_library=
	fi
}

# Fresh install of the default version: what an update must give.
fresh=feedback_upgrade_fresh
psql -qX -c "DROP DATABASE IF EXISTS $fresh" -c "CREATE DATABASE $fresh" >/dev/null
if q "$fresh" -c 'CREATE EXTENSION feedback CASCADE' >"$tmp/fresh.log" 2>&1 &&
	objects "$fresh" >"$tmp/fresh.objects" 2>>"$tmp/fresh.log" &&
	definitions "$fresh" >"$tmp/fresh.definitions" 2>>"$tmp/fresh.log" &&
	columns "$fresh" >"$tmp/fresh.columns" 2>>"$tmp/fresh.log"; then
	report 0
else
	report 1 "$tmp/fresh.log"
	exit 1
fi

for script in $scripts; do
	from=$(from_version "$script")
	path_checks "$from"
	last=$((n + ${#checks[@]}))	# this path's checks end there
	db=feedback_upgrade
	d="$tmp/$from"
	mkdir -p "$d"
	psql -qX -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null

	# populated through the API of version A, served by its own library;
	# without the history to build it, the checks that follow run on the
	# same kind of rows loaded directly
	if ! commit_of_version "$from" >/dev/null; then
		n=$((n + 1))
		echo "ok $n - ${names[$n]} # SKIP this checkout has no git history of version $from: the checks below run on a bulk load"
		if ! { q "$db" -c "CREATE EXTENSION feedback VERSION '$from' CASCADE" && populate_bulk "$db"; } \
			>/dev/null 2>"$d/bulk.log"; then
			sed 's/^/# /' "$d/bulk.log"
			skip_to "$last" "not run: version $from could not be populated"
			continue
		fi
	elif ! install_library_of "$from" >"$d/populate.log" 2>&1; then
		cat "$tmp/library-$from/build.log" >>"$d/populate.log" 2>/dev/null
		report 1 "$d/populate.log"
		skip_to "$last" "not run: the library of version $from could not be built"
		continue
	elif q "$db" -c "CREATE EXTENSION feedback VERSION '$from' CASCADE" >/dev/null 2>"$d/populate.log" &&
		populate "$db" >/dev/null 2>>"$d/populate.log"; then
		restore_library
		statuses=$(q "$db" -c "SELECT string_agg(DISTINCT status::text, ',' ORDER BY status::text) FROM feedback.feedback")
		kinds=$(q "$db" -c "SELECT string_agg(DISTINCT source_type || '/' || is_active, ',' ORDER BY source_type || '/' || is_active)
		                     FROM feedback.golden_example")
		if [ "$statuses" = "auto_approved,dismissed,reviewed,to_review" ] &&
			[ "$kinds" = "manual/true,negative/false,negative/true,positive/false,positive/true" ]; then
			echo "# version $from served by its library of commit $(git rev-parse --short "$(commit_of_version "$from")")"
			report 0
		else
			echo "statuses: $statuses; examples: $kinds" >"$d/populate.log"
			report 1 "$d/populate.log"
		fi
	else
		restore_library
		report 1 "$d/populate.log"
		echo "# populating through the API of $from failed (above): the checks below run on a bulk load of the same kind of rows"
		psql -qX -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
		if ! { q "$db" -c "CREATE EXTENSION feedback VERSION '$from' CASCADE" && populate_bulk "$db"; } \
			>/dev/null 2>"$d/bulk.log"; then
			sed 's/^/# /' "$d/bulk.log"
			skip_to "$last" "not run: version $from could not be populated"
			continue
		fi
	fi

	# the state of version A, in its own columns, and its review queue check
	select_lists "$db" >"$d/lists" 2>&1
	rows "$db" "$d/lists" 2 >"$d/rows.before"
	verify_groups "$db" >"$d/verify.before" 2>&1

	if q "$db" -c 'ALTER EXTENSION feedback UPDATE' >"$d/update.log" 2>&1; then
		report 0
	else
		report 1 "$d/update.log"
		skip_to "$last" "not run: the update failed"
		continue
	fi

	# (a) the objects of a fresh install
	objects "$db" >"$d/objects" 2>&1
	diff -u "$tmp/fresh.objects" "$d/objects" >"$d/objects.diff"
	report $? "$d/objects.diff"

	# their definitions
	definitions "$db" >"$d/definitions" 2>&1
	diff -u "$tmp/fresh.definitions" "$d/definitions" >"$d/definitions.diff"
	report $? "$d/definitions.diff"

	# (e) the columns of a fresh install, in the same order
	columns "$db" >"$d/columns" 2>&1
	diff -u "$tmp/fresh.columns" "$d/columns" >"$d/columns.diff"
	report $? "$d/columns.diff"

	# (b) every row kept, in the columns of version A
	rows "$db" "$d/lists" 3 >"$d/rows.after"
	{
		grep -q '^(' "$d/rows.before" && ! grep -q 'ERROR' "$d/rows.before" ||
			echo "no rows could be read before the update"
		diff -u "$d/rows.before" "$d/rows.after"
	} >"$d/rows.diff"
	[ ! -s "$d/rows.diff" ]
	report $? "$d/rows.diff"

	q "$db" -c "SELECT 'no example made from a feedback to check'
	             WHERE NOT EXISTS (SELECT FROM feedback.golden_example WHERE feedback_id IS NOT NULL)
	            UNION ALL
	            (SELECT format('example %s has feedback_id %s', id, feedback_id) FROM feedback.golden_example
	              WHERE feedback_id IS NOT NULL AND id <> feedback_id ORDER BY 1)" >"$d/ids" 2>&1
	[ ! -s "$d/ids" ]
	report $? "$d/ids"

	# (c) the derived state: the review queue, the examples
	verify_groups "$db" >"$d/verify" 2>&1
	if [ -s "$d/verify" ] && [ -s "$d/verify.before" ]; then
		sed 's/^/before the update: /' "$d/verify.before" >>"$d/verify"
	fi
	[ ! -s "$d/verify" ]
	report $? "$d/verify"

	examples_consistent "$db" >"$d/examples" 2>&1
	[ ! -s "$d/examples" ]
	report $? "$d/examples"

	# (d) the new API on the old rows
	for part in history impersonation examples; do
		after_update "$db" "$part" >"$d/$part" 2>&1
		[ ! -s "$d/$part" ]
		report $? "$d/$part"
	done

	keys_bound "$db" >"$d/keys" 2>&1
	[ ! -s "$d/keys" ]
	report $? "$d/keys"

	open_work "$db" >"$d/work" 2>&1
	[ ! -s "$d/work" ]
	report $? "$d/work"

	stats_built "$db" >"$d/stats" 2>&1
	[ ! -s "$d/stats" ]
	report $? "$d/stats"

	exports_of_old "$db" >"$d/exports" 2>&1
	[ ! -s "$d/exports" ]
	report $? "$d/exports"

	skip_to "$last" "not run"
	psql -qX -c "DROP DATABASE IF EXISTS $db" >/dev/null
done
psql -qX -c "DROP DATABASE IF EXISTS $fresh" >/dev/null
