[#ftl]
[#-- Trino's file-based system access control. The orchestrator's user alone may change a node's state
     (drain a worker) and create or drop catalogs (Trino checks CREATE/DROP CATALOG as "owner" of the
     catalog; "all" is not enough, measured on 476). Every other user keeps full access to the catalogs. --]
{
[#if engine.liveCatalogs]
  "catalogs": [
    {"user": "[=vars.orchestrator_user?json_string]", "allow": "owner"},
    {"allow": "all"}
  ],
[#else]
  "catalogs": [{"allow": "all"}],
[/#if]
  "system_information": [
    {"user": "[=vars.orchestrator_user?json_string]", "allow": ["read", "write"]},
    {"allow": ["read"]}
  ]
}
