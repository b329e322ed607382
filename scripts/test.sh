#!/usr/bin/env bash
# The README's test command (and what CI runs): installs the local stack's parts if needed
# (scripts/setup.sh), then runs every module's unit tests (surefire, Test*) and integration tests
# (failsafe, *IT: real Trino, Traefik, nomad-autoscaler, moto, the simulators, run-local.sh itself),
# after the offline checks of packer/, terraform/ and the system job templates (scripts/check-iac.sh;
# its system-job rendering runs again after mvn, with the jar mvn built),
# and prints a summary with counts. Exits non-zero when anything failed.
#
# --prestodb (a leading argument) also installs PrestoDB 0.287 (scripts/setup.sh --prestodb, a 2 GB download
# once) and runs PrestoDbClusterIT, which the suite leaves out by default (pom.xml, it.prestodb.exclude):
# with it the suite no longer fits issue 17's 30 minutes. --trino-470 (a leading argument) likewise installs
# Trino 470 (scripts/setup.sh --trino-470, 965 MB once) and runs TrinoUpgradeIT (it.upgrade.exclude).
# The other arguments go to mvn verify.
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
# On a fresh machine Maven first downloads ~150 MB of plugins and dependencies (~1.5 min here), which
# is network-bound: fetch them beside setup's CPU-bound Go builds and check-iac instead of after
# them. Not fatal: mvn verify resolves whatever this misses.
mkdir -p target
mvn -B -ntp -q dependency:go-offline >target/go-offline.log 2>&1 &
go_offline=$!
trap 'kill "$go_offline" 2>/dev/null || true' EXIT
echo "[test] setting up the local stack's parts (scripts/setup.sh; Maven's downloads run beside it)"
scripts/setup.sh "${setup_args[@]}"
# shellcheck source=/dev/null
source "${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}/env.sh"
setup_seconds=$((SECONDS - started))

echo "[test] infrastructure code, offline (scripts/check-iac.sh)"
started_iac=$SECONDS
scripts/check-iac.sh
iac_seconds=$((SECONDS - started_iac))

echo "[test] the local stack's Auto Scaling lifecycle stand-in, against in-process moto (python unittest)"
"$PRESTO_ORCH_VENV/bin/python" -m unittest discover -s simulators/autoscaling-lifecycle-standin

# cpu_ticks: busy and all jiffies of the machine so far (/proc/stat's first line; iowait counts as idle)
cpu_ticks() {
    awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6; exit }' /proc/stat
}
# How busy the cores were while mvn ran, sampled every 30 s into target/test-cpu.tsv: it shows
# whether the integration tests wait (room for another fork) or compute (none).
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
trap 'kill "$cpu_sampler" "$go_offline" 2>/dev/null || true' EXIT

if ! wait "$go_offline"; then
    echo "[test] warning: fetching Maven's plugins and dependencies ahead failed (target/go-offline.log); mvn verify fetches them" >&2
fi

echo "[test] unit and integration tests (mvn verify)"
started_maven=$SECONDS
read -r maven_busy0 maven_all0 < <(cpu_ticks)
set +e
mvn -B -ntp verify "$@"
maven_status=$?
set -e
maven_seconds=$((SECONDS - started_maven))
read -r maven_busy maven_all < <(cpu_ticks)
maven_cpu=$(((maven_busy - maven_busy0) * 100 / (maven_all - maven_all0 > 0 ? maven_all - maven_all0 : 1)))
kill "$cpu_sampler" 2>/dev/null || true

# The jar mvn just built renders the production system jobs (check-iac.sh skipped that above when
# no fresh jar existed yet); ~2-4 s.
system_jobs_status=0
if [[ $maven_status == 0 ]]; then
    echo "[test] system job templates through the built jar (scripts/check-iac.sh --system-jobs)"
    scripts/check-iac.sh --system-jobs || system_jobs_status=$?
fi

python3 - "$REPO_ROOT" "$maven_status" "$setup_seconds" "$((SECONDS - started))" "$iac_seconds" "$maven_seconds" "$maven_cpu" "$cpu_trace" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

root, status, setup_s, total_s, iac_s, maven_s, maven_cpu, cpu_trace = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
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
print(f"[test] stages: setup {setup_s}s, check-iac {iac_s}s, mvn verify {maven_s}s; total {total_s}s, maven exit code {status}")
with open(cpu_trace) as trace:
    busy = [line.split("\t")[1].strip() for line in trace.readlines()[1:]]
print(f"[test] cores busy during mvn verify: {maven_cpu}% on average; per 30 s ({cpu_trace}): {' '.join(busy)}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
if passed == 0:
    print("[test] ERROR: no test ran", file=sys.stderr)
    sys.exit(1)
PY
if [[ $maven_status != 0 ]]; then
    exit "$maven_status"
fi
exit "$system_jobs_status"
