package io.prestoorchestrator.autoscaling;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prestoorchestrator.testing.TestingScheduler;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.error.NotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.prestoorchestrator.autoscaling.TestCoordinatorMetrics.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestAutoscalingCollector
{
    private static final String COORDINATOR = "http://10.0.0.5:8080";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T03:44:00Z"), ZoneOffset.UTC);
    private static final AutoscalingConfig CONFIG = new AutoscalingConfig(Duration.ofSeconds(5), 2, Duration.ofSeconds(1), Duration.ofHours(1), 0);

    private final Map<String, ClusterRecord> records = new ConcurrentHashMap<>();
    private final FakeServices services = new FakeServices();
    private final FakeCoordinator coordinator = new FakeCoordinator();
    private final InMemoryKvStore kv = new InMemoryKvStore();
    private final AtomicBoolean leader = new AtomicBoolean(true);

    @Test
    void testSignalAndItsInputsAreExportedAsGauges()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());

        ClusterSignal signal = collector.last("demo").orElseThrow();
        assertThat(signal.coordinator()).contains(COORDINATOR);
        assertThat(signal.computedAt()).isEqualTo(CLOCK.instant());
        WorkersNeeded computation = signal.computation().orElseThrow();
        assertThat(computation.needed()).isEqualTo(3);
        assertThat(computation.inputs()).isEqualTo(new SignalInputs(2, 4, 0, 0, 0, 0, 2, 1, 4));
        assertThat(registry.scrape())
                .contains("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"} 3.0")
                .contains("presto_orchestrator_cluster_workers_active{cluster=\"demo\"} 0.0")
                .contains("presto_orchestrator_cluster_workers_draining{cluster=\"demo\"} 0.0")
                .contains("presto_orchestrator_cluster_queries_running{cluster=\"demo\"} 2.0")
                .contains("presto_orchestrator_cluster_queries_queued{cluster=\"demo\"} 4.0")
                .contains("presto_orchestrator_cluster_queries_blocked{cluster=\"demo\"} 0.0")
                .contains("presto_orchestrator_cluster_queries_per_worker{cluster=\"demo\"} 2.0");

        coordinator.metrics = resource("metrics-idle.txt");
        await(collector.pollAll());
        assertThat(registry.scrape()).contains("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"} 1.0");
        assertThat(collector.last("demo").orElseThrow().computation().orElseThrow().clamp()).isEqualTo(WorkersNeeded.Clamp.MIN);
    }

    @Test
    void testUnansweredCoordinatorHasNoGaugeUntilItAnswers()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());
        assertThat(registry.scrape()).contains("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"}");

        coordinator.metricsFailure = Optional.of("HTTP 503: starting");
        await(collector.pollAll());
        assertThat(registry.scrape()).doesNotContain("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"}");
        assertThat(collector.last("demo").orElseThrow().error()).contains("the coordinator at " + COORDINATOR + " did not give its metrics: HTTP 503: starting");

        coordinator.metricsFailure = Optional.empty();
        await(collector.pollAll());
        assertThat(registry.scrape()).contains("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"} 3.0");
    }

    /** A PrestoDB cluster's signal and query counters come from its /v1/cluster and /v1/query (answers recorded from 0.287): it has no /metrics. */
    @Test
    void testPrestoDbSignalAndQueryCountersFromItsOwnEndpoints()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        ClusterRecord trino = records.get("demo");
        ClusterSpec spec = trino.spec();
        records.put("demo", new ClusterRecord(TestingClusterSpecs.withFlavour(spec, io.prestoorchestrator.cluster.Flavour.PRESTODB, "0.287"), trino.state(), Optional.empty(), Optional.empty(), Optional.empty(), CLOCK.instant(), CLOCK.instant(), "test"));
        coordinator.metricsFailure = Optional.of("HTTP 404: a PrestoDB coordinator has no /metrics");
        coordinator.clusterStats = new String(getClass().getResourceAsStream("/prestodb-0.287/cluster-running.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        coordinator.queries = new String(getClass().getResourceAsStream("/prestodb-0.287/query-after.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());

        WorkersNeeded computation = collector.last("demo").orElseThrow().computation().orElseThrow();
        // 2 running queries at 2 per worker: 1 worker, the one active
        assertThat(computation.inputs()).isEqualTo(new SignalInputs(2, 0, 0, 0, 1, 0, 2, 1, 4));
        assertThat(computation.needed()).isEqualTo(1);
        assertThat(registry.scrape())
                .contains("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"} 1.0")
                .contains("presto_orchestrator_cluster_workers_active{cluster=\"demo\"} 1.0")
                .contains("presto_orchestrator_cluster_queries_running{cluster=\"demo\"} 2.0")
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"alice\"} 1.0")
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"SYNTAX_ERROR\",error_type=\"USER_ERROR\",state=\"failed\",user=\"carol\"} 1.0");
    }

    /** A round still running when the next is due: that one is skipped and counted; the round's time is recorded when it ends. */
    @Test
    void testRoundsAreTimedAndSkippedRoundsCounted()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        PrometheusMeterRegistry registry = registry();
        CompletableFuture<List<ClusterRecord>> listing = new CompletableFuture<>();
        AutoscalingCollector collector = new AutoscalingCollector(() -> listing, services, coordinator, kv, leader::get, registry, registry, CONFIG, CLOCK);

        CompletionStage<Void> first = collector.pollAll();
        await(collector.pollAll());
        assertThat(registry.get(AutoscalingCollector.ROUNDS_SKIPPED).counter().count()).isEqualTo(1.0);
        assertThat(registry.get(AutoscalingCollector.ROUND).timer().count()).isZero();

        listing.complete(List.copyOf(records.values()));
        await(first);
        assertThat(registry.get(AutoscalingCollector.ROUND).timer().count()).isEqualTo(1);
        assertThat(registry.scrape()).contains("presto_orchestrator_autoscaling_round_seconds{quantile=\"0.99\"}");
    }

    /** Between two answered polls, the workers the first counted (active and draining) times the time between them; a long gap counts nothing. */
    @Test
    void testWorkerSecondsAreCountedPerCluster()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(3, 0, 8));
        String threeActiveOneDraining = resource("metrics-busy.txt")
                .replace("trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount 1.0", "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount 4.0")
                .replace("trino_metadata_name_DiscoveryNodeManager_DrainingNodeCount 0.0", "trino_metadata_name_DiscoveryNodeManager_DrainingNodeCount 1.0");
        coordinator.metrics = threeActiveOneDraining;
        // only its clock moves here: the collector polls when the test says
        TestingScheduler time = new TestingScheduler(CLOCK.instant());
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = new AutoscalingCollector(() -> CompletableFuture.completedFuture(List.copyOf(records.values())), services, coordinator, kv, leader::get,
                registry, registry, CONFIG, time.clock());

        await(collector.pollAll());
        assertThat(registry.get(AutoscalingCollector.WORKER_SECONDS).tag("cluster", "demo").functionCounter().count()).isZero();
        // 4 workers (3 active, 1 draining) for 5 s
        time.advance(Duration.ofSeconds(5));
        coordinator.metrics = resource("metrics-busy.txt");
        await(collector.pollAll());
        assertThat(registry.get(AutoscalingCollector.WORKER_SECONDS).tag("cluster", "demo").functionCounter().count()).isEqualTo(20.0);
        // no worker for 5 s
        time.advance(Duration.ofSeconds(5));
        await(collector.pollAll());
        assertThat(registry.get(AutoscalingCollector.WORKER_SECONDS).tag("cluster", "demo").functionCounter().count()).isEqualTo(20.0);
        // a gap of more than three poll intervals counts nothing
        coordinator.metrics = threeActiveOneDraining;
        await(collector.pollAll());
        time.advance(Duration.ofSeconds(16));
        await(collector.pollAll());
        assertThat(registry.get(AutoscalingCollector.WORKER_SECONDS).tag("cluster", "demo").functionCounter().count()).isEqualTo(20.0);
        time.advance(Duration.ofSeconds(2));
        await(collector.pollAll());
        assertThat(registry.get(AutoscalingCollector.WORKER_SECONDS).tag("cluster", "demo").functionCounter().count()).isEqualTo(28.0);
        assertThat(registry.scrape()).contains("presto_orchestrator_cluster_worker_seconds_total{cluster=\"demo\"} 28.0");
    }

    /** Every poll is a point of the cluster's history, an unanswered one a gap; a deleted cluster has none (and is a 404). */
    @Test
    void testEveryPollIsAPointOfTheHistory()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        AutoscalingCollector collector = collector(registry());
        assertThat(await(collector.history("demo"))).isEmpty();

        await(collector.pollAll());
        coordinator.metricsFailure = Optional.of("HTTP 503: starting");
        await(collector.pollAll());
        coordinator.metricsFailure = Optional.empty();
        await(collector.pollAll());

        assertThat(await(collector.history("demo"))).containsExactly(
                new SignalHistory.Point(CLOCK.instant(), true, 3, 0, 0, 2, 4),
                new SignalHistory.Point(CLOCK.instant(), false, 0, 0, 0, 0, 0),
                new SignalHistory.Point(CLOCK.instant(), true, 3, 0, 0, 2, 4));

        records.remove("demo");
        await(collector.pollAll());
        assertThatThrownBy(() -> await(collector.history("demo"))).hasCauseInstanceOf(NotFoundException.class);
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        assertThat(await(collector.history("demo"))).as("a new cluster of the same name starts afresh").isEmpty();
    }

    @Test
    void testNoCoordinatorInConsul()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        services.instances.clear();
        AutoscalingCollector collector = collector(registry());
        await(collector.pollAll());
        assertThat(collector.last("demo").orElseThrow().error())
                .contains("no coordinator is registered in Consul as trino-demo-coordinator (not running yet, or stopped)");
    }

    @Test
    void testStoppedClustersAreNotPolledAndDeletedOnesForgotten()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        coordinator.queries = resource("v1-query-after-load.json");
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());
        assertThat(kv.snapshot()).containsKey("query-metrics/demo");

        addCluster("demo", ClusterState.STOPPED, new Workers(1, 1, 4));
        await(collector.pollAll());
        assertThat(collector.last("demo")).isEmpty();
        assertThat(registry.scrape()).doesNotContain("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"}");
        AutoscalingView view = await(collector.view("demo"));
        assertThat(view.polled()).isFalse();

        records.remove("demo");
        await(collector.pollAll());
        assertThat(kv.snapshot()).doesNotContainKey("query-metrics/demo");
        assertThatThrownBy(() -> await(collector.view("demo")))
                .hasCauseInstanceOf(NotFoundException.class)
                .cause().hasMessage("Cluster 'demo' does not exist");
    }

    @Test
    void testQueriesAreCountedOncePerClusterUserAndOutcome()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        coordinator.queries = resource("v1-query-during-load.json");
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());
        await(collector.pollAll());
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"TABLE_NOT_FOUND\",error_type=\"USER_ERROR\",state=\"failed\",user=\"carol\"} 1.0")
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"\",error_type=\"\",state=\"cancelled\",user=\"dave\"} 1.0")
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"alice\"} 2.0")
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"bob\"} 3.0")
                .doesNotContain("user=\"erin\"");

        coordinator.queries = resource("v1-query-after-load.json");
        await(collector.pollAll());
        await(collector.pollAll());
        assertThat(registry.scrape())
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"erin\"} 3.0")
                .contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"bob\"} 3.0");
    }

    @Test
    void testARestartedReplicaDoesNotCountAgain()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        coordinator.queries = resource("v1-query-during-load.json");
        await(collector(registry()).pollAll());
        assertThat(kv.snapshot().get("query-metrics/demo")).contains("20261122_034143_00000_cis9j");

        // a new process: same Consul KV, fresh counters
        PrometheusMeterRegistry restarted = registry();
        coordinator.queries = resource("v1-query-after-load.json");
        await(collector(restarted).pollAll());
        String scrape = restarted.scrape();
        assertThat(scrape).contains("presto_orchestrator_queries_total{cluster=\"demo\",error_name=\"\",error_type=\"\",state=\"finished\",user=\"erin\"} 3.0");
        assertThat(scrape).doesNotContain("user=\"bob\"").doesNotContain("user=\"carol\"").doesNotContain("user=\"dave\"");
    }

    @Test
    void testOnlyTheLeaderPersists()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        coordinator.queries = resource("v1-query-during-load.json");
        leader.set(false);
        PrometheusMeterRegistry registry = registry();
        await(collector(registry).pollAll());
        assertThat(kv.snapshot()).doesNotContainKey("query-metrics/demo");
        assertThat(registry.scrape()).as("a follower still counts and exports").contains("user=\"carol\"");
    }

    @Test
    void testAQueryWaitingForWorkersOnAClusterAtZeroAsksForOne()
            throws Exception
    {
        // Trino 476 with no worker: the query waits in WAITING_FOR_RESOURCES, and no metric counts it
        addCluster("demo", ClusterState.RUNNING, new Workers(0, 0, 4));
        coordinator.metrics = resource("metrics-no-workers-query-waiting.txt");
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());
        assertThat(collector.last("demo").orElseThrow().computation().orElseThrow().needed()).as("no waiting query: the cluster stays at zero").isZero();

        coordinator.waitingQueries = resource("v1-query-waiting-for-resources.json");
        await(collector.pollAll());
        WorkersNeeded computation = collector.last("demo").orElseThrow().computation().orElseThrow();
        assertThat(computation.inputs()).isEqualTo(new SignalInputs(0, 0, 1, 0, 0, 0, 2, 0, 4));
        assertThat(computation.needed()).isEqualTo(1);
        assertThat(computation.reason()).isEqualTo("0 running + 0 queued + 1 waiting for workers = 1 queries at 2 per worker: 1 worker(s); 0 active: scale out by 1");
        assertThat(registry.scrape())
                .contains("presto_orchestrator_cluster_workers_needed{cluster=\"demo\"} 1.0")
                .contains("presto_orchestrator_cluster_queries_waiting{cluster=\"demo\"} 1.0");
    }

    @Test
    void testWaitingQueriesAreReadOnlyWhileFewerWorkersThanRequiredAreActive()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 0, 4));
        coordinator.metrics = resource("metrics-idle.txt").replace("ActiveNodeCount 1.0", "ActiveNodeCount 2.0");
        coordinator.waitingQueries = resource("v1-query-waiting-for-resources.json");
        AutoscalingCollector collector = collector(registry());
        await(collector.pollAll());
        assertThat(coordinator.waitingCalls).as("one worker active, one required: nothing waits").hasValue(0);
        assertThat(collector.last("demo").orElseThrow().computation().orElseThrow().inputs().waitingQueries()).isZero();

        coordinator.metrics = resource("metrics-idle.txt");
        await(collector.pollAll());
        assertThat(coordinator.waitingCalls).hasValue(1);
        assertThat(collector.last("demo").orElseThrow().computation().orElseThrow().inputs().waitingQueries()).isEqualTo(1);
    }

    @Test
    void testRequiredWorkersComeFromTheSpecsProperties()
    {
        ClusterSpec local = TestingClusterSpecs.local();
        assertThat(AutoscalingCollector.requiredWorkers(local)).isEqualTo(1);
        assertThat(AutoscalingCollector.requiredWorkers(withProperty(local, "3"))).isEqualTo(3);
        assertThat(AutoscalingCollector.requiredWorkers(withProperty(local, "0"))).isZero();
        assertThat(AutoscalingCollector.requiredWorkers(withProperty(local, "many"))).isEqualTo(1);
    }

    @Test
    void testUnreadableWaitingListMakesTheSignalUnavailable()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(0, 0, 4));
        coordinator.metrics = resource("metrics-no-workers-query-waiting.txt");
        coordinator.waitingFailure = Optional.of("HTTP 401: Unauthorized");
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());
        ClusterSignal signal = collector.last("demo").orElseThrow();
        assertThat(signal.computation()).isEmpty();
        assertThat(signal.error()).contains("the coordinator at " + COORDINATOR + " counts 0 active worker(s) but did not list the queries waiting for workers: HTTP 401: Unauthorized");
        assertThat(registry.scrape()).doesNotContain("presto_orchestrator_cluster_workers_needed{");
    }

    @Test
    void testUnreadableQueryListLeavesTheSignalAlone()
            throws Exception
    {
        addCluster("demo", ClusterState.RUNNING, new Workers(1, 1, 4));
        coordinator.metrics = resource("metrics-busy.txt");
        coordinator.queries = "<html>login</html>";
        PrometheusMeterRegistry registry = registry();
        AutoscalingCollector collector = collector(registry);
        await(collector.pollAll());
        assertThat(collector.last("demo").orElseThrow().computation()).isPresent();
        assertThat(registry.scrape()).doesNotContain("presto_orchestrator_queries_total{");
    }

    private AutoscalingCollector collector(PrometheusMeterRegistry registry)
    {
        return new AutoscalingCollector(() -> CompletableFuture.completedFuture(List.copyOf(records.values())), services, coordinator, kv, leader::get, registry, registry, CONFIG, CLOCK);
    }

    private static ClusterSpec withProperty(ClusterSpec spec, String requiredWorkers)
    {
        Map<String, String> properties = new HashMap<>(spec.properties());
        properties.put("query-manager.required-workers", requiredWorkers);
        return new ClusterSpec(spec.name(), spec.flavour(), spec.version(), spec.image(), spec.environment(), spec.coordinator(), spec.workers(), spec.workerResources(),
                spec.jvm(), spec.queryMemory(), spec.catalogs(), properties, spec.allowUnknownProperties(), spec.labels(), spec.autoscaling());
    }

    private static PrometheusMeterRegistry registry()
    {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    private void addCluster(String name, ClusterState state, Workers workers)
    {
        ClusterSpec spec = TestingClusterSpecs.local().withWorkers(workers);
        assertThat(spec.name()).isEqualTo(name);
        records.put(name, new ClusterRecord(spec, state, Optional.empty(), Optional.empty(), Optional.empty(), CLOCK.instant(), CLOCK.instant(), "test"));
        services.instances.put("trino-" + name + "-coordinator",
                List.of(new ServiceHealth.Instance("coordinator-1", "node-1", "10.0.0.5", 8080, List.of("coordinator"), Map.of(), List.of(new ServiceHealth.Check("http", "passing", "")))));
    }

    private static <T> T await(CompletionStage<T> stage)
            throws ExecutionException, InterruptedException
    {
        return stage.toCompletableFuture().get();
    }

    private static final class FakeServices
            implements ServiceHealth
    {
        final Map<String, List<Instance>> instances = new ConcurrentHashMap<>();

        @Override
        public CompletionStage<List<Instance>> instances(String service)
        {
            return CompletableFuture.completedFuture(instances.getOrDefault(service, List.of()));
        }
    }

    private static final class FakeCoordinator
            implements CoordinatorClient
    {
        volatile String metrics = "";
        volatile String clusterStats = "";
        volatile String queries = "[]";
        volatile String waitingQueries = "[]";
        volatile Optional<String> waitingFailure = Optional.empty();
        final AtomicInteger waitingCalls = new AtomicInteger();
        volatile Optional<String> metricsFailure = Optional.empty();

        @Override
        public CompletionStage<String> metrics(String coordinatorUrl)
        {
            assertThat(coordinatorUrl).isEqualTo(COORDINATOR);
            return metricsFailure.<CompletionStage<String>>map(message -> CompletableFuture.failedFuture(new IllegalStateException(message)))
                    .orElseGet(() -> CompletableFuture.completedFuture(metrics));
        }

        @Override
        public CompletionStage<String> clusterStats(String coordinatorUrl)
        {
            assertThat(coordinatorUrl).isEqualTo(COORDINATOR);
            return CompletableFuture.completedFuture(clusterStats);
        }

        @Override
        public CompletionStage<String> queries(String coordinatorUrl)
        {
            return CompletableFuture.completedFuture(queries);
        }

        @Override
        public CompletionStage<String> waitingQueries(String coordinatorUrl)
        {
            assertThat(coordinatorUrl).isEqualTo(COORDINATOR);
            waitingCalls.incrementAndGet();
            return waitingFailure.<CompletionStage<String>>map(message -> CompletableFuture.failedFuture(new IllegalStateException(message)))
                    .orElseGet(() -> CompletableFuture.completedFuture(waitingQueries));
        }
    }
}
