#!/usr/bin/env bash
# Installs the pinned Nomad and Consul release binaries (checksums verified against HashiCorp's
# SHA256SUMS) plus what every node needs. Runs inside a Packer build, as root, with network.
set -euo pipefail
: "${NOMAD_VERSION:?}" "${CONSUL_VERSION:?}"

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends ca-certificates curl unzip jq awscli logrotate chrony

install_release() { # name version
  local name=$1 version=$2 arch=amd64 dir
  dir=$(mktemp -d)
  curl -fsSL -o "$dir/${name}.zip" "https://releases.hashicorp.com/${name}/${version}/${name}_${version}_linux_${arch}.zip"
  curl -fsSL -o "$dir/SHA256SUMS" "https://releases.hashicorp.com/${name}/${version}/${name}_${version}_SHA256SUMS"
  (cd "$dir" && grep " ${name}_${version}_linux_${arch}.zip\$" SHA256SUMS | sed "s# .*zip\$#  ${name}.zip#" | sha256sum -c -)
  unzip -o "$dir/${name}.zip" -d /usr/local/bin "$name"
  rm -rf "$dir"
  "/usr/local/bin/$name" version
}
install_release nomad "$NOMAD_VERSION"
install_release consul "$CONSUL_VERSION"

id consul >/dev/null 2>&1 || useradd --system --home /etc/consul.d --shell /bin/false consul
mkdir -p /etc/nomad.d /opt/nomad/data /etc/consul.d /opt/consul/data /etc/presto-orchestrator
chown -R consul:consul /opt/consul
chmod 0700 /opt/nomad/data
