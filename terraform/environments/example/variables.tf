variable "region" {
  type    = string
  default = "us-east-1"
}

variable "environment" {
  type        = string
  description = "Environment name: Consul datacenter, Nomad datacenters <environment>-<az> (job-templates/vars/prod.yaml uses prod)."
  default     = "prod"
}

variable "availability_zones" {
  type    = list(string)
  default = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "control_plane_ami_id" {
  type        = string
  description = "AMI built by packer/nomad-node (image control-plane)."
}

variable "nomad_client_ami_id" {
  type        = string
  description = "AMI built by packer/nomad-node (image nomad-client)."
}

variable "api_allowed_cidrs" {
  type        = list(string)
  description = "Who may reach Trino (port 80) and the orchestrator API (8070) through the NLB."
  default     = ["10.0.0.0/8"]
}

variable "ssm_prefix" {
  type        = string
  description = "Orchestrator config aws.ssm-prefix."
  default     = "/presto-orchestrator"
}

variable "orchestrator_port" {
  type        = number
  description = "Orchestrator config http.port."
  default     = 8070
}

variable "drain_timeout_seconds" {
  type        = number
  description = "The drain bound: at most the Nomad clients' max_kill_timeout (packer/files/nomad/client.hcl) and at least job-templates' kill_timeout_seconds."
  default     = 900
}

variable "heartbeat_timeout_seconds" {
  type        = number
  description = "Lifecycle hook HeartbeatTimeout of every worker pool."
  default     = 300
}

variable "consul_gossip_key_parameter" {
  type        = string
  description = "SSM SecureString holding `consul keygen` output; put it there before the first apply, or leave empty for no gossip encryption."
  default     = ""
}

variable "clusters" {
  type = map(object({
    instance_type            = string
    min_size                 = number
    max_size                 = number
    desired_capacity         = number
    s3_bucket_arns           = list(string)
    s3_read_only_bucket_arns = list(string)
  }))
  description = "One worker pool (ASG + instance role + lifecycle hook) per Trino cluster."
  default = {
    adhoc = {
      instance_type            = "r6i.xlarge"
      min_size                 = 1
      max_size                 = 6
      desired_capacity         = 2
      s3_bucket_arns           = []
      s3_read_only_bucket_arns = []
    }
  }
}
