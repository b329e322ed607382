output "nlb_dns_name" {
  value = module.nlb.dns_name
}

output "lifecycle_queue_url" {
  value = module.lifecycle_queue.queue_url
}

output "worker_pool_asgs" {
  value = { for c, pool in module.worker_pool : c => pool.asg_name }
}

output "cluster_instance_roles" {
  description = "Per-cluster instance roles: grant each its further data sources here."
  value       = { for c, pool in module.worker_pool : c => pool.instance_role_arn }
}

# The orchestrator's environment on the system pool (its Nomad job, job-templates/): only keys
# the orchestrator knows today. TestInfrastructureAgreement loads exactly these through the
# orchestrator's ConfigLoader, which rejects an unknown key. The lifecycle queue URL and the drain
# bound reach it through SSM (<prefix>/_orchestrator/lifecycle/...) until it has config keys.
output "orchestrator_environment" {
  value = {
    ORCHESTRATOR_HTTP_PORT      = tostring(var.orchestrator_port)
    ORCHESTRATOR_AWS_ENABLED    = "true"
    ORCHESTRATOR_AWS_REGION     = var.region
    ORCHESTRATOR_AWS_SSM_PREFIX = var.ssm_prefix
    ORCHESTRATOR_AUTH_SSM_PATH  = module.ssm.auth_ssm_path
    ORCHESTRATOR_NOMAD_ADDRESS  = "http://127.0.0.1:4646"
    ORCHESTRATOR_CONSUL_ADDRESS = "http://127.0.0.1:8500"
    ORCHESTRATOR_LOGGING_FORMAT = "json"
  }
}
