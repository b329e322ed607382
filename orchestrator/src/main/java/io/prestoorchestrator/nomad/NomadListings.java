package io.prestoorchestrator.nomad;

import io.prestoorchestrator.follow.Indexed;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * Every job and every allocation of the orchestrator's namespace in one read each, as blocking
 * queries (issue 23: one read per cluster per status request does not scale to 1,000 clusters).
 * Index 0 answers at once; otherwise the answer comes once something changed after {@code index},
 * or when {@code wait} has passed.
 */
public interface NomadListings
{
    /**
     * The jobs whose ID starts with {@code prefix} ({@code GET /v1/jobs?prefix=}). A job list stub has
     * no job version, so a reader reads the job itself when its {@code ModifyIndex} moved.
     */
    CompletionStage<Indexed<List<JobStub>>> jobs(String prefix, long index, Duration wait);

    /** Every allocation, by job ID ({@code GET /v1/allocations?task_states=false}: no task states). */
    CompletionStage<Indexed<Map<String, List<AllocationStub>>>> allocations(long index, Duration wait);

    /** One entry of the job list: the job's ID and the index of its last change, status changes included. */
    record JobStub(String id, long modifyIndex)
    {
        public JobStub
        {
            requireNonNull(id, "id is null");
        }
    }
}
