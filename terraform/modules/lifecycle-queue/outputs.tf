output "queue_name" {
  value = aws_sqs_queue.this.name
}

output "queue_arn" {
  description = "Target of every worker pool's lifecycle hook; resource of the orchestrator's sqs statement."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "What the orchestrator polls (written to SSM by ssm-parameters)."
  value       = aws_sqs_queue.this.url
}

output "dead_letter_queue_arn" {
  value = aws_sqs_queue.dead_letter.arn
}

output "hook_role_arn" {
  description = "Role the lifecycle hooks use to send to the queue."
  value       = aws_iam_role.hook.arn
}
