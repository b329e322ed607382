# The Trino container image the job templates run: the official trinodb/trino image plus the
# drain-on-stop entrypoint (run-with-drain) and the directories the rendered job uses
# (--etc-dir /local/etc from Nomad's task dir, --data-dir /data/trino).
# Build: packer init trino-image && packer build trino-image   (needs a Docker engine)
packer {
  required_plugins {
    docker = {
      source  = "github.com/hashicorp/docker"
      version = "~> 1.1"
    }
  }
}

variable "trino_version" {
  type        = string
  description = "Tag of the official trinodb/trino image to start from (476 has DRAINING)."
  default     = "476"
}

variable "repository" {
  type        = string
  description = "Repository the image is tagged into, e.g. <account>.dkr.ecr.<region>.amazonaws.com/presto-orchestrator/trino."
  default     = "presto-orchestrator/trino"
}

variable "drain_user" {
  type        = string
  description = "X-Trino-User of the drain requests: the orchestrator's user (job-templates vars: orchestrator_user)."
  default     = "presto-orchestrator"
}

source "docker" "trino" {
  image  = "trinodb/trino:${var.trino_version}"
  commit = true
  # Provision as root in a container kept alive by a shell, whatever the image's entrypoint is.
  run_command = ["-d", "-i", "-t", "--user", "root", "--entrypoint", "/bin/sh", "--", "{{.Image}}"]
  changes = [
    "USER trino:trino",
    "ENV TRINO_DRAIN_USER=${var.drain_user}",
    "ENTRYPOINT [\"/usr/lib/trino/bin/run-with-drain\"]",
    "CMD []",
    "LABEL org.opencontainers.image.title=presto-orchestrator-trino",
    "LABEL io.prestoorchestrator.trino-version=${var.trino_version}",
  ]
}

build {
  sources = ["source.docker.trino"]

  provisioner "file" {
    source      = "${path.root}/../../job-templates/trino/run-with-drain.sh"
    destination = "/usr/lib/trino/bin/run-with-drain"
  }

  provisioner "shell" {
    inline = [
      "set -eu",
      "chmod 0755 /usr/lib/trino/bin/run-with-drain",
      "command -v curl >/dev/null || { echo 'curl missing in the base image: run-with-drain needs it' >&2; exit 1; }",
      "mkdir -p /data/trino /local/etc",
      "chown -R trino:trino /data/trino /local",
    ]
  }

  # Tags the committed image; push it with `docker push` (packer/README.md).
  post-processor "docker-tag" {
    repository = var.repository
    tags       = [var.trino_version]
  }
}
