variable "region" {
  type        = string
  description = "AWS region the AMI is built in (copy it to others with ami_regions)."
  default     = "us-east-1"
}

variable "ami_regions" {
  type        = list(string)
  description = "Extra regions to copy the AMI to."
  default     = []
}

variable "instance_type" {
  type        = string
  description = "Instance type of the temporary build instance."
  default     = "t3.small"
}

variable "base_ami_name" {
  type        = string
  description = "Name filter of the base AMI: Debian 12 (bookworm), amd64, from Debian's own account."
  default     = "debian-12-amd64-*"
}

variable "base_ami_owner" {
  type        = string
  description = "Account that owns the base AMI (136693071363 = Debian)."
  default     = "136693071363"
}

variable "ssh_username" {
  type    = string
  default = "admin"
}

variable "nomad_version" {
  type        = string
  description = "Nomad release installed from releases.hashicorp.com (SHA256SUMS checked)."
  default     = "1.10.3"
}

variable "consul_version" {
  type        = string
  description = "Consul release installed from releases.hashicorp.com (SHA256SUMS checked)."
  default     = "1.21.2"
}

variable "image_version" {
  type        = string
  description = "Version of this image, recorded in its name and tags."
  default     = "0.1.0"
}
