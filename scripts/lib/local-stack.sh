# shellcheck shell=bash
# Shared by run-local.sh and stop-local.sh: where the local stack lives and how its processes are tracked.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="${LOCAL_DIR:-$REPO_ROOT/.local}"
PORT_OFFSET="${PORT_OFFSET:-0}"
PID_DIR="$LOCAL_DIR/pids"
LOG_DIR="$LOCAL_DIR/logs"

CONSUL_PORT=$((8500 + PORT_OFFSET))
# one Consul agent per Nomad client (the simulator's extra agents, sharing its catalog)
CONSUL_AGENT_PORTS="$((8501 + PORT_OFFSET)),$((8502 + PORT_OFFSET)),$((8503 + PORT_OFFSET))"
NOMAD_PORT=$((4646 + PORT_OFFSET))
NOMAD_PORT_BASE=$((4700 + PORT_OFFSET))        # the agents' RPC/Serf and the clients' HTTP: 4700..4732
NOMAD_DYNAMIC_PORTS=$((21000 + 3000 * (PORT_OFFSET % 3)))  # allocations' ports: 3 clients x 1000
MOTO_PORT=$((5000 + PORT_OFFSET))
LIFECYCLE_STANDIN_PORT=$((5001 + PORT_OFFSET))   # simulators/autoscaling-lifecycle-standin, in front of moto
TRAEFIK_PORT=$((8000 + PORT_OFFSET))
TRAEFIK_PING_PORT=$((8082 + PORT_OFFSET))
PROMETHEUS_PORT=$((9090 + PORT_OFFSET))
ORCHESTRATOR_PORT=$((8070 + PORT_OFFSET))
SCALE_FRONT_PORT=$((8071 + PORT_OFFSET))
NOMAD_AUTOSCALER_PORT=$((8095 + PORT_OFFSET))

log() { printf '[local] %s\n' "$*"; }
die() { printf '[local] ERROR: %s\n' "$*" >&2; exit 1; }

# pid_of NAME: the pid recorded for NAME if that process is still alive, else nothing.
pid_of() {
    local file="$PID_DIR/$1.pid" pid
    [[ -f "$file" ]] || return 0
    pid="$(cat "$file")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        echo "$pid"
    fi
}
