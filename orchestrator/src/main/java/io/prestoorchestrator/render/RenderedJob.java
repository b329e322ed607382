package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The result of a render.
 *
 * @param jobId Nomad job ID
 * @param job the {@code /v1/jobs} body, {@code {"Job":{...}}}; holds no secret values
 * @param variables Nomad Variables to write before registering (names of SSM parameters, not values)
 * @param provenance what the job was made from; also in the job's {@code Meta}
 * @param catalogBundle a Trino cluster's catalog files, to write before registering (and on every live
 *        catalog change); empty for PrestoDB, whose catalog files are templates of the job
 */
public record RenderedJob(String jobId, ObjectNode job, List<NomadVariable> variables, Map<String, String> provenance, Optional<CatalogBundle> catalogBundle)
{
    public RenderedJob
    {
        requireNonNull(catalogBundle, "catalogBundle is null");
        requireNonNull(jobId, "jobId is null");
        job = requireNonNull(job, "job is null").deepCopy();
        variables = List.copyOf(requireNonNull(variables, "variables is null"));
        provenance = Map.copyOf(requireNonNull(provenance, "provenance is null"));
    }

    /** A copy: the record stays immutable. */
    @Override
    public ObjectNode job()
    {
        return job.deepCopy();
    }

    /** The job with secret-looking values masked, for display ({@code GET /v1/clusters/{name}/job}). */
    /** The job itself (what {@code NomadJobs.register} and {@code plan} take), without the request wrapper. */
    public ObjectNode nomadJob()
    {
        return (ObjectNode) job().get("Job");
    }

    public ObjectNode masked()
    {
        return JobMasking.mask(job);
    }
}
