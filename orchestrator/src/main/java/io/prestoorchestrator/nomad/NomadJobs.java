package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * Nomad as the orchestrator uses it: jobs (register, plan, read, versions, scale, deregister),
 * their allocations and deployments, and Variables for secrets. Every call goes to the configured
 * namespace and region. Failures: {@link io.prestoorchestrator.error.DependencyException}
 * ("nomad"; unavailable when it cannot be reached), {@link io.prestoorchestrator.error.ConflictException}
 * for lost races (EnforceIndex, Variable check-and-set, scaling during a deployment),
 * {@link io.prestoorchestrator.error.InvalidInputException} when Nomad refuses a job as invalid,
 * {@link io.prestoorchestrator.error.NotFoundException} when scaling a job that does not exist.
 */
public interface NomadJobs
{
    /**
     * Registers (creates or updates) a job given as Nomad API JSON (the {@code Job} object).
     *
     * @param expectedJobModifyIndex when present, Nomad's {@code EnforceIndex}: the job must still be
     *        at this {@code JobModifyIndex} (0: must not exist yet), else ConflictException
     */
    CompletionStage<RegisterResult> register(ObjectNode job, OptionalLong expectedJobModifyIndex);

    /** What registering this job would change, with the diff; changes nothing. */
    CompletionStage<JobPlan> plan(ObjectNode job);

    CompletionStage<Optional<NomadJob>> job(String jobId);

    /** Every stored version, newest first; empty when the job does not exist. */
    CompletionStage<List<NomadJob>> versions(String jobId);

    /**
     * Stops the job ({@code purge}: and forgets it). Answers empty when Nomad reports no such job.
     */
    CompletionStage<Optional<RegisterResult>> deregister(String jobId, boolean purge);

    /** Sets a group's count ({@code POST /v1/job/:id/scale}), recording {@code message} as the reason. */
    /** Promotes every group's canaries of a deployment ({@code POST /v1/deployment/promote/:id}, All): Nomad then replaces the old allocations. */
    CompletionStage<Void> promote(String deploymentId);

    /** Marks a running deployment failed ({@code POST /v1/deployment/fail/:id}): Nomad places nothing more for it. */
    CompletionStage<Void> failDeployment(String deploymentId);

    /** Registers job version {@code version} again ({@code POST /v1/job/:id/revert}) if the job is still at {@code enforcePriorVersion}. */
    CompletionStage<RegisterResult> revert(String jobId, long version, long enforcePriorVersion);

    CompletionStage<RegisterResult> scale(String jobId, String group, int count, String message);

    /**
     * The group's scaling history ({@code GET /v1/job/:id/scale}), newest first, as many as Nomad
     * keeps (20); empty when the job or the group does not exist or was never scaled.
     */
    CompletionStage<List<ScalingEvent>> scalingEvents(String jobId, String group);

    /** The job's allocations (of its current incarnation), with task states. */
    CompletionStage<List<AllocationStub>> allocations(String jobId);

    /** The job's most recent deployment, empty when it has none (e.g. batch jobs, or no job). */
    CompletionStage<Optional<Deployment>> latestDeployment(String jobId);

    /**
     * Follows a deployment with blocking queries until it is successful, failed or cancelled,
     * telling {@code listener} about each change. On failure the outcome names the failing tasks
     * and their events. Cancelling the returned stage ({@code toCompletableFuture().cancel}) stops
     * watching after the current poll.
     */
    CompletionStage<DeploymentOutcome> watchDeployment(String deploymentId, DeploymentListener listener);

    CompletionStage<Optional<StoredVariable>> variable(String path);

    /**
     * Writes a variable's items (replacing all of them).
     *
     * @param expectedModifyIndex when present, check-and-set: the variable must still be at this
     *        index (0: must not exist), else ConflictException
     */
    CompletionStage<StoredVariable> putVariable(String path, Map<String, String> items, OptionalLong expectedModifyIndex);

    /** Deletes a variable (check-and-set when an index is given); deleting a missing one succeeds. */
    CompletionStage<Void> deleteVariable(String path, OptionalLong expectedModifyIndex);
}
