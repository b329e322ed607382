variable "name" {
  type        = string
  description = "Queue name (the example uses <name>-lifecycle). The orchestrator reads its URL from SSM."
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "How long a received message stays hidden; the orchestrator extends it (ChangeMessageVisibility) while a drain runs."
  default     = 120
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message goes to the dead-letter queue (malformed bodies, bugs): never retried forever."
  default     = 20
}

variable "tags" {
  type    = map(string)
  default = {}
}
