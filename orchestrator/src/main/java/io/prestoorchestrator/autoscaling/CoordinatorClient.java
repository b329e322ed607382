package io.prestoorchestrator.autoscaling;

import java.util.concurrent.CompletionStage;

/** Reads a coordinator's metrics, cluster counts and query list; fails when it does not answer 200. */
public interface CoordinatorClient
{
    /** The OpenMetrics text of {@code /metrics}, at least the {@link CoordinatorMetrics#NAMES}. */
    CompletionStage<String> metrics(String coordinatorUrl);

    /** The JSON object of {@code GET /v1/cluster}: PrestoDB's counts ({@link ClusterStats}), which has no {@code /metrics}. */
    CompletionStage<String> clusterStats(String coordinatorUrl);

    /** The JSON array of {@code GET /v1/query}. */
    CompletionStage<String> queries(String coordinatorUrl);

    /**
     * The JSON array of {@code GET /v1/query?state=WAITING_FOR_RESOURCES}: the queries waiting for
     * workers, which none of the coordinator's metrics counts.
     */
    CompletionStage<String> waitingQueries(String coordinatorUrl);
}
