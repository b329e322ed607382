#!/usr/bin/env bash
# Offline checks of the infrastructure code (packer/, terraform/):
#   1. HCL syntax and canonical formatting of every *.tf, *.pkr.hcl and *.hcl file, with hclfmt
#      from github.com/hashicorp/hcl/v2 (the parser Terraform, Packer, Nomad and Consul use),
#      built once with `go install` from the Go module proxy and cached under
#      ${PRESTO_ORCH_CACHE:-~/.cache/presto-orchestrator}/bin.
#   2. Shell syntax (bash -n) of the scripts baked into images; JSON files parse; the Trino image's
#      drain entrypoint drains a fake worker (packer/trino-image/test-run-with-drain.sh).
#   3. Only if a `terraform` or `tofu` binary is on PATH (none can be installed from the registries
#      these machines reach, except OpenTofu built from source, which takes long): `fmt -check`,
#      and, if a local provider mirror with hashicorp/aws exists ($TF_PLUGIN_MIRROR, default
#      /opt/tf-plugins), `init -backend=false` + `validate` of every module and the example
#      environment against the real provider schema, in a scratch copy (the repo is not touched).
#   4. The production system jobs (job-templates/system/*.json.ftl, every variable file in
#      job-templates/system/vars/): rendered with the orchestrator's own renderer through the built
#      jar (`render-system`), each must be valid JSON with Job.ID = its name, and its HCL task
#      templates (nomad-autoscaler agent and policies) must parse with hclfmt. Needs
#      orchestrator/target/presto-orchestrator.jar newer than orchestrator/src/main; otherwise
#      SKIPPED with a message: the same rendering and checks run in `mvn verify`
#      (TestSystemJobRenderer, TestInfrastructureAgreement), and scripts/test.sh runs
#      `check-iac.sh --system-jobs` again after mvn has built the jar (~2 s).
# The names and settings that must agree across terraform/, packer/, job-templates/ and the
# orchestrator are checked by orchestrator/src/test/java/io/prestoorchestrator/infra/TestInfrastructureAgreement.java
# (part of `mvn verify`).
#
# Usage: scripts/check-iac.sh [--system-jobs]   (--system-jobs: only check 4)
# Standalone, idempotent; exits non-zero, naming the file, on the first kind of failure found.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

HCL_MODULE=github.com/hashicorp/hcl/v2
HCL_VERSION=v2.24.0
CACHE="${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}"
GO_DIR="$CACHE/go"
HCLFMT="$CACHE/bin/hclfmt-$HCL_VERSION/hclfmt"
TF_PLUGIN_MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"

say() { printf '[check-iac] %s\n' "$*"; }
fail() { printf '[check-iac] FAILED: %s\n' "$*" >&2; exit 1; }

install_hclfmt() {
  if [[ -x $HCLFMT ]]; then
    say "hclfmt $HCL_VERSION: cached at $HCLFMT"
    return
  fi
  command -v go >/dev/null || fail "go is needed to build hclfmt ($HCL_MODULE/cmd/hclfmt@$HCL_VERSION)"
  mkdir -p "$(dirname "$HCLFMT")" "$GO_DIR"
  exec 9>"$CACHE/.check-iac.lock"
  flock 9
  if [[ ! -x $HCLFMT ]]; then
    say "hclfmt $HCL_VERSION: building from the Go module proxy (about 40 s from an empty Go cache)"
    local started=$SECONDS tmp
    tmp=$(mktemp -d "$(dirname "$HCLFMT")/.build.XXXXXX")
    env GOPATH="$GO_DIR" GOMODCACHE="$GO_DIR/pkg/mod" GOCACHE="$GO_DIR/build-cache" GOBIN="$tmp" \
      GOTOOLCHAIN=local GOFLAGS="-modcacherw -buildvcs=false" CGO_ENABLED=0 \
      go install "$HCL_MODULE/cmd/hclfmt@$HCL_VERSION" || { rm -rf "$tmp"; fail "go install $HCL_MODULE/cmd/hclfmt@$HCL_VERSION"; }
    mv "$tmp/hclfmt" "$HCLFMT"
    rm -rf "$tmp"
    say "hclfmt $HCL_VERSION: built in $((SECONDS - started)) s"
  fi
  flock -u 9
}

hcl_files() {
  find packer terraform -type f \( -name '*.tf' -o -name '*.pkr.hcl' -o -name '*.hcl' \) \
    -not -path '*/.terraform/*' -not -name '.terraform.lock.hcl' | sort
}

check_hcl() {
  local files=() bad_syntax=() bad_format=() f
  mapfile -t files < <(hcl_files)
  ((${#files[@]} > 0)) || fail "no HCL files found under packer/ and terraform/"
  for f in "${files[@]}"; do
    if ! "$HCLFMT" -check "$f" >/dev/null 2>"$CACHE/.hclfmt.err"; then
      cat "$CACHE/.hclfmt.err" >&2
      bad_syntax+=("$f")
    elif ! "$HCLFMT" "$f" | cmp -s - "$f"; then
      "$HCLFMT" "$f" | diff -u --label "$f" --label "$f (hclfmt)" "$f" - >&2 || true
      bad_format+=("$f")
    fi
  done
  ((${#bad_syntax[@]} == 0)) || fail "HCL syntax errors in: ${bad_syntax[*]}"
  ((${#bad_format[@]} == 0)) || fail "not in canonical format (fix: $HCLFMT -w FILE): ${bad_format[*]}"
  say "HCL syntax and format: ${#files[@]} files OK ($(find terraform -name '*.tf' | wc -l) .tf, $(find packer -name '*.pkr.hcl' | wc -l) .pkr.hcl, rest Nomad/Consul config)"
}

check_scripts() {
  local n=0 f
  while IFS= read -r f; do
    bash -n "$f" || fail "shell syntax: $f"
    n=$((n + 1))
  done < <(grep -rlE '^#!/usr/bin/env bash|^#!/bin/bash' packer scripts/check-iac.sh | sort)
  say "shell syntax (bash -n): $n scripts OK"
  n=0
  while IFS= read -r f; do
    python3 -m json.tool "$f" >/dev/null || fail "invalid JSON: $f"
    n=$((n + 1))
  done < <(find packer terraform -name '*.json' -not -path '*/.terraform/*' | sort)
  say "JSON: $n files OK"
}

check_drain_entrypoint() {
  packer/trino-image/test-run-with-drain.sh | sed 's/^/[check-iac] /' || fail "job-templates/trino/run-with-drain.sh does not drain as expected (output above)"
}

check_with_terraform() {
  local tf=""
  if command -v tofu >/dev/null; then tf=tofu; elif command -v terraform >/dev/null; then tf=terraform; fi
  if [[ -z $tf ]]; then
    say "SKIPPED: terraform/tofu fmt and validate (neither binary on PATH; hclfmt above covered syntax and format)"
    return
  fi
  local version
  export TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1
  version=$("$tf" version 2>/dev/null | sed -n 1p)
  "$tf" fmt -check -recursive -diff terraform >&2 || fail "$version fmt -check: files above are not in canonical format"
  say "$version fmt -check -recursive terraform: OK"
  if [[ ! -d $TF_PLUGIN_MIRROR/registry.terraform.io/hashicorp/aws ]]; then
    say "SKIPPED: $tf validate (no provider mirror at $TF_PLUGIN_MIRROR; providers cannot be downloaded offline)"
    return
  fi
  local scratch dir failed=0
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' RETURN
  cp -r terraform "$scratch/"
  for dir in "$scratch"/terraform/modules/* "$scratch"/terraform/environments/*; do
    [[ -d $dir ]] || continue
    local rel=${dir#"$scratch"/}
    if ! (cd "$dir" && "$tf" init -input=false -backend=false -plugin-dir="$TF_PLUGIN_MIRROR" >"$scratch/init.log" 2>&1); then
      cat "$scratch/init.log" >&2
      fail "$tf init (offline, plugin dir $TF_PLUGIN_MIRROR) in $rel"
    fi
    if (cd "$dir" && "$tf" validate -no-color >"$scratch/validate.log" 2>&1); then
      say "$tf validate $rel: OK"
    else
      cat "$scratch/validate.log" >&2
      failed=1
      say "$tf validate $rel: FAILED"
    fi
  done
  ((failed == 0)) || fail "$tf validate failed (output above)"
  say "$tf validate used hashicorp/aws $(ls "$TF_PLUGIN_MIRROR/registry.terraform.io/hashicorp/aws" | tr '\n' ' ')from $TF_PLUGIN_MIRROR"
}

check_system_jobs() {
  local jar=orchestrator/target/presto-orchestrator.jar covered="TestSystemJobRenderer and TestInfrastructureAgreement render and check them in mvn verify"
  if [[ ! -f $jar ]]; then
    say "SKIPPED: rendering job-templates/system/*.json.ftl (no $jar yet; $covered)"
    return
  fi
  if [[ -n "$(find orchestrator/src/main -type f -newer "$jar" -print -quit)" ]]; then
    say "SKIPPED: rendering job-templates/system/*.json.ftl ($jar is older than orchestrator/src/main; $covered)"
    return
  fi
  command -v java >/dev/null || fail "java is needed to render the system jobs with $jar"
  local scratch vars environment jobs=0 files=0
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' RETURN
  for vars in job-templates/system/vars/*.yaml; do
    environment=$(basename "$vars" .yaml)
    java -jar "$jar" render-system --templates job-templates --vars "$vars" --output-dir "$scratch/$environment" >/dev/null ||
      fail "render-system with $vars (message above)"
  done
  # Valid JSON, Job.ID = file name; HCL task templates written out with consul-template
  # expressions replaced, for hclfmt.
  read -r jobs files < <(python3 - "$scratch" <<'PY'
import glob, json, os, re, sys
root = sys.argv[1]
jobs = files = 0
for path in sorted(glob.glob(os.path.join(root, "*", "*.json"))):
    name = os.path.basename(path)[:-len(".json")]
    with open(path) as f:
        job = json.load(f)["Job"]
    if job.get("ID") != name:
        sys.exit(f"{path}: Job.ID {job.get('ID')!r} is not {name!r}")
    jobs += 1
    for group in job["TaskGroups"]:
        for task in group["Tasks"]:
            for template in task.get("Templates") or []:
                if template["DestPath"].endswith(".hcl"):
                    files += 1
                    out = os.path.join(os.path.dirname(path), "hcl", name, template["DestPath"].replace("/", "_"))
                    os.makedirs(os.path.dirname(out), exist_ok=True)
                    with open(out, "w") as f:
                        f.write(re.sub(r"\{\{.*?\}\}", "X", template["EmbeddedTmpl"]))
print(jobs, files)
PY
  ) || fail "rendered system jobs are not what Nomad expects (message above)"
  local f
  while IFS= read -r f; do
    "$HCLFMT" -check "$f" >/dev/null 2>"$CACHE/.hclfmt.err" || { cat "$CACHE/.hclfmt.err" >&2; fail "HCL syntax of a rendered task template: ${f#"$scratch"/}"; }
  done < <(find "$scratch" -path '*/hcl/*' -type f | sort)
  say "system jobs: $jobs rendered with $(ls job-templates/system/vars/*.yaml | wc -l) variable files by $jar, valid JSON, Job.ID = name; $files HCL task templates parse"
}

started=$SECONDS
mkdir -p "$CACHE"
if [[ ${1:-} == --system-jobs ]]; then
  install_hclfmt
  check_system_jobs
  exit 0
fi
[[ $# == 0 ]] || fail "usage: scripts/check-iac.sh [--system-jobs]"
install_hclfmt
check_hcl
check_scripts
check_drain_entrypoint
check_with_terraform
check_system_jobs
say "all checks passed in $((SECONDS - started)) s (cross-checks: TestInfrastructureAgreement in mvn verify)"
