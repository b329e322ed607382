package io.prestoorchestrator.autoscaling;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** What the scale front ({@link ScaleFront}) needs of the orchestrator's operations: a resize asked for by nomad-autoscaler, and the spec's count. */
public interface Autoscaler
{
    /**
     * A resize to {@code count} like {@code PATCH /v1/clusters/{name}} with only the count changed;
     * {@code approve} runs once the resize is known to be accepted, before anything changes.
     */
    CompletionStage<Autoscaled> autoscale(String cluster, int count, String reason, Supplier<CompletionStage<Void>> approve);

    /** The worker count of a cluster's spec; empty when there is no such cluster. */
    CompletionStage<OptionalInt> specWorkers(String cluster);
}
