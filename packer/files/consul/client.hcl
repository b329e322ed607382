# Consul client agent on every Nomad client: Nomad registers services here, Traefik reads the
# catalog through it.
server = false
