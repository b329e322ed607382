#!/usr/bin/env bash
# Stops exactly the processes scripts/run-local.sh started (by the pids it recorded), and nothing else.
# TERM first (the orchestrator drains in-flight requests, Nomad's tasks are stopped with its agents),
# KILL after a grace period. Honours LOCAL_DIR like run-local.sh.
set -euo pipefail
# shellcheck source=lib/local-stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-stack.sh"

GRACE_SECONDS="${GRACE_SECONDS:-40}"

stop_one() {
    local name="$1" pid waited=0
    pid="$(pid_of "$name")"
    if [[ -z "$pid" ]]; then
        rm -f "$PID_DIR/$name.pid"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if (( waited >= GRACE_SECONDS * 10 )); then
            log "$name did not stop within ${GRACE_SECONDS}s: killing"
            kill -KILL "$pid" 2>/dev/null || true
            # the kernel reaps it shortly; do not report it stopped before it is gone
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            break
        fi
        sleep 0.1; waited=$((waited + 1))
    done
    rm -f "$PID_DIR/$name.pid"
}

[[ -d "$PID_DIR" ]] || { log "nothing to stop (no $PID_DIR)"; exit 0; }
# reverse start order: the orchestrator first, the Consul simulator last
for name in orchestrator nomad-autoscaler prometheus traefik lifecycle-standin moto; do
    stop_one "$name"
done
# the Nomad agents, then the Trino tasks and executors they leave (scripts/nomad-local.sh)
"$REPO_ROOT/scripts/nomad-local.sh" stop --dir "$LOCAL_DIR/nomad"
stop_one consul-sim
log "local stack stopped"
