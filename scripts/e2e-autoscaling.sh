#!/usr/bin/env bash
# Issue 7's end-to-end run: AutoscalingEndToEndIT with real Trino, real Prometheus and the real
# nomad-autoscaler against the Nomad simulator (scale to zero, a query at zero, load out, scale-in
# through drains, back to zero), printing the reaction times. Not part of scripts/test.sh yet (see
# README, Tests). Takes 7-15 minutes on a 2-core machine. Usage: scripts/e2e-autoscaling.sh
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
scripts/setup.sh
# shellcheck source=/dev/null
source "${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}/env.sh"
exec mvn -B -ntp -pl orchestrator -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=AutoscalingEndToEndIT -Dfailsafe.failIfNoSpecifiedTests=false verify
