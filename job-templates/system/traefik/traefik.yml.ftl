[#ftl]
# Traefik static configuration (rendered by presto-orchestrator from job-templates/system/traefik/).
# A file rather than command-line flags: Traefik reads static configuration from one source only,
# and the Consul token, when ACLs are on, must stay out of the job.
global:
  checkNewVersion: false
  sendAnonymousUsage: false
log:
  level: [=vars.traefik.log_level]
accessLog:
  format: [=vars.traefik.access_log_format]
entryPoints:
  web:
    address: ":[=vars.traefik.web_port]"
    transport:
      lifeCycle:
        graceTimeOut: [=vars.traefik.shutdown_grace_seconds]s
  ping:
    address: ":[=vars.traefik.ping_port]"
[#if vars.traefik.dashboard]
  traefik:
    address: ":[=vars.traefik.dashboard_port]"
api:
  dashboard: true
  insecure: true
[/#if]
ping:
  entryPoint: ping
  terminatingStatusCode: 503
providers:
  consulCatalog:
    exposedByDefault: false
    # route a coordinator only while every check passes: its readiness gate exits 2 (critical)
    # when not ready, and Traefik's default (passing, warning) would also route "warning"
    strictChecks: [passing]
    prefix: traefik
    refreshInterval: [=vars.traefik.refresh_interval_seconds]s
    endpoint:
      address: "[=vars.consul_address]"
      scheme: [=vars.consul_scheme]
[#if vars.consul_acl]
      token: '[=secret("consul_token")]'
[/#if]
  # issue 18: each cluster's public host is a router the orchestrator writes here (its consul.traefik-root-key),
  # one per side, naming that side's Consul Catalog service; a blue-green switch is one priority write
  consul:
    rootKey: traefik
    endpoints: ["[=vars.consul_address]"]
[#if vars.consul_acl]
    token: '[=secret("consul_token")]'
[/#if]
