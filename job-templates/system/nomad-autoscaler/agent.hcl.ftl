[#ftl]
# nomad-autoscaler agent configuration, rendered by presto-orchestrator from
# job-templates/system/nomad-autoscaler/agent.hcl.ftl: in production into the nomad-autoscaler system
# job (system/vars/<env>.yaml), locally by scripts/run-local.sh (local/nomad-autoscaler.yaml).
log_level = "[=vars.nomad_autoscaler.log_level]"
log_json  = [=(vars.nomad_autoscaler.log_json!true)?c]

# The token, when Nomad ACLs are on, comes from the environment (NOMAD_TOKEN, rendered from this
# job's Nomad Variable into secrets/), never from this file.
nomad {
  address = "[=vars.nomad_address]"
}

# Checks with source "prometheus": the Trino clusters' worker groups scale on the orchestrator's
# presto_orchestrator_cluster_workers_needed{cluster} (pass-through). The Nomad APM (nomad-apm,
# signal cpu) and the Nomad target (nomad-target, every Trino job's worker group) are built in.
apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "[=vars.nomad_autoscaler.prometheus_address]"
  }
}

# The Trino clusters' worker groups (their policies name this target): the built-in Nomad target,
# pointed at presto-orchestrator's scale front instead of Nomad. The front relays the target's status
# reads to Nomad and turns its scale calls into the orchestrator's resize: the workers Nomad will stop
# drain first, and a scale-out while they drain puts them back to work. The agent's Nomad token (if
# any) goes along and Nomad's ACLs decide as before.
target "presto-orchestrator" {
  driver = "nomad-target"
  config = {
    nomad_address = "[=vars.nomad_autoscaler.scale_front_address]"
  }
}
[#if vars.nomad_autoscaler.pools?has_content]

# Cluster scaling: grows and shrinks the worker pools' ASGs; credentials from the instance role.
target "aws-asg" {
  driver = "aws-asg"
  config = {
    aws_region = "[=vars.aws_region]"
  }
}
[/#if]

policy {
[#if vars.nomad_autoscaler.pools?has_content]
  dir                         = "/local/policies"
[/#if]
  default_evaluation_interval = "[=vars.nomad_autoscaler.evaluation_interval_seconds]s"
  default_cooldown            = "[=vars.nomad_autoscaler.cooldown_seconds]s"
}

telemetry {
  prometheus_metrics = true
}
