#!/usr/bin/env bash
# Issue 18's benchmark: restarts a running cluster of the local stack several times under load through
# Traefik (a short query every 0.5 s, a TPC-H Q1 on sf1 per run, the public URL probed every 0.5 s), first
# with its rollout as it is (blue-green by default), then with rollout in-place (the control, set back
# after), and prints per operation: failed queries, seconds the public URL did not answer, extra
# worker-seconds and duration, min / median / max. See docs/zero-downtime.md.
# Usage: scripts/bench-zero-downtime.sh [runs per operation, default 3] [cluster, default demo]
# Needs the local stack: scripts/run-local.sh (its connection details in ${LOCAL_DIR:-.local}/env).
# SKIP_BUILD=1 uses the benchmarks jar as built.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
runs="${1:-3}"
cluster="${2:-demo}"
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench-zero-downtime: runs is a positive whole number, got '$runs'" >&2; exit 2; }
env_file="${LOCAL_DIR:-$REPO_ROOT/.local}/env"
[[ -f "$env_file" ]] || { echo "bench-zero-downtime: $env_file is missing: start the local stack first (scripts/run-local.sh)" >&2; exit 1; }
# shellcheck source=/dev/null
source "$env_file"
CACHE="${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}"
# shellcheck source=/dev/null
source "$CACHE/env.sh"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "bench-zero-downtime: building the benchmarks jar"
    mvn -B -ntp -q -pl benchmarks -am package -DskipTests
fi
exec java -cp "$REPO_ROOT/benchmarks/target/benchmarks.jar" io.prestoorchestrator.benchmarks.ZeroDowntimeBenchmark "$runs" "$cluster"
