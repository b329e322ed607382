output "asg_name" {
  value = aws_autoscaling_group.server.name
}

output "join_tag_key" {
  description = "Pass to worker pools: their Consul clients join the servers by this tag."
  value       = var.join_tag_key
}

output "join_tag_value" {
  value = local.join_tag_value
}

output "server_role_arn" {
  value = aws_iam_role.server.arn
}
