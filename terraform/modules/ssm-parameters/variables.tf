variable "name" {
  type        = string
  description = "Name of the KMS key alias (alias/<name>)."
}

variable "ssm_prefix" {
  type        = string
  description = "The orchestrator's chamber-style prefix (orchestrator config aws.ssm-prefix). Clusters' parameters live at <prefix>/<cluster>/<key>; the orchestrator's own under <prefix>/_orchestrator/ (an underscore cannot start a cluster name, which is a DNS label)."
  default     = "/presto-orchestrator"
  validation {
    condition     = startswith(var.ssm_prefix, "/") && !endswith(var.ssm_prefix, "/")
    error_message = "ssm_prefix starts with '/' and does not end with '/'."
  }
}

variable "lifecycle_queue_url" {
  type        = string
  description = "URL of the lifecycle hook queue (lifecycle-queue module)."
}

variable "drain_timeout_seconds" {
  type        = number
  description = "The orchestrator's drain bound."
}

variable "clusters" {
  type = map(object({
    asg_name       = string
    s3_bucket_arns = list(string)
  }))
  description = "Per cluster: its worker pool ASG and buckets, written under <prefix>/_orchestrator/clusters/<cluster>/."
  default     = {}
}

variable "tags" {
  type    = map(string)
  default = {}
}
