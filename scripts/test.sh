#!/usr/bin/env bash
# The README's test command (and what CI runs): runs every module's unit tests (surefire, Test*) while
# it installs the local stack's parts if needed (scripts/setup.sh) and runs the offline checks of
# packer/, terraform/ and the system job templates (scripts/check-iac.sh; its system-job rendering
# runs again after mvn, with the jar mvn built), then the integration tests (failsafe, *IT: real
# Trino, Traefik, nomad-autoscaler, moto, the simulators, run-local.sh itself), and prints a summary
# with counts and the time of each stage. Exits non-zero when anything failed.
#
# --prestodb (a leading argument) also installs PrestoDB 0.287 (scripts/setup.sh --prestodb, a 2 GB download
# once) and runs PrestoDbClusterIT, which the suite leaves out by default (pom.xml, it.prestodb.exclude):
# with it the suite no longer fits issue 17's 30 minutes. --trino-470 (a leading argument) likewise installs
# Trino 470 (scripts/setup.sh --trino-470, 965 MB once) and runs TrinoUpgradeIT (it.upgrade.exclude).
# The other arguments go to mvn verify (the integration tests).
set -euo pipefail
setup_args=()
maven_args=()
while [[ ${1:-} == --prestodb || ${1:-} == --trino-470 ]]; do
    case $1 in
    --prestodb) setup_args+=(--prestodb) maven_args+=(-Dit.prestodb.exclude=none) ;;
    --trino-470) setup_args+=(--trino-470) maven_args+=(-Dit.upgrade.exclude=none) ;;
    esac
    shift
done
set -- "${maven_args[@]}" "$@"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

started=$SECONDS
mkdir -p target
# the summary counts the reports: none may be left from an earlier run
rm -rf ./*/target/surefire-reports ./*/target/failsafe-reports ./*/*/target/surefire-reports ./*/*/target/failsafe-reports

# cpu_ticks: busy and all jiffies of the machine so far (/proc/stat's first line; iowait counts as idle)
cpu_ticks() {
    awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6; exit }' /proc/stat
}
# How busy the cores were, sampled every 30 s from the start into target/test-cpu.tsv: it shows
# whether the tests wait (room for more at once) or compute (none).
cpu_trace=target/test-cpu.tsv
printf 'seconds\tbusy_percent\n' >"$cpu_trace"
(
    read -r busy0 all0 < <(cpu_ticks)
    elapsed=0
    while sleep 30; do
        elapsed=$((elapsed + 30))
        read -r busy all < <(cpu_ticks)
        printf '%d\t%d\n' "$elapsed" "$(((busy - busy0) * 100 / (all - all0 > 0 ? all - all0 : 1)))" >>"$cpu_trace"
        busy0=$busy all0=$all
    done
) &
cpu_sampler=$!
trap 'kill "$cpu_sampler" 2>/dev/null || true' EXIT

# The local stack's parts (scripts/setup.sh: on a fresh machine ~4 min of Go builds and downloads), the
# offline checks of packer/ and terraform/ and the lifecycle stand-in's Python tests run beside the unit
# tests, which need none of them and leave the cores half idle (they mostly wait on local servers); the
# integration tests start once both are done. Their lines are marked [setup].
parts_times=target/test-parts.times
parts() {
    local started_parts=$SECONDS
    scripts/setup.sh "${setup_args[@]}"
    # shellcheck source=/dev/null
    source "${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}/env.sh"
    local setup_s=$((SECONDS - started_parts)) started_iac=$SECONDS
    echo "infrastructure code, offline (scripts/check-iac.sh)"
    scripts/check-iac.sh
    echo "setup_seconds=$setup_s iac_seconds=$((SECONDS - started_iac))" >"$parts_times"
    echo "the local stack's Auto Scaling lifecycle stand-in, against in-process moto (python unittest)"
    "$PRESTO_ORCH_VENV/bin/python" -m unittest discover -s simulators/autoscaling-lifecycle-standin
}
rm -f "$parts_times"
echo "[test] setting up the local stack's parts (scripts/setup.sh, then scripts/check-iac.sh), beside the unit tests"
(
    set -o pipefail
    parts 2>&1 | sed -u 's/^/[setup] /'
) &
parts_pid=$!

echo "[test] unit tests of every module (mvn test)"
started_units=$SECONDS
set +e
mvn -B -ntp test
unit_status=$?
set -e
unit_seconds=$((SECONDS - started_units))
parts_status=0
wait "$parts_pid" || parts_status=$?
setup_seconds=? iac_seconds=?
if [[ -f $parts_times ]]; then
    # shellcheck source=/dev/null
    source "$parts_times"
fi
if [[ $parts_status != 0 ]]; then
    echo "[test] ERROR: setting up the local stack's parts failed (exit code $parts_status): see the [setup] lines above" >&2
    exit "$parts_status"
fi
# shellcheck source=/dev/null
source "${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}/env.sh"

maven_status=$unit_status
maven_seconds=0
maven_cpu=0
if [[ $unit_status == 0 ]]; then
    echo "[test] integration tests (mvn verify; the unit tests above are not run again)"
    started_maven=$SECONDS
    read -r maven_busy0 maven_all0 < <(cpu_ticks)
    set +e
    mvn -B -ntp verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false "$@"
    maven_status=$?
    set -e
    maven_seconds=$((SECONDS - started_maven))
    read -r maven_busy maven_all < <(cpu_ticks)
    maven_cpu=$(((maven_busy - maven_busy0) * 100 / (maven_all - maven_all0 > 0 ? maven_all - maven_all0 : 1)))
else
    echo "[test] unit tests failed: the integration tests are not run" >&2
fi
kill "$cpu_sampler" 2>/dev/null || true

# The jar mvn just built renders the production system jobs (check-iac.sh skipped that above when
# no fresh jar existed yet); ~2-4 s.
system_jobs_status=0
if [[ $maven_status == 0 ]]; then
    echo "[test] system job templates through the built jar (scripts/check-iac.sh --system-jobs)"
    scripts/check-iac.sh --system-jobs || system_jobs_status=$?
fi

python3 - "$REPO_ROOT" "$maven_status" "$setup_seconds" "$((SECONDS - started))" "$iac_seconds" "$maven_seconds" "$maven_cpu" "$cpu_trace" "$unit_seconds" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

root, status, setup_s, total_s, iac_s, maven_s, maven_cpu, cpu_trace, unit_s = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
totals = {}
times = {}
for kind in ("surefire", "failsafe"):
    tests = failed = skipped = 0
    times[kind] = []
    for path in glob.glob(os.path.join(root, "**", "target", kind + "-reports", "TEST-*.xml"), recursive=True):
        suite = ET.parse(path).getroot()
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
        times[kind].append((float(suite.get("time", 0) or 0), suite.get("name", "?").rsplit(".", 1)[-1]))
    totals[kind] = (tests - failed - skipped, failed, skipped)
print()
print("[test] integration test classes by time (each family starts its own stack):")
for seconds, name in sorted(times["failsafe"], reverse=True):
    print(f"[test]   {name:<40} {seconds:7.1f} s")
print(f"[test] unit test classes: {sum(t for t, _ in times['surefire']):.0f} s in all")
unit, it = totals["surefire"], totals["failsafe"]
passed, failed, skipped = (unit[i] + it[i] for i in range(3))
print()
print(f"[test] unit tests: {unit[0]} passed, {unit[1]} failed, {unit[2]} skipped")
print(f"[test] integration tests: {it[0]} passed, {it[1]} failed, {it[2]} skipped")
print(f"[test] stages: setup {setup_s}s and check-iac {iac_s}s beside the unit tests (mvn test) {unit_s}s, "
      f"then the integration tests (mvn verify) {maven_s}s; total {total_s}s, maven exit code {status}")
with open(cpu_trace) as trace:
    busy = [line.split("\t")[1].strip() for line in trace.readlines()[1:]]
print(f"[test] cores busy during the integration tests: {maven_cpu}% on average; per 30 s from the start ({cpu_trace}): {' '.join(busy)}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
if passed == 0:
    print("[test] ERROR: no test ran", file=sys.stderr)
    sys.exit(1)
PY
if [[ $maven_status != 0 ]]; then
    exit "$maven_status"
fi
exit "$system_jobs_status"
