package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Path 4 of issue 6 made visible: while a deploy replaces allocations (Nomad's rolling update, one
 * at a time per group; each worker drains itself on the kill signal), it records per worker when
 * its allocation was told to stop ("replacing") and when a healthy replacement of the same name ran
 * ("replaced", with how long the old one took to drain and stop), and the coordinator's restart with
 * how long no coordinator was healthy.
 */
final class ReplacementWatcher
{
    /** Writes one event: type, message. */
    interface Events
    {
        CompletionStage<Void> record(String type, String message);
    }

    private final NomadJobs nomad;
    private final String jobId;
    private final Clock clock;
    private final Duration interval;
    private final Scheduler waits;
    private final BooleanSupplier active;
    private final Events events;
    private final Map<String, AllocationStub> baseline = new LinkedHashMap<>();
    private final Map<String, Instant> stopping = new HashMap<>();
    private final Map<String, Instant> stopped = new HashMap<>();
    private final Set<String> replaced = new HashSet<>();
    private CompletionStage<Void> written = CompletableFuture.completedFuture(null);
    private volatile boolean finished;

    ReplacementWatcher(NomadJobs nomad, String jobId, Clock clock, Duration interval, Scheduler waits, BooleanSupplier active, Events events)
    {
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.jobId = requireNonNull(jobId, "jobId is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.waits = requireNonNull(waits, "waits is null");
        this.active = requireNonNull(active, "active is null");
        this.events = requireNonNull(events, "events is null");
    }

    /** Notes the allocations running now (before the job is registered) and starts watching them. */
    CompletionStage<Void> start()
    {
        return nomad.allocations(jobId).thenAccept(allocations -> {
            synchronized (this) {
                allocations.stream()
                        .filter(allocation -> !allocation.terminal())
                        .sorted(Comparator.comparing(AllocationStub::name))
                        .forEach(allocation -> baseline.put(allocation.id(), allocation));
                if (!baseline.isEmpty()) {
                    next();
                }
            }
        });
    }

    /** One last look, then stops; completes when every event is written. */
    CompletionStage<Void> finish()
    {
        finished = true;
        return look()
                .exceptionally(ignored -> null)
                .thenCompose(ignored -> written())
                .exceptionally(ignored -> null);
    }

    /** One look now, and every event so far written: what has happened is told before what comes next. */
    CompletionStage<Void> catchUp()
    {
        return look()
                .exceptionally(ignored -> null)
                .thenCompose(ignored -> written())
                .exceptionally(ignored -> null);
    }

    void stop()
    {
        finished = true;
    }

    private CompletionStage<Void> next()
    {
        if (finished || !active.getAsBoolean()) {
            return CompletableFuture.completedFuture(null);
        }
        return waits.after(interval)
                .thenCompose(ignored -> finished ? CompletableFuture.completedFuture(null) : look().exceptionally(failure -> null))
                .thenCompose(ignored -> next());
    }

    private synchronized CompletionStage<Void> written()
    {
        return written;
    }

    CompletionStage<Void> look()
    {
        if (baseline.isEmpty() || !active.getAsBoolean()) {
            return CompletableFuture.completedFuture(null);
        }
        return nomad.allocations(jobId).thenAccept(this::observe);
    }

    private synchronized void observe(List<AllocationStub> allocations)
    {
        Instant now = clock.instant();
        Map<String, AllocationStub> byId = new HashMap<>();
        allocations.forEach(allocation -> byId.put(allocation.id(), allocation));
        for (AllocationStub old : baseline.values()) {
            // an allocation Nomad no longer lists has been garbage-collected: it stopped
            AllocationStub current = byId.get(old.id());
            boolean coordinator = !old.taskGroup().equals(JobNames.WORKER_GROUP);
            String label = label(old);
            if ((current == null || current.terminal()) && !stopping.containsKey(old.id())) {
                stopping.put(old.id(), now);
                write(coordinator ? "coordinator-restarting" : "worker-replacing", coordinator
                        ? "Coordinator " + label + " on node " + OperationSteps.shortId(old.nodeId()) + " is restarting for the new job version: queries on it end and new ones are refused until its replacement is healthy"
                        : "Worker " + label + " on node " + OperationSteps.shortId(old.nodeId()) + " is draining for replacement: Nomad stopped alloc "
                        + OperationSteps.shortId(old.id()) + ", the worker drains itself (DRAINING, then exits) on the kill signal");
            }
            if ((current == null || current.clientTerminal()) && !stopped.containsKey(old.id())) {
                stopped.put(old.id(), now);
            }
            if (stopped.containsKey(old.id()) && !replaced.contains(old.id())) {
                Optional<AllocationStub> replacement = allocations.stream()
                        .filter(candidate -> candidate.name().equals(old.name()) && !baseline.containsKey(candidate.id()))
                        .filter(candidate -> candidate.desiredStatus().equals("run") && candidate.clientStatus().equals("running") && candidate.healthy().orElse(false))
                        .findFirst();
                if (replacement.isPresent()) {
                    replaced.add(old.id());
                    Duration total = Duration.between(stopping.get(old.id()), now);
                    Duration draining = Duration.between(stopping.get(old.id()), stopped.get(old.id()));
                    write(coordinator ? "coordinator-restarted" : "worker-replaced", coordinator
                            ? "Coordinator " + label + " back after " + OperationSteps.seconds(total) + " without a healthy coordinator (the old one stopped in "
                            + OperationSteps.seconds(draining) + "; new alloc " + OperationSteps.shortId(replacement.get().id()) + " on node " + OperationSteps.shortId(replacement.get().nodeId()) + " healthy)"
                            : "Worker " + label + " replaced after " + OperationSteps.seconds(total) + ": the old one drained and stopped in " + OperationSteps.seconds(draining)
                            + ", new alloc " + OperationSteps.shortId(replacement.get().id()) + " on node " + OperationSteps.shortId(replacement.get().nodeId()) + " healthy");
                }
            }
        }
    }

    private void write(String type, String message)
    {
        written = written.exceptionally(ignored -> null).thenCompose(ignored -> events.record(type, message));
    }

    private static String label(AllocationStub allocation)
    {
        int bracket = allocation.name().lastIndexOf('.');
        return bracket < 0 ? allocation.name() : allocation.name().substring(bracket + 1);
    }
}
