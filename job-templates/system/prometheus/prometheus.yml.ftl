[#ftl]
# Prometheus configuration (rendered by presto-orchestrator from job-templates/system/prometheus/).
# Targets come from Consul: a cluster's coordinator is the service trino-<cluster>-coordinator with
# tag "coordinator" and meta cluster=<cluster> (job-templates/trino-cluster.json.ftl; the routed
# service trino-<cluster> is tagged "routed", so each coordinator is scraped once).
global:
  scrape_interval: [=vars.prometheus.scrape_interval_seconds]s
  evaluation_interval: [=vars.prometheus.scrape_interval_seconds]s
[#macro consul services=[] tags=[]]
    consul_sd_configs:
      - server: "[=vars.consul_address]"
        scheme: [=vars.consul_scheme]
[#if vars.consul_acl]
        token: '[=secret("consul_token")]'
[/#if]
[#if services?has_content]
        services: [[#list services as s]"[=s]"[#sep], [/#sep][/#list]]
[/#if]
[#if tags?has_content]
        tags: [[#list tags as s]"[=s]"[#sep], [/#sep][/#list]]
[/#if]
[/#macro]
scrape_configs:
  # Every Trino coordinator; /metrics needs a user (FACTS.md): basic auth, empty password.
  - job_name: trino-coordinators
    metrics_path: /metrics
    basic_auth:
      username: "[=vars.prometheus.trino_metrics_user]"
      password: ""
[@consul tags=["coordinator"]/]
    relabel_configs:
      - source_labels: [__meta_consul_service_metadata_cluster]
        regex: .+
        action: keep
      - source_labels: [__meta_consul_service_metadata_cluster]
        target_label: cluster
      - source_labels: [__meta_consul_service_metadata_role]
        target_label: role
      - source_labels: [__meta_consul_node]
        target_label: node

  # The orchestrator's replicas (GET /metrics is public).
  - job_name: presto-orchestrator
    metrics_path: /metrics
[@consul services=["presto-orchestrator"]/]
    relabel_configs:
      - source_labels: [__meta_consul_node]
        target_label: node
