variable "name" {
  type        = string
  description = "Name of the pool's ASG, launch template and role, e.g. prod-presto-adhoc. Must start with the orchestrator's asg_name_prefix."
}

variable "cluster" {
  type        = string
  description = "Cluster this pool serves (node meta presto-orchestrator.cluster); \"system\" for the pool running Traefik, the orchestrator, Prometheus and the autoscaler."
}

variable "environment" {
  type        = string
  description = "Environment; Nomad datacenters are <environment>-<az> (job-templates vars list them)."
}

variable "node_pool" {
  type        = string
  description = "Nomad node pool of the clients (job-templates vars: node_pool, \"trino\" in prod)."
  default     = "trino"
}

variable "ami_id" {
  type        = string
  description = "Nomad client AMI (packer/nomad-node, image nomad-client)."
}

variable "instance_type" {
  type    = string
  default = "r6i.xlarge"
}

variable "root_volume_gb" {
  type    = number
  default = 50
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets, one per AZ."
}

variable "security_group_ids" {
  type = list(string)
}

variable "min_size" {
  type    = number
  default = 0
}

variable "max_size" {
  type    = number
  default = 10
}

variable "desired_capacity" {
  type        = number
  description = "Initial size only: afterwards the orchestrator / nomad-autoscaler owns it (ignored on later applies)."
  default     = 1
}

variable "join_tag_key" {
  type        = string
  description = "EC2 tag key Consul's cloud auto-join looks for on the servers."
}

variable "join_tag_value" {
  type = string
}

variable "consul_gossip_key_parameter" {
  type        = string
  description = "SSM SecureString with the Consul gossip key; empty = no gossip encryption."
  default     = ""
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key of the SSM SecureStrings (to decrypt the gossip key)."
  default     = ""
}

variable "lifecycle_queue_arn" {
  type        = string
  description = "SQS queue the terminating hook notifies (lifecycle-queue module); the orchestrator consumes it."
}

variable "lifecycle_hook_role_arn" {
  type        = string
  description = "Role Auto Scaling assumes to send to the queue (lifecycle-queue module)."
}

variable "heartbeat_timeout_seconds" {
  type        = number
  description = "How long the instance waits in Terminating:Wait without a heartbeat. The orchestrator sends RecordLifecycleActionHeartbeat while it drains, so this bounds only an orchestrator outage; the whole wait is at most min(100 x this, 48 h)."
  default     = 300
  validation {
    condition     = var.heartbeat_timeout_seconds >= 30 && var.heartbeat_timeout_seconds <= 7200
    error_message = "HeartbeatTimeout must be 30..7200 seconds."
  }
}

variable "default_result" {
  type        = string
  description = "What happens when the heartbeat timeout passes. For a terminating hook both results terminate the instance; CONTINUE lets other hooks run, ABANDON skips them. Set explicitly: AWS documents different defaults."
  default     = "CONTINUE"
  validation {
    condition     = contains(["CONTINUE", "ABANDON"], var.default_result)
    error_message = "default_result is CONTINUE or ABANDON."
  }
}

variable "drain_timeout_seconds" {
  type        = number
  description = "The orchestrator's drain bound for this pool's workers; checked against the heartbeat limits (100 x heartbeat, 48 h) and against the Nomad client's max_kill_timeout (packer)."
  default     = 900
  validation {
    condition     = var.drain_timeout_seconds > 0 && var.drain_timeout_seconds <= 172800
    error_message = "drain_timeout_seconds must be positive and at most 48 h (the lifecycle action's global limit)."
  }
}

variable "suspended_processes" {
  type        = list(string)
  description = "ASG processes to suspend. AZRebalance terminates instances through the same lifecycle hook, so they are drained like any other; suspend it only if rebalancing churn costs more than uneven AZs."
  default     = []
}

variable "s3_bucket_arns" {
  type        = list(string)
  description = "Buckets this cluster's Trino may read and write (per-cluster instance role); nothing else in S3."
  default     = []
}

variable "s3_read_only_bucket_arns" {
  type        = list(string)
  description = "Buckets this cluster may only read."
  default     = []
}

variable "extra_policy_arns" {
  type        = list(string)
  description = "Managed policies added to the instance role (the system pool gets the orchestrator's policy)."
  default     = []
}

variable "target_group_arns" {
  type        = list(string)
  description = "NLB target groups to register the instances in (system pool: Traefik and the orchestrator)."
  default     = []
}

variable "session_manager" {
  type        = bool
  description = "Attach AmazonSSMManagedInstanceCore, so operators reach nodes with Session Manager instead of SSH."
  default     = true
}

variable "tags" {
  type    = map(string)
  default = {}
}
