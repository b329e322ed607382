package io.prestoorchestrator.flavour;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prestoorchestrator.autoscaling.AutoscalingCollector;
import io.prestoorchestrator.autoscaling.SignalInputs;
import io.prestoorchestrator.autoscaling.WorkersNeeded;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.cluster.FlavourProfile;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.testing.FakeEngine;
import io.prestoorchestrator.testing.TestingScheduler;
import io.prestoorchestrator.trino.TrinoHttpCoordinator;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The autoscaling signal and the per-user query counters, for each flavour, through the orchestrator's collector
 * ({@link AutoscalingCollector} over {@link TrinoHttpCoordinator}): the signal counts what the coordinator runs and
 * the workers it schedules on, read where the flavour gives them ({@link FlavourProfile#signal()}: Trino's OpenMetrics
 * names on {@code /metrics}, PrestoDB's {@code /v1/cluster}) and exported on the public registry; ended queries are
 * counted per user and outcome from {@code /v1/query}, on the registry that is served behind auth only. A subclass
 * names the flavour; the coordinator is a {@link FakeEngine}'s, speaking its protocol. On real processes the same
 * checks ({@link FlavourChecks#assertSignalExported}, {@link FlavourChecks#queriesCounted}) run in
 * {@code PrestoDbClusterIT} (create) and {@code ClusterLifecycleIT} (the signal under load).
 */
public abstract class SignalContract
{
    private static final String CLUSTER = "demo";
    private static final AutoscalingConfig CONFIG = new AutoscalingConfig(Duration.ofSeconds(5), 2, Duration.ofSeconds(5), Duration.ofHours(1), 0);

    private final Vertx vertx = Vertx.vertx();
    private final WebClient client = WebClient.create(vertx);
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T14:00:00Z"));
    private final PrometheusMeterRegistry publicRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PrometheusMeterRegistry userRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private FakeEngine engine;
    private AutoscalingCollector collector;

    protected abstract Flavour flavour();

    @BeforeEach
    void startEngine()
    {
        engine = new FakeEngine(vertx, time, flavour());
        engine.addWorker();
        engine.addWorker();
        ClusterSpec spec = TestingClusterSpecs.withFlavour(TestingClusterSpecs.local().withWorkers(new Workers(2, 1, 4)), flavour(),
                flavour() == Flavour.TRINO ? "476" : "0.287");
        ClusterRecord record = new ClusterRecord(spec, ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.empty(), time.clock().instant(), time.clock().instant(), "test");
        ServiceHealth.Instance coordinator = new ServiceHealth.Instance("coordinator-1", "node-1", "127.0.0.1", engine.coordinatorPort(), List.of("coordinator"), Map.of(),
                List.of(new ServiceHealth.Check("http", "passing", "")));
        ServiceHealth services = service -> CompletableFuture.completedFuture(service.equals("trino-" + CLUSTER + "-coordinator") ? List.of(coordinator) : List.<ServiceHealth.Instance>of());
        collector = new AutoscalingCollector(() -> CompletableFuture.completedFuture(List.of(record)), services,
                new TrinoHttpCoordinator(client, FlavourChecks.USER, Duration.ofSeconds(5)), new InMemoryKvStore(), () -> true, publicRegistry, userRegistry, CONFIG, time.clock());
    }

    @AfterEach
    void stopEngine()
    {
        engine.close();
        client.close();
        vertx.close().await();
    }

    @Test
    void testContractTheSignalCountsWhatTheCoordinatorRuns()
    {
        for (int i = 0; i < 5; i++) {
            engine.run("alice");
        }
        engine.queued(3);

        await(collector.pollAll());

        WorkersNeeded computation = collector.last(CLUSTER).orElseThrow().computation().orElseThrow();
        // 5 running and 3 queued at 2 per worker: 4 workers, the maximum
        assertThat(computation.inputs()).isEqualTo(new SignalInputs(5, 3, 0, 0, 2, 0, 2, 1, 4));
        assertThat(computation.needed()).isEqualTo(4);
        FlavourChecks.assertSignalExported(publicRegistry.scrape(), CLUSTER, 2);
    }

    @Test
    void testContractTheSignalIsReadWhereTheFlavourGivesIt()
    {
        await(collector.pollAll());

        List<String> reads = engine.coordinatorRequests().stream().filter(request -> !request.startsWith("GET /v1/query")).toList();
        String expected = switch (flavour().profile().signal()) {
            case OPENMETRICS -> "GET /metrics?";
            case CLUSTER_STATS -> "GET /v1/cluster ";
        };
        assertThat(reads).as("the coordinator's reads for the signal, in the flavour's user header").isNotEmpty()
                .allSatisfy(request -> assertThat(request).startsWith(expected).endsWith(" as " + FlavourChecks.USER));
        assertThat(collector.last(CLUSTER).orElseThrow().error()).isEmpty();
    }

    @Test
    void testContractEndedQueriesAreCountedPerUserAndOutcome()
    {
        engine.finish(engine.run("alice"), "FINISHED", null, null);
        engine.finish(engine.run("alice"), "FINISHED", null, null);
        engine.finish(engine.run("carol"), "FAILED", "USER_ERROR", "SYNTAX_ERROR");
        engine.run("bob");

        await(collector.pollAll());
        // the signal does not wait for the query list (a busy coordinator's is slow): the counters come after it
        org.awaitility.Awaitility.await("the query list read").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> FlavourChecks.queriesCounted(userRegistry.scrape(), CLUSTER, "failed", "carol", "USER_ERROR", "SYNTAX_ERROR") == 1);

        String counters = userRegistry.scrape();
        assertThat(FlavourChecks.queriesCounted(counters, CLUSTER, "finished", "alice", "", "")).isEqualTo(2);
        assertThat(FlavourChecks.queriesCounted(counters, CLUSTER, "finished", "bob", "", "")).as("bob's query still runs").isZero();
        assertThat(publicRegistry.scrape()).as("user names stay off the public registry").doesNotContain("presto_orchestrator_queries_total");
    }
}
