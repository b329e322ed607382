#!/usr/bin/env bash
# Issue 7's end-to-end run and reaction-time benchmark: AutoscalingEndToEndIT with real Trino, real
# Prometheus and the real nomad-autoscaler scaling through the orchestrator's scale front (Nomad
# simulator): scale to zero, a query at zero, load out, scale-in through drains, the load back during
# that drain (reuse of the draining workers), back to zero. Runs it N times (default 1), prints each
# run's figures and, over the runs that passed, min / median / max of the reaction times. The suite
# (scripts/test.sh) runs it once as well. About 7-10 minutes per run on a 2-core machine.
# Usage: scripts/e2e-autoscaling.sh [runs]
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
runs="${1:-1}"
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "e2e-autoscaling: runs must be a positive whole number, got '$runs'" >&2
    exit 2
fi
scripts/setup.sh
# shellcheck source=/dev/null
source "${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}/env.sh"
dir="$(mktemp -d -t e2e-autoscaling.XXXXXX)"
passed=0
for run in $(seq 1 "$runs"); do
    log="$dir/run-$run.log"
    start=$(date +%s)
    set +e
    mvn -B -ntp -pl orchestrator -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
        -Dit.test=AutoscalingEndToEndIT -Dfailsafe.failIfNoSpecifiedTests=false verify >"$log" 2>&1
    status=$?
    set -e
    echo "--- run $run of $runs: $([[ $status == 0 ]] && echo passed || echo "FAILED (maven exit $status)") in $(( $(date +%s) - start )) s; log $log"
    grep -E '^AutoscalingEndToEndIT' "$log" || true
    if [[ $status == 0 ]]; then
        passed=$((passed + 1))
    else
        grep -E -m 3 'AssertionError|ConditionTimeout|Condition with alias' "$log" || true
    fi
done
echo "e2e-autoscaling: $passed of $runs run(s) passed"
python3 - "$dir" <<'PY'
import pathlib, re, statistics, sys
figures = {
    "scale call after the queue was counted (target: within 5 s)": r"s after the signal, ([\d.]+) s after the queue was counted",
    "scale call after the signal rose": r"scale call 1 -> \d+ at [\d.]+ s \(([\d.]+) s after the signal",
    "new workers active after the scale call": r"new workers active [\d.]+ s \(([\d.]+) s after the call\)",
    "from zero: scale call after the query's submission": r"scale call 0 -> 1 at ([\d.]+) s",
    "from zero: worker active after the query's submission": r"-> worker active ([\d.]+) s",
    "reuse: scale call after the load came back": r"AutoscalingEndToEndIT reuse: load back [\d.]+ s after the scale-in call \d+ -> \d+ -> scale call \d+ -> \d+ at ([\d.]+) s",
    "reuse: draining workers active again after the load came back": r"the draining workers active again ([\d.]+) s",
    "scale-in call after the signal fell (scale-in delay 10 s)": r"at [\d.]+ s \(([\d.]+) s after the signal fell",
}
values = {name: [] for name in figures}
for log in sorted(pathlib.Path(sys.argv[1]).glob("run-*.log")):
    text = log.read_text(errors="replace")
    if "Tests run: 1, Failures: 0, Errors: 0" not in text:
        continue
    for name, pattern in figures.items():
        found = re.search(pattern, text)
        if found:
            values[name].append(float(found.group(1)))
print("reaction times over the passed runs, seconds: min / median / max (runs)")
for name, found in values.items():
    if found:
        print(f"  {name}: {min(found):.1f} / {statistics.median(found):.1f} / {max(found):.1f} ({len(found)})")
    else:
        print(f"  {name}: no passed run")
PY
[[ $passed == "$runs" ]]
