[#ftl]
[#-- The coordinator's routing readiness gate: a Nomad script check (trino-cluster.json.ftl, service
     trino-<cluster>). Args: coordinator port, required active workers, user for Trino's /metrics,
     seconds each probe may take, slow probes tolerated once routed, passes in a row wanted before
     the first route. --]
#!/bin/sh
# Routing readiness gate for cluster [=cluster.name], rendered by presto-orchestrator.
# Nomad runs it inside the coordinator task every [=vars.ready_check_interval_seconds]s; Traefik routes
# [=cluster.name].[=vars.route_domain] only while it passes (strictChecks: passing), so every "not ready"
# answer exits 2 (critical).
#
# Before the first pass it demands a started coordinator that counts the cluster's minimum number
# of active workers on several probes in a row (the last argument): a coordinator counts a worker
# that has announced itself but whose state it has not read yet as ACTIVE, so a single count right
# after a start can include a worker that is draining. Once passed, the route stays while the coordinator runs: dropping it would
# make Traefik answer 404 to the next poll of every query in flight, which clients report as a
# failed query. So, once routed, a coordinator too busy to answer within the probe timeout keeps
# its route for a few consecutive probes, and fewer active workers than the minimum is reported,
# not unrouted (Trino holds new queries until query-manager.required-workers are active). A
# coordinator that refuses connections, answers an error or is starting again is unrouted at once.
port="$1"
required="$2"
user="$3"
probe_seconds="$4"
tolerated="$5"
confirm="${6:-1}"
base="http://127.0.0.1:$port"
# in the task directory: kept across probes, gone with the allocation
state="${0%/*}/.ready-check-routed"
pending="${0%/*}/.ready-check-pending"

routed=false
slow=0
if [ -f "$state" ]; then
  routed=true
  slow=$(cat "$state" 2>/dev/null)
  case "$slow" in ''|*[!0-9]*) slow=0 ;; esac
fi

not_ready() {
  rm -f "$state" "$pending"
  echo "not ready: $1"
  exit 2
}

ready() {
  rm -f "$pending"
  { echo 0 > "$state"; } 2>/dev/null
  echo "ready: $1"
  exit 0
}

too_slow() {
  if $routed && [ "$slow" -lt "$tolerated" ]; then
    slow=$((slow + 1))
    { echo "$slow" > "$state"; } 2>/dev/null
    echo "ready (kept routed): $1; slow probe $slow of $tolerated tolerated"
    exit 0
  fi
  not_ready "$1"
}

info=$(curl -fsS -m "$probe_seconds" "$base/v1/info" 2>&1)
status=$?
# curl exit 28: the probe timed out
if [ "$status" -eq 28 ]; then
  too_slow "the coordinator did not answer $base/v1/info within ${probe_seconds}s"
fi
if [ "$status" -ne 0 ]; then
  not_ready "the coordinator does not answer at $base/v1/info ($info)"
fi
case "$info" in
  *'"starting":false'*) ;;
  *) not_ready "the coordinator is still starting" ;;
esac
[#if engine.readiness == "cluster-stats"]
# PrestoDB: /v1/cluster (no user needed) counts the active workers, the coordinator left out.
stats=$(curl -fsS -m "$probe_seconds" "$base/v1/cluster" 2>&1)
status=$?
if [ "$status" -eq 28 ]; then
  too_slow "the coordinator did not answer $base/v1/cluster within ${probe_seconds}s"
fi
if [ "$status" -ne 0 ]; then
  not_ready "cannot read $base/v1/cluster ($stats)"
fi
workers=$(printf '%s\n' "$stats" | sed -n 's/.*"activeWorkers"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
if [ -z "$workers" ]; then
  not_ready "$base/v1/cluster has no activeWorkers"
fi
[#else]
# Only the one series: a busy coordinator's whole /metrics page is over 1 MB, slow enough under load
# to miss the probe timeout.
metrics=$(curl -fsS -m "$probe_seconds" -H "[=engine.userHeader]: $user" "$base/metrics?name%5B%5D=trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount" 2>&1)
status=$?
if [ "$status" -eq 28 ]; then
  too_slow "the coordinator did not answer $base/metrics within ${probe_seconds}s"
fi
if [ "$status" -ne 0 ]; then
  not_ready "cannot read $base/metrics ($metrics)"
fi
# ActiveNodeCount counts the coordinator too
nodes=$(printf '%s\n' "$metrics" | sed -n 's/{[^}]*}//; s/^trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount[[:space:]][[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
if [ -z "$nodes" ]; then
  not_ready "$base/metrics has no DiscoveryNodeManager ActiveNodeCount"
fi
workers=$((nodes - 1))
[/#if]
if [ "$workers" -lt "$required" ]; then
  if $routed; then
    ready "the coordinator counts $workers of $required required active worker(s); kept routed, new queries wait in Trino for workers"
  fi
  not_ready "the coordinator counts $workers of $required required active worker(s)"
fi
if ! $routed && [ "$confirm" -gt 1 ]; then
  seen=$(cat "$pending" 2>/dev/null)
  case "$seen" in ''|*[!0-9]*) seen=0 ;; esac
  seen=$((seen + 1))
  if [ "$seen" -lt "$confirm" ]; then
    { echo "$seen" > "$pending"; } 2>/dev/null
    echo "not ready: the coordinator counts $workers active worker(s), $required required; confirming, $seen of $confirm probes in a row (a new coordinator counts a worker it has not asked yet as active)"
    exit 2
  fi
fi
ready "the coordinator counts $workers active worker(s), $required required"
