# Shared by Nomad servers and clients. The node-specific part (datacenter, node pool, meta,
# server_join) is written at boot by node-configure into /etc/nomad.d/20-node.hcl; Nomad merges
# every file in /etc/nomad.d in lexical order.
data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"
region    = "global"
log_level = "INFO"

consul {
  address = "127.0.0.1:8500"
}

telemetry {
  collection_interval        = "10s"
  prometheus_metrics         = true
  publish_allocation_metrics = true
  publish_node_metrics       = true
}
