[#ftl]
[#-- File-based system access control (rules in access-control-rules.json): the orchestrator's user alone may
     PUT /v1/info/state (drain a worker) and, on a Trino coordinator, CREATE/DROP CATALOG. --]
access-control.name=file
security.config-file={{ env "NOMAD_TASK_DIR" }}/etc/access-control-rules.json
