#!/usr/bin/env bash
# Entrypoint of Trino workers: of the presto-orchestrator Trino image (packer/trino-image copies this
# file), and of local raw_exec workers (job-templates/trino-cluster.json.ftl renders it into the task
# directory when vars.drain_on_stop is true). It runs Trino's launcher as a child process and,
# on the stop signal (Nomad's kill_signal, SIGTERM; or SIGINT), drains the worker before it exits
# (drain path 3 of issue 6: count lowered or job stopped outside the orchestrator):
#   PUT /v1/info/state "DRAINING"  (X-Trino-User: $TRINO_DRAIN_USER, the orchestrator's user, the
#                                   only user the rendered worker access control lets do this)
#   wait until GET /v1/info/state is "DRAINED"
#   PUT /v1/info/state "SHUTTING_DOWN"  -> Trino exits by itself (exit 0)
# TRINO_DRAIN_STATES is the engine's sequence (FlavourProfile.workerDrain, rendered by the job):
# "DRAINING SHUTTING_DOWN" for Trino, "SHUTTING_DOWN" for PrestoDB, which has no DRAINING and whose
# SHUTTING_DOWN waits for running tasks itself; then the wrapper asks for SHUTTING_DOWN at once and waits
# for the launcher to exit. Where DRAINING is tried but does not exist (Trino <= 435: the PUT is refused
# with 400) it falls back to SHUTTING_DOWN too. TRINO_DRAIN_USER_HEADER names the user header
# (X-Trino-User; X-Presto-User for PrestoDB). The coordinator refuses both
# (500): then the signal is passed on to the launcher. Nothing here can outlast Nomad's
# kill_timeout: Nomad force-kills at the end of it; TRINO_DRAIN_TIMEOUT_SECONDS should be a little
# shorter so that the process can still exit cleanly.
#
# Usage: the same arguments as Trino's launcher, e.g. `run --etc-dir /local/etc --data-dir /data/trino`.
# Without arguments it runs the official image's /usr/lib/trino/bin/run-trino.
set -uo pipefail

TRINO_HOME=${TRINO_HOME:-/usr/lib/trino}
DRAIN_USER=${TRINO_DRAIN_USER:-presto-orchestrator}
DRAIN_TIMEOUT=${TRINO_DRAIN_TIMEOUT_SECONDS:-870}
DRAIN_STATES=${TRINO_DRAIN_STATES:-DRAINING SHUTTING_DOWN}
USER_HEADER=${TRINO_DRAIN_USER_HEADER:-X-Trino-User}
POLL=${TRINO_DRAIN_POLL_SECONDS:-0.5}

log() { printf '%s run-with-drain: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

etc_dir=/etc/trino
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --etc-dir) etc_dir=${args[i + 1]:-$etc_dir} ;;
    --etc-dir=*) etc_dir=${args[i]#--etc-dir=} ;;
  esac
done

http_port() {
  local port
  port=$(sed -n 's/^[[:space:]]*http-server\.http\.port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$etc_dir/config.properties" 2>/dev/null | tail -1)
  echo "${port:-8080}"
}

state_url() { echo "http://127.0.0.1:$(http_port)/v1/info/state"; }

get_state() { curl -fsS --max-time 5 "$(state_url)" 2>/dev/null | tr -d '"[:space:]'; }

put_state() { # state -> prints the HTTP status
  curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X PUT \
    -H 'Content-Type: application/json' -H "$USER_HEADER: $DRAIN_USER" \
    --data "\"$1\"" "$(state_url)" 2>/dev/null || echo 000
}

child=0
draining=0

drain() {
  [[ $draining == 1 ]] && return
  draining=1
  local deadline=$((SECONDS + DRAIN_TIMEOUT)) state status
  state=$(get_state)
  log "stop signal received; worker state '${state:-unreachable}', drain bound ${DRAIN_TIMEOUT}s"
  case $state in
    ACTIVE | DRAINING | DRAINED) ;;
    SHUTTING_DOWN) log "already shutting down"; return ;;
    *) log "state unknown; passing the signal to the launcher"; kill -TERM "$child" 2>/dev/null; return ;;
  esac
  if [[ $state == ACTIVE && ${DRAIN_STATES%% *} == SHUTTING_DOWN ]]; then
    status=$(put_state SHUTTING_DOWN)
    [[ $status == 200 || $status == 204 ]] && { log "SHUTTING_DOWN accepted (no DRAINING on this engine)"; return; }
    log "SHUTTING_DOWN refused ($status); passing the signal to the launcher"
    kill -TERM "$child" 2>/dev/null
    return
  fi
  if [[ $state == ACTIVE ]]; then
    status=$(put_state DRAINING)
    case $status in
      200 | 204) log "DRAINING accepted" ;;
      400 | 404 | 422)
        log "DRAINING refused ($status): no drain state on this version; falling back to SHUTTING_DOWN"
        status=$(put_state SHUTTING_DOWN)
        [[ $status == 200 || $status == 204 ]] && { log "SHUTTING_DOWN accepted"; return; }
        log "SHUTTING_DOWN refused ($status); passing the signal to the launcher"
        kill -TERM "$child" 2>/dev/null
        return ;;
      *)
        # 401/403: access control does not allow the drain user; 500: a coordinator.
        log "DRAINING refused ($status); passing the signal to the launcher"
        kill -TERM "$child" 2>/dev/null
        return ;;
    esac
  fi
  while ((SECONDS < deadline)); do
    state=$(get_state)
    [[ $state == DRAINED ]] && break
    if [[ $state == ACTIVE ]]; then
      log "put back to ACTIVE by someone else while stopping; draining again"
      put_state DRAINING >/dev/null
    fi
    kill -0 "$child" 2>/dev/null || return
    sleep "$POLL"
  done
  if [[ $state != DRAINED ]]; then
    log "not DRAINED after ${DRAIN_TIMEOUT}s (state '${state:-unreachable}'); shutting down anyway"
  else
    log "DRAINED"
  fi
  status=$(put_state SHUTTING_DOWN)
  log "SHUTTING_DOWN -> $status"
  [[ $status == 200 || $status == 204 ]] || kill -TERM "$child" 2>/dev/null
}

trap drain TERM INT

if (($# == 0)); then
  "$TRINO_HOME/bin/run-trino" &
else
  "$TRINO_HOME/bin/launcher" "$@" &
fi
child=$!

# `wait` returns early when a trapped signal arrives; keep waiting for the launcher itself.
while true; do
  wait "$child"
  code=$?
  kill -0 "$child" 2>/dev/null || break
done
log "trino exited with $code"
exit "$code"
