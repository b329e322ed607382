package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.cluster.ClusterRecord;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** The clusters the orchestrator knows, as stored. */
@FunctionalInterface
public interface ClusterSource
{
    CompletionStage<List<ClusterRecord>> clusters();
}
