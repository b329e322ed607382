locals {
  # /16 -> /20 subnets: public 0..2, private 8..10.
  public_cidrs  = [for i, _ in var.availability_zones : cidrsubnet(var.cidr_block, 4, i)]
  private_cidrs = [for i, _ in var.availability_zones : cidrsubnet(var.cidr_block, 4, i + 8)]
  nat_count     = var.single_nat_gateway ? 1 : length(var.availability_zones)
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  count                   = length(var.availability_zones)
  vpc_id                  = aws_vpc.this.id
  availability_zone       = var.availability_zones[count.index]
  cidr_block              = local.public_cidrs[count.index]
  map_public_ip_on_launch = false
  tags                    = merge(var.tags, { Name = "${var.name}-public-${var.availability_zones[count.index]}", tier = "public" })
}

resource "aws_subnet" "private" {
  count             = length(var.availability_zones)
  vpc_id            = aws_vpc.this.id
  availability_zone = var.availability_zones[count.index]
  cidr_block        = local.private_cidrs[count.index]
  tags              = merge(var.tags, { Name = "${var.name}-private-${var.availability_zones[count.index]}", tier = "private" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count          = length(aws_subnet.public)
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  count  = local.nat_count
  domain = "vpc"
  tags   = merge(var.tags, { Name = "${var.name}-nat-${count.index}" })
}

resource "aws_nat_gateway" "this" {
  count         = local.nat_count
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge(var.tags, { Name = "${var.name}-nat-${count.index}" })
  depends_on    = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count  = length(var.availability_zones)
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-private-${var.availability_zones[count.index]}" })
}

resource "aws_route" "private_nat" {
  count                  = length(var.availability_zones)
  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count          = length(aws_subnet.private)
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# S3 through a gateway endpoint: Trino's data traffic does not pay NAT processing charges.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id
  tags              = merge(var.tags, { Name = "${var.name}-s3" })
}

data "aws_region" "current" {}

# --- Security groups -------------------------------------------------------------------------

# Every Nomad/Consul node (servers and clients): gossip, RPC, HTTP APIs and Trino's dynamic
# ports flow freely among members, nothing else comes in except from the NLB.
resource "aws_security_group" "nodes" {
  name        = "${var.name}-nodes"
  description = "Nomad and Consul servers and clients of ${var.name}"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-nodes" })
}

resource "aws_vpc_security_group_ingress_rule" "nodes_self" {
  security_group_id            = aws_security_group.nodes.id
  referenced_security_group_id = aws_security_group.nodes.id
  ip_protocol                  = "-1"
  description                  = "members talk to each other (Nomad, Consul, Trino)"
}

resource "aws_vpc_security_group_egress_rule" "nodes_all" {
  security_group_id = aws_security_group.nodes.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "images, S3, AWS APIs, data sources"
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_nlb_orchestrator" {
  security_group_id            = aws_security_group.nodes.id
  referenced_security_group_id = aws_security_group.nlb.id
  ip_protocol                  = "tcp"
  from_port                    = var.orchestrator_port
  to_port                      = var.orchestrator_port
  description                  = "NLB to the orchestrator API and its /health/ready check"
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_nlb_traefik" {
  security_group_id            = aws_security_group.nodes.id
  referenced_security_group_id = aws_security_group.nlb.id
  ip_protocol                  = "tcp"
  from_port                    = var.traefik_port
  to_port                      = var.traefik_port
  description                  = "NLB to Traefik's web entry point"
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_nlb_traefik_ping" {
  security_group_id            = aws_security_group.nodes.id
  referenced_security_group_id = aws_security_group.nlb.id
  ip_protocol                  = "tcp"
  from_port                    = var.traefik_ping_port
  to_port                      = var.traefik_ping_port
  description                  = "NLB health check of Traefik (/ping)"
}

# The NLB: clients in api_allowed_cidrs reach Trino (HTTP via Traefik) and the orchestrator API.
resource "aws_security_group" "nlb" {
  name        = "${var.name}-nlb"
  description = "Network load balancer in front of Traefik and the orchestrator"
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-nlb" })
}

resource "aws_vpc_security_group_ingress_rule" "nlb_http" {
  for_each          = toset(var.api_allowed_cidrs)
  security_group_id = aws_security_group.nlb.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  description       = "Trino clients through Traefik"
}

resource "aws_vpc_security_group_ingress_rule" "nlb_orchestrator" {
  for_each          = toset(var.api_allowed_cidrs)
  security_group_id = aws_security_group.nlb.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.orchestrator_port
  to_port           = var.orchestrator_port
  description       = "orchestrator REST API and CLI"
}

resource "aws_vpc_security_group_egress_rule" "nlb_to_nodes" {
  for_each                     = toset([tostring(var.orchestrator_port), tostring(var.traefik_port), tostring(var.traefik_ping_port)])
  security_group_id            = aws_security_group.nlb.id
  referenced_security_group_id = aws_security_group.nodes.id
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
  description                  = "to the system nodes"
}
