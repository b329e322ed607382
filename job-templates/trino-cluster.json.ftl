[#ftl strip_whitespace=true]
[#-- The cluster job: {"Job":{...}} for Nomad's /v1/jobs. Square-bracket syntax: [#...] tags, [=expr] values;
     ${NOMAD_...} and {{ ... }} are Nomad's and pass through. See README.md. --]
[#assign ns = 1000000000]
[#assign autoscaling = cluster.autoscaling]
[#assign workersNeeded = "presto_orchestrator_cluster_workers_needed{cluster=\"" + cluster.name + "\"}"]
[#assign workersNeededQuery = (autoscaling.scaleInDelayMillis == 0)?then("max(" + workersNeeded + ")", "max(max_over_time(" + workersNeeded + "[" + autoscaling.scaleInDelay + "]))")]
[#assign static = vars.discovery == "static"]
[#-- Trino: catalogs change live (CREATE/DROP CATALOG, issue 18): their files come from a Nomad Variable, not from
     this job, so attaching or detaching one changes no allocation; PrestoDB: one template per catalog --]
[#assign liveCatalogs = engine.liveCatalogs]
[#assign publicHost = cluster.name + "." + vars.route_domain]
[#-- issue 18: this side's own host; the public host's router (Traefik KV, written by the orchestrator) pins every
     query's nextUri to it, so a query keeps reaching its coordinator after new queries switch to the other side --]
[#assign sideRouter = cluster.jobId + "-" + cluster.side]
[#assign pinnedHost = cluster.name + "--" + cluster.side + "." + vars.route_domain]
[#assign pinnedHostPort = pinnedHost + (vars.public_port?string == (vars.public_scheme == "https")?then("443", "80"))?then("", ":" + vars.public_port?string)]
[#assign oldSideTimeout = vars.old_side_timeout_seconds]
[#assign publicUrl = vars.public_scheme + "://" + publicHost + (vars.public_port?string == (vars.public_scheme == "https")?then("443", "80"))?then("", ":" + vars.public_port?string)]
[#-- a Trino file as a JSON string: render the sub-template, then escape it --]
[#-- parse=false: a plain file (a shell script), included as it is --]
[#-- changeMode: "" takes vars.template_change_mode; envvars: Nomad reads the file as the task's environment --]
[#macro file path dest perms="0644" parse=true changeMode="" envvars=false]
[#local body][#include path parse=parse][/#local]
{"DestPath": "[=dest?json_string]", "EmbeddedTmpl": "[=body?json_string]", "ChangeMode": "[=(changeMode == "")?then(vars.template_change_mode, changeMode)?json_string]", "Perms": "[=perms]"[#if envvars], "Envvars": true[/#if]}[/#macro]
[#-- the engine's installation and JDK for raw_exec: trino_home/java_home or prestodb_home/prestodb_java_home --]
[#assign engineHome = (vars[engine.homeVariable])!""]
[#assign javaHome = (vars[engine.javaHomeVariable])!""]
[#if vars.driver == "raw_exec" && (engineHome == "" || javaHome == "")]
[#stop "the " + cluster.flavour + " flavour on raw_exec needs the variables " + engine.homeVariable + " and " + engine.javaHomeVariable + " (for prestodb: scripts/setup.sh --prestodb, then source ~/.cache/presto-orchestrator/env.sh)"]
[/#if]
[#macro task role]
[#assign role = role]
{
  "Name": "trino",
  "Driver": "[=vars.driver?json_string]",
[#assign drainWrapper = role == "worker" && vars.driver == "raw_exec" && vars.drain_on_stop]
[#if vars.driver == "raw_exec"]
  "Config": {
[#if drainWrapper]
    [#-- drain path 3: on the kill signal the wrapper drains the worker (engine.workerDrain: Trino DRAINING -> DRAINED ->
         SHUTTING_DOWN, PrestoDB SHUTTING_DOWN) before it exits --]
    "command": "/bin/bash",
    "args": ["${NOMAD_TASK_DIR}/run-with-drain", "run", "--etc-dir", "${NOMAD_TASK_DIR}/etc", "--data-dir", "[=vars.data_dir?json_string]"[#if engine.launcherJvmDir], "--jvm-dir", "[=javaHome?json_string]"[/#if]]
[#elseif role == "coordinator" && liveCatalogs]
    [#-- with-catalogs.sh writes the catalog files from the Nomad Variable, then runs the launcher --]
    "command": "/bin/sh",
    "args": ["${NOMAD_TASK_DIR}/with-catalogs.sh", "[=engineHome?json_string]/bin/launcher", "run", "--etc-dir", "${NOMAD_TASK_DIR}/etc", "--data-dir", "[=vars.data_dir?json_string]"[#if engine.launcherJvmDir], "--jvm-dir", "[=javaHome?json_string]"[/#if]]
[#else]
    "command": "[=engineHome?json_string]/bin/launcher",
    "args": ["run", "--etc-dir", "${NOMAD_TASK_DIR}/etc", "--data-dir", "[=vars.data_dir?json_string]"[#if engine.launcherJvmDir], "--jvm-dir", "[=javaHome?json_string]"[/#if]]
[/#if]
  },
  "Env": {"JAVA_HOME": "[=javaHome?json_string]"[#if drainWrapper], "TRINO_HOME": "[=engineHome?json_string]"[/#if][#if role == "worker"], "TRINO_DRAIN_USER": "[=vars.orchestrator_user?json_string]", "TRINO_DRAIN_TIMEOUT_SECONDS": "[=vars.drain_timeout_seconds?c]", "TRINO_DRAIN_STATES": "[=engine.workerDrain]", "TRINO_DRAIN_USER_HEADER": "[=engine.userHeader]"[/#if]},
[#else]
  "Config": {
    "image": "[=cluster.image?json_string]",
    "network_mode": "host",
[#if role == "coordinator" && liveCatalogs]
    "entrypoint": ["/bin/sh"],
    "args": ["/local/with-catalogs.sh", "[=vars.docker_launcher?json_string]", "run", "--etc-dir", "/local/etc", "--data-dir", "[=vars.data_dir?json_string]"]
[#else]
    "entrypoint": ["[=vars.docker_launcher?json_string]"],
    "args": ["run", "--etc-dir", "/local/etc", "--data-dir", "[=vars.data_dir?json_string]"]
[/#if]
  },
[#if role == "worker"]
  "Env": {"TRINO_DRAIN_USER": "[=vars.orchestrator_user?json_string]", "TRINO_DRAIN_TIMEOUT_SECONDS": "[=vars.drain_timeout_seconds?c]", "TRINO_DRAIN_STATES": "[=engine.workerDrain]", "TRINO_DRAIN_USER_HEADER": "[=engine.userHeader]"},
[/#if]
[/#if]
  "Resources": {"CPU": [=(role == "coordinator")?then(cluster.coordinator.cpuMhz, cluster.workers.cpuMhz)], "MemoryMB": [=(role == "coordinator")?then(cluster.coordinator.memoryMb, cluster.workers.memoryMb)]},
  [#-- Nomad replaces an allocation when its task's combined Meta (job, group, task; the task's own keys
       win) changes: pinning here the job Meta keys that reach no Trino process (who deployed, the spec
       hash, labels, versions of the templates and the orchestrator) keeps a change of only those, of
       the scaling policy or of min/max, in place --]
  "Meta": {[#list pinnedMeta as key]"[=key?json_string]": "[=pinnedValue?json_string]"[#sep], [/#sep][/#list]},
  "KillSignal": "[=vars.kill_signal?json_string]",
  "KillTimeout": [=vars.kill_timeout_seconds * ns],
  "ShutdownDelay": [=(role == "coordinator")?then(vars.shutdown_delay_seconds, vars.worker_shutdown_delay_seconds) * ns],
  "Templates": [
    [@file "trino/config.properties.ftl" "local/etc/config.properties"/],
    [@file "trino/node.properties.ftl" "local/etc/node.properties"/],
    [@file "trino/jvm.config.ftl" "local/etc/jvm.config"/],
    [@file "trino/log.properties.ftl" "local/etc/log.properties"/]
[#if role == "coordinator"]
    ,[@file "trino/ready-check.sh.ftl" "local/ready-check.sh" "0755"/]
[/#if]
[#if drainWrapper]
    ,[@file "trino/run-with-drain.sh" "local/run-with-drain" "0755" false/]
[/#if]
[#-- workers: the orchestrator's user alone may drain them (where the engine guards the state); coordinators with live
     catalogs: it alone may CREATE/DROP CATALOG --]
[#if (role == "worker" && engine.stateAccessControl) || liveCatalogs]
    ,[@file "trino/access-control.properties.ftl" "local/etc/access-control.properties"/]
    ,[@file "trino/access-control-rules.json.ftl" "local/etc/access-control-rules.json"/]
[/#if]
[#if liveCatalogs]
[#if role == "coordinator"]
    [#-- noop whatever vars.template_change_mode says: a catalog change must not restart Trino --]
    ,[@file "trino/with-catalogs.sh.ftl" "local/with-catalogs.sh" "0755" true "noop"/]
[/#if]
[#if catalogSecrets?has_content]
    ,[@file "trino/catalog-secrets.env.ftl" "secrets/catalog-secrets.env" "0600" true "noop" true/]
[/#if]
[#else]
[#list catalogs as c]
[#assign catalog = c]
    ,[@file "trino/catalog.properties.ftl" "local/etc/catalog/" + c.name + ".properties" "0640"/]
[/#list]
[/#if]
  ]
}
[/#macro]
[#-- a service Traefik never routes: discovery (workers find the coordinator), monitoring, drain --]
[#macro service role name]
{
  "Name": "[=name?json_string]",
  "PortLabel": "http",
  "Provider": "consul",
  "Tags": [[#list vars.service_tags as tag]"[=tag?json_string]", [/#list]"[=role]", "cluster=[=cluster.name]", "side-[=cluster.side]", "traefik.enable=false"],
  "Meta": {"cluster": "[=cluster.name]", "role": "[=role]", "side": "[=cluster.side]"[#if role == "worker"], "alloc_id": "${NOMAD_ALLOC_ID}", "alloc_index": "${NOMAD_ALLOC_INDEX}"[/#if]},
  "Checks": [{
    "Name": "[=role] /v1/info",
    "Type": "http",
    "Path": "/v1/info",
    "PortLabel": "http",
    "Interval": [=vars.check_interval_seconds * ns],
    "Timeout": [=vars.check_timeout_seconds * ns]
  }]
}
[/#macro]
[#-- the routed entry point: Traefik's Consul Catalog provider routes Host(<cluster>.<domain>) to the
     coordinator only while every check passes, i.e. once the readiness gate (ready-check.sh) does --]
[#macro routedService]
[#local router = cluster.jobId]
[#-- the gate makes two probes in turn: each gets under half of the check's timeout --]
[#local probeSeconds = [1, ((vars.ready_check_timeout_seconds - 1) / 2)?floor]?max]
[#-- passes in a row wanted before the first route: the first and the last are at least settle seconds apart --]
[#local confirmProbes = (vars.ready_check_settle_seconds / vars.ready_check_interval_seconds)?ceiling + 1]
{
  "Name": "[=router?json_string]",
  "PortLabel": "http",
  "Provider": "consul",
  "Tags": [[#list vars.service_tags as tag]"[=tag?json_string]", [/#list]"routed", "cluster=[=cluster.name]", "side-[=cluster.side]",
    "traefik.enable=true",
    [#-- this side's own host; the public host's router is in Traefik's KV provider (the orchestrator writes it) and
         uses this service and middleware, so new queries switch sides in one KV write --]
    "traefik.http.routers.[=sideRouter].rule=Host(`[=pinnedHost?json_string]`)",
    "traefik.http.routers.[=sideRouter].entrypoints=[=vars.route_entrypoint?json_string]",
    "traefik.http.routers.[=sideRouter].service=[=sideRouter]",
    "traefik.http.routers.[=sideRouter].middlewares=[=sideRouter]-pin",
    "traefik.http.services.[=sideRouter].loadbalancer.passhostheader=true",
    [#-- the engine builds nextUri from this header (engine.pinHeader: Trino X-Forwarded-Host with http-server.process-forwarded,
         PrestoDB 0.287 Host), set to this side's host: every poll comes back to this side --]
    "traefik.http.middlewares.[=sideRouter]-pin.headers.customrequestheaders.[=engine.pinHeader]=[=pinnedHostPort?json_string]",
    "traefik.http.middlewares.[=sideRouter]-pin.headers.customresponseheaders.X-Presto-Orchestrator-Side=[=cluster.side]"],
  "Meta": {"cluster": "[=cluster.name]", "role": "coordinator", "side": "[=cluster.side]", "public_url": "[=publicUrl?json_string]", "pinned_host": "[=pinnedHost?json_string]"},
  "Checks": [{
    "Name": "routing readiness gate",
    "Type": "script",
    "TaskName": "trino",
    [#-- the script's path comes from the task's environment, not from Nomad's interpolation: Nomad 1.6
         registers a group service's check interpolated without the task's variables but updates it with
         them, so a ${NOMAD_TASK_DIR} here gives two check IDs and the check never leaves critical --]
    "Command": "/bin/sh",
    "Args": ["-c", "exec /bin/sh \"$NOMAD_TASK_DIR/ready-check.sh\" \"$@\"", "ready-check", "${NOMAD_PORT_http}", "[=cluster.workers.min?c]", "[=vars.orchestrator_user?json_string]",
      "[=probeSeconds?c]", "[=vars.ready_check_slow_probes_tolerated?c]", "[=confirmProbes?c]"],
    "Interval": [=vars.ready_check_interval_seconds * ns],
    "Timeout": [=vars.ready_check_timeout_seconds * ns],
    "OnUpdate": "ignore"
  }]
}
[/#macro]
[#-- one rolling replacement may take the old allocation's whole stop (the longer of the groups' shutdown delays + kill_timeout), then the new one's healthy_deadline --]
[#assign progressDeadline = [vars.shutdown_delay_seconds, vars.worker_shutdown_delay_seconds]?max + vars.kill_timeout_seconds + vars.healthy_deadline_seconds + 60]
[#-- blue-green (issue 18): Nomad starts `canaries` new allocations beside the old ones and waits for the orchestrator's
     promotion, which comes once the old coordinator's queries ended (old_side_timeout_seconds at most); Nomad fails a
     deployment that waits for promotion past its progress deadline, so the deadline covers that wait too --]
[#macro canaryUpdate canaries]
"Update": {
          "MaxParallel": 1,
          "Canary": [=canaries?c],
          "AutoPromote": false,
          "AutoRevert": false,
          "HealthCheck": "checks",
          "MinHealthyTime": [=vars.min_healthy_time_seconds * ns],
          "HealthyDeadline": [=vars.healthy_deadline_seconds * ns],
          "ProgressDeadline": [=(progressDeadline + oldSideTimeout) * ns]
        }[/#macro]
{
  "Job": {
    "ID": "[=cluster.jobId?json_string]",
    "Name": "[=cluster.jobId?json_string]",
    "Type": "service",
    "Datacenters": [[#list vars.datacenters as dc]"[=dc?json_string]"[#sep], [/#sep][/#list]],
[#if vars.node_pool??]
    "NodePool": "[=vars.node_pool?json_string]",
[/#if]
    "Meta": {
[#list provenance as key, value]
      "[=key?json_string]": "[=value?json_string]",
[/#list]
      "orchestrator_flavour": "[=cluster.flavour]",
      [#-- trino_version or prestodb_version: what an operator looks for first in the Nomad UI --]
      "[=cluster.flavour]_version": "[=cluster.version?json_string]",
      "public_url": "[=publicUrl?json_string]",
      [#-- issue 18: which side these allocations are, and how long queries may run on the old side after a switch --]
      "orchestrator_side": "[=cluster.side]",
      "orchestrator_route_entrypoint": "[=vars.route_entrypoint?json_string]",
      "orchestrator_old_side_timeout_seconds": "[=oldSideTimeout?c]",
      "orchestrator_switch_settle_seconds": "[=vars.switch_settle_seconds?c]"
    },
    "Update": {
      "MaxParallel": 1,
      "HealthCheck": "checks",
      "MinHealthyTime": [=vars.min_healthy_time_seconds * ns],
      "HealthyDeadline": [=vars.healthy_deadline_seconds * ns],
      "ProgressDeadline": [=progressDeadline * ns],
      "AutoRevert": false
    },
    "TaskGroups": [
      {
        "Name": "[=cluster.names.coordinatorGroup]",
        "Count": 1,
[#if cluster.blueGreen]
        [@canaryUpdate 1/],
[/#if]
        "Networks": [{
[#if static]
          "ReservedPorts": [{"Label": "http", "Value": [=coordinatorPort]}]
[#else]
          "DynamicPorts": [{"Label": "http"}]
[/#if]
        }],
        "RestartPolicy": {"Attempts": 2, "Interval": [=300 * ns], "Delay": [=15 * ns], "Mode": "fail"},
        "Services": [[@service "coordinator" cluster.names.coordinatorService/], [@routedService/]],
        "Tasks": [[@task "coordinator"/]]
      },
      {
        "Name": "[=cluster.names.workerGroup]",
        "Count": [=cluster.workers.count],
[#if cluster.blueGreen && cluster.canaryWorkers > 0]
        [@canaryUpdate cluster.canaryWorkers/],
[/#if]
        "Scaling": {
          "Min": [=cluster.workers.min],
          "Max": [=cluster.workers.max],
          "Enabled": [=autoscaling.enabled?c],
          [#-- nomad-autoscaler's policy, as Nomad stores an HCL scaling block (blocks are lists of one-key maps) --]
          "Policy": {
            "evaluation_interval": "[=autoscaling.evaluationInterval]",
            "cooldown": "[=autoscaling.scaleInCooldown]",
            "cooldown_on_scale_up": "[=autoscaling.scaleOutCooldown]",
            "on_check_error": "fail",
            "check": [{
[#if autoscaling.signal == "workers-needed"]
              [#-- already a worker count, clamped to min..max: passed through; taking the highest need over
                   scaleInDelay makes scale-out immediate and scale-in wait until the need stayed lower that long --]
              "workers-needed": [{
                "source": "prometheus",
                "query": "[=workersNeededQuery?json_string]",
                "strategy": [{"pass-through": [{}]}]
              }]
[#else]
              "cpu": [{
                "source": "nomad-apm",
                "query": "avg_cpu-allocated",
                "strategy": [{"target-value": [{"target": [=autoscaling.target?c]}]}]
              }]
[/#if]
            }],
            [#-- the agent's target "presto-orchestrator" (system/nomad-autoscaler/agent.hcl.ftl): its built-in Nomad
                 target plugin (nomad-target) with the orchestrator's scale front as its Nomad address, so a scale-in
                 drains the workers first and a scale-out reuses draining workers --]
            "target": [{"presto-orchestrator": [{}]}]
          }
        },
        "Networks": [{"DynamicPorts": [{"Label": "http"}]}],
        "RestartPolicy": {"Attempts": 2, "Interval": [=300 * ns], "Delay": [=15 * ns], "Mode": "fail"},
        "Services": [[@service "worker" cluster.names.workerService/]],
        "Tasks": [[@task "worker"/]]
      }
    ]
  }
}
