package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.JobNames;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.catalogs.LiveCatalogs;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.Rollout;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.nomad.Deployment;
import io.prestoorchestrator.nomad.DeploymentOutcome;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.nomad.PlanEffect;
import io.prestoorchestrator.render.NomadVariable;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.render.RenderedJob;
import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * {@link OperationKind#CREATE}, {@link OperationKind#UPDATE}, {@link OperationKind#START} and
 * {@link OperationKind#RESTART}: render, write the secrets, register (workers first when the new
 * version replaces allocations, see {@link JobRewrite}), wait until Trino serves and Traefik routes it.
 */
final class DeployWorkflow
        implements Workflow
{
    private final ClusterRepository repository;
    private final NomadJobs nomad;
    private final Scheduler waits;
    private final Clock clock;
    private final OperationSteps steps;
    private final JobRendering rendering;
    /** Issue 18's CREATE/DROP CATALOG on Trino coordinators; set once at wiring ({@link #useLiveCatalogs}). */
    private volatile Optional<LiveCatalogs> liveCatalogs = Optional.empty();
    /** Issue 18's public routes in Traefik's KV and the blue-green rollout; set once at wiring ({@link #useBlueGreen}). */
    private volatile Optional<BlueGreenWorkflow> blueGreen = Optional.empty();

    DeployWorkflow(ClusterRepository repository, NomadJobs nomad, Scheduler waits, Clock clock, OperationSteps steps, JobRendering rendering)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.waits = requireNonNull(waits, "waits is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.steps = requireNonNull(steps, "steps is null");
        this.rendering = requireNonNull(rendering, "rendering is null");
    }

    /** Issue 18: run CREATE/DROP CATALOG on Trino coordinators after each deploy. Call once, before leadership is gained. */
    void useLiveCatalogs(LiveCatalogs live)
    {
        this.liveCatalogs = Optional.of(requireNonNull(live, "live is null"));
    }

    /** Issue 18: public routes in Traefik's KV provider, and blue-green for specs that ask for it. Call once, before leadership is gained. */
    void useBlueGreen(BlueGreenWorkflow workflow)
    {
        this.blueGreen = Optional.of(requireNonNull(workflow, "workflow is null"));
    }

    @Override
    public CompletionStage<Void> run(ClusterRecord record, Tracker tracker, boolean resumed)
    {
        return deploy(record.name(), tracker, resumed);
    }

    /**
     * render -> write secrets to Nomad Variables -> register (EnforceIndex) -> watch the deployment.
     * An update of a running job first asks Nomad's plan: when it replaces no allocation (a change
     * of labels, min/max or the scaling policy: every job Meta key that reaches no Trino process is
     * pinned in the tasks' Meta), the job is registered once and Nomad updates every allocation in
     * place. An update that replaces allocations, or a restart, goes in two phases (drain path 4 of issue 6): first a
     * version where only the workers group changed, which Nomad rolls one worker at a time (each
     * drains itself on the kill signal) while the coordinator keeps serving; then the full version,
     * where only the coordinator still differs, so it restarts once, last, and briefly.
     */
    private CompletionStage<Void> deploy(String name, Tracker tracker, boolean resumed)
    {
        Operation operation = tracker.operation();
        ReplacementWatcher replacements = new ReplacementWatcher(nomad, ClusterSpec.jobId(name), clock, steps.deploymentPollInterval(), waits, tracker::active,
                (type, message) -> tracker.whileLeading(() -> steps.event(name, type, message, operation.requestedBy(), operation)));
        CompletionStage<Void> work = tracker.step("render", "rendering the job from job-templates/")
                .thenCompose(ignored -> steps.existing(name))
                .thenCompose(record -> nomad.job(record.value().spec().jobId()).thenCompose(running -> rendering.renderWithSecrets(record.value(), operation.requestedBy(),
                                JobRendering.side(running), JobRendering.canaries(running))
                        .thenApply(rendered -> new Prepared(record.value(), rendered, JobRendering.restartStamp(running), running))))
                .thenCompose(prepared -> {
                    RenderedJob rendered = prepared.rendered().job();
                    ObjectNode job = JobRewrite.deployable(rendered.nomadJob(), JobRewrite.stamp(operation, prepared.runningStamp()));
                    ClusterRecord record = prepared.record();
                    return tracker.step("write-variables", rendered.variables().size() + " Nomad variable(s) with secrets"
                                    + rendered.catalogBundle().map(bundle -> ", and the catalog files (" + bundle.path() + ")").orElse(""))
                            .thenCompose(ignored -> tracker.whileLeading(() -> writeVariables(rendered.variables(), prepared.rendered().secrets())))
                            // issue 18: before the register, so that a coordinator started by it finds its catalog files
                            .thenCompose(ignored -> tracker.whileLeading(() -> LiveCatalogHooks.writeBundle(nomad, rendered)))
                            .thenCompose(ignored -> blueGreenJob(record, job, prepared, resumed, tracker))
                            .thenCompose(run -> run.isPresent()
                                    ? run.get().finished().isPresent()
                                            ? CompletableFuture.completedFuture(run.get().finished().get())
                                            : blueGreen.orElseThrow().run(record, prepared.running().orElseThrow(), run.get().job(), run.get().resumed(),
                                                    next -> registerAndRecord(name, record, next, resumed, tracker), tracker)
                                    : ensureRoute(name, job, tracker).thenCompose(ignored -> rollingDeploy(name, record, job, rendered, resumed, tracker, replacements)));
                })
                .thenCompose(outcome -> finishDeploy(name, tracker, outcome, replacements));
        return work.whenComplete((ignored, failure) -> replacements.stop());
    }

    /**
     * The public route of the job's side (issue 18): Traefik routes the public host to it once its
     * readiness gate passes. Created once per side; an existing one keeps its priority.
     */
    private CompletionStage<Void> ensureRoute(String name, ObjectNode job, Tracker tracker)
    {
        if (blueGreen.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        BlueGreenWorkflow.PublicHost host = BlueGreenWorkflow.publicHost(job);
        String side = BlueGreenWorkflow.side(job).orElse("blue");
        return tracker.whileLeading(() -> blueGreen.get().routes().ensure(name, side, host.host(), host.entrypoint()));
    }

    /**
     * A blue-green run to make instead of the rolling one: the job rendered for the other side, or the deployment a resumed
     * operation left running; or, {@code finished}, the outcome of the revert a resumed operation finished for its former leader.
     */
    private record BlueGreenRun(ObjectNode job, Optional<Deployment> resumed, Optional<DeploymentOutcome> finished)
    {
        BlueGreenRun(ObjectNode job, Optional<Deployment> resumed)
        {
            this(job, resumed, Optional.empty());
        }
    }

    /**
     * Issue 18: a restart of a running cluster whose spec asks for the blue-green rollout, or an update
     * that Nomad's plan says replaces allocations, goes blue-green: the job is rendered again for the
     * other side. Empty for everything else (a create, a start, an in-place update, the in-place
     * rollout, a job from before issue 18). A resumed operation whose blue-green deployment still runs
     * picks it up; one whose new side failed before the switch finishes the revert its former leader did not
     * ({@link BlueGreenWorkflow#finishRevertLeftByFormerLeader}) and fails as an unresumed one does; any other that
     * finds none first removes the old side's router a former leader may have left
     * ({@link BlueGreenWorkflow#removeRouteLeftByFormerLeader}), then decides as a new one does.
     */
    private CompletionStage<Optional<BlueGreenRun>> blueGreenJob(ClusterRecord record, ObjectNode job, Prepared prepared, boolean resumed, Tracker tracker)
    {
        OperationKind kind = tracker.kind();
        Optional<NomadJob> running = prepared.running().filter(current -> !current.stop());
        if (blueGreen.isEmpty() || running.isEmpty() || (kind != OperationKind.UPDATE && kind != OperationKind.RESTART)
                || record.spec().rollout() != Rollout.BLUE_GREEN || BlueGreenWorkflow.side(running.get().spec()).isEmpty()
                || JobRewrite.group(running.get().spec(), JobNames.COORDINATOR_GROUP) == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        BlueGreenWorkflow workflow = blueGreen.get();
        NomadJob current = running.get();
        if (!resumed) {
            return otherSideIfReplacing(record, job, prepared, current, tracker);
        }
        return workflow.inFlight(current).thenCompose(found -> found.isPresent()
                ? CompletableFuture.completedFuture(Optional.of(new BlueGreenRun(current.spec().deepCopy(), found)))
                // the former leader may have registered a new side that failed, then died before it reverted (or removed the
                // failed side's router): this operation ends as that leader's would have, failed, once the revert is finished
                : workflow.finishRevertLeftByFormerLeader(record, current, tracker).thenCompose(finished -> finished.isPresent()
                        ? CompletableFuture.completedFuture(Optional.of(new BlueGreenRun(current.spec().deepCopy(), Optional.empty(), finished)))
                        // the former leader may have promoted, then died: Nomad ended the deployment alone, and the old side's router,
                        // which that leader would have removed next, is still there whatever this operation does next
                        : workflow.removeRouteLeftByFormerLeader(record.name(), current, tracker)
                                .thenCompose(ignored -> otherSideIfReplacing(record, job, prepared, current, tracker))));
    }

    /** The job rendered for the side opposite {@code current}'s when the restart or update replaces allocations; empty when it does not. */
    private CompletionStage<Optional<BlueGreenRun>> otherSideIfReplacing(ClusterRecord record, ObjectNode job, Prepared prepared, NomadJob current, Tracker tracker)
    {
        OperationKind kind = tracker.kind();
        if (kind == OperationKind.RESTART && JobRewrite.restartStamp(current.spec()).equals(JobRewrite.restartStamp(job))) {
            // a resumed restart whose blue-green already ended: the job runs with this restart's stamp, nothing is left to replace
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletionStage<Boolean> replaces = kind == OperationKind.RESTART
                ? CompletableFuture.completedFuture(true)
                : tracker.step("plan", "asking Nomad's plan whether the new version replaces allocations")
                        .thenCompose(ignored -> nomad.plan(job))
                        .thenApply(plan -> {
                            PlanEffect effect = plan.effect();
                            tracker.progress("plan", effect.summary() + (effect.replacesAllocations() ? ": blue-green, a new side beside the old one" : ": registered once, in place"));
                            return effect.replacesAllocations();
                        });
        return replaces.thenCompose(replacing -> {
            if (!replacing) {
                return CompletableFuture.completedFuture(Optional.<BlueGreenRun>empty());
            }
            String to = RenderInputs.otherSide(BlueGreenWorkflow.side(current.spec()).orElseThrow());
            return rendering.renderWithSecrets(record, tracker.operation().requestedBy(), to, true)
                    .thenApply(other -> Optional.of(new BlueGreenRun(
                            JobRewrite.deployable(other.job().nomadJob(), JobRewrite.stamp(tracker.operation(), prepared.runningStamp())), Optional.empty())));
        });
    }

    private CompletionStage<Long> registerAndRecord(String name, ClusterRecord record, ObjectNode job, boolean resumed, Tracker tracker)
    {
        return tracker.step("register", "registering job " + job.path("ID").asText() + " with side " + BlueGreenWorkflow.side(job).orElse("?")
                        + " as Nomad canaries: the old side keeps running")
                .thenCompose(ignored -> expectedIndex(tracker.kind(), record, job, resumed))
                .thenCompose(expected -> tracker.whileLeading(() -> nomad.register(job, expected)))
                .thenCompose(result -> steps.recordIndex(name, result.jobModifyIndex(), tracker).thenApply(ignored -> result.jobModifyIndex()));
    }

    /** The rolling path: workers first (one at a time, each drained), then the coordinator in place; or one register for everything else. */
    private CompletionStage<DeploymentOutcome> rollingDeploy(String name, ClusterRecord record, ObjectNode job, RenderedJob rendered, boolean resumed, Tracker tracker,
            ReplacementWatcher replacements)
    {
        return replacements.start()
                .thenCompose(ignored -> replaceWorkersFirst(name, record, job, resumed, tracker))
                // the workers' replacements are told before the coordinator's restart begins
                .thenCompose(workers -> workers.isPresent() ? replacements.catchUp().thenApply(ignored -> workers) : CompletableFuture.completedFuture(workers))
                .thenCompose(workers -> {
                    Optional<DeploymentOutcome> failed = workers.flatMap(WorkersPhase::outcome).filter(outcome -> !outcome.successful());
                    if (failed.isPresent()) {
                        return CompletableFuture.completedFuture(failed.get());
                    }
                    String detail = workers.isPresent()
                            ? "phase 2 of 2: registering job " + rendered.jobId() + " in full; only the coordinator group still differs, so the coordinator restarts now"
                                    + " (queries running on it end, new ones are refused until it is back)"
                            : "registering job " + rendered.jobId();
                    return tracker.step("register", detail)
                            .thenCompose(ignored -> workers.isPresent()
                                    ? CompletableFuture.completedFuture(workers.get().nextExpectedIndex())
                                    : expectedIndex(tracker.kind(), record, job, resumed))
                            .thenCompose(expected -> tracker.whileLeading(() -> nomad.register(job, expected)))
                            .thenCompose(result -> steps.recordIndex(name, result.jobModifyIndex(), tracker))
                            .thenCompose(ignored -> tracker.step("deploy", workers.isPresent()
                                    ? "waiting for the deployment: the coordinator's restart (the workers stay)"
                                    : "waiting for the deployment"))
                            .thenCompose(ignored -> steps.awaitDeployment(rendered.jobId(), "deploy", tracker));
                });
    }

    /**
     * Issue 18: a Trino coordinator serves exactly the cluster's catalogs once a deploy's allocations
     * run. A catalog attached or detached without a secret changes no allocation (its file is in the
     * catalog Variable, written before the register), so here the coordinator gets CREATE or DROP
     * CATALOG; after a rolling restart it read its files at start and nothing runs. Skipped without
     * {@link #useLiveCatalogs} (tests on fake Trino) and for PrestoDB.
     */
    private CompletionStage<Void> applyLiveCatalogs(String name, Tracker tracker)
    {
        Operation operation = tracker.operation();
        return steps.existing(name).thenCompose(current -> {
            ClusterRecord record = current.value();
            if (liveCatalogs.isEmpty() || !record.spec().flavour().profile().liveCatalogs()) {
                return CompletableFuture.completedFuture(null);
            }
            return tracker.step("catalogs", "the coordinator serves the cluster's catalogs " + record.spec().catalogs() + ": CREATE/DROP CATALOG for any difference")
                    .thenCompose(ignored -> repository.catalogs().thenCombine(steps.coordinatorUrl(record), (all, url) -> LiveCatalogHooks.attached(record.spec(), all, url)))
                    .thenCompose(attached -> tracker.whileLeading(() -> liveCatalogs.get().reconcile(attached.coordinatorUrl(), attached.catalogs())))
                    .thenCompose(statements -> statements.isEmpty()
                            ? CompletableFuture.completedFuture(null)
                            : steps.event(name, "catalogs-changed", "Catalogs changed live on the running coordinator, no allocation replaced: " + String.join("; ", statements),
                                    operation.requestedBy(), operation));
        });
    }

    /** A deploy's inputs: the record, its rendered job and secrets, and the restart stamp of the job Nomad runs now. */
    private record Prepared(ClusterRecord record, JobRendering.Rendered rendered, Optional<String> runningStamp, Optional<NomadJob> running) {}

    /** Phase 1's deployment (none when the workers group was already as wanted), and the EnforceIndex phase 2 registers with. */
    private record WorkersPhase(Optional<DeploymentOutcome> outcome, OptionalLong nextExpectedIndex) {}

    /**
     * Phase 1 of an update or restart of a running job: registers {@link JobRewrite#workersFirst} and waits
     * for its deployment (Nomad rolls the workers by the group's update block). Empty for a create,
     * a start, or a job that is not running: those register once; and for an update Nomad's plan
     * says replaces no allocation (labels, min/max, the scaling policy: {@link PlanEffect}), which
     * registers once, in place.
     */
    private CompletionStage<Optional<WorkersPhase>> replaceWorkersFirst(String name, ClusterRecord record, ObjectNode job, boolean resumed, Tracker tracker)
    {
        OperationKind kind = tracker.kind();
        String jobId = job.path("ID").asText();
        if (kind != OperationKind.UPDATE && kind != OperationKind.RESTART) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return nomad.job(jobId).thenCompose(current -> {
            if (current.isEmpty() || current.get().stop() || JobRewrite.group(current.get().spec(), JobNames.COORDINATOR_GROUP) == null) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            if (kind == OperationKind.RESTART) {
                return registerWorkersFirst(name, record, job, current.get(), resumed, tracker);
            }
            return tracker.step("plan", "asking Nomad's plan whether the new version replaces allocations")
                    .thenCompose(ignored -> nomad.plan(job))
                    .thenCompose(plan -> {
                        PlanEffect effect = plan.effect();
                        if (effect.replacesAllocations()) {
                            tracker.progress("plan", effect.summary() + ": the workers first, one at a time, then the coordinator");
                            return registerWorkersFirst(name, record, job, current.get(), resumed, tracker);
                        }
                        tracker.progress("plan", effect.summary() + ": registered once, no rolling replacement");
                        return CompletableFuture.completedFuture(Optional.<WorkersPhase>empty());
                    });
        });
    }

    private CompletionStage<Optional<WorkersPhase>> registerWorkersFirst(String name, ClusterRecord record, ObjectNode job, NomadJob current, boolean resumed, Tracker tracker)
    {
        OperationKind kind = tracker.kind();
        String jobId = job.path("ID").asText();
        ObjectNode phase = JobRewrite.workersFirst(current.spec(), job);
        long before = current.jobModifyIndex();
        return tracker.step("register-workers", "phase 1 of 2: registering job " + jobId + " with only the workers group changed;"
                        + " Nomad replaces the workers one at a time (each drains itself on the kill signal) while the coordinator keeps serving")
                .thenCompose(ignored -> expectedIndex(kind, record, phase, resumed))
                .thenCompose(expected -> tracker.whileLeading(() -> nomad.register(phase, expected)))
                .thenCompose(result -> steps.recordIndex(name, result.jobModifyIndex(), tracker).thenApply(ignored -> result))
                .thenCompose(result -> tracker.step("deploy-workers", "waiting for the workers' rolling replacement")
                        .thenCompose(ignored -> result.jobModifyIndex() == before
                                ? latestOutcomeIfRunning(jobId, tracker)
                                : steps.awaitDeployment(jobId, "deploy-workers", tracker).thenApply(Optional::of))
                        .thenApply(outcome -> {
                            if (outcome.isEmpty()) {
                                tracker.progress("deploy-workers", "the workers group is unchanged: nothing to replace before the coordinator");
                            }
                            OptionalLong next = kind == OperationKind.UPDATE ? OptionalLong.of(result.jobModifyIndex()) : OptionalLong.empty();
                            return Optional.of(new WorkersPhase(outcome, next));
                        }));
    }

    /** Registering changed nothing: a deployment of this version still running (a resumed operation's) is awaited, a finished one is not. */
    private CompletionStage<Optional<DeploymentOutcome>> latestOutcomeIfRunning(String jobId, Tracker tracker)
    {
        return nomad.latestDeployment(jobId).thenCompose(latest -> latest.isPresent() && "running".equals(latest.get().status())
                ? steps.watchToEnd(latest.get().id(), "deploy-workers", tracker).thenApply(Optional::of)
                : CompletableFuture.completedFuture(Optional.empty()));
    }

    /**
     * Create and update register with {@code EnforceIndex}: the job must still be as the
     * orchestrator last left it. A resumed one may find the job its former leader registered but had
     * not recorded yet: the same job (same Meta: spec hash, templates, SSM versions, restart stamp),
     * so its index is adopted and registering it again changes nothing.
     */
    private CompletionStage<OptionalLong> expectedIndex(OperationKind kind, ClusterRecord record, ObjectNode job, boolean resumed)
    {
        OptionalLong expected = switch (kind) {
            case CREATE -> OptionalLong.of(record.jobModifyIndex().orElse(0L));
            case UPDATE -> record.jobModifyIndex().map(OptionalLong::of).orElse(OptionalLong.empty());
            default -> OptionalLong.empty();
        };
        if (!resumed || expected.isEmpty()) {
            return CompletableFuture.completedFuture(expected);
        }
        return nomad.job(record.spec().jobId()).thenApply(current -> current
                .filter(found -> !found.stop() && found.jobModifyIndex() != expected.getAsLong() && found.spec().path("Meta").equals(job.path("Meta")))
                .map(found -> OptionalLong.of(found.jobModifyIndex()))
                .orElse(expected));
    }

    private CompletionStage<Void> finishDeploy(String name, Tracker tracker, DeploymentOutcome outcome, ReplacementWatcher replacements)
    {
        Deployment deployment = outcome.deployment();
        if ("successful".equals(deployment.status())) {
            return steps.awaitTrinoReady(name, deployment.jobId(), OptionalLong.of(deployment.jobVersion()), tracker)
                    .thenCompose(workers -> applyLiveCatalogs(name, tracker).thenApply(ignored -> workers))
                    .thenCompose(workers -> replacements.finish().thenApply(ignored -> workers))
                    .thenCompose(workers -> steps.awaitRoutable(name, tracker).thenCompose(routing -> steps.settle(name, ClusterState.Action.DEPLOY_SUCCEEDED, tracker, "deploy-succeeded",
                            "Deployment " + deployment.id() + " of job version " + deployment.jobVersion() + " succeeded; the coordinator counts " + workers
                                    + " active worker(s); routable" + routing.url().map(url -> " at " + url).orElse(""))));
        }
        StringBuilder reason = new StringBuilder("Deployment " + deployment.id() + " " + deployment.status() + ": " + deployment.statusDescription());
        outcome.failures().forEach(failure -> reason.append("; ").append(failure.allocName()).append(" task ").append(failure.task()).append(": ")
                .append(failure.events().isEmpty() ? failure.state() : failure.events().get(failure.events().size() - 1).displayMessage()));
        return replacements.finish().thenCompose(ignored -> steps.fail(name, tracker, ClusterState.Action.DEPLOY_FAILED, reason.toString()));
    }

    private CompletionStage<Void> writeVariables(List<NomadVariable> variables, Map<String, Secret> values)
    {
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (NomadVariable variable : variables) {
            Map<String, String> items = new TreeMap<>();
            variable.resolve(values::get).forEach((item, secret) -> items.put(item, secret.reveal()));
            chain = chain.thenCompose(ignored -> nomad.putVariable(variable.path(), items, OptionalLong.empty()).thenApply(written -> null));
        }
        return chain;
    }
}
