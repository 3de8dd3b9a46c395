#!/usr/bin/env bash
# The whole test suite: every package's tests through turbo, then one summary line.
set -u
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# Two at a time: the suites start real servers (PostgreSQL, Azurite, Spark) and this is sized for 2 cores.
pnpm exec turbo run test --concurrency="${SALESLAKE_TEST_CONCURRENCY:-2}" --continue "$@"
rc=$?
node scripts/test-summary.ts || rc=1
exit $rc
