#!/usr/bin/env bash
# Issue 23's cost figure on real Trino: worker-seconds over a fixed load trace (idle, burst, idle)
# with autoscaling and scale-to-zero (workers.min 0), with autoscaling and scale-to-zero off (min 1),
# and a static cluster at the trace's peak size (computed: peak x the trace's length, no run).
# Worker-seconds come from the orchestrator's presto_orchestrator_cluster_worker_seconds_total; every
# query's outcome is counted and the benchmark fails if one failed. It runs
# orchestrator/src/test/.../autoscaling/AutoscalingCostBenchmark.java (real Nomad, real Prometheus,
# the real nomad-autoscaler, as AutoscalingEndToEndIT does); not part of scripts/test.sh. About
# 15 min on a 2-core machine. What it measures and the figures: docs/scale.md#cost.
# Usage: scripts/bench-cost.sh [idle-seconds burst-seconds tail-seconds]   (default 60 150 150)
# Environment: MAVEN_ARGS, more arguments for mvn (e.g. -o to build offline), as Maven 3.9 reads it.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
idle="${1:-60}"
burst="${2:-150}"
tail="${3:-150}"
for value in "$idle" "$burst" "$tail"; do
    [[ $value =~ ^[1-9][0-9]*$ ]] || { echo "bench-cost: phase lengths are positive whole seconds, got '$value'" >&2; exit 2; }
done
CACHE="${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}"
[[ -f "$CACHE/env.sh" ]] || scripts/setup.sh
# shellcheck source=/dev/null
source "$CACHE/env.sh"
log="$(mktemp -t bench-cost.XXXXXX.log)"
echo "bench-cost: trace idle ${idle} s, burst ${burst} s, idle ${tail} s, twice (min 0, min 1); log $log"
read -ra maven_args <<<"${MAVEN_ARGS:-}"
set +e
mvn -B -ntp "${maven_args[@]}" -pl orchestrator -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=AutoscalingCostBenchmark -Dfailsafe.failIfNoSpecifiedTests=false -Dit.forks=1 \
    -Dbench.idle="$idle" -Dbench.burst="$burst" -Dbench.tail="$tail" verify >"$log" 2>&1
status=$?
set -e
grep -E '^AutoscalingCostBenchmark' "$log" | sed 's/^AutoscalingCostBenchmark //' || true
if [[ $status != 0 ]]; then
    echo "bench-cost: the benchmark failed (maven exit $status); its output: $log" >&2
    grep -E -m 5 'AssertionError|ConditionTimeout|Exception' "$log" >&2 || true
fi
exit "$status"
