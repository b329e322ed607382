output "vpc_id" {
  value = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "One per AZ, in availability_zones order (NLB)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "One per AZ, in availability_zones order (all instances)."
  value       = aws_subnet.private[*].id
}

output "nodes_security_group_id" {
  description = "Security group of every Nomad/Consul node."
  value       = aws_security_group.nodes.id
}

output "nlb_security_group_id" {
  value = aws_security_group.nlb.id
}
