#!/usr/bin/env bash
# Starts a throw-away single-node Trino (coordinator that also schedules work, tpch catalog,
# -Xmx512M, free 127.0.0.1 port, etc/data dirs in a temp dir), waits until it is no longer
# starting, optionally runs one query through the CLI, then stops it by pid.
#
# Usage: trino-start-check.sh JAVA_HOME TRINO_HOME [CLI_JAR [QUERY [EXPECTED_OUTPUT]]]
# Exit code 0 only if Trino started (and the query printed EXPECTED_OUTPUT, when given).
# TRINO_CHECK_JVM_OPTIONS: more jvm.config lines, space-separated (setup.sh's AOT cache training
# passes -XX:AOTCacheOutput=FILE: the JVM writes the cache as it exits, so the stop waits for the exit).
#
# How Trino is launched (Trino 476: bin/launcher is a bash wrapper that execs the Go
# "airlift launcher"; `launcher run` execs the JVM, so the pid we start IS the Java process):
#   JAVA_HOME=... PATH=$JAVA_HOME/bin:$PATH $TRINO_HOME/bin/launcher run --etc-dir=E --data-dir=D
set -euo pipefail

java_home="${1:?usage: $0 JAVA_HOME TRINO_HOME [CLI_JAR [QUERY [EXPECTED]]]}"
trino_home="${2:?usage: $0 JAVA_HOME TRINO_HOME [CLI_JAR [QUERY [EXPECTED]]]}"
cli_jar="${3:-}"
query="${4:-SELECT count(*) FROM tpch.tiny.nation}"
expected="${5:-}"
start_timeout="${TRINO_START_TIMEOUT:-180}"

say() { printf '[trino-check] %s\n' "$*"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/trino-check.XXXXXX")"
pid=""
finish() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 120); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf -- "$work"
}
trap finish EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
mkdir -p "$work/etc/catalog" "$work/data"
cat >"$work/etc/node.properties" <<EOF
node.environment=check
node.id=trino-check-$port
node.data-dir=$work/data
node.internal-address=127.0.0.1
EOF
cat >"$work/etc/jvm.config" <<'EOF'
-server
-Xmx512M
-XX:+UseG1GC
-XX:+ExitOnOutOfMemoryError
-Djdk.attach.allowAttachSelf=true
EOF
# shellcheck disable=SC2086 # one option per word
for option in ${TRINO_CHECK_JVM_OPTIONS:-}; do
    printf '%s\n' "$option" >>"$work/etc/jvm.config"
done
cat >"$work/etc/config.properties" <<EOF
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$port
discovery.uri=http://127.0.0.1:$port
EOF
printf 'connector.name=tpch\n' >"$work/etc/catalog/tpch.properties"

say "starting Trino from $trino_home with $java_home on 127.0.0.1:$port"
JAVA_HOME="$java_home" PATH="$java_home/bin:$PATH" \
    "$trino_home/bin/launcher" run --etc-dir="$work/etc" --data-dir="$work/data" \
    >"$work/server.out" 2>&1 &
pid=$!

started=$SECONDS
deadline=$((SECONDS + start_timeout))
until curl -fsS "http://127.0.0.1:$port/v1/info" 2>/dev/null | grep -q '"starting":false'; do
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" && rc=0 || rc=$?
        say "Trino exited with code $rc before it was up; last output:"
        tail -n 30 "$work/server.out" >&2
        exit 1
    fi
    if ((SECONDS > deadline)); then
        say "Trino not up after ${start_timeout}s; last output:"
        tail -n 30 "$work/server.out" >&2
        exit 1
    fi
    sleep 1
done
say "Trino is up (pid $pid, after $((SECONDS - started)) s)"

if [[ -n "$cli_jar" ]]; then
    say "running: $query"
    # The CLI prints JLine/native-access warnings on stderr; only stdout is the result.
    out="$("$java_home/bin/java" -jar "$cli_jar" --server "http://127.0.0.1:$port" --user check \
        --output-format=TSV --execute "$query" 2>"$work/cli.err")" || {
        say "query failed: $out"
        cat "$work/cli.err" >&2
        exit 1
    }
    say "result: $out"
    if [[ -n "$expected" && "$out" != "$expected" ]]; then
        say "expected '$expected'"
        exit 1
    fi
fi
say "stopping Trino (pid $pid)"
