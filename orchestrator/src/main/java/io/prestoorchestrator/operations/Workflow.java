package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRecord;

import java.util.concurrent.CompletionStage;

/**
 * The work of one or more {@link OperationKind}s, run on the leader by {@link Workflows}. It must be
 * safe to run again from the start (a new leader resumes an operation that way), record its steps
 * through the {@link Tracker}, and write nothing once the tracker is no longer active.
 */
interface Workflow
{
    /**
     * @param record the cluster as the operation found it, pointing to this operation
     * @param resumed whether a new leader runs it again after the replica that ran it lost leadership
     */
    CompletionStage<Void> run(ClusterRecord record, Tracker tracker, boolean resumed);
}
