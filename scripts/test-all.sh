#!/usr/bin/env bash
# The whole test suite: every package's tests through turbo, then one summary line.
set -u
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# Two at a time: the suites start real servers (PostgreSQL, Azurite, Spark) and this is sized for 2 cores.
# Reports from an earlier run must not stand in for a suite that does not finish in this one.
rm -f packages/*/.test-report.json apps/*/.test-report.json {infra,bench,faults}/.test-report.json
pnpm exec turbo run test --concurrency="${SALESLAKE_TEST_CONCURRENCY:-2}" --continue "$@"
rc=$?
# With no filter, every package with tests must report: a suite cut short (a killed run, a
# stopped turbo) writes no report and fails the run even when turbo exits 0.
if [ "$#" -eq 0 ]; then summary_args=(--all); else summary_args=(); fi
node scripts/test-summary.ts "${summary_args[@]}" || rc=1
exit $rc
