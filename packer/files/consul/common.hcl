# Shared by Consul servers and clients. datacenter, retry_join and (optionally) the gossip key
# are written at boot by node-configure into /etc/consul.d/20-node.hcl.
data_dir    = "/opt/consul/data"
bind_addr   = "{{ GetPrivateInterfaces | include \"flags\" \"forwardable|up\" | attr \"address\" }}"
client_addr = "127.0.0.1"
log_level   = "INFO"

# Traefik's Consul Catalog provider and Nomad read the local agent; system jobs that need it run
# with host networking and use 127.0.0.1:8500.
ports {
  grpc = 8502
}

telemetry {
  prometheus_retention_time = "60s"
  disable_hostname          = true
}
