#!/usr/bin/env bash
# test/fuzz.sh -- `make fuzz`: test/fuzz.sql with FUZZ_INPUTS random inputs
# (default 1,000,000; seed FUZZ_SEED) against a private cluster.  Exits
# non-zero when fuzz.sql fails: a parser reading differs from the contract,
# an undocumented SQLSTATE, too few inputs accepted, a review queue that
# differs from its recomputation (see test/fuzz.sql), or a crash.

source "$(dirname "$0")/harness.sh"
set +e
set -u

harness_setup || exit 1
cluster_start || exit 1
cd "$TOP" || exit 1
psql -qX -c 'CREATE DATABASE feedback_fuzz' >/dev/null || exit 1
start=$SECONDS
PGOPTIONS="-c client_min_messages=warning" psql -qXAt -v ON_ERROR_STOP=1 -v seed="${FUZZ_SEED:-0.42}" \
	-d feedback_fuzz -c "SET fuzz.inputs = ${FUZZ_INPUTS:-1000000}" -f test/fuzz.sql
rc=$?
echo "fuzz: psql exit $rc after $((SECONDS - start))s"
[ "$rc" -eq 0 ]
