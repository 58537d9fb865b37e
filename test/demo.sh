#!/usr/bin/env bash
# test/demo.sh -- `make demo`: a readable walk through the main job against a
# private throwaway cluster (see test/demo.sql).

source "$(dirname "$0")/harness.sh"

harness_setup
cluster_start
cd "$TOP"
psql -qX -c 'CREATE DATABASE feedback_demo' >/dev/null
psql -X -d feedback_demo -v ON_ERROR_STOP=1 --echo-queries -f test/demo.sql
echo
echo "demo finished; the private cluster is removed"
