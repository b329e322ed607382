[#ftl]
node.environment=[=vars.node_environment]
node.id={{ env "NOMAD_ALLOC_ID" }}
node.internal-address={{ env "NOMAD_IP_http" }}
