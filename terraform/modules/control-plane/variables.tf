variable "name" {
  type        = string
  description = "Name of the ASG and its resources, e.g. prod-presto-control-plane."
}

variable "environment" {
  type        = string
  description = "Consul datacenter name; Nomad datacenters are <environment>-<az>."
}

variable "ami_id" {
  type        = string
  description = "Control-plane AMI (packer/nomad-node, image control-plane)."
}

variable "instance_type" {
  type    = string
  default = "t3.medium"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Three private subnets in three AZs: the ASG keeps one server in each."
  validation {
    condition     = length(var.subnet_ids) == 3
    error_message = "Give three subnets in three availability zones (one server per AZ)."
  }
}

variable "security_group_ids" {
  type = list(string)
}

variable "join_tag_key" {
  type        = string
  description = "Tag that cloud auto-join (Nomad server_join, Consul retry_join) looks for."
  default     = "presto-orchestrator:consul-join"
}

variable "join_tag_value" {
  type        = string
  description = "Value of the join tag; defaults to name."
  default     = ""
}

variable "consul_gossip_key_parameter" {
  type        = string
  description = "SSM SecureString with the Consul gossip key; empty = no gossip encryption."
  default     = ""
}

variable "kms_key_arn" {
  type    = string
  default = ""
}

variable "session_manager" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}
