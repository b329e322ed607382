# Nomad server: three servers, one per availability zone (control-plane ASG across three
# subnets), found by cloud auto-join on the instance tag written into 20-node.hcl at boot.
server {
  enabled          = true
  bootstrap_expect = 3
}

autopilot {
  cleanup_dead_servers      = true
  last_contact_threshold    = "200ms"
  max_trailing_logs         = 250
  server_stabilization_time = "10s"
}
