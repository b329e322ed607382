#!/usr/bin/env bash
# Issue 6's drain-overhead benchmark on real Trino: per drain path, the time from a worker reaching
# DRAINED to the path's action completing, as min/median/max over N runs (default 5). It starts its
# own Trino cluster (coordinator + 3 workers), Nomad and Consul simulators and moto, and takes about
# 8-10 minutes per run on a 2-core machine (path 4 replaces every worker, one at a time).
# Usage: scripts/bench-drain.sh [runs]
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
runs="${1:-5}"
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-drain: runs must be a positive whole number, got '$runs'" >&2
    exit 2
fi
scripts/setup.sh
# shellcheck source=/dev/null
source "${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}/env.sh"
log="$(mktemp -t bench-drain.XXXXXX.log)"
set +e
mvn -B -ntp -pl orchestrator -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=DrainOverheadByPathBenchmark -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.runs="$runs" verify >"$log" 2>&1
status=$?
set -e
grep -E '^(Drain overhead by path|  path |DrainOverheadByPathBenchmark:)' "$log" || true
if [[ $status != 0 ]]; then
    echo "bench-drain: the benchmark failed (maven exit $status); its output: $log" >&2
fi
exit "$status"
