package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.drain.WorkerPool;
import io.prestoorchestrator.drain.WorkerState;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * On the leader, every {@code drain.watchdog-interval}: looks at the workers of running clusters
 * with no operation in progress. A worker Nomad still runs for the spec's count that has been
 * DRAINING, DRAINED or SHUTTING_DOWN for longer than twice {@code drain.timeout} has nothing left
 * to finish its drain (its operation or lifecycle action died, or someone drained it by hand):
 * it is reported (event {@code drain-stuck}, metric {@code orchestrator.drain.stuck} with reason
 * {@code orphaned}) and finished safely: a DRAINING or DRAINED worker is put back to ACTIVE (the
 * count still wants it); a SHUTTING_DOWN one cannot be, Nomad restarts its task when it exits.
 * Twice the bound leaves every drain that is still owned (each bounded by {@code drain.timeout})
 * time to end first.
 */
final class DrainWatchdog
        implements LeadershipListener
{
    private static final Logger log = LoggerFactory.getLogger(DrainWatchdog.class);

    private final ClusterRepository repository;
    private final WorkerPool pool;
    private final Clock clock;
    private final Scheduler waits;
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private volatile boolean leading;
    private volatile long term;

    DrainWatchdog(ClusterRepository repository, WorkerPool pool, Clock clock, Scheduler waits)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.pool = requireNonNull(pool, "pool is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.waits = requireNonNull(waits, "waits is null");
    }

    @Override
    public void gained()
    {
        leading = true;
        long mine = ++term;
        schedule(mine);
    }

    @Override
    public void lost(String reason)
    {
        leading = false;
        term++;
        firstSeen.clear();
        reported.clear();
    }

    private void schedule(long mine)
    {
        waits.after(pool.config().watchdogInterval())
                .thenCompose(ignored -> leading && term == mine ? check() : CompletableFuture.completedFuture(List.<ClusterEvent>of()))
                .whenComplete((events, failure) -> {
                    if (failure != null) {
                        log.atWarn().setCause(failure).log("Drain watchdog check failed; trying again at the next interval");
                    }
                    if (leading && term == mine) {
                        schedule(mine);
                    }
                });
    }

    /** One look at every running cluster without an operation; answers the events it recorded. */
    CompletionStage<List<ClusterEvent>> check()
    {
        Duration grace = pool.config().timeout().multipliedBy(2);
        return repository.clusters().thenCompose(records -> {
            List<CompletableFuture<List<ClusterEvent>>> checks = new ArrayList<>();
            for (ClusterRecord record : records) {
                if (record.state() == ClusterState.RUNNING && record.activeOperation().isEmpty()) {
                    checks.add(check(record.name(), grace).toCompletableFuture());
                }
            }
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> checks.stream().flatMap(check -> check.join().stream()).toList());
        });
    }

    private CompletionStage<List<ClusterEvent>> check(String cluster, Duration grace)
    {
        Instant now = clock.instant();
        return pool.states(cluster).thenCompose(observed -> {
            Set<String> draining = new HashSet<>();
            List<CompletableFuture<Optional<ClusterEvent>>> actions = new ArrayList<>();
            for (WorkerPool.Observed look : observed) {
                if (look.state() == WorkerState.ACTIVE) {
                    continue;
                }
                String key = cluster + "/" + look.worker().allocId() + "/" + look.state();
                draining.add(key);
                Instant since = firstSeen.computeIfAbsent(key, ignored -> now);
                if (Duration.between(since, now).compareTo(grace) < 0 || !reported.add(key)) {
                    continue;
                }
                pool.metrics().stuck(cluster, "watchdog", "orphaned");
                String stuck = "Worker " + look.worker().label() + " (alloc " + OperationSteps.shortId(look.worker().allocId()) + ") has been " + look.state()
                        + " for " + Duration.between(since, now).toMinutes() + "m with no operation or drain finishing it";
                CompletionStage<String> finished = look.state() == WorkerState.SHUTTING_DOWN
                        ? CompletableFuture.completedFuture(stuck + "; SHUTTING_DOWN cannot be cancelled, Nomad restarts the task when it exits")
                        : pool.reactivate(List.of(look.worker())).thenApply(back -> stuck + (back.isEmpty()
                                ? "; putting it back to ACTIVE failed, it needs a look"
                                : "; put back to ACTIVE, since Nomad still runs it for the spec's count"));
                actions.add(finished.thenCompose(message -> {
                    ClusterEvent event = new ClusterEvent(clock.instant(), cluster, "drain-stuck", message, "drain-watchdog", Optional.empty());
                    log.atWarn().addKeyValue("cluster", cluster).addKeyValue("event", event.type()).log(message);
                    return repository.appendEvent(event).thenApply(ignored -> Optional.of(event));
                }).toCompletableFuture());
            }
            firstSeen.keySet().removeIf(key -> key.startsWith(cluster + "/") && !draining.contains(key));
            reported.removeIf(key -> key.startsWith(cluster + "/") && !draining.contains(key));
            return CompletableFuture.allOf(actions.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> actions.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
        });
    }
}
