package io.prestoorchestrator.autoscaling;

import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.discovery.KvEntry;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.nomad.ScalingEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Puts the scaling actions others take on a cluster's workers through Nomad directly (a
 * nomad-autoscaler pointed at Nomad instead of the {@link ScaleFront}, the CLI, the UI) into the
 * cluster's events. The leader reads each cluster's worker-group scaling history from Nomad and
 * records every event newer than the last one it recorded as {@code autoscaled}
 * ({@code scaling-failed} for an error), with the caller's message and the orchestrator's last
 * scaling signal for the cluster. The orchestrator's own resizes (messages starting with
 * {@value #OWN_MESSAGE_PREFIX}) and the scale front's records of the agent's decisions (Meta
 * {@value ScaleFront#REQUESTED_COUNT}) have their events already and are skipped. The time of
 * the last event recorded is kept in the KV store under {@code scaling-events/<cluster>}, so a
 * restart or a new leader records nothing twice.
 */
public final class ScalingEventRecorder
{
    static final String KV_PREFIX = "scaling-events/";
    static final String OWN_MESSAGE_PREFIX = "presto-orchestrator:";
    static final String AUTOSCALER = "nomad-autoscaler";
    /** The reasons of nomad-autoscaler 0.5.0's strategies: "scaling up because metric is 3". */
    private static final Pattern AUTOSCALER_REASON = Pattern.compile("^scaling (up|down|none) because ");
    private static final Logger log = LoggerFactory.getLogger(ScalingEventRecorder.class);

    private final ClusterSource clusters;
    private final NomadJobs nomad;
    private final Function<ClusterEvent, CompletionStage<Void>> timeline;
    private final KvStore kv;
    private final BooleanSupplier leader;
    private final Function<String, Optional<ClusterSignal>> signals;
    private final AtomicBoolean recording = new AtomicBoolean();
    private final Map<String, String> errors = new ConcurrentHashMap<>();

    /**
     * @param timeline appends an event to a cluster's timeline ({@code ClusterRepository::appendEvent})
     * @param signals the last scaling signal of a cluster ({@code AutoscalingCollector::last})
     */
    public ScalingEventRecorder(ClusterSource clusters, NomadJobs nomad, Function<ClusterEvent, CompletionStage<Void>> timeline, KvStore kv,
            BooleanSupplier leader, Function<String, Optional<ClusterSignal>> signals)
    {
        this.clusters = requireNonNull(clusters, "clusters is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.timeline = requireNonNull(timeline, "timeline is null");
        this.kv = requireNonNull(kv, "kv is null");
        this.leader = requireNonNull(leader, "leader is null");
        this.signals = requireNonNull(signals, "signals is null");
    }

    /** One round on the leader (a no-op elsewhere, or while the previous round runs): every cluster's new scaling events recorded. */
    public CompletionStage<Void> recordAll()
    {
        if (!leader.getAsBoolean() || !recording.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Void> round;
        try {
            round = clusters.clusters().thenCompose(records -> {
                Set<String> known = records.stream().map(ClusterRecord::name).collect(Collectors.toSet());
                List<CompletableFuture<Void>> work = new ArrayList<>();
                // a few at a time: the API's own reads of Nomad share the HTTP client's connections
                work.add(FanOut.each(records, FanOut.ROUND_CONCURRENCY, record -> record(record.name())));
                work.add(forgetDeleted(known).toCompletableFuture());
                return CompletableFuture.allOf(work.toArray(CompletableFuture[]::new));
            });
        }
        catch (RuntimeException e) {
            round = CompletableFuture.failedFuture(e);
        }
        return round.handle((ignored, failure) -> {
            recording.set(false);
            if (failure != null) {
                log.atWarn().addKeyValue("error", message(failure)).log("Scaling events: could not list the clusters");
            }
            return null;
        });
    }

    private CompletionStage<Void> record(String cluster)
    {
        String key = KV_PREFIX + cluster;
        CompletionStage<Void> recorded;
        try {
            recorded = kv.get(key).thenCompose(entry -> {
                long watermark = entry.map(KvEntry::value).map(ScalingEventRecorder::watermark).orElse(0L);
                return nomad.scalingEvents(ClusterSpec.jobId(cluster), JobNames.WORKER_GROUP).thenCompose(events -> {
                    List<ScalingEvent> fresh = events.stream()
                            .filter(event -> event.timeNanos() > watermark)
                            .sorted(Comparator.comparingLong(ScalingEvent::timeNanos))
                            .toList();
                    if (fresh.isEmpty()) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    AtomicLong done = new AtomicLong(watermark);
                    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
                    for (ScalingEvent event : fresh) {
                        chain = chain.thenCompose(ignored -> append(cluster, event)).thenRun(() -> done.set(event.timeNanos()));
                    }
                    // what was appended stays recorded even when a later append fails: the rest is retried next round
                    return chain.handle((ignored, failure) -> failure)
                            .thenCompose(failure -> kv.put(key, Long.toString(done.get()))
                                    .thenCompose(ignored -> failure == null ? CompletableFuture.<Void>completedFuture(null) : CompletableFuture.<Void>failedFuture(failure)));
                });
            });
        }
        catch (RuntimeException e) {
            recorded = CompletableFuture.failedFuture(e);
        }
        return recorded.handle((ignored, failure) -> {
            if (failure == null) {
                errors.remove(cluster);
                return null;
            }
            String error = message(failure);
            if (!Objects.equals(errors.put(cluster, error), error)) {
                log.atWarn().addKeyValue("cluster", cluster).addKeyValue("error", error).log("Scaling events: could not record the cluster's scaling events");
            }
            return null;
        });
    }

    private CompletionStage<Void> append(String cluster, ScalingEvent event)
    {
        if (!leader.getAsBoolean()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no longer the leader"));
        }
        // the orchestrator's own resizes have their events already, and so have the decisions the scale front recorded for the agent
        if (event.message().startsWith(OWN_MESSAGE_PREFIX) || event.meta().containsKey(ScaleFront.REQUESTED_COUNT)) {
            return CompletableFuture.completedFuture(null);
        }
        ClusterEvent recorded = event(cluster, event, signals.apply(cluster));
        log.atInfo().addKeyValue("cluster", cluster).addKeyValue("type", recorded.type()).addKeyValue("actor", recorded.actor())
                .addKeyValue("message", recorded.message()).log("Scaling event recorded");
        return timeline.apply(recorded);
    }

    /** The timeline entry for a scaling event of {@code cluster}'s workers. */
    static ClusterEvent event(String cluster, ScalingEvent event, Optional<ClusterSignal> signal)
    {
        String actor = actor(event);
        String by = actor.equals(AUTOSCALER) ? "by " + AUTOSCALER : "through Nomad (not the orchestrator)";
        String what;
        if (event.error()) {
            what = "Scaling workers failed " + by + ": " + event.message();
        }
        else if (event.count().isPresent()) {
            what = "Workers " + event.previousCount() + " -> " + event.count().getAsLong() + " " + by + ": " + event.message();
        }
        else {
            what = "Workers stay at " + event.previousCount() + " " + by + " (no count given): " + event.message();
        }
        return new ClusterEvent(event.time(), cluster, event.error() ? "scaling-failed" : "autoscaled", what + "; signal: " + signal(signal), actor, Optional.empty());
    }

    /** nomad-autoscaler when its metadata or its strategies' wording says so; anyone else calling Nomad's scale API is "nomad". */
    static String actor(ScalingEvent event)
    {
        boolean autoscaler = event.meta().keySet().stream().anyMatch(key -> key.startsWith("nomad_autoscaler."))
                || AUTOSCALER_REASON.matcher(event.message()).find();
        return autoscaler ? AUTOSCALER : "nomad";
    }

    /** The signal's reason, or why there is none, for the reason recorded with a scaling action. */
    static String signal(Optional<ClusterSignal> signal)
    {
        if (signal.isEmpty()) {
            return "not computed yet";
        }
        return signal.get().computation()
                .map(WorkersNeeded::reason)
                .orElseGet(() -> "unavailable (" + signal.get().error().orElse("no computation") + ")");
    }

    private CompletionStage<Void> forgetDeleted(Set<String> known)
    {
        return kv.list(KV_PREFIX)
                .thenCompose(entries -> {
                    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
                    for (KvEntry entry : entries) {
                        if (!known.contains(entry.key().substring(entry.key().lastIndexOf('/') + 1))) {
                            chain = chain.thenCompose(ignored -> kv.delete(entry.key()));
                        }
                    }
                    return chain;
                })
                .exceptionally(failure -> null);
    }

    private static long watermark(String value)
    {
        try {
            return Long.parseLong(value.strip());
        }
        catch (NumberFormatException e) {
            log.atWarn().addKeyValue("value", value).log("Scaling events: unreadable last-recorded time in the KV store; recording what Nomad still keeps");
            return 0;
        }
    }

    private static String message(Throwable failure)
    {
        Throwable cause = Failures.unwrap(failure);
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
