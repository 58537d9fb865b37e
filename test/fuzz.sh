#!/usr/bin/env bash
# test/fuzz.sh -- `make fuzz`: test/fuzz.sql with FUZZ_INPUTS random inputs
# (default 1,000,000) against a private cluster.

source "$(dirname "$0")/harness.sh"

harness_setup
cluster_start
cd "$TOP"
psql -qX -c 'CREATE DATABASE feedback_fuzz' >/dev/null
time psql -qX -v ON_ERROR_STOP=1 -v seed="${FUZZ_SEED:-0.42}" -d feedback_fuzz \
	-c "SET fuzz.inputs = ${FUZZ_INPUTS:-1000000}" -f test/fuzz.sql
