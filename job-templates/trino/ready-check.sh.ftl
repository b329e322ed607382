[#ftl]
[#-- The coordinator's routing readiness gate: a Nomad script check (trino-cluster.json.ftl, service
     trino-<cluster>). Args: coordinator port, required active workers, Trino user for /metrics. --]
#!/bin/sh
# Routing readiness gate for cluster [=cluster.name], rendered by presto-orchestrator.
# Nomad runs it inside the coordinator task every [=vars.ready_check_interval_seconds]s; Traefik routes
# [=cluster.name].[=vars.route_domain] only while it passes. It passes when the coordinator has
# finished starting and counts at least the cluster's minimum number of active workers.
# Exit 1 would be "warning", which a Traefik with default strictChecks still routes: every
# "not ready" answer exits 2 (critical).
port="$1"
required="$2"
user="$3"
base="http://127.0.0.1:$port"
if ! info=$(curl -fsS -m 2 "$base/v1/info" 2>&1); then
  echo "not ready: the coordinator does not answer at $base/v1/info ($info)"
  exit 2
fi
case "$info" in
  *'"starting":false'*) ;;
  *) echo "not ready: the coordinator is still starting"; exit 2 ;;
esac
# Only the one series: a busy coordinator's whole /metrics page is over 1 MB, slow enough under load
# to miss the 2 s timeout and flap the route.
if ! metrics=$(curl -fsS -m 2 -H "X-Trino-User: $user" "$base/metrics?name%5B%5D=trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount" 2>&1); then
  echo "not ready: cannot read $base/metrics ($metrics)"
  exit 2
fi
# ActiveNodeCount counts the coordinator too
nodes=$(printf '%s\n' "$metrics" | sed -n 's/{[^}]*}//; s/^trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount[[:space:]][[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
if [ -z "$nodes" ]; then
  echo "not ready: $base/metrics has no DiscoveryNodeManager ActiveNodeCount"
  exit 2
fi
workers=$((nodes - 1))
if [ "$workers" -lt "$required" ]; then
  echo "not ready: the coordinator counts $workers of $required required active worker(s)"
  exit 2
fi
echo "ready: the coordinator counts $workers active worker(s), $required required"
exit 0
