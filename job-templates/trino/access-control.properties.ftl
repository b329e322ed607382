[#ftl]
[#-- Workers: file-based system access control, so the orchestrator's user may PUT /v1/info/state (drain). --]
access-control.name=file
security.config-file={{ env "NOMAD_TASK_DIR" }}/etc/access-control-rules.json
