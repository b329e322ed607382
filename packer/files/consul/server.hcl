# Consul server: three-node quorum across availability zones, like the Nomad servers.
server           = true
bootstrap_expect = 3

ui_config {
  enabled = true
}

autopilot {
  cleanup_dead_servers = true
}

performance {
  raft_multiplier = 1
}
