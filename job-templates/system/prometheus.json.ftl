[#ftl strip_whitespace=true]
[#-- Prometheus: scrapes every Trino coordinator and the orchestrator, found in Consul; the
     nomad-autoscaler's APM. See ../README.md, "System jobs". --]
[#include "macros.ftl"]
[#assign hostVolume = vars.prometheus.host_volume?has_content]
{
  "Job": {
    "ID": "[=jobId]",
    "Name": "[=jobId]",
    "Type": "service",
    "Priority": 70,
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
        "Name": "prometheus",
        "Count": 1,
        "Networks": [{"DynamicPorts": [{"Label": "http"}]}],
[#if hostVolume]
        "Volumes": {"data": {"Name": "data", "Type": "host", "Source": "[=vars.prometheus.host_volume?json_string]", "ReadOnly": false}},
[#else]
        "EphemeralDisk": {"Sticky": true, "Migrate": true, "SizeMB": [=vars.prometheus.disk_mb]},
[/#if]
        "RestartPolicy": {"Attempts": 3, "Interval": [=300 * ns], "Delay": [=15 * ns], "Mode": "delay"},
        "Services": [{
          "Name": "prometheus",
          "PortLabel": "http",
          "Provider": "consul",
          "Tags": ["traefik.enable=false"],
          "Checks": [[@check "prometheus /-/ready" "/-/ready" "http"/]]
        }],
        "Tasks": [{
          "Name": "prometheus",
          "Driver": "docker",
          "Config": {
            "image": "[=vars.prometheus.image?json_string]",
            "network_mode": "host",
            "args": [
              "--config.file=/secrets/prometheus.yml",
              "--storage.tsdb.path=[=hostVolume?then("/prometheus", "/alloc/data/prometheus")]",
              "--storage.tsdb.retention.time=[=vars.prometheus.retention?json_string]",
              "--web.listen-address=:${NOMAD_PORT_http}"
            ]
          },
[#if hostVolume]
          "VolumeMounts": [{"Volume": "data", "Destination": "/prometheus", "ReadOnly": false}],
[/#if]
          "Templates": [
            [@file path="prometheus/prometheus.yml.ftl" dest="secrets/prometheus.yml" changeMode="signal" changeSignal="SIGHUP" perms="0644"/]
          ],
          "Resources": {"CPU": [=vars.prometheus.cpu], "MemoryMB": [=vars.prometheus.memory_mb]},
          "KillSignal": "SIGTERM",
          "KillTimeout": [=60 * ns]
        }]
      }
    ]
  }
}
