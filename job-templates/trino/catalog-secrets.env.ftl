[#ftl]
[#-- The environment of every Trino node (a Nomad env template): one variable per secret property of the
     attached catalogs, which their catalog files and CREATE CATALOG refer to as ${ENV:NAME} (Trino 476
     resolves no other reference). Values come from the job's Nomad Variable, JSON-quoted. --]
{{ with nomadVar "[=nomadVarPath]" }}
[#list catalogSecrets as secret]
[=secret.env]={{ index . "[=secret.item]" | toJSON }}
[/#list]
{{ end }}
