package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.databind.node.ObjectNode;

import static java.util.Objects.requireNonNull;

/**
 * A job (or one version of it) as Nomad stores it.
 *
 * @param id job ID
 * @param version job version (0 for the first)
 * @param jobModifyIndex the index to pass as {@code EnforceIndex} to update exactly this job
 * @param status {@code pending}, {@code running} or {@code dead}
 * @param stop whether the job was stopped (deregistered without purge)
 * @param stable whether a deployment of this version succeeded
 * @param spec the whole job JSON, as Nomad returns it (defaults filled in)
 */
public record NomadJob(String id, long version, long jobModifyIndex, String status, boolean stop, boolean stable, ObjectNode spec)
{
    public NomadJob
    {
        requireNonNull(id, "id is null");
        requireNonNull(status, "status is null");
        spec = requireNonNull(spec, "spec is null").deepCopy();
    }

    @Override
    public ObjectNode spec()
    {
        return spec.deepCopy();
    }

    /** The job Meta {@code public_url} (where Traefik routes the cluster), rendered by the job template. */
    public java.util.Optional<String> publicUrl()
    {
        String url = spec.path("Meta").path("public_url").asText("");
        return url.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(url);
    }

    /** A group's Count in this spec, or -1 when the group does not exist. */
    public int groupCount(String group)
    {
        for (var taskGroup : spec.path("TaskGroups")) {
            if (taskGroup.path("Name").asText().equals(group)) {
                return taskGroup.path("Count").asInt();
            }
        }
        return -1;
    }
}
