output "policy_arn" {
  description = "Attach to the role the orchestrator runs with."
  value       = aws_iam_policy.orchestrator.arn
}

output "policy_json" {
  value = data.aws_iam_policy_document.orchestrator.json
}
