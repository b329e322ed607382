variable "name" {
  type        = string
  description = "Name of the policy (and role), e.g. prod-presto-orchestrator."
}

variable "ssm_prefix" {
  type        = string
  description = "The orchestrator's chamber-style SSM prefix (orchestrator config aws.ssm-prefix)."
  default     = "/presto-orchestrator"
  validation {
    condition     = startswith(var.ssm_prefix, "/") && !endswith(var.ssm_prefix, "/")
    error_message = "ssm_prefix starts with '/' and does not end with '/' (the orchestrator's rule)."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key of the SecureString parameters under ssm_prefix."
}

variable "lifecycle_queue_arn" {
  type        = string
  description = "The lifecycle hook queue the orchestrator consumes (lifecycle-queue module)."
}

variable "asg_name_prefix" {
  type        = string
  description = "Worker pool ASG names start with this; lifecycle actions are allowed only on them."
}

variable "tags" {
  type    = map(string)
  default = {}
}
