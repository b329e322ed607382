#!/usr/bin/env bash
# Brings up the local stack on 127.0.0.1 in the background and returns once every part is healthy:
# Consul simulator, real Nomad v1.6.1 (one server, 3 client agents: scripts/nomad-local.sh), moto (SSM / Auto Scaling / SQS / EC2)
# behind the Auto Scaling lifecycle stand-in (simulators/autoscaling-lifecycle-standin: the lifecycle hook moto does not run),
# Traefik (Consul Catalog provider), Prometheus, nomad-autoscaler (Prometheus APM, Nomad target; it
# reads every Trino job's scaling policy from Nomad) and the orchestrator. Writes connection details
# to $LOCAL_DIR/env (default .local/env) for `source`. Lifecycle hooks are on as in production: the
# Nomad clients play the instances of an Auto Scaling group in moto (their meta.instance_id), whose
# terminating hook sends to an SQS queue the orchestrator reads (scripts/terminate-local-instance.sh
# terminates one). Safe to run again: parts already running are
# left alone. scripts/stop-local.sh stops exactly what this started.
#
# Environment:
#   LOCAL_DIR     state, logs and pids (default <repo>/.local)
#   PORT_OFFSET   added to every port (default 0), to run a second stack beside the first
#   SKIP_BUILD=1  do not build the jars (they must exist)
#   DEMO_CLUSTER=0  do not create the demo Trino cluster (1 coordinator, 2 workers, tpch catalog)
#
# Options:
#   --prestodb    also a demo PrestoDB 0.287 cluster 'prestodb' beside the Trino one (1 coordinator, 2 workers,
#                 tpch catalog), created through the API as the Trino demo is; runs scripts/setup.sh --prestodb
#                 first when PrestoDB is not installed (a 2 GB download once)
set -euo pipefail
# shellcheck source=lib/local-stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-stack.sh"

CACHE="${PRESTO_ORCH_CACHE:-$HOME/.cache/presto-orchestrator}"
ORCHESTRATOR_JAR="$REPO_ROOT/orchestrator/target/presto-orchestrator.jar"
CONSUL_JAR="$REPO_ROOT/simulators/consul/target/consul-simulator.jar"

ensure_setup() {
    if [[ ! -f "$CACHE/env.sh" ]]; then
        log "local stack not installed yet: running scripts/setup.sh${PRESTODB:+ --prestodb}"
        "$REPO_ROOT/scripts/setup.sh" ${PRESTODB:+--prestodb}
    fi
    # shellcheck source=/dev/null
    source "$CACHE/env.sh"
    if [[ -n "$PRESTODB" && ( -z "${PRESTODB_HOME:-}" || ! -f "${PRESTODB_CLI_JAR:-}" ) ]]; then
        log "PrestoDB or its CLI is not installed yet: running scripts/setup.sh --prestodb (a 2 GB download once)"
        "$REPO_ROOT/scripts/setup.sh" --prestodb
        # shellcheck source=/dev/null
        source "$CACHE/env.sh"
    fi
}

# An orchestrator started before PrestoDB was installed renders no prestodb job (its PRESTODB_HOME is empty):
# stop it, so that it starts again below with env.sh's. Its state is in Consul and Nomad: nothing is lost.
restart_orchestrator_without_prestodb() {
    local pid waited=0
    pid="$(pid_of orchestrator)"
    [[ -n "$pid" ]] || return 0
    tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -q '^PRESTODB_HOME=.' && return 0
    log "the running orchestrator (pid $pid) was started without PRESTODB_HOME: restarting it"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        (( waited >= 400 )) && die "the orchestrator (pid $pid) did not stop within 40 s; stop the stack with scripts/stop-local.sh"
        sleep 0.1; waited=$((waited + 1))
    done
    rm -f "$PID_DIR/orchestrator.pid"
}

ensure_jars() {
    local stale=0 jar
    for jar in "$ORCHESTRATOR_JAR" "$CONSUL_JAR"; do
        [[ -f "$jar" ]] || stale=1
    done
    if [[ "$stale" == 0 && "${SKIP_BUILD:-0}" != 1 ]] \
        && [[ -n "$(find "$REPO_ROOT/orchestrator/src/main" "$REPO_ROOT/simulators" -path '*/src/main/*' -newer "$ORCHESTRATOR_JAR" -type f -print -quit)" ]]; then
        stale=1
    fi
    if [[ "$stale" == 1 ]]; then
        [[ "${SKIP_BUILD:-0}" != 1 ]] || die "jars missing and SKIP_BUILD=1: build with 'mvn -DskipTests package' first"
        log "building jars (mvn -DskipTests package)"
        (cd "$REPO_ROOT" && mvn -B -q -DskipTests package) || die "build failed"
    fi
}

# start NAME COMMAND...: start detached unless a recorded process is alive; log to $LOG_DIR/NAME.log
start() {
    local name="$1"; shift
    local pid
    pid="$(pid_of "$name")"
    if [[ -n "$pid" ]]; then
        log "$name already running (pid $pid)"
        return 0
    fi
    : > "$LOG_DIR/$name.log"
    setsid "$@" >> "$LOG_DIR/$name.log" 2>&1 < /dev/null &
    echo $! > "$PID_DIR/$name.pid"
    log "started $name (pid $!), log $LOG_DIR/$name.log"
}

# wait_for NAME URL [SECONDS] [EXPECTED_STATUS]: poll until URL answers EXPECTED_STATUS (default 200)
wait_for() {
    local name="$1" url="$2" timeout="${3:-60}" expected="${4:-200}" waited=0 status
    while true; do
        status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)"
        [[ "$status" == "$expected" ]] && { log "$name is healthy ($url)"; return 0; }
        if [[ -z "$(pid_of "$name")" ]]; then
            tail -n 30 "$LOG_DIR/$name.log" >&2 || true
            die "$name exited during start-up; see $LOG_DIR/$name.log"
        fi
        (( waited >= timeout )) && { tail -n 30 "$LOG_DIR/$name.log" >&2 || true; die "$name not healthy after ${timeout}s ($url answered '$status')"; }
        sleep 1; waited=$((waited + 1))
    done
}

write_configs() {
    local token_file="$LOCAL_DIR/admin-token"
    if [[ ! -s "$token_file" ]]; then
        python3 -c 'import secrets; print("local-" + secrets.token_hex(20))' > "$token_file"
        chmod 600 "$token_file"
    fi
    ADMIN_TOKEN="$(cat "$token_file")"
    # Prometheus's own viewer token, for the coordinator discovery (GET /v1/prometheus/targets)
    local prometheus_token_file="$LOCAL_DIR/prometheus-token"
    if [[ ! -s "$prometheus_token_file" ]]; then
        python3 -c 'import secrets; print("local-" + secrets.token_hex(20))' > "$prometheus_token_file"
        chmod 600 "$prometheus_token_file"
    fi
    local prometheus_token
    prometheus_token="$(cat "$prometheus_token_file")"
    cat > "$LOCAL_DIR/orchestrator.yaml" <<YAML
# Written by scripts/run-local.sh: the orchestrator's configuration for the local stack.
http:
  host: 127.0.0.1
  port: $ORCHESTRATOR_PORT
autoscaling:
  scale-front-port: $SCALE_FRONT_PORT
nomad:
  address: http://127.0.0.1:$NOMAD_PORT
  # no instance metadata here: each client carries the id of one of moto's Auto Scaling group's instances in its meta
  node-instance-id: meta.instance_id
consul:
  address: http://127.0.0.1:$CONSUL_PORT
aws:
  enabled: true
  region: us-east-1
  # moto, behind the Auto Scaling lifecycle stand-in (simulators/autoscaling-lifecycle-standin), which
  # runs the lifecycle hook moto only stores: CompleteLifecycleAction and heartbeats are answered there
  endpoint: http://127.0.0.1:$LIFECYCLE_STANDIN_PORT
lifecycle:
  enabled: true
  # the terminating hook's queue of the Auto Scaling group local-nomad-clients (scripts/lib/local_lifecycle.py)
  queue-url: $LIFECYCLE_QUEUE_URL
  # the hook's HeartbeatTimeout is 300 s
  heartbeat-interval: 30s
clusters:
  templates-dir: $REPO_ROOT/job-templates
auth:
  tokens:
    - name: local-admin
      role: admin
      token: $ADMIN_TOKEN
    - name: local-prometheus
      role: viewer
      token: $prometheus_token
YAML
    chmod 600 "$LOCAL_DIR/orchestrator.yaml"
    cat > "$LOCAL_DIR/prometheus.yml" <<YAML
# Written by scripts/run-local.sh.
global:
  scrape_interval: 15s
scrape_configs:
  # the autoscaling signal (presto_orchestrator_cluster_workers_needed) is at most this old
  - job_name: presto-orchestrator
    scrape_interval: 5s
    static_configs:
      - targets: ['127.0.0.1:$ORCHESTRATOR_PORT']
  # the per-user query counters: they name Trino users, so they need a viewer token
  - job_name: presto-orchestrator-queries
    scrape_interval: 15s
    metrics_path: /v1/metrics/queries
    authorization:
      type: Bearer
      credentials_file: $prometheus_token_file
    static_configs:
      - targets: ['127.0.0.1:$ORCHESTRATOR_PORT']
  # Every Trino coordinator, found in Consul. Debian's Prometheus has no consul_sd_configs, so the
  # orchestrator reads Consul and answers in HTTP service discovery's format, selecting and labelling
  # what production's consul_sd job does (job-templates/system/prometheus/prometheus.yml.ftl).
  # /metrics needs a Trino user: basic auth, empty password.
  - job_name: trino-coordinators
    scrape_interval: 5s
    metrics_path: /metrics
    basic_auth:
      username: presto-orchestrator
      password: ""
    http_sd_configs:
      - url: http://127.0.0.1:$ORCHESTRATOR_PORT/v1/prometheus/targets
        refresh_interval: 5s
        # type must be written out: 2.42's http_sd sends the bare token without it
        authorization:
          type: Bearer
          credentials_file: $prometheus_token_file
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$PROMETHEUS_PORT']
YAML
}

# api METHOD PATH [BODY]: call the orchestrator with the local admin token; prints the body, then the status on the last line
api() {
    local method="$1" path="$2" body="${3:-}"
    local args=(-s -X "$method" -H "Authorization: Bearer $ADMIN_TOKEN" -w '\n%{http_code}' "http://127.0.0.1:$ORCHESTRATOR_PORT$path")
    [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' -d "$body")
    curl "${args[@]}"
}

# json_field KEY...: the value at KEY/KEY/... of the JSON on stdin, or nothing
json_field() {
    python3 -c '
import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value.get(key) if isinstance(value, dict) else None
print("" if value is None else value)' "$@" 2>/dev/null || true
}

# create_cluster NAME SPEC WORKERS WHAT: the tpch catalog if missing, then cluster NAME from SPEC (JSON) unless it
# exists; waits until its coordinator counts WORKERS active workers and Traefik routes it. Sets CLUSTER_URL (its
# public URL, through Traefik) and CLUSTER_COORDINATOR_URL.
create_cluster() {
    local name="$1" spec="$2" expected="$3" what="$4" response status
    response="$(api GET /v1/catalogs/tpch)"; status="${response##*$'\n'}"
    if [[ "$status" == 404 ]]; then
        response="$(api POST /v1/catalogs '{"name":"tpch","connectorName":"tpch"}')"; status="${response##*$'\n'}"
        [[ "$status" == 201 ]] || die "creating the tpch catalog failed ($status): ${response%$'\n'*}"
        log "created catalog tpch"
    fi
    response="$(api GET "/v1/clusters/$name")"; status="${response##*$'\n'}"
    if [[ "$status" == 404 ]]; then
        response="$(api POST /v1/clusters "$spec")"; status="${response##*$'\n'}"
        [[ "$status" == 202 ]] || die "creating the $what cluster $name failed ($status): ${response%$'\n'*}"
        log "creating $what cluster $name: operation $(printf '%s' "${response%$'\n'*}" | json_field id)"
    else
        log "cluster $name already exists"
    fi
    local waited=0 body workers state routable
    while true; do
        body="$(api GET "/v1/clusters/$name")"; body="${body%$'\n'*}"
        workers="$(printf '%s' "$body" | json_field status activeWorkers)"
        state="$(printf '%s' "$body" | json_field state)"
        routable="$(printf '%s' "$body" | json_field status routing routable)"
        [[ "$workers" == "$expected" && "$routable" == True ]] && break
        [[ "$state" == failed || "$state" == stopped ]] && die "cluster $name is $state; see GET /v1/clusters/$name/events and $LOCAL_DIR/nomad/logs/"
        (( waited >= 300 )) && die "cluster $name has ${workers:-no} active workers after 300s; see GET /v1/clusters/$name/events, the Nomad UI and $LOCAL_DIR/nomad/logs/"
        (( waited % 10 == 0 )) && log "waiting for cluster $name: state ${state:-?}, active workers ${workers:-none yet} of $expected, $(printf '%s' "$body" | json_field status routing reason) (${waited}s)"
        sleep 2; waited=$((waited + 2))
    done
    CLUSTER_COORDINATOR_URL="$(printf '%s' "$body" | json_field status coordinatorUrl)"
    CLUSTER_URL="$(printf '%s' "$body" | json_field status routing url)"
    # routable is Consul's view (every check passing); Traefik reads the catalog every refreshInterval
    # (2 s) after that, and answers 404 for the host until then: wait until it serves the cluster
    local host="${CLUSTER_URL#http://}" traefik_status=""
    host="${host%%:*}"
    waited=0
    while true; do
        traefik_status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $host" "http://127.0.0.1:$TRAEFIK_PORT/v1/info" || true)"
        [[ "$traefik_status" == 200 ]] && break
        (( waited >= 60 )) && die "Traefik does not route $host after 60s (last answer '$traefik_status'); see $LOG_DIR/traefik.log"
        sleep 1; waited=$((waited + 1))
    done
    log "cluster $name is up: $CLUSTER_URL through Traefik (coordinator $CLUSTER_COORDINATOR_URL) with $expected active workers"
}

# setup_lifecycle_aws: the queue, the Auto Scaling group and its terminating hook in moto (through the
# stand-in, which must see the hook); sets LIFECYCLE_QUEUE_URL and INSTANCE_IDS (the group's instances)
setup_lifecycle_aws() {
    local output
    output="$(AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local "$PRESTO_ORCH_VENV/bin/python" "$REPO_ROOT/scripts/lib/local_lifecycle.py" setup \
        --endpoint "http://127.0.0.1:$LIFECYCLE_STANDIN_PORT" --nomad "http://127.0.0.1:$NOMAD_PORT")" \
        || die "setting up the Auto Scaling group and its lifecycle hook in moto failed; see $LOG_DIR/moto.log and $LOG_DIR/lifecycle-standin.log"
    LIFECYCLE_QUEUE_URL="$(sed -n 's/^QUEUE_URL=//p' <<<"$output")"
    INSTANCE_IDS="$(sed -n 's/^INSTANCE_IDS=//p' <<<"$output")"
    [[ -n "$LIFECYCLE_QUEUE_URL" && -n "$INSTANCE_IDS" ]] || die "no queue URL or instance ids from scripts/lib/local_lifecycle.py setup: $output"
    log "Auto Scaling group local-nomad-clients (moto): instances $INSTANCE_IDS, terminating hook to $LIFECYCLE_QUEUE_URL"
}

main() {
    mkdir -p "$PID_DIR" "$LOG_DIR"
    ensure_setup
    ensure_jars
    command -v curl >/dev/null || die "curl is needed"

    # The Consul simulator keeps its state in memory: when it starts afresh, the orchestrator's records
    # are gone, so Nomad starts afresh too (a job left from a previous stack would block the demo's create)
    if [[ -z "$(pid_of consul-sim)" && -d "$LOCAL_DIR/nomad" ]]; then
        log "starting afresh: removing the previous stack's Nomad state ($LOCAL_DIR/nomad)"
        "$REPO_ROOT/scripts/nomad-local.sh" stop --dir "$LOCAL_DIR/nomad" >/dev/null
        rm -rf "$LOCAL_DIR/nomad"
    fi
    start consul-sim java -jar "$CONSUL_JAR" --bind 127.0.0.1 --port "$CONSUL_PORT" --agent-ports "$CONSUL_AGENT_PORTS"
    wait_for consul-sim "http://127.0.0.1:$CONSUL_PORT/v1/status/leader"

    # AWS before Nomad: the Nomad clients carry the ids of the Auto Scaling group's instances moto launched
    start moto env AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 \
        "$MOTO_SERVER_BIN" -H 127.0.0.1 -p "$MOTO_PORT"
    wait_for moto "http://127.0.0.1:$MOTO_PORT/moto-api/" 60
    start lifecycle-standin "$PRESTO_ORCH_VENV/bin/python" "$REPO_ROOT/simulators/autoscaling-lifecycle-standin/lifecycle_standin.py" \
        --bind 127.0.0.1 --port "$LIFECYCLE_STANDIN_PORT" --moto "http://127.0.0.1:$MOTO_PORT"
    wait_for lifecycle-standin "http://127.0.0.1:$LIFECYCLE_STANDIN_PORT/lifecycle-standin/actions"
    setup_lifecycle_aws

    # real Nomad v1.6.1 (built by setup.sh): one server and 3 client agents, services and checks in Consul
    "$REPO_ROOT/scripts/nomad-local.sh" start --dir "$LOCAL_DIR/nomad" --nomad "$NOMAD_BIN" \
        --http-port "$NOMAD_PORT" --port-base "$NOMAD_PORT_BASE" --dynamic-ports "$NOMAD_DYNAMIC_PORTS" \
        --consul "127.0.0.1:$CONSUL_PORT" --consul-agents "127.0.0.1:${CONSUL_AGENT_PORTS//,/,127.0.0.1:}" --clients 3 \
        --instance-ids "$INSTANCE_IDS" \
        || die "the local Nomad did not start; see $LOCAL_DIR/nomad/logs/"

    write_configs

    # never phone home: this stack talks to 127.0.0.1 only
    start traefik "$TRAEFIK_BIN" \
        --global.checknewversion=false --global.sendanonymoususage=false \
        --entrypoints.web.address="127.0.0.1:$TRAEFIK_PORT" \
        --entrypoints.traefik.address="127.0.0.1:$TRAEFIK_PING_PORT" \
        --ping=true --ping.entrypoint=traefik \
        --accesslog=true --accesslog.filepath="$LOG_DIR/traefik-access.log" --log.level=INFO \
        --providers.consulcatalog=true \
        --providers.consulcatalog.endpoint.address="127.0.0.1:$CONSUL_PORT" \
        --providers.consulcatalog.exposedByDefault=false \
        --providers.consulcatalog.strictChecks=passing \
        --providers.consulcatalog.refreshInterval=2s \
        --providers.consul=true \
        --providers.consul.endpoints="127.0.0.1:$CONSUL_PORT" \
        --providers.consul.rootKey=traefik
    wait_for traefik "http://127.0.0.1:$TRAEFIK_PING_PORT/ping"

    start prometheus "$PROMETHEUS_BIN" --config.file="$LOCAL_DIR/prometheus.yml" \
        --storage.tsdb.path="$LOCAL_DIR/prometheus-data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
    wait_for prometheus "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"

    # the production job's agent configuration (job-templates/system/nomad-autoscaler/agent.hcl.ftl),
    # rendered with job-templates/local/nomad-autoscaler.yaml by the orchestrator's own renderer
    NOMAD_PORT="$NOMAD_PORT" PROMETHEUS_PORT="$PROMETHEUS_PORT" SCALE_FRONT_PORT="$SCALE_FRONT_PORT" java -jar "$ORCHESTRATOR_JAR" render-system \
        --templates "$REPO_ROOT/job-templates" --vars "$REPO_ROOT/job-templates/local/nomad-autoscaler.yaml" \
        --file nomad-autoscaler/agent.hcl.ftl > "$LOCAL_DIR/nomad-autoscaler.hcl" \
        || die "rendering the nomad-autoscaler configuration failed"
    mkdir -p "$LOCAL_DIR/nomad-autoscaler-plugins"
    start nomad-autoscaler "$NOMAD_AUTOSCALER_BIN" agent -config="$LOCAL_DIR/nomad-autoscaler.hcl" \
        -http-bind-address=127.0.0.1 -http-bind-port="$NOMAD_AUTOSCALER_PORT" \
        -plugin-dir="$LOCAL_DIR/nomad-autoscaler-plugins"
    wait_for nomad-autoscaler "http://127.0.0.1:$NOMAD_AUTOSCALER_PORT/v1/health"

    [[ -z "$PRESTODB" ]] || restart_orchestrator_without_prestodb
    # PRESTO_ORCH_PUBLIC_PORT: the port in each cluster's public URL (job-templates/vars/local.yaml)
    start orchestrator env ORCHESTRATOR_CONFIG="$LOCAL_DIR/orchestrator.yaml" PRESTO_ORCH_PUBLIC_PORT="$TRAEFIK_PORT" \
        AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
        java -jar "$ORCHESTRATOR_JAR" serve
    wait_for orchestrator "http://127.0.0.1:$ORCHESTRATOR_PORT/health/ready" 90

    DEMO_COORDINATOR_URL=""
    DEMO_URL=""
    if [[ "${DEMO_CLUSTER:-1}" != 0 ]]; then
        create_cluster demo '{"name":"demo","catalogs":["tpch"],"workers":{"count":2,"min":1,"max":4}}' 2 Trino
        DEMO_COORDINATOR_URL="$CLUSTER_COORDINATOR_URL"
        DEMO_URL="$CLUSTER_URL"
    fi
    PRESTODB_DEMO_COORDINATOR_URL=""
    PRESTODB_DEMO_URL=""
    if [[ -n "$PRESTODB" ]]; then
        # the heap PrestoDbClusterIT runs with: PrestoDB's default total memory per node is twice the query memory
        create_cluster prestodb '{"name":"prestodb","flavour":"prestodb","version":"0.287","catalogs":["tpch"],"workers":{"count":2,"min":1,"max":4},"jvm":{"heap":"768MB"}}' 2 PrestoDB
        PRESTODB_DEMO_COORDINATOR_URL="$CLUSTER_COORDINATOR_URL"
        PRESTODB_DEMO_URL="$CLUSTER_URL"
    fi

    cat > "$LOCAL_DIR/env" <<ENV
# Written by scripts/run-local.sh: connection details of the local stack. source it.
export ORCHESTRATOR_URL=http://127.0.0.1:$ORCHESTRATOR_PORT
export ORCHESTRATOR_TOKEN=$ADMIN_TOKEN
export TRAEFIK_URL=http://127.0.0.1:$TRAEFIK_PORT
export NOMAD_ADDR=http://127.0.0.1:$NOMAD_PORT
export CONSUL_HTTP_ADDR=127.0.0.1:$CONSUL_PORT
export AWS_ENDPOINT_URL=http://127.0.0.1:$LIFECYCLE_STANDIN_PORT
export MOTO_URL=http://127.0.0.1:$MOTO_PORT
export LIFECYCLE_QUEUE_URL=$LIFECYCLE_QUEUE_URL
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
export AWS_REGION=us-east-1
export PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
export NOMAD_AUTOSCALER_URL=http://127.0.0.1:$NOMAD_AUTOSCALER_PORT
export TRINO_CLI_JAR=$TRINO_CLI_JAR
export DEMO_COORDINATOR_URL=$DEMO_COORDINATOR_URL
export DEMO_URL=$DEMO_URL
export PRESTODB_DEMO_COORDINATOR_URL=$PRESTODB_DEMO_COORDINATOR_URL
export PRESTODB_DEMO_URL=$PRESTODB_DEMO_URL
export PRESTODB_JAVA_HOME=${PRESTODB_JAVA_HOME:-}
export PRESTODB_CLI_JAR=${PRESTODB_CLI_JAR:-}
ENV
    chmod 600 "$LOCAL_DIR/env"

    cat <<SUMMARY

Local stack is up (127.0.0.1):
  orchestrator   http://127.0.0.1:$ORCHESTRATOR_PORT   (health: /health/ready, API token in $LOCAL_DIR/env)
  traefik        http://127.0.0.1:$TRAEFIK_PORT   (every cluster at http://<cluster>.trino.localhost:$TRAEFIK_PORT)
  nomad          http://127.0.0.1:$NOMAD_PORT   (Nomad v1.6.1, 3 client nodes; its UI: http://127.0.0.1:$NOMAD_PORT/ui/)
  consul sim     http://127.0.0.1:$CONSUL_PORT
  moto (AWS)     http://127.0.0.1:$MOTO_PORT   (behind the Auto Scaling lifecycle stand-in http://127.0.0.1:$LIFECYCLE_STANDIN_PORT = \$AWS_ENDPOINT_URL)
  lifecycle      hooks on: Auto Scaling group local-nomad-clients ($INSTANCE_IDS), queue $LIFECYCLE_QUEUE_URL
                 scripts/terminate-local-instance.sh terminates a node's instance and shows the drain
  prometheus     http://127.0.0.1:$PROMETHEUS_PORT   (scrapes the orchestrator's and every coordinator's /metrics every 5 s)
  autoscaler     http://127.0.0.1:$NOMAD_AUTOSCALER_PORT   (nomad-autoscaler; config $LOCAL_DIR/nomad-autoscaler.hcl)
Connection details: source $LOCAL_DIR/env      Logs: $LOG_DIR      Stop: scripts/stop-local.sh
SUMMARY
    if [[ -n "$DEMO_COORDINATOR_URL" ]]; then
        cat <<DEMO
Demo Trino cluster 'demo' (1 coordinator, 2 workers): $DEMO_URL (through Traefik)
  curl $DEMO_URL/v1/info
  java -jar $TRINO_CLI_JAR --server $DEMO_URL --http-proxy 127.0.0.1:$TRAEFIK_PORT --execute 'SELECT count(*) FROM tpch.sf1.lineitem'
  (*.localhost is 127.0.0.1 for curl and browsers; Java does not resolve it, so the CLI uses Traefik as its HTTP proxy.
   The coordinator itself: $DEMO_COORDINATOR_URL)
DEMO
    fi
    if [[ -n "$PRESTODB_DEMO_COORDINATOR_URL" ]]; then
        cat <<PRESTODB_DEMO
Demo PrestoDB 0.287 cluster 'prestodb' (1 coordinator, 2 workers): $PRESTODB_DEMO_URL (through Traefik)
  curl $PRESTODB_DEMO_URL/v1/cluster
  $PRESTODB_JAVA_HOME/bin/java -jar $PRESTODB_CLI_JAR --server $PRESTODB_DEMO_URL --http-proxy 127.0.0.1:$TRAEFIK_PORT --execute 'SELECT count(*) FROM tpch.sf1.lineitem'
  (PrestoDB's own CLI: the Trino CLI sends X-Trino-* headers, which PrestoDB ignores. The coordinator itself: $PRESTODB_DEMO_COORDINATOR_URL)
PRESTODB_DEMO
    fi
}

PRESTODB=""
for arg in "$@"; do
    case "$arg" in
        --prestodb) PRESTODB=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$arg' (try --help)" ;;
    esac
done
main
