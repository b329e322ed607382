# SSM scaffolding under the orchestrator's path convention, and the KMS key of its SecureStrings.
#
#   <prefix>/<cluster>/<key>                         cluster parameters (chamber-style; issue 4)
#   <prefix>/_orchestrator/auth/<admin|viewer>/<name> API tokens (auth.ssm-path), SecureString,
#                                                    put by the operator, never by terraform (no
#                                                    secret in the state)
#   <prefix>/_orchestrator/lifecycle/queue-url       the lifecycle hook queue
#   <prefix>/_orchestrator/lifecycle/drain-timeout   the drain bound (e.g. 900s)
#   <prefix>/_orchestrator/clusters/<c>/asg-name     each cluster's worker pool
#   <prefix>/_orchestrator/clusters/<c>/s3-buckets   comma-separated bucket ARNs

locals {
  own = "${var.ssm_prefix}/_orchestrator"
}

resource "aws_kms_key" "parameters" {
  description             = "SecureString parameters under ${var.ssm_prefix}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "parameters" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.parameters.key_id
}

resource "aws_ssm_parameter" "lifecycle_queue_url" {
  name        = "${local.own}/lifecycle/queue-url"
  description = "SQS queue of the worker pools' terminating lifecycle hooks"
  type        = "String"
  value       = var.lifecycle_queue_url
  tags        = var.tags
}

resource "aws_ssm_parameter" "drain_timeout" {
  name        = "${local.own}/lifecycle/drain-timeout"
  description = "Drain bound per worker; must not exceed the Nomad clients' max_kill_timeout"
  type        = "String"
  value       = "${var.drain_timeout_seconds}s"
  tags        = var.tags
}

resource "aws_ssm_parameter" "cluster_asg" {
  for_each    = var.clusters
  name        = "${local.own}/clusters/${each.key}/asg-name"
  description = "Worker pool ASG of cluster ${each.key}"
  type        = "String"
  value       = each.value.asg_name
  tags        = var.tags
}

resource "aws_ssm_parameter" "cluster_buckets" {
  for_each    = { for k, v in var.clusters : k => v if length(v.s3_bucket_arns) > 0 }
  name        = "${local.own}/clusters/${each.key}/s3-buckets"
  description = "S3 buckets cluster ${each.key}'s instance role may use"
  type        = "StringList"
  value       = join(",", each.value.s3_bucket_arns)
  tags        = var.tags
}
