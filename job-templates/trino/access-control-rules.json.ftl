[#ftl]
{
  "catalogs": [{"allow": "all"}],
  "system_information": [
    {"user": "[=vars.orchestrator_user?json_string]", "allow": ["read", "write"]},
    {"allow": ["read"]}
  ]
}
