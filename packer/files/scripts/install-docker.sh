#!/usr/bin/env bash
# Docker engine from Debian's own packages (no third-party repository), with the daemon settings
# of files/docker/daemon.json (log rotation for container logs, live restore).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends docker.io
install -m 0644 /tmp/files/docker/daemon.json /etc/docker/daemon.json
systemctl enable docker
