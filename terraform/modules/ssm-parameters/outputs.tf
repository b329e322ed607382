output "kms_key_arn" {
  description = "Key for SecureString parameters (aws ssm put-parameter --type SecureString --key-id <this>)."
  value       = aws_kms_key.parameters.arn
}

output "kms_alias" {
  value = aws_kms_alias.parameters.name
}

output "auth_ssm_path" {
  description = "Orchestrator config auth.ssm-path: tokens named <path>/<admin|viewer>/<name>."
  value       = "${local.own}/auth"
}

output "lifecycle_queue_url_parameter" {
  value = aws_ssm_parameter.lifecycle_queue_url.name
}

output "drain_timeout_parameter" {
  value = aws_ssm_parameter.drain_timeout.name
}
