package io.prestoorchestrator.autoscaling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.config.AutoscalingConfig;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.error.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Runs on every replica: every {@code autoscaling.poll-interval} it reads the coordinator of each
 * cluster that should be running (found in Consul as {@code trino-<cluster>-coordinator}),
 * computes {@link ScalingSignal the workers it needs}, keeps that last computation, and exports it
 * as gauges labelled with the cluster; it counts the queries that ended ({@link QueryCounters}).
 * The leader persists each cluster's {@link CountedQueries} under {@code query-metrics/<cluster>}
 * so that no replica counts a query again after a restart. A cluster whose coordinator does not
 * answer has no gauges (the autoscaler sees no data and acts on nothing) until it answers again.
 */
public final class AutoscalingCollector
{
    public static final String WORKERS_NEEDED = "presto_orchestrator.cluster.workers.needed";
    /** How long one round (every cluster polled once) took: it bounds the signal's age at poll-interval plus this. */
    public static final String ROUND = "presto_orchestrator.autoscaling.round";
    /** Rounds not started because the previous one still ran: each one adds a poll interval to the signal's age. */
    public static final String ROUNDS_SKIPPED = "presto_orchestrator.autoscaling.rounds.skipped";
    /**
     * Worker-seconds a cluster used, as this replica saw them: between two answered polls, the
     * workers the first counted (active and draining) times the time between them. A gap longer
     * than three poll intervals (the coordinator did not answer) counts nothing.
     */
    public static final String WORKER_SECONDS = "presto_orchestrator.cluster.worker.seconds";
    static final String KV_PREFIX = "query-metrics/";
    static final String REQUIRED_WORKERS = "query-manager.required-workers";
    private static final Set<ClusterState> NOT_POLLED = Set.of(ClusterState.STOPPED, ClusterState.STOPPING, ClusterState.DELETING);
    private static final Logger log = LoggerFactory.getLogger(AutoscalingCollector.class);

    private final ClusterSource clusters;
    private final ServiceHealth services;
    private final CoordinatorClient coordinators;
    private final KvStore kv;
    private final BooleanSupplier leader;
    private final MeterRegistry registry;
    private final QueryCounters counters;
    private final AutoscalingConfig config;
    private final Clock clock;
    private final SignalHistory history;
    private final Map<String, ClusterSignal> last = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<CountedQueries>> ledgers = new ConcurrentHashMap<>();
    private final Map<String, String> queryErrors = new ConcurrentHashMap<>();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final Set<String> countingQueries = ConcurrentHashMap.newKeySet();
    private final Timer rounds;
    private final Map<String, DoubleAdder> workerSeconds = new ConcurrentHashMap<>();
    private final Counter roundsSkipped;

    /**
     * @param registry the public metrics (the signal's gauges)
     * @param userRegistry the per-user query counters: Trino user names, kept off the public endpoint
     */
    public AutoscalingCollector(ClusterSource clusters, ServiceHealth services, CoordinatorClient coordinators, KvStore kv, BooleanSupplier leader,
            MeterRegistry registry, MeterRegistry userRegistry, AutoscalingConfig config, Clock clock)
    {
        this.clusters = requireNonNull(clusters, "clusters is null");
        this.services = requireNonNull(services, "services is null");
        this.coordinators = requireNonNull(coordinators, "coordinators is null");
        this.kv = requireNonNull(kv, "kv is null");
        this.leader = requireNonNull(leader, "leader is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.counters = new QueryCounters(requireNonNull(userRegistry, "userRegistry is null"));
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.history = new SignalHistory(SignalHistory.WINDOW, config.pollInterval());
        this.rounds = Timer.builder(ROUND).description("How long one round of the autoscaling signal (every cluster's coordinator read once) took")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.roundsSkipped = Counter.builder(ROUNDS_SKIPPED).description("Rounds of the autoscaling signal not started because the previous one still ran").register(registry);
    }

    public AutoscalingConfig config()
    {
        return config;
    }

    /** One round: every cluster polled once. A round still running when the next is due makes that one a no-op. */
    public CompletionStage<Void> pollAll()
    {
        if (!polling.compareAndSet(false, true)) {
            roundsSkipped.increment();
            return CompletableFuture.completedFuture(null);
        }
        long started = clock.millis();
        CompletionStage<Void> round;
        try {
            round = clusters.clusters().thenCompose(records -> {
                Set<String> known = records.stream().map(ClusterRecord::name).collect(Collectors.toSet());
                List<CompletableFuture<Void>> polls = new ArrayList<>();
                for (String gone : List.copyOf(union(last.keySet(), ledgers.keySet()))) {
                    if (!known.contains(gone)) {
                        polls.add(forget(gone).toCompletableFuture());
                    }
                }
                List<ClusterRecord> polled = new ArrayList<>();
                for (ClusterRecord record : records) {
                    if (NOT_POLLED.contains(record.state())) {
                        unregister(record.name());
                        last.remove(record.name());
                    }
                    else {
                        polled.add(record);
                    }
                }
                // a few at a time: the API's own reads of Consul share the HTTP client's connections
                polls.add(FanOut.each(polled, FanOut.ROUND_CONCURRENCY, this::poll));
                return CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new));
            });
        }
        catch (RuntimeException e) {
            round = CompletableFuture.failedFuture(e);
        }
        return round.handle((ignored, failure) -> {
            rounds.record(clock.millis() - started, TimeUnit.MILLISECONDS);
            polling.set(false);
            if (failure != null) {
                log.atWarn().addKeyValue("error", Failures.unwrap(failure).getMessage()).log("Autoscaling signal: could not list the clusters");
            }
            return null;
        });
    }

    /** What the endpoint shows for {@code cluster}; fails with NotFoundException for a cluster that does not exist. */
    public CompletionStage<AutoscalingView> view(String cluster)
    {
        return clusters.clusters().thenApply(records -> records.stream()
                .filter(record -> record.name().equals(cluster))
                .findFirst()
                .map(record -> new AutoscalingView(cluster, record.state(), !NOT_POLLED.contains(record.state()), config.pollInterval(), Optional.ofNullable(last.get(cluster))))
                .orElseThrow(() -> new NotFoundException("Cluster '" + cluster + "' does not exist")));
    }

    /**
     * The cluster's signal over the last {@link SignalHistory#WINDOW}, one point per poll of this
     * replica, oldest first; fails with NotFoundException for a cluster that does not exist.
     */
    public CompletionStage<List<SignalHistory.Point>> history(String cluster)
    {
        return clusters.clusters().thenApply(records -> {
            if (records.stream().noneMatch(record -> record.name().equals(cluster))) {
                throw new NotFoundException("Cluster '" + cluster + "' does not exist");
            }
            return history.points(cluster, clock.instant());
        });
    }

    /** The last poll of {@code cluster}, if any. */
    public Optional<ClusterSignal> last(String cluster)
    {
        return Optional.ofNullable(last.get(cluster));
    }

    private CompletionStage<Void> poll(ClusterRecord record)
    {
        String name = record.name();
        CompletionStage<Void> poll;
        try {
            poll = coordinator(name).thenCompose(url -> {
                if (url.isEmpty()) {
                    failed(name, Optional.empty(), "no coordinator is registered in Consul as " + JobNames.coordinatorService(name) + " (not running yet, or stopped)");
                    return CompletableFuture.<Void>completedFuture(null);
                }
                CompletableFuture<Void> signal = signal(record, url.get()).toCompletableFuture();
                // the query list of a busy coordinator can be slow: the signal does not wait for it
                if (countingQueries.add(name)) {
                    countQueries(name, url.get()).whenComplete((ignored, failure) -> countingQueries.remove(name));
                }
                return signal;
            });
        }
        catch (RuntimeException e) {
            poll = CompletableFuture.failedFuture(e);
        }
        return poll.exceptionally(failure -> {
            failed(name, Optional.empty(), "could not look the coordinator up in Consul as " + JobNames.coordinatorService(name) + ": " + message(failure));
            return null;
        });
    }

    private CompletionStage<Void> signal(ClusterRecord record, String coordinator)
    {
        String name = record.name();
        Optional<String> url = Optional.of(coordinator);
        return metrics(record, coordinator)
                .<CompletionStage<Void>>handle((metrics, failure) -> {
                    if (failure != null) {
                        failed(name, url, "the coordinator at " + coordinator + " did not give its metrics: " + message(failure));
                        return CompletableFuture.completedFuture(null);
                    }
                    return waitingQueries(record, coordinator, metrics).handle((waiting, waitingFailure) -> {
                        if (waitingFailure != null) {
                            failed(name, url, "the coordinator at " + coordinator + " counts " + metrics.activeWorkers()
                                    + " active worker(s) but did not list the queries waiting for workers: " + message(waitingFailure));
                        }
                        else {
                            succeeded(record, coordinator, metrics, waiting);
                        }
                        return (Void) null;
                    });
                })
                .thenCompose(stage -> stage);
    }

    /** The counts the signal reads, from where the cluster's engine gives them ({@link io.prestoorchestrator.cluster.FlavourProfile#signal()}). */
    private CompletionStage<CoordinatorMetrics> metrics(ClusterRecord record, String coordinator)
    {
        return switch (record.spec().flavour().profile().signal()) {
            case OPENMETRICS -> coordinators.metrics(coordinator).thenApply(CoordinatorMetrics::parse);
            case CLUSTER_STATS -> coordinators.clusterStats(coordinator).thenApply(json -> ClusterStats.parse(json).asCoordinatorMetrics());
        };
    }

    /**
     * The queries waiting for workers, read from the query list only while the coordinator counts
     * fewer active workers than {@code query-manager.required-workers}: no query waits otherwise,
     * and a busy coordinator's query list is not cheap.
     */
    private CompletionStage<Integer> waitingQueries(ClusterRecord record, String coordinator, CoordinatorMetrics metrics)
    {
        if (metrics.activeWorkers() >= requiredWorkers(record.spec())) {
            return CompletableFuture.completedFuture(0);
        }
        return coordinators.waitingQueries(coordinator).thenApply(json -> (int) QueryInfo.parseList(json).stream()
                .filter(query -> query.state().equals(QueryInfo.WAITING_FOR_RESOURCES))
                .count());
    }

    /** The workers a query waits for: the cluster's {@code query-manager.required-workers}, 1 unless the spec sets another. */
    static int requiredWorkers(ClusterSpec spec)
    {
        String value = spec.properties().get(REQUIRED_WORKERS);
        if (value == null) {
            return 1;
        }
        try {
            return Math.max(0, Integer.parseInt(value.strip()));
        }
        catch (NumberFormatException e) {
            return 1;
        }
    }

    private CompletionStage<Optional<String>> coordinator(String cluster)
    {
        return services.preferPassing(JobNames.coordinatorService(cluster)).thenApply(instance -> instance.map(ServiceHealth.Instance::httpUrl));
    }

    private void succeeded(ClusterRecord record, String coordinator, CoordinatorMetrics metrics, int waitingQueries)
    {
        SignalInputs inputs = new SignalInputs(metrics.runningQueries(), metrics.queuedQueries(), waitingQueries, metrics.fullyBlockedQueries(), metrics.activeWorkers(), metrics.drainingNodes(),
                config.queriesPerWorker(), record.spec().workers().min(), record.spec().workers().max());
        WorkersNeeded computation = ScalingSignal.compute(inputs);
        ClusterSignal signal = new ClusterSignal(record.name(), clock.instant(), Optional.of(coordinator), Optional.of(computation), Optional.empty());
        ClusterSignal previous = last.put(record.name(), signal);
        history.record(signal);
        countWorkerSeconds(record.name(), previous, signal.computedAt());
        register(record.name());
        int before = previous == null ? -1 : previous.computation().map(WorkersNeeded::needed).orElse(-1);
        if (before != computation.needed()) {
            log.atInfo().addKeyValue("cluster", record.name()).addKeyValue("needed", computation.needed()).addKeyValue("previous", before)
                    .addKeyValue("reason", computation.reason()).log("Autoscaling signal changed");
        }
    }

    private void countWorkerSeconds(String cluster, ClusterSignal previous, Instant now)
    {
        DoubleAdder total = workerSeconds.computeIfAbsent(cluster, ignored -> new DoubleAdder());
        if (previous == null || previous.computation().isEmpty()) {
            return;
        }
        Duration elapsed = Duration.between(previous.computedAt(), now);
        if (elapsed.isNegative() || elapsed.compareTo(config.pollInterval().multipliedBy(3)) > 0) {
            return;
        }
        SignalInputs inputs = previous.computation().get().inputs();
        total.add((inputs.activeWorkers() + inputs.drainingWorkers()) * (elapsed.toMillis() / 1000.0));
    }

    private void failed(String cluster, Optional<String> coordinator, String error)
    {
        ClusterSignal signal = new ClusterSignal(cluster, clock.instant(), coordinator, Optional.empty(), Optional.of(error));
        ClusterSignal previous = last.put(cluster, signal);
        history.record(signal);
        unregister(cluster);
        if (previous == null || !previous.error().equals(Optional.of(error))) {
            log.atWarn().addKeyValue("cluster", cluster).addKeyValue("error", error).log("Autoscaling signal unavailable");
        }
    }

    private CompletionStage<Void> countQueries(String cluster, String coordinator)
    {
        return ledger(cluster)
                .thenCompose(ledger -> coordinators.queries(coordinator).thenCompose(json -> {
                    Instant now = clock.instant();
                    List<QueryInfo> fresh = ledger.admit(QueryInfo.parseList(json), now);
                    ledger.prune(now, config.queryHistoryRetention());
                    fresh.forEach(query -> counters.count(cluster, query));
                    queryErrors.remove(cluster);
                    if (fresh.isEmpty() || !leader.getAsBoolean()) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    return kv.put(KV_PREFIX + cluster, ledger.toJson());
                }))
                .exceptionally(failure -> {
                    String error = message(failure);
                    if (!Objects.equals(queryErrors.put(cluster, error), error)) {
                        log.atWarn().addKeyValue("cluster", cluster).addKeyValue("error", error).log("Query metrics: could not count the coordinator's queries");
                    }
                    return null;
                });
    }

    /** The cluster's ledger: what the leader persisted, read once; a new one when there is none or it cannot be read. */
    private CompletionStage<CountedQueries> ledger(String cluster)
    {
        CompletableFuture<CountedQueries> created = new CompletableFuture<>();
        CompletableFuture<CountedQueries> existing = ledgers.putIfAbsent(cluster, created);
        if (existing != null) {
            return existing;
        }
        kv.get(KV_PREFIX + cluster).whenComplete((entry, failure) -> {
            if (failure != null) {
                ledgers.remove(cluster, created);
                created.completeExceptionally(failure);
                return;
            }
            created.complete(entry.flatMap(value -> CountedQueries.tryFromJson(value.value())).orElseGet(CountedQueries::empty));
        });
        return created;
    }

    /** A cluster that no longer exists: no gauges, no signal; the leader deletes its persisted ledger. */
    private CompletionStage<Void> forget(String cluster)
    {
        unregister(cluster);
        last.remove(cluster);
        history.forget(cluster);
        workerSeconds.remove(cluster);
        ledgers.remove(cluster);
        queryErrors.remove(cluster);
        if (!leader.getAsBoolean()) {
            return CompletableFuture.completedFuture(null);
        }
        return kv.delete(KV_PREFIX + cluster).exceptionally(failure -> null);
    }

    private void register(String cluster)
    {
        gauges.computeIfAbsent(cluster, name -> List.of(
                gauge(WORKERS_NEEDED, name, "Workers the cluster needs now (the Trino-aware scaling signal), clamped to workers.min..max", WorkersNeeded::needed),
                gauge("presto_orchestrator.cluster.workers.active", name, "Workers the coordinator schedules on", computation -> computation.inputs().activeWorkers()),
                gauge("presto_orchestrator.cluster.workers.draining", name, "Workers draining", computation -> computation.inputs().drainingWorkers()),
                gauge("presto_orchestrator.cluster.queries.running", name, "Queries running on the cluster", computation -> computation.inputs().runningQueries()),
                gauge("presto_orchestrator.cluster.queries.queued", name, "Queries queued on the cluster", computation -> computation.inputs().queuedQueries()),
                gauge("presto_orchestrator.cluster.queries.waiting", name, "Queries waiting for workers (fewer active than query-manager.required-workers)",
                        computation -> computation.inputs().waitingQueries()),
                gauge("presto_orchestrator.cluster.queries.blocked", name, "Running queries that are fully blocked", computation -> computation.inputs().fullyBlockedQueries()),
                gauge("presto_orchestrator.cluster.queries.per.worker", name, "Concurrent queries one worker is sized for", computation -> computation.inputs().queriesPerWorker()),
                FunctionCounter.builder(WORKER_SECONDS, workerSeconds.computeIfAbsent(name, ignored -> new DoubleAdder()), DoubleAdder::sum)
                        .description("Worker-seconds the cluster used (active and draining workers times the time they ran), counted by this replica's polls")
                        .tag("cluster", name)
                        .register(registry)));
    }

    private Meter gauge(String name, String cluster, String description, ToDoubleFunction<WorkersNeeded> value)
    {
        return Gauge.builder(name, () -> Optional.ofNullable(last.get(cluster)).flatMap(ClusterSignal::computation).map(value::applyAsDouble).orElse(Double.NaN))
                .description(description)
                .tag("cluster", cluster)
                .register(registry);
    }

    private void unregister(String cluster)
    {
        List<Meter> meters = gauges.remove(cluster);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b)
    {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String message(Throwable failure)
    {
        Throwable cause = Failures.unwrap(failure);
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
