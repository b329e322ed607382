[#ftl]
[#-- The coordinator's entrypoint when catalogs change live (Trino, issue 18). Nomad renders it from the
     cluster's catalog Variable with change_mode noop: the file follows every catalog change without a
     restart (the orchestrator runs CREATE/DROP CATALOG on the running coordinator), and each start of
     the task (a restart, a new allocation) writes exactly the cluster's catalogs before Trino reads
     them (catalog.store=file). Each item of the Variable is one file: <catalog>.properties, and a
     README, which Trino does not read. --]
#!/bin/sh
# Catalogs of cluster [=cluster.name], from Nomad Variable [=catalogVarPath], rendered by presto-orchestrator.
# Usage: with-catalogs.sh <launcher> <arguments...>: writes $NOMAD_TASK_DIR/etc/catalog, then runs the launcher.
set -eu
dir="$NOMAD_TASK_DIR/etc/catalog"
mkdir -p "$dir"
rm -f "$dir"/*.properties
{{ with nomadVar "[=catalogVarPath]" }}{{ range $file, $text := . }}
cat > "$dir/{{ $file }}" <<'TRINO_CATALOG_EOF'
{{ $text }}
TRINO_CATALOG_EOF
{{ end }}{{ end }}
exec "$@"
