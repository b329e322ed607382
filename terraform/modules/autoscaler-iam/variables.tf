variable "name" {
  type        = string
  description = "Name of the policy, e.g. prod-presto-nomad-autoscaler."
}

variable "asg_name_prefix" {
  type        = string
  description = "Worker pool ASG names start with this; the autoscaler may change only those ASGs."
}

variable "tags" {
  type    = map(string)
  default = {}
}
