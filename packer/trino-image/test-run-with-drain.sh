#!/usr/bin/env bash
# Offline test of run-with-drain against a fake Trino launcher (state API only, Python): on SIGTERM
# the wrapper must PUT DRAINING as the drain user, wait for DRAINED, PUT SHUTTING_DOWN and exit 0;
# where DRAINING is refused (400, older versions) it must go straight to SHUTTING_DOWN. Called by
# scripts/check-iac.sh. The real Trino behaviour it mimics is in FACTS.md (measured on 476).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/etc"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "http-server.http.port=$port" >"$work/etc/config.properties"
cat >"$work/bin/launcher" <<'PY'
#!/usr/bin/env python3
import http.server, json, os, signal, sys, threading
state, mode, port = "ACTIVE", os.environ["MODE"], int(os.environ["PORT"])
signal.signal(signal.SIGTERM, lambda *a: (print("KILLED", flush=True), os._exit(143)))
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(json.dumps(state).encode())
    def do_PUT(self):
        global state
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        print("PUT %s user=%s" % (body, self.headers.get("X-Trino-User")), flush=True)
        if body == "DRAINING" and mode == "old":
            self.send_response(400); self.end_headers(); return
        state = body; self.send_response(200); self.end_headers()
        if body == "DRAINING":
            threading.Timer(2, lambda: globals().__setitem__("state", "DRAINED")).start()
        if body == "SHUTTING_DOWN":
            threading.Timer(0.5, lambda: os._exit(0)).start()
open(os.environ["READY"], "w").close()
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
chmod +x "$work/bin/launcher"

run_case() { # mode expected-PUT-sequence expected-log-line
  local mode=$1 expected=$2 phrase=$3 pid code puts
  rm -f "$work/ready"
  MODE=$mode PORT=$port READY="$work/ready" TRINO_HOME="$work" TRINO_DRAIN_POLL_SECONDS=1 TRINO_DRAIN_TIMEOUT_SECONDS=10 TRINO_DRAIN_USER=presto-orchestrator \
    "$here/../../job-templates/trino/run-with-drain.sh" run --etc-dir "$work/etc" >"$work/$mode.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do [[ -e $work/ready ]] && break; sleep 0.1; done
  sleep 0.3
  kill -TERM "$pid"
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    echo "run-with-drain ($mode): still running 30 s after SIGTERM" >&2
  fi
  set +e; wait "$pid"; code=$?; set -e
  puts=$(grep '^PUT' "$work/$mode.log" | tr '\n' ';' || true)
  if [[ $code != 0 || $puts != "$expected" ]] || grep -q KILLED "$work/$mode.log" || ! grep -q "$phrase" "$work/$mode.log"; then
    cat "$work/$mode.log" >&2
    echo "run-with-drain ($mode): exit $code, requests '$puts', expected exit 0, '$expected' and a line '$phrase'" >&2
    return 1
  fi
  echo "run-with-drain ($mode): $puts exit 0"
}
run_case drain "PUT DRAINING user=presto-orchestrator;PUT SHUTTING_DOWN user=presto-orchestrator;" "run-with-drain: DRAINED"
run_case old "PUT DRAINING user=presto-orchestrator;PUT SHUTTING_DOWN user=presto-orchestrator;" "falling back to SHUTTING_DOWN"
