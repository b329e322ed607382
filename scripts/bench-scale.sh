#!/usr/bin/env bash
# Issue 23's scale benchmark: the orchestrator against N clusters (default 10, 100 and 1000), each
# registered as a deploy leaves it (cluster record in Consul KV, Nomad job, Consul services) with
# its coordinator served by one stand-in process of many fake Trino coordinators. Per N it starts a
# fresh Consul simulator and a real Nomad 1.6.1 (one client), runs the benchmark
# (benchmarks/.../scale/ScaleBenchmark.java: one replica; at rest, GET /v1/clusters/{name} at
# 200/s, a list page at 20/s, the API overhead against a bare Vert.x server, a leader failover)
# and stops both; at the end it prints one table of every N. What is measured and how, and what
# differs from production: docs/scale.md. About 3 min per N up to 100, 5-6 min at 1000.
# Usage: scripts/bench-scale.sh [N ...]
# Environment: BENCH_PORT_BASE (default 26500: Consul on it and +1, Nomad on +100..+140, dynamic
# ports from +2500), ORCHESTRATOR_JVM (default "-Xmx768m -XX:+ExitOnOutOfMemoryError": production's
# -XX:MaxRAMPercentage=75 of its 1024 MB task), SKIP_BUILD=1 to use the jars as built, BENCH_PHASES
# (default rest,get,list,overhead,failover: which measurements run, e.g. BENCH_PHASES=overhead for the
# API overhead alone), BENCH_PROFILE=1 to keep a JFR recording of the orchestrator during the API
# overhead's attack on it (overhead-N.jfr in the logs' directory).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
counts=("$@")
((${#counts[@]})) || counts=(10 100 1000)
for n in "${counts[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench-scale: cluster counts are positive whole numbers, got '$n'" >&2; exit 2; }
done
CACHE="${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}"
[[ -f "$CACHE/env.sh" ]] || scripts/setup.sh
# shellcheck source=/dev/null
source "$CACHE/env.sh"

VEGETA_VERSION=v12.13.0
VEGETA="$CACHE/bin/vegeta-$VEGETA_VERSION/vegeta"
if [[ ! -x "$VEGETA" ]]; then
    echo "bench-scale: installing vegeta $VEGETA_VERSION (the load tool) into $(dirname "$VEGETA")"
    GOBIN="$(dirname "$VEGETA")" go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "bench-scale: building the orchestrator, the Consul simulator and the benchmarks"
    mvn -B -ntp -q -pl benchmarks,simulators/consul -am package -DskipTests
fi
ORCHESTRATOR_JAR="$REPO_ROOT/orchestrator/target/presto-orchestrator.jar"
CONSUL_JAR="$REPO_ROOT/simulators/consul/target/consul-simulator.jar"
BENCH_JAR="$REPO_ROOT/benchmarks/target/benchmarks.jar"

base="${BENCH_PORT_BASE:-26500}"
consul_port=$base
agent_port=$((base + 1))
nomad_port=$((base + 100))
nomad_port_base=$((base + 110))
dynamic_ports=$((base + 2500))
dir="$(mktemp -d -t bench-scale.XXXXXX)"
results="$dir/results.jsonl"
consul_pid=""
nomad_dir=""

stop_stack() {
    if [[ -n "$nomad_dir" ]]; then
        scripts/nomad-local.sh stop --dir "$nomad_dir" >/dev/null 2>&1 || true
        nomad_dir=""
    fi
    if [[ -n "$consul_pid" ]]; then
        kill "$consul_pid" 2>/dev/null || true
        wait "$consul_pid" 2>/dev/null || true
        consul_pid=""
    fi
}
trap stop_stack EXIT

for port in "$consul_port" "$agent_port" "$nomad_port"; do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "bench-scale: port $port is taken; set BENCH_PORT_BASE to another base" >&2
        exit 1
    fi
done

echo "bench-scale: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) memory, load average $(cut -d' ' -f1-3 /proc/loadavg); logs in $dir"
for n in "${counts[@]}"; do
    echo "=== N = $n"
    java -jar "$CONSUL_JAR" --bind 127.0.0.1 --port "$consul_port" --agent-ports "$agent_port" >"$dir/consul-$n.log" 2>&1 &
    consul_pid=$!
    for _ in $(seq 1 60); do
        curl -sf -o /dev/null "http://127.0.0.1:$consul_port/v1/status/leader" && break
        sleep 1
    done
    nomad_dir="$dir/nomad-$n"
    scripts/nomad-local.sh start --dir "$nomad_dir" --nomad "$NOMAD_BIN" --http-port "$nomad_port" --port-base "$nomad_port_base" \
        --dynamic-ports "$dynamic_ports" --consul "127.0.0.1:$consul_port" --consul-agents "127.0.0.1:$agent_port" --clients 1 >"$dir/nomad-$n.log"
    java -Xmx1g -cp "$BENCH_JAR" io.prestoorchestrator.benchmarks.scale.ScaleBenchmark --clusters="$n" \
        --consul="http://127.0.0.1:$consul_port" --nomad="http://127.0.0.1:$nomad_port" --jar="$ORCHESTRATOR_JAR" \
        --templates="$REPO_ROOT/job-templates" --dir="$dir/run-$n" --results="$results" --vegeta="$VEGETA" \
        --jvm="${ORCHESTRATOR_JVM:--Xmx768m -XX:+ExitOnOutOfMemoryError}" --phases="${BENCH_PHASES:-rest,get,list,overhead,failover}" \
        ${BENCH_PROFILE:+--profile-overhead="$dir/overhead-$n.jfr"} 2>&1 | tee "$dir/run-$n.log"
    stop_stack
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def f(value, digits=1):
    return "n/a" if value is None else f"{value:.{digits}f}"
print()
print("| N | RSS MB (after load / peak) | CPU % at rest / under GET | collector round: mean at rest; p50 / p99 over 2 min, ms (skipped) | signal age p50 / p99 / max s "
      "| GET /v1/clusters/{name} at 200/s p50 / p99 ms | GET /v1/clusters page at 20/s p50 / p99 ms | failover s (issue's bound; Consul's) "
      "| Nomad req/s per cluster at rest / under GET | Consul req/s per cluster at rest / under GET | API vs bare Vert.x req/s at 4 connections | GET /v1/info req/s at 4 connections |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['clusters']} | {f(r.get('rss_after_load_mb'), 0)} / {f(r.get('rss_peak_mb'), 0)} | {f(r.get('cpu_rest_pct'))} / {f(r.get('cpu_get_pct'))} "
          f"| {f(r.get('round_mean_ms'), 0)}; {f(r.get('round_p50_ms'), 0)} / {f(r.get('round_p99_ms'), 0)} ({f(r.get('rounds_skipped'), 0)}) "
          f"| {f(r.get('signal_age_p50_s'))} / {f(r.get('signal_age_p99_s'))} / {f(r.get('signal_age_max_s'))} "
          f"| {f(r.get('get_p50_ms'))} / {f(r.get('get_p99_ms'))}{'' if r.get('get_success') in (1, None) else ' (success ' + f(100 * r.get('get_success')) + ' %)'} "
          f"| {f(r.get('list_p50_ms'))} / {f(r.get('list_p99_ms'))} | {f(r.get('failover_s'))} ({f(r.get('failover_bound_s'), 0)}; {f(r.get('failover_consul_bound_s'), 0)}) "
          f"| {f(r.get('nomad_rps_per_cluster_rest'), 3)} / {f(r.get('nomad_rps_per_cluster_get'), 3)} "
          f"| {f(r.get('consul_rps_per_cluster_rest'), 3)} / {f(r.get('consul_rps_per_cluster_get'), 3)} "
          f"| {f(r.get('overhead_orchestrator_rps'), 0)} / {f(r.get('overhead_bare_rps'), 0)} = {f(r.get('overhead_ratio'), 2)} | {f(r.get('overhead_info_rps'), 0)} |")
print()
for r in rows:
    print(f"N = {r['clusters']}: Nomad calls at rest {r.get('nomad_calls_rest')}; under GET {r.get('nomad_calls_get')}")
    print(f"N = {r['clusters']}: Consul calls at rest {r.get('consul_calls_rest')}; under GET {r.get('consul_calls_get')}")
PY
