package io.prestoorchestrator.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.discovery.KvEntry;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.discovery.LeaderScopedRunner;
import io.prestoorchestrator.discovery.LeaderScopedRunner.Execution;
import io.prestoorchestrator.discovery.LeaderScopedRunner.Term;
import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.lifecycle.DrainRecord.State;
import io.prestoorchestrator.lifecycle.LifecycleActions.Answer;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Ignored;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Malformed;
import io.prestoorchestrator.lifecycle.LifecycleMessage.SubscriptionConfirmation;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Terminating;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Test;
import io.prestoorchestrator.lifecycle.NomadNodes.Node;
import io.prestoorchestrator.lifecycle.NomadNodes.NodeAllocation;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * Drain path 1: an Auto Scaling group terminates an instance. Any replica records the event in the
 * KV store ({@code lifecycle/<instance-id>}, created by compare-and-set, so duplicates find it);
 * the leader alone acts: finds the Nomad node by its instance id, marks it ineligible, drains the
 * Trino workers on it and waits for the queries of any coordinator on it ({@link CoordinatorWait}),
 * Nomad-drains the node, waits for its allocations to stop, and completes the lifecycle action,
 * sending heartbeats meanwhile. A new leader resumes every unfinished drain from
 * the start (every step is safe to repeat) and still completes the action. Leadership terms and the
 * one-run-per-instance rule are {@link LeaderScopedRunner}'s, shared with the operations.
 */
public final class LifecycleService
        implements LeadershipListener
{
    private static final Logger log = LoggerFactory.getLogger(LifecycleService.class);
    static final String PREFIX = "lifecycle/";
    private static final Duration DONE_RETENTION = Duration.ofDays(1);

    /** What became of one message. */
    public enum Disposition
    {
        /** A new drain was recorded. */
        ACCEPTED,
        /** The instance's drain was recorded before: nothing new to do. */
        DUPLICATE,
        /** A test notification, acknowledged. */
        TEST,
        /** Well-formed, not for us (launching, other events). */
        IGNORED,
        /** Not a lifecycle event; dropped, never retried. */
        MALFORMED,
        /** An SNS subscription confirmation (only the HTTP endpoint deals with it). */
        SUBSCRIPTION
    }

    private final String replicaId;
    private final KvStore kv;
    private final ClusterRepository clusters;
    private final NomadNodes nodes;
    private final LifecycleActions actions;
    private final WorkerDrain drain;
    private final CoordinatorWait coordinators;
    private final Scheduler delays;
    private final Clock clock;
    private final LifecycleConfig config;
    private final Duration pollInterval;
    private final Backoff retries;
    private final Duration watchWait;
    private final LeaderScopedRunner leader = new LeaderScopedRunner("lifecycle drain");

    public LifecycleService(String replicaId, KvStore kv, ClusterRepository clusters, NomadNodes nodes, LifecycleActions actions, WorkerDrain drain,
            CoordinatorWait coordinators, Scheduler delays, Clock clock, LifecycleConfig config, Duration pollInterval, Backoff retries, Duration watchWait)
    {
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.kv = requireNonNull(kv, "kv is null");
        this.clusters = requireNonNull(clusters, "clusters is null");
        this.nodes = requireNonNull(nodes, "nodes is null");
        this.actions = requireNonNull(actions, "actions is null");
        this.drain = requireNonNull(drain, "drain is null");
        this.coordinators = requireNonNull(coordinators, "coordinators is null");
        this.delays = requireNonNull(delays, "delays is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.config = requireNonNull(config, "config is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.retries = requireNonNull(retries, "retries is null");
        this.watchWait = requireNonNull(watchWait, "watchWait is null");
    }

    public boolean isLeader()
    {
        return leader.isLeader();
    }

    /** Instance ids whose drain this replica runs now. */
    public Set<String> running()
    {
        return leader.running();
    }

    /**
     * Acts on one parsed message: a terminating instance is recorded (and started at once on the
     * leader); everything else is only logged. Fails only when the KV store is unavailable, in which
     * case the message must be kept for a retry.
     */
    public CompletionStage<Disposition> accept(LifecycleMessage message)
    {
        if (message instanceof Terminating terminating) {
            return submit(terminating.action(), terminating.via());
        }
        if (message instanceof Test test) {
            log.atInfo().addKeyValue("asg", test.autoScalingGroupName()).log("Lifecycle hook test notification acknowledged");
            return CompletableFuture.completedFuture(Disposition.TEST);
        }
        if (message instanceof Ignored ignored) {
            log.atInfo().addKeyValue("reason", ignored.reason()).log("Lifecycle message ignored");
            return CompletableFuture.completedFuture(Disposition.IGNORED);
        }
        if (message instanceof Malformed malformed) {
            log.atWarn().addKeyValue("field", malformed.field()).addKeyValue("reason", malformed.reason()).log("Malformed lifecycle message dropped");
            return CompletableFuture.completedFuture(Disposition.MALFORMED);
        }
        if (message instanceof SubscriptionConfirmation) {
            return CompletableFuture.completedFuture(Disposition.SUBSCRIPTION);
        }
        throw new IllegalArgumentException("unknown lifecycle message " + message.getClass().getSimpleName());
    }

    CompletionStage<Disposition> submit(LifecycleAction action, String via)
    {
        DrainRecord record = DrainRecord.received(action, via, clock.instant());
        return kv.compareAndSet(DrainRecord.key(action.instanceId()), write(record), 0)
                .thenApply(ignored -> {
                    log.atInfo().addKeyValue("instance", action.instanceId()).addKeyValue("asg", action.autoScalingGroupName())
                            .addKeyValue("hook", action.lifecycleHookName()).addKeyValue("via", via).log("Instance terminating: drain recorded");
                    leader.current().ifPresent(current -> start(current, record));
                    return Disposition.ACCEPTED;
                })
                .exceptionally(failure -> {
                    if (Failures.unwrap(failure) instanceof ConflictException) {
                        log.atInfo().addKeyValue("instance", action.instanceId()).addKeyValue("via", via).log("Duplicate lifecycle message: this instance's drain is recorded already");
                        return Disposition.DUPLICATE;
                    }
                    throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
                });
    }

    /** The drain recorded for an instance, if any. */
    public CompletionStage<Optional<DrainRecord>> record(String instanceId)
    {
        return kv.get(DrainRecord.key(instanceId)).thenApply(entry -> entry.map(e -> read(e.value())));
    }

    @Override
    public void gained()
    {
        leader.begin().ifPresent(started -> {
            log.atInfo().addKeyValue("replica", replicaId).log("Leader: resuming unfinished lifecycle drains");
            watch(started, 0, 0);
        });
    }

    @Override
    public void lost(String reason)
    {
        leader.end().ifPresent(ended -> log.atInfo().addKeyValue("reason", reason).addKeyValue("drains", ended.stopped())
                .log("Leadership lost: lifecycle drains stop here; the next leader resumes them"));
    }

    /** Follows {@code lifecycle/}: starts every unfinished drain (resumed ones, ones another replica recorded), prunes old finished ones. */
    private void watch(Term watching, long index, int failures)
    {
        if (watching.ended()) {
            return;
        }
        kv.watch(PREFIX, index, watchWait).whenComplete((listing, failure) -> {
            if (watching.ended()) {
                return;
            }
            if (failure != null) {
                Duration wait = retries.delay(failures + 1);
                log.atWarn().addKeyValue("error", Failures.unwrap(failure).getMessage()).addKeyValue("attempt", failures + 1).addKeyValue("retry_in", wait)
                        .log("Cannot read the lifecycle drains; retrying");
                delays.after(wait).thenRun(() -> watch(watching, index, failures + 1));
                return;
            }
            Instant now = clock.instant();
            for (KvEntry entry : listing.entries()) {
                DrainRecord record;
                try {
                    record = read(entry.value());
                }
                catch (UncheckedIOException e) {
                    log.atWarn().addKeyValue("key", entry.key()).addKeyValue("error", e.getMessage()).log("Unreadable lifecycle drain record skipped");
                    continue;
                }
                if (record.state() != State.DONE) {
                    start(watching, record);
                }
                else if (record.updatedAt().plus(DONE_RETENTION).isBefore(now)) {
                    kv.deleteIfUnchanged(entry.key(), entry.modifyIndex());
                }
            }
            watch(watching, listing.index() == index ? index : listing.index(), 0);
        });
    }

    private void start(Term term, DrainRecord seen)
    {
        String instance = seen.action().instanceId();
        // the instance's drain runs (and waits to be tried again) under its key until it is done, so the watch does not start it twice
        leader.start(term, instance, owner -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            attempt(owner, instance, Optional.empty(), 0, done);
            return done;
        });
    }

    /**
     * One try at a drain, on the stored record (what started it may be stale: a watch answer from
     * before the last run finished). {@code failed} is this term's last try when it failed, and
     * {@code failures} how many tries in a row did.
     */
    private void attempt(Execution owner, String instance, Optional<DrainRun> failed, int failures, CompletableFuture<Void> done)
    {
        record(instance).whenComplete((latest, failure) -> {
            if (!owner.active()) {
                done.complete(null);
                return;
            }
            if (failure != null) {
                retry(owner, instance, failed, failures + 1, failure, done);
                return;
            }
            if (latest.isEmpty() || latest.get().state() == State.DONE) {
                done.complete(null);
                return;
            }
            run(owner, latest.get(), failed, failures, done);
        });
    }

    private void run(Execution owner, DrainRecord record, Optional<DrainRun> failed, int failures, CompletableFuture<Void> done)
    {
        String instance = record.action().instanceId();
        if (failures == 0 && record.state() != State.RECEIVED) {
            log.atInfo().addKeyValue("instance", instance).addKeyValue("state", record.state()).addKeyValue("previous_runner", record.runner().orElse(""))
                    .log("Resuming an interrupted lifecycle drain from the start");
            record.clusters().forEach(cluster -> event(owner, cluster, "lifecycle-drain-resumed",
                    "Replica " + replicaId + " resumes the drain of instance " + instance + " (was " + record.state().name().toLowerCase(Locale.ROOT) + ")", record.action()));
        }
        DrainRun execution = new DrainRun(owner, record.withRunner(replicaId), failed);
        execution.heartbeats();
        execution.run()
                .whenComplete((ignored, failure) -> {
                    execution.finished.set(true);
                    if (failure == null) {
                        done.complete(null);
                        return;
                    }
                    retry(owner, instance, Optional.of(execution), failures + 1, failure, done);
                });
    }

    /**
     * Tries a failed drain again after a capped exponential backoff with jitter. The first failure
     * in a row is an event in the affected clusters' timelines; the tries after it are not (the
     * drain's state has not changed), and its next event is how it ends.
     */
    private void retry(Execution owner, String instance, Optional<DrainRun> failed, int failures, Throwable failure, CompletableFuture<Void> done)
    {
        if (!owner.active()) {
            done.complete(null);
            return;
        }
        Duration wait = retries.delay(failures);
        String error = Failures.unwrap(failure).getMessage();
        log.atWarn().addKeyValue("instance", instance).addKeyValue("error", error).addKeyValue("attempt", failures).addKeyValue("retry_in", wait)
                .log(failed.map(DrainRun::completing).orElse(false)
                        ? "Completing the lifecycle action failed; trying the completion again"
                        : "Lifecycle drain step failed; trying again from the start");
        if (failures == 1) {
            failed.ifPresent(execution -> execution.record.clusters().forEach(cluster -> event(owner, cluster, "lifecycle-drain-retrying",
                    "The drain of instance " + instance + " failed" + (execution.completing() ? " to complete the lifecycle action" : "") + ": " + error
                            + "; trying again after " + retries.initial().toSeconds() + " s, then twice as long each time up to " + retries.max().toSeconds()
                            + " s (with jitter); no event per try", execution.action)));
        }
        delays.after(wait).thenRun(() -> attempt(owner, instance, failed, failures, done));
    }

    /** One run of one drain within one leadership term. */
    private final class DrainRun
    {
        private final Execution scope;
        private final LifecycleAction action;
        private final AtomicBoolean finished = new AtomicBoolean();
        /** Whether this term tried this drain before, and failed. */
        private final boolean retrying;
        private volatile DrainRecord record;
        private volatile boolean boundReached;
        /** The result and why, once this run got as far as completing the lifecycle action. */
        private volatile Map.Entry<Result, String> completion;

        /** @param failed this term's previous run of the drain, which failed */
        DrainRun(Execution scope, DrainRecord record, Optional<DrainRun> failed)
        {
            this.scope = scope;
            this.record = record;
            this.action = record.action();
            this.retrying = failed.isPresent();
            this.boundReached = failed.map(previous -> previous.boundReached).orElse(false);
            this.completion = failed.map(previous -> previous.completion).orElse(null);
        }

        /** Whether the failure was the completion of the lifecycle action: the node was drained. */
        boolean completing()
        {
            return completion != null;
        }

        CompletionStage<Void> run()
        {
            String instance = action.instanceId();
            if (completion != null) {
                // the previous run drained the node and failed to complete the action: only that is tried again
                return complete(completion.getKey(), completion.getValue());
            }
            return nodes.findByInstanceId(instance).thenCompose(found -> {
                if (found.isEmpty()) {
                    log.atInfo().addKeyValue("instance", instance).log("Terminating instance is not a Nomad node: completing the lifecycle action at once");
                    return complete(Result.CONTINUE, "not a Nomad node");
                }
                Node node = found.get();
                return nodes.allocations(node.id()).thenCompose(allocations -> drainNode(node, allocations));
            });
        }

        private CompletionStage<Void> drainNode(Node node, List<NodeAllocation> allocations)
        {
            List<NodeAllocation> workers = allocations.stream()
                    .filter(alloc -> alloc.taskGroup().equals(JobNames.WORKER_GROUP) && alloc.cluster().isPresent() && alloc.http().isPresent())
                    .filter(alloc -> alloc.desiredStatus().equals("run") && alloc.live())
                    .toList();
            List<NodeAllocation> coordinatorAllocs = allocations.stream()
                    .filter(alloc -> alloc.cluster().isPresent() && alloc.live() && !alloc.taskGroup().equals(JobNames.WORKER_GROUP))
                    .toList();
            Set<String> affected = new TreeSet<>(record.clusters());
            workers.forEach(worker -> affected.add(worker.cluster().get()));
            coordinatorAllocs.forEach(alloc -> affected.add(alloc.cluster().get()));
            record = record.withNode(node.id(), List.copyOf(affected));
            log.atInfo().addKeyValue("instance", action.instanceId()).addKeyValue("node", node.name()).addKeyValue("workers", workers.size())
                    .addKeyValue("clusters", affected).log("Draining the Trino workers of a terminating node");
            for (String cluster : retrying ? Set.<String>of() : affected) {
                event(scope, cluster, "lifecycle-drain-started", "Auto Scaling group " + action.autoScalingGroupName() + " terminates instance " + action.instanceId()
                        + " (Nomad node " + node.name() + "): marked ineligible, draining " + workers.stream().filter(w -> w.cluster().get().equals(cluster)).count()
                        + " worker(s)", action);
            }
            return save(State.DRAINING_WORKERS, "node " + node.name() + " ineligible; draining " + workers.size() + " worker(s)"
                            + (coordinatorAllocs.isEmpty() ? "" : ", waiting for the queries of " + coordinatorAllocs.size() + " coordinator(s)"))
                    .thenCompose(ignored -> nodes.markIneligible(node.id()))
                    .thenCompose(ignored -> CompletableFuture.allOf(drainWorkers(workers).toCompletableFuture(), awaitCoordinators(coordinatorAllocs).toCompletableFuture()))
                    .thenCompose(ignored -> {
                        record = record.withWorkersDrainedAt(clock.instant());
                        return save(State.DRAINING_NODE, "workers drained; Nomad drains node " + node.name());
                    })
                    .thenCompose(ignored -> nodes.drain(node.id(), config.nodeDrainDeadline()))
                    .thenCompose(ignored -> waitStopped(node, clock.instant().plus(config.nodeDrainDeadline()).plus(Duration.ofSeconds(30))))
                    .thenCompose(stopped -> {
                        if (!stopped) {
                            boundReached = true;
                            for (String cluster : record.clusters()) {
                                event(scope, cluster, "lifecycle-node-drain-late", "Allocations on node " + node.name() + " still run past the node drain deadline "
                                        + config.nodeDrainDeadline().toSeconds() + "s", action);
                            }
                        }
                        Result result = boundReached ? config.resultAtBound() : Result.CONTINUE;
                        if (boundReached) {
                            for (String cluster : record.clusters()) {
                                event(scope, cluster, "lifecycle-bound-reached", "A drain bound passed on instance " + action.instanceId()
                                        + "; completing the lifecycle action with " + result + " (lifecycle.result-at-bound)", action);
                            }
                        }
                        return complete(result, boundReached ? "bound reached" : "drained");
                    });
        }

        private CompletionStage<Void> drainWorkers(List<NodeAllocation> workers)
        {
            List<CompletableFuture<Void>> drains = new ArrayList<>();
            for (NodeAllocation worker : workers) {
                String cluster = worker.cluster().get();
                drains.add(drain.drain(worker.http().get(), cluster, config.drainBound(), progress -> log.atInfo().addKeyValue("instance", action.instanceId()).addKeyValue("alloc", worker.id()).addKeyValue("progress", progress).log("Worker drain"))
                        .thenAccept(result -> {
                            if (!result.finished()) {
                                boundReached = true;
                            }
                            log.atInfo().addKeyValue("instance", action.instanceId()).addKeyValue("cluster", cluster).addKeyValue("alloc", worker.id())
                                    .addKeyValue("outcome", result.outcome()).addKeyValue("took_ms", result.took().toMillis()).log("Worker drain finished");
                            String type = result.outcome().equals(WorkerDrain.DISABLED) ? "lifecycle-worker-not-drained"
                                    : result.finished() ? "lifecycle-worker-drained" : "lifecycle-worker-drain-" + result.outcome().toLowerCase(Locale.ROOT);
                            event(scope, cluster, type,
                                    "Worker " + worker.name() + " on instance " + action.instanceId() + ": " + result.outcome() + " after "
                                            + result.took().toMillis() + " ms" + (result.detail().isEmpty() ? "" : " (" + result.detail() + ")"), action);
                        })
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new));
        }

        /**
         * Stops no coordinator before the queries running on it have ended, within the drain bound
         * (Trino drains no coordinator, and its queries end with it); each wait is announced and its
         * end recorded, and a bound reached counts as for a worker.
         */
        private CompletionStage<Void> awaitCoordinators(List<NodeAllocation> coordinatorAllocs)
        {
            List<CompletableFuture<Void>> waits = new ArrayList<>();
            for (NodeAllocation alloc : coordinatorAllocs) {
                String cluster = alloc.cluster().get();
                event(scope, cluster, "lifecycle-coordinator-on-node", "Instance " + action.instanceId() + " runs " + alloc.name()
                        + (coordinators.waits()
                        ? ": Trino cannot drain a coordinator, so it stops once the queries running on it now have ended (at most "
                        + config.drainBound().toSeconds() + " s, lifecycle.drain-bound); queries submitted from now on fail when it stops"
                        : ": Trino cannot drain a coordinator, and drain.enabled is false, so the node drain stops it now; the queries running on it fail")
                        + ", and the cluster has no coordinator until Nomad places a new one on another node (keep coordinators off instances the Auto Scaling group may terminate)", action);
                waits.add(coordinators.await(cluster, config.drainBound(), progress -> log.atInfo().addKeyValue("instance", action.instanceId())
                                .addKeyValue("alloc", alloc.id()).addKeyValue("progress", progress).log("Coordinator wait"))
                        .thenAccept(result -> {
                            if (result.outcome() == CoordinatorWait.Outcome.BOUND_REACHED) {
                                boundReached = true;
                            }
                            log.atInfo().addKeyValue("instance", action.instanceId()).addKeyValue("cluster", cluster).addKeyValue("alloc", alloc.id())
                                    .addKeyValue("outcome", result.outcome()).addKeyValue("took_ms", result.took().toMillis()).log("Coordinator wait finished");
                            event(scope, cluster, "lifecycle-coordinator-" + result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                                    "Coordinator " + alloc.name() + " on instance " + action.instanceId() + ": " + result.outcome() + " after " + result.took().toMillis()
                                            + " ms (" + result.detail() + "); the node drain stops it now", action);
                        })
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
        }

        /** Whether every non-system allocation on the node stopped before {@code until}. */
        private CompletionStage<Boolean> waitStopped(Node node, Instant until)
        {
            if (!scope.active()) {
                return CompletableFuture.failedFuture(new IllegalStateException("leadership lost"));
            }
            return nodes.allocations(node.id()).thenCompose(allocations -> {
                boolean stopped = allocations.stream().noneMatch(alloc -> alloc.live() && !alloc.system());
                if (stopped) {
                    return CompletableFuture.completedFuture(true);
                }
                if (!clock.instant().isBefore(until)) {
                    return CompletableFuture.completedFuture(false);
                }
                return delays.after(pollInterval).thenCompose(ignored -> waitStopped(node, until));
            });
        }

        private CompletionStage<Void> complete(Result result, String why)
        {
            completion = Map.entry(result, why);
            return save(State.COMPLETING, "completing with " + result + " (" + why + ")")
                    .thenCompose(ignored -> actions.complete(action, result))
                    .thenCompose(answer -> {
                        Instant now = clock.instant();
                        String outcome = answer == Answer.EXPIRED ? "EXPIRED" : result.name();
                        long overhead = record.workersDrainedAt().map(at -> Duration.between(at, now).toMillis()).orElse(-1L);
                        if (answer == Answer.EXPIRED) {
                            log.atWarn().addKeyValue("instance", action.instanceId()).addKeyValue("asg", action.autoScalingGroupName())
                                    .log("No active lifecycle action found (token expired or completed elsewhere); drain record closed");
                        }
                        else {
                            log.atInfo().addKeyValue("instance", action.instanceId()).addKeyValue("asg", action.autoScalingGroupName()).addKeyValue("result", result)
                                    .addKeyValue("drained_to_complete_ms", overhead).log("Lifecycle action completed");
                        }
                        for (String cluster : record.clusters()) {
                            event(scope, cluster, answer == Answer.EXPIRED ? "lifecycle-action-expired" : "lifecycle-action-completed",
                                    answer == Answer.EXPIRED
                                            ? "Instance " + action.instanceId() + ": no active lifecycle action found (expired); nothing completed"
                                            : "Instance " + action.instanceId() + ": CompleteLifecycleAction " + result + " (" + why + ")"
                                                    + (overhead >= 0 ? ", " + overhead + " ms after its workers drained" : ""), action);
                        }
                        record = record.done(outcome, now, why);
                        return write(record);
                    });
        }

        /** Heartbeats every {@code lifecycle.heartbeat-interval} until this execution finishes or leadership ends. */
        void heartbeats()
        {
            delays.after(config.heartbeatInterval()).thenRun(() -> {
                if (finished.get() || !scope.active()) {
                    return;
                }
                actions.heartbeat(action).whenComplete((answer, failure) -> {
                    if (failure != null) {
                        log.atWarn().addKeyValue("instance", action.instanceId()).addKeyValue("error", Failures.unwrap(failure).getMessage()).log("Lifecycle heartbeat failed");
                    }
                    else if (answer == Answer.EXPIRED) {
                        log.atWarn().addKeyValue("instance", action.instanceId()).log("Lifecycle heartbeat: no active lifecycle action found; the drain goes on, completion will be refused");
                    }
                    else {
                        log.atDebug().addKeyValue("instance", action.instanceId()).log("Lifecycle heartbeat sent");
                    }
                    heartbeats();
                });
            });
        }

        private CompletionStage<Void> save(State state, String detail)
        {
            record = record.withState(state, clock.instant(), detail);
            return write(record);
        }

        private CompletionStage<Void> write(DrainRecord value)
        {
            if (!scope.active()) {
                return CompletableFuture.failedFuture(new IllegalStateException("leadership lost: not writing the drain of " + action.instanceId()));
            }
            return kv.put(DrainRecord.key(action.instanceId()), LifecycleService.write(value));
        }
    }

    private void event(Execution owner, String cluster, String type, String message, LifecycleAction action)
    {
        if (!owner.active()) {
            return;
        }
        clusters.appendEvent(new ClusterEvent(clock.instant(), cluster, type, message, "autoscaling:" + action.autoScalingGroupName(), Optional.empty()))
                .whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        log.atWarn().addKeyValue("cluster", cluster).addKeyValue("type", type).addKeyValue("error", Failures.unwrap(failure).getMessage())
                                .log("Cannot record a cluster event");
                    }
                });
    }

    static String write(DrainRecord record)
    {
        try {
            return ClusterJson.MAPPER.writeValueAsString(record);
        }
        catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DrainRecord read(String json)
    {
        try {
            return ClusterJson.MAPPER.readValue(json, DrainRecord.class);
        }
        catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored lifecycle drain cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
