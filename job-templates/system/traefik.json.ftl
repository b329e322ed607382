[#ftl strip_whitespace=true]
[#-- Traefik in front of every cluster: a system job, so each node of the system pool (every NLB
     target) runs one. See ../README.md, "System jobs". --]
[#include "macros.ftl"]
{
  "Job": {
    "ID": "[=jobId]",
    "Name": "[=jobId]",
    "Type": "system",
    "Priority": 90,
    "Datacenters": [@datacenters/],
    "NodePool": "[=vars.node_pool?json_string]",
    "Meta": {[@meta/]},
    "Update": {"MaxParallel": 1, "Stagger": [=30 * ns]},
    "TaskGroups": [
      {
        "Name": "traefik",
        "Count": 1,
        "Networks": [{
          "ReservedPorts": [
            {"Label": "web", "Value": [=vars.traefik.web_port]},
            {"Label": "ping", "Value": [=vars.traefik.ping_port]}[#if vars.traefik.dashboard],
            {"Label": "dashboard", "Value": [=vars.traefik.dashboard_port]}[/#if]
          ]
        }],
        "RestartPolicy": {"Attempts": 5, "Interval": [=300 * ns], "Delay": [=10 * ns], "Mode": "delay"},
        "Services": [{
          "Name": "traefik",
          "PortLabel": "web",
          "Provider": "consul",
          "Tags": ["traefik.enable=false"],
          "Checks": [[@check "traefik /ping" "/ping" "ping"/]]
        }],
        "Tasks": [{
          "Name": "traefik",
          "Driver": "docker",
          "Config": {
            "image": "[=vars.traefik.image?json_string]",
            "network_mode": "host",
            "args": ["--configFile=/secrets/traefik.yml"]
          },
          "Templates": [
            [@file path="traefik/traefik.yml.ftl" dest="secrets/traefik.yml" perms="0600"/]
          ],
          "Resources": {"CPU": [=vars.traefik.cpu], "MemoryMB": [=vars.traefik.memory_mb]},
          "KillSignal": "SIGTERM",
          "KillTimeout": [=(vars.traefik.shutdown_grace_seconds + 5) * ns]
        }]
      }
    ]
  }
}
