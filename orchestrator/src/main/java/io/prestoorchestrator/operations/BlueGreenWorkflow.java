package io.prestoorchestrator.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.autoscaling.CoordinatorClient;
import io.prestoorchestrator.autoscaling.QueryInfo;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.nomad.Deployment;
import io.prestoorchestrator.nomad.DeploymentOutcome;
import io.prestoorchestrator.nomad.GroupProgress;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.routing.PublicRoutes;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * Issue 18's blue-green rollout of a running cluster: what a restart, an upgrade, or a coordinator,
 * JVM or catalog-property change does when the spec's rollout is {@code blue-green}. The job's
 * groups carry Nomad canary update blocks (the template renders them), so registering the new
 * version starts a new coordinator and the workers its readiness gate needs <em>beside</em> the old
 * allocations, on the other side ({@code blue} / {@code green}). Then:
 * <ol>
 * <li>{@code new-side}: wait until Nomad reports every canary healthy (the coordinator's health
 *     includes the readiness gate, so it counts its workers as active);</li>
 * <li>{@code switch}: one Traefik KV write raises the new side's public router above the old one:
 *     new queries go to the new coordinator; queries in flight keep polling the old one through its
 *     pinned host ({@link PublicRoutes});</li>
 * <li>{@code old-side-queries}: wait until the old coordinator runs no query, at most the job's
 *     {@code orchestrator_old_side_timeout_seconds}; reaching the bound is recorded as an event with
 *     the queries still running (they fail when the old side stops);</li>
 * <li>{@code promote}: Nomad stops the old coordinator and replaces the old workers that remain
 *     (each drains itself on the kill signal; they run no query any more);</li>
 * <li>the old side's public router is removed.</li>
 * </ol>
 * Until the switch a failure reverts the job to the version the old side runs (Nomad stops the
 * canaries) and nothing changed for a client. It runs again from the start after a leader change:
 * a deployment of the job's current version that still waits for promotion is picked up where it is,
 * and a revert the former leader did not finish (a new side that failed before the switch) is finished.
 */
final class BlueGreenWorkflow
{
    /** How long Traefik takes to see a change, when the job does not say ({@link #SWITCH_SETTLE_META}). */
    static final Duration SWITCH_SETTLE = Duration.ofSeconds(5);
    static final String SIDE_META = "orchestrator_side";
    static final String SWITCH_SETTLE_META = "orchestrator_switch_settle_seconds";
    static final String OLD_SIDE_TIMEOUT_META = "orchestrator_old_side_timeout_seconds";
    static final String ENTRYPOINT_META = "orchestrator_route_entrypoint";

    private final NomadJobs nomad;
    private final OperationSteps steps;
    private final PublicRoutes routes;
    private final CoordinatorClient coordinators;
    private final ServiceHealth services;
    private final Clock clock;
    private final Duration settleTimeout;

    BlueGreenWorkflow(NomadJobs nomad, OperationSteps steps, PublicRoutes routes, CoordinatorClient coordinators, ServiceHealth services, Clock clock, Duration settleTimeout)
    {
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.routes = requireNonNull(routes, "routes is null");
        this.coordinators = requireNonNull(coordinators, "coordinators is null");
        this.services = requireNonNull(services, "services is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
    }

    PublicRoutes routes()
    {
        return routes;
    }

    /** The side a job's allocations are on; empty for a job rendered before issue 18 (it is replaced in place once). */
    static Optional<String> side(JsonNode job)
    {
        return Optional.of(job.path("Meta").path(SIDE_META)).filter(JsonNode::isTextual).map(JsonNode::asText).filter(RenderInputs.SIDES::contains);
    }

    /** The host and entry point of a rendered job's public route. */
    static PublicHost publicHost(JsonNode job)
    {
        String url = job.path("Meta").path("public_url").asText("");
        String host = URI.create(url).getHost();
        if (host == null) {
            throw new IllegalStateException("the rendered job has no public_url in its Meta: " + url);
        }
        return new PublicHost(host, job.path("Meta").path(ENTRYPOINT_META).asText("web"));
    }

    record PublicHost(String host, String entrypoint) {}

    /**
     * A blue-green deployment of the job's current version that has not ended: what a resumed
     * operation picks up instead of registering again.
     */
    CompletionStage<Optional<Deployment>> inFlight(NomadJob current)
    {
        return nomad.latestDeployment(current.id()).thenApply(latest -> latest
                .filter(deployment -> deployment.jobVersion() == current.version() && !deployment.terminal())
                .filter(deployment -> deployment.groups().values().stream().anyMatch(group -> group.desiredCanaries() > 0)));
    }

    /**
     * A resumed update or restart whose blue-green deployment ended while no replica led (its former leader
     * promoted, then died; Nomad finished the deployment alone): the old side's public router, which that leader
     * would have removed next, goes now, once the deployment of {@code current}'s version succeeded (then no
     * allocation runs on the other side). Nothing is removed while that deployment runs or once it failed (canaries
     * that never took over: {@link #finishRevertLeftByFormerLeader} finishes their revert first): the other side may
     * still serve every query. Found by
     * {@code FaultInjectionIT}: a leader killed right after the promotion left both routers in Traefik's KV. The
     * router found may also be the new side's, written inactive by a former leader that died before it registered
     * the new side: it routes to nothing yet, and the blue-green run writes it again.
     */
    CompletionStage<Void> removeRouteLeftByFormerLeader(String cluster, NomadJob current, Tracker tracker)
    {
        Optional<String> side = side(current.spec());
        if (side.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String from = RenderInputs.otherSide(side.get());
        return nomad.latestDeployment(current.id()).thenCompose(latest -> latest.filter(deployment -> deployment.jobVersion() == current.version() && deployment.successful()).isEmpty()
                ? CompletableFuture.<Void>completedFuture(null)
                : routes.routes(cluster).thenCompose(routers -> routers.stream().noneMatch(route -> route.side().equals(from))
                        ? CompletableFuture.<Void>completedFuture(null)
                        : tracker.whileLeading(() -> steps.event(cluster, "old-route-removed", "Side " + from + "'s public router, left by the former leader after the"
                                        + " deployment ended, is removed", tracker.operation().requestedBy(), tracker.operation()))
                                .thenCompose(ignored -> tracker.whileLeading(() -> routes.remove(cluster, from)))));
    }

    /**
     * Registers {@code job} (rendered for the side opposite {@code current}'s, with canaries) and takes
     * the cluster over to it, or picks up {@code resumed}, a deployment of it already under way.
     *
     * @param register registers the job and records its index; answers the registered version's job modify index
     * @return the deployment's outcome: successful once the old side stopped
     */
    CompletionStage<DeploymentOutcome> run(ClusterRecord record, NomadJob current, ObjectNode job, Optional<Deployment> resumed,
            java.util.function.Function<ObjectNode, CompletionStage<Long>> register, Tracker tracker)
    {
        String name = record.name();
        String to = side(job).orElseThrow(() -> new IllegalStateException("the blue-green job has no side"));
        String from = RenderInputs.otherSide(to);
        PublicHost host = publicHost(job);
        Duration oldSideBound = Duration.ofSeconds(job.path("Meta").path(OLD_SIDE_TIMEOUT_META).asLong(1800));
        Duration settle = switchSettle(job);
        int canaryWorkers = canaries(job, JobNames.WORKER_GROUP);
        Instant started = clock.instant();
        Operation operation = tracker.operation();

        CompletionStage<Deployment> deployment;
        if (resumed.isPresent()) {
            tracker.progress("blue-green", "picking up deployment " + OperationSteps.shortId(resumed.get().id()) + " of side " + to + " where the former leader left it");
            deployment = CompletableFuture.completedFuture(resumed.get());
        }
        else {
            deployment = tracker.step("blue-green", "side " + to + " starts beside side " + from + ": 1 coordinator and " + canaryWorkers + " worker(s) more, until the switch")
                    .thenCompose(ignored -> tracker.whileLeading(() -> steps.event(name, "blue-green-started", "Side " + to + " (job version after " + current.version()
                            + ") starts beside side " + from + ": 1 coordinator and " + canaryWorkers + " worker(s) more while both run; side " + from
                            + " keeps serving every query until the switch", operation.requestedBy(), operation)))
                    .thenCompose(ignored -> tracker.whileLeading(() -> routes.ensure(name, to, host.host(), host.entrypoint())))
                    .thenCompose(ignored -> register.apply(job))
                    .thenCompose(ignored -> steps.deploymentOfCurrentVersion(current.id(), "new-side", tracker));
        }
        return deployment.thenCompose(found -> {
            if (found.groups().values().stream().noneMatch(group -> group.desiredCanaries() > 0)) {
                // Nomad placed no canary (a job whose groups lost their canary update blocks): it replaces in place
                return rolledInPlace(name, found, from, to, tracker);
            }
            return awaitNewSide(found, tracker)
                    .thenCompose(ready -> ready.isPresent() && !ready.get().groups().values().stream().anyMatch(GroupProgress::promoted)
                            ? awaitGate(name, to, tracker).thenApply(passed -> passed ? ready : Optional.<Deployment>empty())
                            : CompletableFuture.completedFuture(ready))
                    .thenCompose(ready -> ready.isPresent()
                            ? switchAndFinish(record, ready.get(), from, to, oldSideBound, settle, started, canaryWorkers, tracker)
                            : revert(record, current, found, from, to, "side " + to + " did not become healthy within " + settleTimeout.toSeconds() + " s ("
                                    + OperationSteps.describe(found) + ")", "", tracker));
        });
    }

    private CompletionStage<DeploymentOutcome> switchAndFinish(ClusterRecord record, Deployment deployment, String from, String to, Duration oldSideBound,
            Duration settle, Instant started, int canaryWorkers, Tracker tracker)
    {
        String name = record.name();
        Operation operation = tracker.operation();
        boolean promoted = deployment.groups().values().stream().anyMatch(GroupProgress::promoted);
        if (promoted) {
            // a resumed operation whose former leader promoted already: only the end is left
            return steps.watchToEnd(deployment.id(), "deploy", tracker).thenCompose(outcome -> removeOldRoute(name, from, outcome, tracker));
        }
        return tracker.step("switch", "new queries go to side " + to + " (one Traefik KV write); queries running on side " + from + " finish there")
                // the gate passed: Traefik knows the new side's service once its catalog refresh ran
                .thenCompose(ignored -> tracker.await(steps.delay(settle)))
                .thenCompose(ignored -> tracker.whileLeading(() -> routes.activate(name, to)))
                .thenCompose(switched -> tracker.whileLeading(() -> steps.event(name, "traffic-switched", "New queries go to side " + to + " from now on"
                        + (switched ? "" : " (it already took them)") + "; queries already running on side " + from
                        + " keep reaching its coordinator through their pinned nextUri host until they end", operation.requestedBy(), operation)))
                // Traefik applies the KV write (a watch) at once, but only once it knows the new side's service (its catalog refresh)
                .thenCompose(ignored -> tracker.await(steps.delay(settle)))
                .thenCompose(ignored -> tracker.step("old-side-queries", "waiting for the queries running on side " + from + " to end (at most " + oldSideBound.toSeconds() + " s)"))
                .thenCompose(ignored -> awaitOldSideIdle(record, from, oldSideBound, tracker))
                .thenCompose(left -> tracker.whileLeading(() -> left == 0
                        ? steps.event(name, "old-side-idle", "Side " + from + "'s coordinator runs no query any more", operation.requestedBy(), operation)
                        : steps.event(name, "old-side-bound-reached", left + " query(ies) still ran on side " + from + " after " + oldSideBound.toSeconds()
                                + " s (old_side_timeout_seconds); they fail as side " + from + " stops now", operation.requestedBy(), operation)))
                .thenCompose(ignored -> tracker.step("promote", "Nomad stops side " + from + "'s coordinator and replaces its remaining workers, each drained"))
                .thenCompose(ignored -> tracker.whileLeading(() -> nomad.promote(deployment.id())))
                .thenCompose(ignored -> tracker.step("deploy", "waiting for the deployment: side " + from + " stops, side " + to + " takes the full worker count"))
                .thenCompose(ignored -> steps.watchToEnd(deployment.id(), "deploy", tracker))
                .thenCompose(outcome -> {
                    Duration both = Duration.between(started, clock.instant());
                    return tracker.whileLeading(() -> steps.event(name, "old-side-stopped", "Side " + from + " stopped; both sides ran for " + both.toSeconds()
                                    + " s: 1 extra coordinator and " + canaryWorkers + " extra worker(s), about " + (both.toSeconds() * canaryWorkers) + " extra worker-seconds",
                                    operation.requestedBy(), operation))
                            .thenCompose(ignored -> removeOldRoute(name, from, outcome, tracker));
                });
    }

    /** A deployment without canaries replaced the allocations in place: once it ended, the new side's route takes the public host. */
    private CompletionStage<DeploymentOutcome> rolledInPlace(String name, Deployment deployment, String from, String to, Tracker tracker)
    {
        tracker.progress("new-side", "Nomad placed no canaries for deployment " + OperationSteps.shortId(deployment.id()) + ": it replaces the allocations in place");
        return steps.watchToEnd(deployment.id(), "deploy", tracker).thenCompose(outcome -> !outcome.deployment().successful()
                ? CompletableFuture.completedFuture(outcome)
                : tracker.whileLeading(() -> routes.activate(name, to)).thenCompose(ignored -> removeOldRoute(name, from, outcome, tracker)));
    }

    private CompletionStage<DeploymentOutcome> removeOldRoute(String name, String from, DeploymentOutcome outcome, Tracker tracker)
    {
        if (!outcome.deployment().successful()) {
            return CompletableFuture.completedFuture(outcome);
        }
        return tracker.whileLeading(() -> routes.remove(name, from)).thenApply(ignored -> outcome);
    }

    /**
     * Nomad's canary health leaves the readiness gate out (the check's {@code on_update} is
     * {@code ignore}): the switch waits until the new side's routed instance passes in Consul, then
     * until Traefik has seen it ({@code settle}). False when it did not pass in time.
     */
    private CompletionStage<Boolean> awaitGate(String name, String side, Tracker tracker)
    {
        Instant deadline = clock.instant().plus(settleTimeout);
        return tracker.step("new-side-gate", "waiting for side " + side + "'s readiness gate to pass in Consul")
                .thenCompose(ignored -> steps.poll(tracker, "new-side-gate", steps.pollInterval(), deadline.plusSeconds(1), () -> services.instances(JobNames.jobId(name))
                        .thenApply(instances -> {
                            Optional<ServiceHealth.Instance> instance = instances.stream().filter(found -> found.tags().contains("side-" + side)).findFirst();
                            boolean passing = instance.map(ServiceHealth.Instance::passing).orElse(false);
                            if (passing || clock.instant().isAfter(deadline)) {
                                return Look.done(passing, Optional.of(passing ? "side " + side + " passes its readiness gate" : "side " + side + " did not pass its readiness gate in time"));
                            }
                            String gate = instance.flatMap(found -> found.checks().stream().filter(check -> !check.status().equals("passing")).findFirst())
                                    .map(check -> check.status() + (check.output().isBlank() ? "" : ": " + check.output().strip())).orElse("not registered yet");
                            return Look.<Boolean>waiting(Optional.of("side " + side + "'s readiness gate: " + gate), "unreachable");
                        })));
    }

    static Duration switchSettle(JsonNode job)
    {
        long seconds = job.path("Meta").path(SWITCH_SETTLE_META).asLong(-1);
        return seconds >= 0 ? Duration.ofSeconds(seconds) : SWITCH_SETTLE;
    }

    /** The deployment once every canary is healthy (or it was promoted already); empty when it failed or took too long. */
    private CompletionStage<Optional<Deployment>> awaitNewSide(Deployment deployment, Tracker tracker)
    {
        Instant deadline = clock.instant().plus(settleTimeout);
        return tracker.step("new-side", "waiting for the new side's canaries to be healthy (the coordinator's readiness gate passes)")
                .thenCompose(ignored -> steps.poll(tracker, "new-side", steps.pollInterval(), deadline.plusSeconds(1), () -> nomad.latestDeployment(deployment.jobId()).thenApply(latest -> {
                    Deployment seen = latest.filter(found -> found.id().equals(deployment.id())).orElse(deployment);
                    boolean promoted = seen.groups().values().stream().anyMatch(GroupProgress::promoted);
                    boolean ready = seen.groups().values().stream().filter(group -> group.desiredCanaries() > 0).allMatch(GroupProgress::canariesReady);
                    if (seen.terminal() || promoted || ready || clock.instant().isAfter(deadline)) {
                        return Look.done(seen, Optional.of(OperationSteps.describe(seen)));
                    }
                    return Look.<Deployment>waiting(Optional.of(canaryProgress(seen)), "unreachable");
                })))
                .thenApply(seen -> {
                    boolean promoted = seen.groups().values().stream().anyMatch(GroupProgress::promoted);
                    boolean ready = !seen.terminal() && seen.groups().values().stream().filter(group -> group.desiredCanaries() > 0).allMatch(GroupProgress::canariesReady);
                    return promoted || ready ? Optional.of(seen) : Optional.<Deployment>empty();
                });
    }

    /**
     * A resumed update or restart whose former leader registered a new side that failed before the switch, then
     * stopped leading before it finished the revert ({@link #revert}), which is finished now; the outcome is a failed
     * one, as the unresumed run's. Nomad ends such a deployment alone ({@code failed}: its canaries were never
     * promoted, the old side's allocations still serve every query), and the job stays at the failed side's version
     * until it is reverted to the latest earlier version that runs on the other side (the old side's allocations run
     * it). When the job already runs the old side's version again (the former leader reverted, then died before it
     * removed the failed side's router), only that router is left to remove: the operation's own {@code revert} step
     * tells it, as Nomad's revert is a new job version (in a real Nomad with its own deployment), which Nomad's state
     * alone does not tell apart from an earlier operation's revert. Empty when there is nothing of this to finish.
     */
    CompletionStage<Optional<DeploymentOutcome>> finishRevertLeftByFormerLeader(ClusterRecord record, NomadJob current, Tracker tracker)
    {
        Optional<String> side = side(current.spec());
        if (side.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String currentSide = side.get();
        String otherSide = RenderInputs.otherSide(currentSide);
        return nomad.latestDeployment(current.id()).thenCompose(latest -> {
            Optional<Deployment> failed = latest.filter(BlueGreenWorkflow::failedBeforeSwitch);
            if (failed.isPresent() && failed.get().jobVersion() == current.version()) {
                // the job runs the failed side's version: revert it to the old side's, as the former leader would have
                return newestEarlierVersionOn(current, otherSide).thenCompose(previous -> previous.isEmpty()
                        ? CompletableFuture.completedFuture(Optional.<DeploymentOutcome>empty())
                        : revert(record, previous.get(), failed.get(), otherSide, currentSide, "side " + currentSide + "'s deployment failed before the switch ("
                                + OperationSteps.describe(failed.get()) + ") and the former leader stopped leading before it reverted",
                                "; the revert was finished after a leader change", tracker).thenApply(Optional::of));
            }
            Optional<Operation.Step> reverting = tracker.operation().steps().stream().filter(step -> step.name().equals("revert")).reduce((first, second) -> second);
            if (reverting.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<DeploymentOutcome>empty());
            }
            // the former leader reverted the job to side currentSide's version already: side otherSide failed, only its router is left
            return newestEarlierVersionOn(current, otherSide).thenCompose(reverted -> reverted.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<DeploymentOutcome>empty())
                    : finishRouteRemoval(record.name(), current, reverted.get(), failed.filter(deployment -> deployment.jobVersion() == reverted.get().version()),
                            reverting.get(), currentSide, otherSide, tracker).thenApply(Optional::of));
        });
    }

    /** A blue-green deployment that ended without succeeding before its canaries were promoted: nothing was switched. */
    private static boolean failedBeforeSwitch(Deployment deployment)
    {
        return deployment.terminal() && !deployment.successful()
                && deployment.groups().values().stream().anyMatch(group -> group.desiredCanaries() > 0)
                && deployment.groups().values().stream().noneMatch(GroupProgress::promoted);
    }

    /** The latest version of the job before {@code current}'s that runs on {@code side}. */
    private CompletionStage<Optional<NomadJob>> newestEarlierVersionOn(NomadJob current, String side)
    {
        return nomad.versions(current.id()).thenApply(versions -> versions.stream()
                .filter(version -> version.version() < current.version() && side(version.spec()).equals(Optional.of(side)))
                .max(Comparator.comparingLong(NomadJob::version)));
    }

    /** The rest of {@link #revert} once Nomad's revert was made: the failed side's router goes. */
    private CompletionStage<DeploymentOutcome> finishRouteRemoval(String name, NomadJob current, NomadJob failedVersion, Optional<Deployment> failed, Operation.Step reverting,
            String from, String to, Tracker tracker)
    {
        Operation operation = tracker.operation();
        String why = "the former leader reverted job " + current.id() + " from side " + to + "'s version " + failedVersion.version() + " to side " + from
                + "'s (version " + current.version() + ") and stopped leading before it removed side " + to + "'s router; its revert step: " + reverting.detail();
        return tracker.step("revert", why)
                .thenCompose(ignored -> tracker.whileLeading(() -> routes.remove(name, to)))
                .thenCompose(ignored -> tracker.whileLeading(() -> steps.event(name, "blue-green-reverted", "Side " + to + " stopped before the switch: " + why
                        + "; the revert was finished after a leader change; side " + from + " kept serving", operation.requestedBy(), operation)))
                .thenApply(ignored -> {
                    Deployment deployment = failed.orElse(new Deployment("of job version " + failedVersion.version(), current.id(), failedVersion.version(), "failed", "",
                            Map.of(), 0));
                    return new DeploymentOutcome(new Deployment(deployment.id(), deployment.jobId(), deployment.jobVersion(), "failed",
                            "side " + to + " failed before the switch; reverted to side " + from + "'s version, " + current.version() + " (" + reverting.detail() + ")",
                            deployment.groups(), deployment.modifyIndex()), List.of());
                });
    }

    /**
     * Before the switch nothing changed for clients: Nomad goes back to the old side's version, which stops the canaries.
     *
     * @param previous the version the old side's allocations run
     * @param why why side {@code to} goes, for the step, the event and the outcome
     * @param note added to the event (e.g. that the revert was finished after a leader change)
     */
    private CompletionStage<DeploymentOutcome> revert(ClusterRecord record, NomadJob previous, Deployment deployment, String from, String to, String why, String note,
            Tracker tracker)
    {
        String name = record.name();
        Operation operation = tracker.operation();
        return tracker.step("revert", why + ": reverting job " + previous.id() + " to version " + previous.version() + ", which side " + from + " runs; no client saw a change")
                .thenCompose(ignored -> deployment.terminal()
                        ? CompletableFuture.completedFuture(null)
                        : tracker.whileLeading(() -> nomad.failDeployment(deployment.id())).exceptionally(failure -> null))
                .thenCompose(ignored -> nomad.job(previous.id()))
                .thenCompose(now -> now.isPresent() && now.get().version() != previous.version()
                        ? tracker.whileLeading(() -> nomad.revert(previous.id(), previous.version(), now.get().version())).thenApply(result -> (Void) null)
                        : CompletableFuture.completedFuture((Void) null))
                .thenCompose(ignored -> tracker.whileLeading(() -> routes.remove(name, to)))
                .thenCompose(ignored -> tracker.whileLeading(() -> steps.event(name, "blue-green-reverted", "Side " + to + " stopped before the switch: " + why
                        + note + "; side " + from + " kept serving", operation.requestedBy(), operation)))
                .thenApply(ignored -> new DeploymentOutcome(new Deployment(deployment.id(), deployment.jobId(), deployment.jobVersion(), "failed",
                        why + "; reverted to version " + previous.version(), deployment.groups(), deployment.modifyIndex()), List.of()));
    }

    /** Waits until the old side's coordinator runs no query, or the bound passes; answers how many still ran then. */
    private CompletionStage<Integer> awaitOldSideIdle(ClusterRecord record, String side, Duration bound, Tracker tracker)
    {
        return awaitNoQueries("old-side-queries", "side " + side, () -> sideCoordinator(record, side).thenApply(url -> url.stream().toList()), bound, tracker);
    }

    /**
     * Waits until none of the coordinators {@code urls} names runs a query, or {@code bound} passes;
     * answers how many still ran then. A coordinator that does not answer runs nothing a client
     * could still reach (it is gone or not started).
     */
    CompletionStage<Integer> awaitNoQueries(String step, String what, java.util.function.Supplier<CompletionStage<List<String>>> urls, Duration bound, Tracker tracker)
    {
        Instant deadline = clock.instant().plus(bound);
        return steps.poll(tracker, step, steps.pollInterval(), deadline.plusSeconds(1), () -> urls.get()
                .thenCompose(found -> {
                    CompletionStage<Integer> sum = CompletableFuture.completedFuture(0);
                    for (String url : found) {
                        CompletionStage<Integer> one = coordinators.queries(url)
                                .thenApply(json -> (int) QueryInfo.parseList(json).stream().filter(query -> query.outcome().isEmpty()).count())
                                .exceptionally(failure -> 0);
                        sum = sum.thenCombine(one, Integer::sum);
                    }
                    return sum;
                })
                .thenApply(left -> {
                    if (left == 0 || clock.instant().isAfter(deadline)) {
                        return Look.done(left, Optional.of(left == 0 ? what + " runs no query" : left + " query(ies) still run on " + what));
                    }
                    return Look.<Integer>waiting(Optional.of(left + " query(ies) still run on " + what), "unreachable");
                }));
    }

    /** Every coordinator of the cluster (both sides during a switch), as they registered in Consul, or at their local ports. */
    CompletionStage<List<String>> allCoordinators(ClusterRecord record)
    {
        if (record.coordinatorPort().isPresent()) {
            int port = record.coordinatorPort().get();
            return CompletableFuture.completedFuture(RenderInputs.SIDES.stream().map(side -> OperationSteps.localCoordinatorUrl(port, Optional.of(side))).toList());
        }
        return services.instances(JobNames.coordinatorService(record.name())).thenApply(instances -> instances.stream().map(ServiceHealth.Instance::httpUrl).toList());
    }

    /** The coordinator of {@code side}, as it registered in Consul (the side's tag on the coordinator's discovery service). */
    private CompletionStage<Optional<String>> sideCoordinator(ClusterRecord record, String side)
    {
        if (record.coordinatorPort().isPresent()) {
            return CompletableFuture.completedFuture(Optional.of(OperationSteps.localCoordinatorUrl(record.coordinatorPort().get(), Optional.of(side))));
        }
        return services.instances(JobNames.coordinatorService(record.name())).thenApply(instances -> instances.stream()
                .filter(instance -> instance.tags().contains("side-" + side))
                .findFirst()
                .map(ServiceHealth.Instance::httpUrl));
    }

    private static String canaryProgress(Deployment deployment)
    {
        StringBuilder text = new StringBuilder(deployment.status());
        deployment.groups().forEach((group, progress) -> {
            if (progress.desiredCanaries() > 0) {
                text.append(", ").append(group).append(": ").append(progress.placedCanaries()).append('/').append(progress.desiredCanaries())
                        .append(" placed, ").append(Math.min(progress.healthyAllocs(), progress.desiredCanaries())).append(" healthy");
            }
        });
        return text.toString();
    }

    private static int canaries(JsonNode job, String group)
    {
        for (JsonNode candidate : job.path("TaskGroups")) {
            if (candidate.path("Name").asText().equals(group)) {
                return candidate.path("Update").path("Canary").asInt(0);
            }
        }
        return 0;
    }
}
