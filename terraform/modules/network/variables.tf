variable "name" {
  type        = string
  description = "Name prefix of every resource, e.g. prod-presto."
}

variable "cidr_block" {
  type        = string
  description = "VPC CIDR; split into one public and one private subnet per availability zone."
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  type        = list(string)
  description = "Exactly three AZs: the control plane keeps one Nomad/Consul server in each."
  validation {
    condition     = length(var.availability_zones) == 3
    error_message = "Give exactly three availability zones (three-node quorum, one server per AZ)."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all private subnets (cheaper; an AZ outage cuts egress) instead of one per AZ."
  default     = true
}

variable "api_allowed_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the NLB: Trino through Traefik and the orchestrator API."
  default     = []
}

variable "orchestrator_port" {
  type        = number
  description = "Orchestrator HTTP port (orchestrator config http.port, default 8070)."
  default     = 8070
}

variable "traefik_port" {
  type        = number
  description = "Traefik's web entry point on the system nodes (host network)."
  default     = 8000
}

variable "traefik_ping_port" {
  type        = number
  description = "Traefik's ping entry point (health check of the NLB target group)."
  default     = 8082
}

variable "tags" {
  type    = map(string)
  default = {}
}
