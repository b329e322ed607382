variable "name" {
  type        = string
  description = "Name of the NLB and its target groups (NLB names: at most 32 characters)."
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type        = list(string)
  description = "Public subnets for an internet-facing NLB, private ones for an internal one."
}

variable "security_group_ids" {
  type = list(string)
}

variable "internal" {
  type        = bool
  description = "Internal NLB (reached from the VPC, a VPN or peering) rather than internet-facing."
  default     = true
}

variable "orchestrator_port" {
  type        = number
  description = "Orchestrator http.port (default 8070); listener and target port."
  default     = 8070
}

variable "orchestrator_health_path" {
  type        = string
  description = "Orchestrator readiness: 200 only when Nomad, Consul and AWS answer."
  default     = "/health/ready"
}

variable "traefik_port" {
  type        = number
  description = "Traefik web entry point on the system nodes; the NLB listens on 80."
  default     = 8000
}

variable "traefik_ping_port" {
  type    = number
  default = 8082
}

variable "tags" {
  type    = map(string)
  default = {}
}
