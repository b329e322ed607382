# The two Nomad node AMIs, built from one template so they cannot drift apart:
#   control-plane  Nomad + Consul servers (three per environment, one per AZ, cloud auto-join)
#   nomad-client   Docker, Nomad + Consul client agents, the drain-ready Nomad client config
# Build one: packer init nomad-node && packer build -only='amazon-ebs.nomad-client' nomad-node
# (or -only='amazon-ebs.control-plane'; without -only both are built). See packer/README.md.
packer {
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = "~> 1.3"
    }
  }
}

locals {
  files = "${path.root}/../files"
  # The agents' role-specific config file (packer/files/{nomad,consul}/<role>.hcl) per image.
  roles = {
    "control-plane" = "server"
    "nomad-client"  = "client"
  }
  tags = {
    "presto-orchestrator:version"    = var.image_version
    "presto-orchestrator:nomad"      = var.nomad_version
    "presto-orchestrator:consul"     = var.consul_version
    "presto-orchestrator:base-image" = "{{ .SourceAMIName }}"
  }
}

source "amazon-ebs" "nomad_node" {
  region        = var.region
  ami_regions   = var.ami_regions
  instance_type = var.instance_type
  ssh_username  = var.ssh_username

  source_ami_filter {
    filters = {
      name                = var.base_ami_name
      architecture        = "x86_64"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = [var.base_ami_owner]
    most_recent = true
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}

build {
  source "source.amazon-ebs.nomad_node" {
    name     = "control-plane"
    ami_name = "presto-orchestrator-control-plane-${var.image_version}-{{timestamp}}"
    tags     = merge(local.tags, { Name = "presto-orchestrator-control-plane", "presto-orchestrator:image" = "control-plane" })
  }

  source "source.amazon-ebs.nomad_node" {
    name     = "nomad-client"
    ami_name = "presto-orchestrator-nomad-client-${var.image_version}-{{timestamp}}"
    tags     = merge(local.tags, { Name = "presto-orchestrator-nomad-client", "presto-orchestrator:image" = "nomad-client" })
  }

  provisioner "file" {
    source      = "${local.files}/"
    destination = "/tmp/files"
  }

  provisioner "shell" {
    execute_command  = "sudo -E bash '{{ .Path }}'"
    environment_vars = ["NOMAD_VERSION=${var.nomad_version}", "CONSUL_VERSION=${var.consul_version}"]
    scripts = [
      "${local.files}/scripts/install-hashicorp.sh",
    ]
  }

  provisioner "shell" {
    only            = ["amazon-ebs.nomad-client"]
    execute_command = "sudo -E bash '{{ .Path }}'"
    scripts = [
      "${local.files}/scripts/install-docker.sh",
    ]
  }

  provisioner "shell" {
    execute_command = "sudo -E bash '{{ .Path }}'"
    inline = [
      "set -eu",
      "install -m 0644 /tmp/files/nomad/common.hcl /etc/nomad.d/00-common.hcl",
      "install -m 0644 /tmp/files/nomad/${local.roles[source.name]}.hcl /etc/nomad.d/10-${local.roles[source.name]}.hcl",
      "install -m 0640 -g consul /tmp/files/consul/common.hcl /etc/consul.d/00-common.hcl",
      "install -m 0640 -g consul /tmp/files/consul/${local.roles[source.name]}.hcl /etc/consul.d/10-${local.roles[source.name]}.hcl",
      "install -m 0644 /tmp/files/systemd/nomad.service /tmp/files/systemd/consul.service /tmp/files/systemd/node-configure.service /etc/systemd/system/",
      "install -m 0755 /tmp/files/scripts/node-configure /usr/local/bin/node-configure",
      "install -m 0644 /tmp/files/logrotate/hashicorp /etc/logrotate.d/hashicorp",
      "install -D -m 0644 /tmp/files/scripts/journald.conf /etc/systemd/journald.conf.d/presto-orchestrator.conf",
      "systemctl daemon-reload",
      "systemctl enable node-configure.service consul.service nomad.service",
      "rm -rf /tmp/files",
    ]
  }

  post-processor "manifest" {
    output = "manifest-${source.name}.json"
  }
}
