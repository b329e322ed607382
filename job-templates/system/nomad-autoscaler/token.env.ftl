[#ftl]
NOMAD_TOKEN=[=secret("nomad_token")]
