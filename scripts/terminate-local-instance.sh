#!/usr/bin/env bash
# Terminates a local Nomad node's EC2 instance the way its Auto Scaling group would, and shows drain
# path 1 as it runs: the lifecycle hook's message, the orchestrator's drain (its events), the
# CompleteLifecycleAction with CONTINUE and what Nomad did with the node.
#
#   scripts/terminate-local-instance.sh [client-N | i-...] [--leave-drained] [--timeout 20m]
#
# It calls TerminateInstanceInAutoScalingGroup (capacity kept) on the local AWS: moto behind the
# Auto Scaling lifecycle stand-in (simulators/autoscaling-lifecycle-standin), which holds the
# instance in Terminating:Wait and puts the hook's message on the SQS queue the orchestrator reads.
# Without an argument it picks the first node that runs a Trino worker and no coordinator. Once the
# instance is terminated, the group has launched a replacement; unless --leave-drained, the drained
# Nomad client plays it (meta.instance_id = the new id, eligible again). Exits 0 when the action
# was completed with CONTINUE. Honours LOCAL_DIR like run-local.sh. See docs/local-stack.md.
set -euo pipefail
# shellcheck source=lib/local-stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-stack.sh"

case "${1:-}" in
-h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
CACHE="${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}"
[[ -f "$LOCAL_DIR/env" ]] || die "no $LOCAL_DIR/env: start the local stack first (scripts/run-local.sh)"
[[ -n "$(pid_of lifecycle-standin)" ]] || die "the Auto Scaling lifecycle stand-in is not running: start the local stack (scripts/run-local.sh)"
# shellcheck source=/dev/null
source "$CACHE/env.sh"
# shellcheck source=/dev/null
source "$LOCAL_DIR/env"
exec "$PRESTO_ORCH_VENV/bin/python" "$REPO_ROOT/scripts/lib/local_lifecycle.py" terminate "$@"
