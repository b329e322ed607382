output "asg_name" {
  value = aws_autoscaling_group.this.name
}

output "asg_arn" {
  value = aws_autoscaling_group.this.arn
}

output "instance_role_arn" {
  description = "The cluster's instance role: grant it access to further data sources (Glue, RDS) here."
  value       = aws_iam_role.instance.arn
}

output "instance_role_name" {
  value = aws_iam_role.instance.name
}

output "lifecycle_hook_name" {
  value = aws_autoscaling_lifecycle_hook.drain.name
}
