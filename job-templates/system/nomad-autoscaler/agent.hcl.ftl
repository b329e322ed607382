[#ftl]
# nomad-autoscaler agent configuration (rendered by presto-orchestrator from job-templates/system/nomad-autoscaler/).
log_level = "[=vars.nomad_autoscaler.log_level]"
log_json  = true

# The token, when Nomad ACLs are on, comes from the environment (NOMAD_TOKEN, rendered from this
# job's Nomad Variable into secrets/), never from this file.
nomad {
  address = "[=vars.nomad_address]"
}

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "[=vars.nomad_autoscaler.prometheus_address]"
  }
}

# Cluster scaling: grows and shrinks the worker pools' ASGs; credentials from the instance role.
target "aws-asg" {
  driver = "aws-asg"
  config = {
    aws_region = "[=vars.aws_region]"
  }
}

policy {
  dir                         = "/local/policies"
  default_evaluation_interval = "[=vars.nomad_autoscaler.evaluation_interval_seconds]s"
  default_cooldown            = "[=vars.nomad_autoscaler.cooldown_seconds]s"
}

telemetry {
  prometheus_metrics = true
}
