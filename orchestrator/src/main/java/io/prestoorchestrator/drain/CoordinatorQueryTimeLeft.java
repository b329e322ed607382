package io.prestoorchestrator.drain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.autoscaling.CoordinatorClient;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.discovery.ServiceHealth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * {@link QueryTimeLeft} from the cluster's coordinator (found in Consul as
 * {@code trino-<cluster>-coordinator}): its query list and the cluster's {@code config.properties}
 * overrides, read through {@link QueryLimits}. Any failure answers empty, so a drain keeps its
 * configured bound.
 */
public final class CoordinatorQueryTimeLeft
        implements QueryTimeLeft
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ServiceHealth services;
    private final CoordinatorClient coordinators;
    private final Function<String, CompletionStage<Optional<Map<String, String>>>> clusterProperties;

    /** @param clusterProperties a cluster's {@code config.properties} overrides from its spec; empty when the cluster is unknown */
    public CoordinatorQueryTimeLeft(ServiceHealth services, CoordinatorClient coordinators, Function<String, CompletionStage<Optional<Map<String, String>>>> clusterProperties)
    {
        this.services = requireNonNull(services, "services is null");
        this.coordinators = requireNonNull(coordinators, "coordinators is null");
        this.clusterProperties = requireNonNull(clusterProperties, "clusterProperties is null");
    }

    @Override
    public CompletionStage<Optional<Duration>> longest(String cluster, Instant createdBy)
    {
        CompletionStage<Optional<Duration>> answer;
        try {
            answer = clusterProperties.apply(cluster).thenCompose(properties -> properties.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<Duration>empty())
                    : services.preferPassing(JobNames.coordinatorService(cluster)).thenCompose(instance -> instance
                            .map(found -> coordinators.queries(found.httpUrl()).thenApply(json -> read(json, properties.get(), createdBy)))
                            .orElse(CompletableFuture.completedFuture(Optional.empty()))));
        }
        catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.exceptionally(failure -> Optional.empty());
    }

    private static Optional<Duration> read(String json, Map<String, String> properties, Instant createdBy)
    {
        try {
            return QueryLimits.longestTimeLeft(MAPPER.readTree(json), properties, createdBy);
        }
        catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
