package io.prestoorchestrator.drain;

import io.prestoorchestrator.autoscaling.CoordinatorClient;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.testing.TrinoFixtures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link CoordinatorQueryTimeLeft}: the coordinator from Consul, its query list, the cluster's limits; any failure answers empty. */
class TestCoordinatorQueryTimeLeft
{
    private static final Instant LATER = Instant.parse("2030-01-01T00:00:00Z");

    private final List<String> asked = new CopyOnWriteArrayList<>();

    @Test
    void testReadsThePassingCoordinatorWithTheClusterLimits()
    {
        ServiceHealth services = service -> CompletableFuture.completedFuture(service.equals("trino-demo-coordinator")
                ? List.of(instance("10.0.0.9", "critical"), instance("10.0.0.7", "passing"))
                : List.of());
        CoordinatorQueryTimeLeft timeLeft = new CoordinatorQueryTimeLeft(services, coordinator(TrinoFixtures.text("v1-query-during-load.json")),
                cluster -> CompletableFuture.completedFuture(cluster.equals("demo") ? Optional.of(Map.of("query.max-run-time", "1h")) : Optional.empty()));

        assertThat(await(timeLeft.longest("demo", LATER))).contains(Duration.ofHours(1).minus(Duration.ofMillis(2060)));
        assertThat(asked).containsExactly("http://10.0.0.7:8080");
        assertThat(await(timeLeft.longest("unknown", LATER))).as("a cluster the orchestrator does not know").isEmpty();
    }

    @Test
    void testFailuresAnswerEmpty()
    {
        ServiceHealth one = service -> CompletableFuture.completedFuture(List.of(instance("10.0.0.7", "passing")));
        ServiceHealth none = service -> CompletableFuture.completedFuture(List.of());
        ServiceHealth broken = service -> CompletableFuture.failedFuture(new IllegalStateException("consul is down"));
        Function<String, CompletionStage<Optional<Map<String, String>>>> properties = cluster -> CompletableFuture.completedFuture(Optional.of(Map.of()));

        assertThat(await(new CoordinatorQueryTimeLeft(none, coordinator("[]"), properties).longest("demo", LATER))).as("no coordinator registered").isEmpty();
        assertThat(await(new CoordinatorQueryTimeLeft(broken, coordinator("[]"), properties).longest("demo", LATER))).as("Consul fails").isEmpty();
        assertThat(await(new CoordinatorQueryTimeLeft(one, coordinator("<html>busy</html>"), properties).longest("demo", LATER))).as("not JSON").isEmpty();
        assertThat(await(new CoordinatorQueryTimeLeft(one, coordinator(url -> CompletableFuture.failedFuture(new IllegalStateException("503"))), properties).longest("demo", LATER))).as("the coordinator fails").isEmpty();
        assertThat(await(new CoordinatorQueryTimeLeft(one, coordinator("[]"), properties).longest("demo", LATER))).as("nothing runs").contains(Duration.ZERO);
    }

    private static ServiceHealth.Instance instance(String address, String status)
    {
        return new ServiceHealth.Instance("id-" + address, "node", address, 8080, List.of(), Map.of(), List.of(new ServiceHealth.Check("coordinator /v1/info", status, "")));
    }

    private CoordinatorClient coordinator(String queries)
    {
        return coordinator(url -> CompletableFuture.completedFuture(queries));
    }

    /** A coordinator whose query list is {@code queries}; it records the URLs asked. */
    private CoordinatorClient coordinator(Function<String, CompletionStage<String>> queries)
    {
        return new CoordinatorClient()
        {
            @Override
            public CompletionStage<String> clusterStats(String coordinatorUrl)
            {
                return CompletableFuture.failedFuture(new IllegalStateException("not a PrestoDB coordinator"));
            }

            @Override
            public CompletionStage<String> metrics(String coordinatorUrl)
            {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletionStage<String> queries(String coordinatorUrl)
            {
                asked.add(coordinatorUrl);
                return queries.apply(coordinatorUrl);
            }

            @Override
            public CompletionStage<String> waitingQueries(String coordinatorUrl)
            {
                throw new UnsupportedOperationException();
            }
        };
    }
}
