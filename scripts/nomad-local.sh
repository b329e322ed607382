#!/usr/bin/env bash
# Runs a real Nomad cluster on 127.0.0.1: one server agent and N client agents (default 3), each
# with its own data dir, node name, ports, cgroup parent, dynamic port range and a fake EC2 instance
# id in its node meta (meta.instance_id; no IMDS here to fingerprint one). raw_exec is on, Docker
# is off, max_kill_timeout is above the drain bound, and every agent registers services and runs
# checks in Consul (the project's Consul simulator locally) through Nomad's own Consul integration,
# each client through a local agent of its own, as in production: a Nomad client deregisters every
# Nomad service its agent lists that it does not know, so clients sharing one agent would remove
# each other's. Used by scripts/run-local.sh and by the integration tests (TestingNomad).
#
#   nomad-local.sh start --dir DIR --http-port PORT --port-base PORT --consul HOST:PORT
#                        --consul-agents HOST:PORT,HOST:PORT,... (one per client)
#                        [--clients N] [--dynamic-ports FIRST] [--max-kill-timeout 10m] [--nomad BIN]
#                        [--instance-ids ID,ID,...] (one per client: its meta.instance_id; default
#                        a fake id derived from DIR)
#       writes DIR/<agent>.hcl, starts the agents detached (pids in DIR/pids/, logs in DIR/logs/)
#       and returns once the server has a leader and N client nodes are ready with raw_exec healthy.
#       Safe to run again: agents already running are left alone.
#   nomad-local.sh stop --dir DIR
#       stops the agents, then every process still running from DIR (Nomad's executors and the
#       tasks they started survive their client agent by design), and unmounts what Nomad mounted
#       below DIR (each task's secrets dir).
#
# Ports: the server's HTTP API is --http-port; its RPC and Serf are port-base and port-base+1;
# client i (1..N) uses port-base+10*i .. +2 for HTTP, RPC and Serf. Client i hands out dynamic
# ports from FIRST+(i-1)*1000 to FIRST+i*1000-1 (default FIRST 21000): the clients share one
# host, and Nomad only knows the ports of its own node's allocations.
#
# Nomad is v1.6.1 built by scripts/setup.sh ($NOMAD_BIN from its env.sh, or --nomad).
set -euo pipefail

log() { printf '[nomad-local] %s\n' "$*"; }
die() { printf '[nomad-local] ERROR: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

command="${1:-}"
[[ -n "$command" ]] || { usage; exit 2; }
shift
DIR="" HTTP_PORT="" PORT_BASE="" CONSUL="" CONSUL_AGENTS="" CLIENTS=3 DYNAMIC_FIRST=21000 MAX_KILL_TIMEOUT=10m INSTANCE_IDS=""
NOMAD="${NOMAD_BIN:-}"
while (($#)); do
    case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --http-port) HTTP_PORT="$2"; shift 2 ;;
    --port-base) PORT_BASE="$2"; shift 2 ;;
    --consul) CONSUL="$2"; shift 2 ;;
    --consul-agents) CONSUL_AGENTS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --dynamic-ports) DYNAMIC_FIRST="$2"; shift 2 ;;
    --max-kill-timeout) MAX_KILL_TIMEOUT="$2"; shift 2 ;;
    --nomad) NOMAD="$2"; shift 2 ;;
    --instance-ids) INSTANCE_IDS="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
    esac
done
[[ -n "$DIR" ]] || die "--dir is required"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd -P)"
# names that must differ between stacks (cgroup parents, instance ids) are derived from the data dir
DIR_HASH="$(printf '%s' "$DIR" | sha1sum | cut -c1-14)"
PID_DIR="$DIR/pids"
LOG_DIR="$DIR/logs"

alive() { [[ -f "$PID_DIR/$1.pid" ]] && kill -0 "$(cat "$PID_DIR/$1.pid")" 2>/dev/null; }

# every process whose command line names a path below DIR (agents, executors, tasks) or that runs in an
# allocation's directory below DIR (a raw_exec task whose command names no path of its own, e.g.
# `java -cp ... Main`; a shell that merely sits in DIR is left alone)
processes_below_dir() {
    local proc pid cwd
    for proc in /proc/[0-9]*; do
        pid="${proc#/proc/}"
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        cwd="$(readlink "$proc/cwd" 2>/dev/null || true)"
        if [[ "$cwd" == "$DIR/"*/alloc/* ]] || tr '\0' ' ' <"$proc/cmdline" 2>/dev/null | grep -qF -- "$DIR/"; then
            printf '%s\n' "$pid"
        # a task's `nomad logmon` names no directory and runs where its agent ran: it holds the task's log files open
        elif find "$proc/fd" -maxdepth 1 -lname "$DIR/*" -print -quit 2>/dev/null | grep -q .; then
            printf '%s\n' "$pid"
        fi
    done
}

stop_cluster() {
    local name pid waited pids
    for name in "$PID_DIR"/*.pid; do
        [[ -f "$name" ]] || continue
        pid="$(cat "$name")"
        kill -TERM "$pid" 2>/dev/null || true
    done
    for name in "$PID_DIR"/*.pid; do
        [[ -f "$name" ]] || continue
        pid="$(cat "$name")"
        for waited in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$name"
    done
    pids="$(processes_below_dir)"
    if [[ -n "$pids" ]]; then
        log "stopping $(wc -w <<<"$pids") task and executor processes left below $DIR"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
    fi
    # Nomad mounts a tmpfs on each task's secrets dir when it runs as root
    awk -v dir="$DIR/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mount; do
        umount -l "$mount" 2>/dev/null || true
    done
    log "stopped the Nomad agents of $DIR"
}

write_agent_config() {
    local name="$1" http="$2" rpc="$3" serf="$4" role="$5" index="${6:-0}" consul="$CONSUL"
    if [[ "$role" == client ]]; then
        consul="$(cut -d, -f"$index" <<<"$CONSUL_AGENTS")"
    fi
    {
        cat <<HCL
# Written by scripts/nomad-local.sh.
name = "$name"
data_dir = "$DIR/$name"
bind_addr = "127.0.0.1"
log_level = "INFO"
disable_update_check = true
ports {
  http = $http
  rpc  = $rpc
  serf = $serf
}
# bound to 127.0.0.1, an agent will not start without an explicit advertise address
advertise {
  http = "127.0.0.1:$http"
  rpc  = "127.0.0.1:$rpc"
  serf = "127.0.0.1:$serf"
}
consul {
  address          = "$consul"
  server_auto_join = false
  client_auto_join = false
}
HCL
        if [[ "$role" == server ]]; then
            cat <<HCL
server {
  enabled          = true
  bootstrap_expect = 1
}
HCL
        else
            cat <<HCL
client {
  enabled           = true
  servers           = ["127.0.0.1:$((PORT_BASE))"]
  network_interface = "lo"
  # one cgroup parent per client: each client's cgroup manager owns (and cleans up) its parent
  cgroup_parent     = "/nomad-${DIR_HASH:0:8}-$name"
  min_dynamic_port  = $((DYNAMIC_FIRST + (index - 1) * 1000))
  max_dynamic_port  = $((DYNAMIC_FIRST + index * 1000 - 1))
  # Nomad caps every task's kill_timeout at this (default 30 s); the Trino jobs' is above the drain bound
  max_kill_timeout  = "$MAX_KILL_TIMEOUT"
  meta {
    instance_id = "$(instance_id "$index")"
  }
  # no Docker here: without the allowlist the docker driver logs an error at every start
  options = {
    "driver.allowlist" = "raw_exec,exec"
  }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
HCL
        fi
    } >"$DIR/$name.hcl"
}

# client N's EC2 instance id: the Nth of --instance-ids (the local stack's: moto's Auto Scaling group's
# instances), else a stable, valid-looking one, distinct between stacks (derived from DIR)
instance_id() {
    if [[ -n "$INSTANCE_IDS" ]]; then
        cut -d, -f"$1" <<<"$INSTANCE_IDS"
    else
        printf 'i-0%s%02d' "$DIR_HASH" "$1"
    fi
}

start_agent() {
    local name="$1"
    if alive "$name"; then
        log "$name already running (pid $(cat "$PID_DIR/$name.pid"))"
        return 0
    fi
    : >"$LOG_DIR/$name.log"
    setsid "$NOMAD" agent -config="$DIR/$name.hcl" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$PID_DIR/$name.pid"
}

# ready_clients: how many client nodes are ready with a healthy raw_exec driver
ready_clients() {
    curl -sf --max-time 5 "http://127.0.0.1:$HTTP_PORT/v1/nodes?resources=false" 2>/dev/null | python3 -c '
import json, sys
nodes = json.load(sys.stdin)
print(sum(1 for n in nodes if n.get("Status") == "ready" and (n.get("Drivers") or {}).get("raw_exec", {}).get("Healthy")))' 2>/dev/null || echo 0
}

start_cluster() {
    [[ -n "$HTTP_PORT" && -n "$PORT_BASE" && -n "$CONSUL" ]] || die "start needs --http-port, --port-base and --consul"
    local agents
    agents="$(tr ',' '\n' <<<"$CONSUL_AGENTS" | grep -c .)" || true
    ((agents == CLIENTS)) || die "--consul-agents names $agents Consul agents; each of the $CLIENTS clients needs its own"
    if [[ -n "$INSTANCE_IDS" ]]; then
        local ids
        ids="$(tr ',' '\n' <<<"$INSTANCE_IDS" | grep -c '^i-[0-9a-f]\{8,32\}$')" || true
        ((ids == CLIENTS)) || die "--instance-ids must name $CLIENTS EC2 instance ids (i- and 8 to 32 hex digits), one per client: '$INSTANCE_IDS'"
    fi
    [[ -n "$NOMAD" && -x "$NOMAD" ]] || die "no nomad binary: run scripts/setup.sh (it builds Nomad v1.6.1 and exports NOMAD_BIN in its env.sh) or pass --nomad"
    local version
    version="$("$NOMAD" version | sed -n 1p)"
    [[ "$version" == "Nomad v1.6.1" ]] || log "warning: $NOMAD is '$version', the local stack is tested with Nomad v1.6.1"
    [[ "$(id -u)" == 0 ]] || log "warning: not root: Nomad's raw_exec runs tasks as this user and cannot set up cgroups"
    mkdir -p "$PID_DIR" "$LOG_DIR"
    local i
    write_agent_config server "$HTTP_PORT" "$PORT_BASE" "$((PORT_BASE + 1))" server
    for ((i = 1; i <= CLIENTS; i++)); do
        write_agent_config "client-$i" "$((PORT_BASE + 10 * i))" "$((PORT_BASE + 10 * i + 1))" "$((PORT_BASE + 10 * i + 2))" client "$i"
    done
    start_agent server
    for ((i = 1; i <= CLIENTS; i++)); do
        start_agent "client-$i"
    done
    local waited=0 ready=0
    while true; do
        ready="$(ready_clients)"
        ((ready >= CLIENTS)) && break
        for name in server $(seq -f 'client-%g' 1 "$CLIENTS"); do
            alive "$name" || { tail -n 30 "$LOG_DIR/$name.log" >&2; die "nomad agent $name exited; see $LOG_DIR/$name.log"; }
        done
        ((waited >= 120)) && die "only $ready of $CLIENTS Nomad client nodes ready after 120 s; see $LOG_DIR/"
        sleep 1
        waited=$((waited + 1))
    done
    log "Nomad $(sed -n 's/^Nomad //p' <<<"$version") at http://127.0.0.1:$HTTP_PORT: 1 server, $ready client nodes ready (${waited}s)"
}

case "$command" in
start) start_cluster ;;
stop) stop_cluster ;;
*) die "unknown command '$command' (start or stop)" ;;
esac
