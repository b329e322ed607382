[#ftl strip_whitespace=true]
[#-- The orchestrator itself: replicas on distinct nodes of the system pool, each on the static port
     the NLB targets. Restarted by Nomad only when /health/live fails; /health/ready (every dependency
     up) decides whether Consul and the NLB send it traffic. See ../README.md, "System jobs". --]
[#include "macros.ftl"]
{
  "Job": {
    "ID": "[=jobId]",
    "Name": "[=jobId]",
    "Type": "service",
    "Priority": 80,
    "Datacenters": [@datacenters/],
    "NodePool": "[=vars.node_pool?json_string]",
    "Meta": {[@meta/]},
    "Update": {
      "MaxParallel": 1,
      "HealthCheck": "checks",
      "MinHealthyTime": [=15 * ns],
      "HealthyDeadline": [=300 * ns],
      "ProgressDeadline": [=600 * ns],
      "AutoRevert": true
    },
    "TaskGroups": [
      {
        "Name": "orchestrator",
        "Count": [=vars.presto_orchestrator.count],
        "Constraints": [{"Operand": "distinct_hosts", "RTarget": "true"}],
        "Spreads": [{"Attribute": "${node.datacenter}", "Weight": 100}],
        "Networks": [{"ReservedPorts": [{"Label": "http", "Value": [=vars.presto_orchestrator.http_port]}, {"Label": "scale-front", "Value": [=vars.presto_orchestrator.scale_front_port]}]}],
        "RestartPolicy": {"Attempts": 3, "Interval": [=300 * ns], "Delay": [=15 * ns], "Mode": "delay"},
        "Services": [{
          "Name": "presto-orchestrator",
          "PortLabel": "http",
          "Provider": "consul",
          "Tags": ["traefik.enable=false"],
          "Checks": [
            [@check "presto-orchestrator /health/live" "/health/live" "http"], "CheckRestart": {"Limit": 3, "Grace": [=60 * ns], "IgnoreWarnings": false}[/@check],
            [@check "presto-orchestrator /health/ready" "/health/ready" "http"/]
          ]
        }, {
          "Name": "presto-orchestrator-scale-front",
          "PortLabel": "scale-front",
          "Provider": "consul",
          "Tags": ["traefik.enable=false"],
          "Checks": [{"Name": "presto-orchestrator scale front", "Type": "tcp", "PortLabel": "scale-front", "Interval": [=vars.check_interval_seconds * ns], "Timeout": [=vars.check_timeout_seconds * ns]}]
        }],
        "Tasks": [{
          "Name": "orchestrator",
          "Driver": "docker",
          "Config": {
            "image": "[=vars.presto_orchestrator.image?json_string]",
            "network_mode": "host",
            "command": "java",
            "args": [[#list vars.presto_orchestrator.java_options as option]"[=option?json_string]", [/#list]"-jar", "[=vars.presto_orchestrator.jar?json_string]", "serve"]
          },
[#if vars.presto_orchestrator.artifact_base?has_content]
          "Artifacts": [
            {"GetterSource": "[=vars.presto_orchestrator.artifact_base?json_string]/presto-orchestrator.jar", "RelativeDest": "local/"},
            {"GetterSource": "[=vars.presto_orchestrator.artifact_base?json_string]/job-templates.tar.gz", "RelativeDest": "local/job-templates"}
          ],
[/#if]
          "Templates": [
            [@file path="presto-orchestrator/orchestrator.env.ftl" dest="local/orchestrator.env" env=true/]
[#if vars.nomad_acl || vars.consul_acl]
            ,[@file path="presto-orchestrator/tokens.env.ftl" dest="secrets/tokens.env" env=true perms="0600"/]
[/#if]
          ],
          "Resources": {"CPU": [=vars.presto_orchestrator.cpu], "MemoryMB": [=vars.presto_orchestrator.memory_mb]},
          "KillSignal": "SIGTERM",
          "KillTimeout": [=(vars.presto_orchestrator.shutdown_timeout_seconds + 15) * ns],
          "ShutdownDelay": [=5 * ns]
        }]
      }
    ]
  }
}
