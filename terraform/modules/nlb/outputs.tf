output "dns_name" {
  description = "Point *.<domain> (Trino) and the orchestrator's name at this."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  value = aws_lb.this.zone_id
}

output "target_group_arns" {
  description = "Traefik and orchestrator target groups: pass to the system pool."
  value       = [aws_lb_target_group.traefik.arn, aws_lb_target_group.orchestrator.arn]
}
