output "policy_arn" {
  description = "Attach to the role nomad-autoscaler runs with."
  value       = aws_iam_policy.autoscaler.arn
}

output "policy_json" {
  value = data.aws_iam_policy_document.autoscaler.json
}
