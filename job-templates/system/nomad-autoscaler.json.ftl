[#ftl strip_whitespace=true]
[#-- The nomad-autoscaler agent: Prometheus APM, the Nomad target (the Trino jobs' worker groups) and
     the aws-asg target (one cluster-scaling policy per worker pool). One agent: two would act twice.
     See ../README.md, "System jobs". --]
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
      "MinHealthyTime": [=10 * ns],
      "HealthyDeadline": [=300 * ns],
      "ProgressDeadline": [=600 * ns],
      "AutoRevert": true
    },
    "TaskGroups": [
      {
        "Name": "autoscaler",
        "Count": 1,
        "Networks": [{"DynamicPorts": [{"Label": "http"}]}],
        "RestartPolicy": {"Attempts": 3, "Interval": [=300 * ns], "Delay": [=15 * ns], "Mode": "delay"},
        "Services": [{
          "Name": "nomad-autoscaler",
          "PortLabel": "http",
          "Provider": "consul",
          "Tags": ["traefik.enable=false"],
          "Checks": [[@check "nomad-autoscaler /v1/health" "/v1/health" "http"/]]
        }],
        "Tasks": [{
          "Name": "autoscaler",
          "Driver": "docker",
          "Config": {
            "image": "[=vars.nomad_autoscaler.image?json_string]",
            "network_mode": "host",
            "args": ["agent", "-config=/local/config", "-http-bind-address=0.0.0.0", "-http-bind-port=${NOMAD_PORT_http}"]
          },
          "Templates": [
            [@file path="nomad-autoscaler/agent.hcl.ftl" dest="local/config/agent.hcl"/]
[#if vars.nomad_acl]
            ,[@file path="nomad-autoscaler/token.env.ftl" dest="secrets/nomad.env" env=true perms="0600"/]
[/#if]
[#list vars.nomad_autoscaler.pools as p]
[#assign pool = p]
            ,[@file path="nomad-autoscaler/cluster-policy.hcl.ftl" dest="local/policies/" + p.cluster + ".hcl"/]
[/#list]
          ],
          "Resources": {"CPU": [=vars.nomad_autoscaler.cpu], "MemoryMB": [=vars.nomad_autoscaler.memory_mb]},
          "KillSignal": "SIGTERM",
          "KillTimeout": [=30 * ns]
        }]
      }
    ]
  }
}
