package io.prestoorchestrator.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.autoscaling.Autoscaled;
import io.prestoorchestrator.autoscaling.Autoscaler;
import io.prestoorchestrator.catalogs.CatalogChangePlan;
import io.prestoorchestrator.catalogs.LiveCatalogs;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.CatalogValidator;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRecords;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.autoscaling.CoordinatorClient;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.routing.PublicRoutes;
import io.prestoorchestrator.cluster.ClusterSpecValidator;
import io.prestoorchestrator.cluster.ClusterStatusCache;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.ClusterView;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.ScaleInDecision;
import io.prestoorchestrator.cluster.TrinoProbe;
import io.prestoorchestrator.cluster.Versioned;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.config.ssm.ParameterStore;
import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.drain.ClusterWorkers;
import io.prestoorchestrator.drain.WorkerPool;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.follow.BlockingFollower;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.JobPlan;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The API's side of the clusters: reads (the record with its live status, events, operations, the
 * plan and rendered job), catalogs, and the intake of every change: create, update (resize,
 * upgrade, properties, catalogs), stop, start, restart, delete. A change is validated and stored
 * as an {@link Operation} of an {@link OperationKind}, with an entry in the cluster's event
 * timeline; one operation per cluster at a time; the cluster record changes only by compare-and-set.
 *
 * <p>Any replica takes requests and stores the operation; only the leader runs it (see
 * {@link OperationRunner}, told of leadership through {@link #leadership()}), as the
 * {@link Workflow} of its kind ({@link Workflows}: {@link DeployWorkflow}, {@link ResizeWorkflow},
 * {@link StopWorkflow}, {@link SpecUpdateWorkflow}). The work of every kind is safe to run again
 * from the start, which is how a new leader resumes it.
 */
public final class ClusterService
        implements Autoscaler
{
    /** The actor of the worker counts nomad-autoscaler asks for through the scale front. */
    public static final String AUTOSCALER = "nomad-autoscaler";

    private final ClusterRepository repository;
    private final NomadJobs nomad;
    private final String ssmPrefix;
    private final TrinoProbe trino;
    private final Clock clock;
    private final IntSupplier freePort;
    private final Supplier<String> ids;
    private final Optional<WorkerPool> drains;
    private final Optional<DrainWatchdog> watchdog;
    private final OperationSteps steps;
    private final JobRendering rendering;
    private final DeployWorkflow deploy;
    private final StopWorkflow stopWorkflow;
    private final ServiceHealth services;
    private final Duration settleTimeout;
    private final OperationRunner runner;
    private final BlockingFollower<List<ClusterRecord>> feed;
    private final ClusterRecords records;
    private final ClusterStatusCache statuses;
    private volatile Optional<ClusterStatuses> statusModel = Optional.empty();

    /**
     * @param clusters the settle timeout of operations' waits and how often they look again
     * @param replicaId this replica, as operations and events name it
     * @param watchWait how long the blocking query on the cluster records may be held
     * @param retryInterval how long to wait before following the cluster records again after Consul failed
     */
    public ClusterService(ClusterRepository repository, NomadJobs nomad, JobRenderer renderer, Optional<ParameterStore> parameters, String ssmPrefix,
            TrinoProbe trino, ServiceHealth services, Executor blocking, Scheduler scheduler, Clock clock, IntSupplier freePort, Map<String, String> environment, String version, ClustersConfig clusters,
            String replicaId, Duration watchWait, Duration retryInterval)
    {
        this(repository, nomad, renderer, parameters, ssmPrefix, trino, services, blocking, scheduler, clock, freePort, environment, version, clusters, replicaId, watchWait, retryInterval,
                Optional.empty());
    }

    /** @param drains drains workers before a scale-in and restores them on a scale-up; empty: the count changes at once (drain.enabled false) */
    public ClusterService(ClusterRepository repository, NomadJobs nomad, JobRenderer renderer, Optional<ParameterStore> parameters, String ssmPrefix,
            TrinoProbe trino, ServiceHealth services, Executor blocking, Scheduler scheduler, Clock clock, IntSupplier freePort, Map<String, String> environment, String version, ClustersConfig clusters,
            String replicaId, Duration watchWait, Duration retryInterval, Optional<WorkerPool> drains)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.ssmPrefix = requireNonNull(ssmPrefix, "ssmPrefix is null");
        this.trino = requireNonNull(trino, "trino is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.freePort = requireNonNull(freePort, "freePort is null");
        this.ids = () -> UUID.randomUUID().toString();
        this.drains = requireNonNull(drains, "drains is null");
        // the operations' waits go on on the blocking pool, as their steps may block
        Scheduler waits = requireNonNull(scheduler, "scheduler is null").completingOn(blocking);
        this.watchdog = drains.map(pool -> new DrainWatchdog(repository, pool, clock, waits));
        this.services = requireNonNull(services, "services is null");
        this.settleTimeout = requireNonNull(clusters, "clusters is null").settleTimeout();
        this.steps = new OperationSteps(repository, nomad, trino, services, waits, clock, clusters);
        this.rendering = new JobRendering(repository, renderer, parameters, ssmPrefix, blocking, Map.copyOf(requireNonNull(environment, "environment is null")), version);
        this.deploy = new DeployWorkflow(repository, nomad, waits, clock, steps, rendering);
        this.stopWorkflow = new StopWorkflow(repository, nomad, clock, settleTimeout, steps);
        StopWorkflow stop = stopWorkflow;
        Map<OperationKind, Workflow> workflows = new EnumMap<>(OperationKind.class);
        workflows.put(OperationKind.CREATE, deploy);
        workflows.put(OperationKind.UPDATE, deploy);
        workflows.put(OperationKind.START, deploy);
        workflows.put(OperationKind.RESTART, deploy);
        workflows.put(OperationKind.RESIZE, new ResizeWorkflow(repository, nomad, clock, settleTimeout, replicaId, drains, steps));
        workflows.put(OperationKind.UPDATE_SPEC, new SpecUpdateWorkflow(clock, steps));
        workflows.put(OperationKind.STOP, stop);
        workflows.put(OperationKind.DELETE, stop);
        this.feed = ClusterRecords.follower(repository, blocking, waits, clock, watchWait, retryInterval);
        this.records = new ClusterRecords(feed, repository);
        this.runner = new OperationRunner(replicaId, repository, feed, new Workflows(repository, clock, replicaId, steps, workflows), waits);
        this.statuses = new ClusterStatusCache(ClusterStatusCache.DEFAULT_MAX_AGE, clock);
    }

    /** Issue 18: run CREATE/DROP CATALOG on Trino coordinators after each deploy. Call once, before leadership is gained. */
    public void useLiveCatalogs(LiveCatalogs live)
    {
        deploy.useLiveCatalogs(live);
    }

    /**
     * Issue 18: the public host of each cluster as Traefik KV routers, one per side; blue-green
     * rollouts for specs that ask for them; graceful stops. Call once, before leadership is gained.
     */
    public void useBlueGreen(PublicRoutes routes, CoordinatorClient coordinators)
    {
        BlueGreenWorkflow workflow = new BlueGreenWorkflow(nomad, steps, routes, coordinators, services, clock, settleTimeout);
        steps.useRoutes(routes);
        rendering.useCanaries();
        deploy.useBlueGreen(workflow);
        stopWorkflow.useBlueGreen(workflow);
    }

    /**
     * Starts following the cluster records (every replica: the reads come from them); gaining
     * leadership starts it too. A second call does nothing.
     */
    public void follow()
    {
        feed.start();
        statusModel.ifPresent(ClusterStatuses::start);
    }

    /** Stops following the cluster records and the statuses; reads go to Consul (and Nomad) from then on. */
    public void close()
    {
        feed.close();
        statusModel.ifPresent(ClusterStatuses::close);
    }

    /**
     * Issue 23: statuses from the read model where it can answer them, instead of reading Nomad,
     * Consul and the coordinator for each request. Call once, before {@link #follow()}.
     */
    public void useStatusModel(ClusterStatuses model)
    {
        this.statusModel = Optional.of(requireNonNull(model, "model is null"));
    }

    /** Tell this about leadership changes: operations run only while this replica leads. */
    public LeadershipListener leadership()
    {
        if (watchdog.isEmpty()) {
            return runner;
        }
        DrainWatchdog drainWatchdog = watchdog.get();
        return new LeadershipListener()
        {
            @Override
            public void gained()
            {
                runner.gained();
                drainWatchdog.gained();
            }

            @Override
            public void lost(String reason)
            {
                drainWatchdog.lost(reason);
                runner.lost(reason);
            }
        };
    }

    public boolean isLeader()
    {
        return runner.isLeader();
    }

    /** Ids of the operations this replica runs now (none unless it leads). */
    public Set<String> running()
    {
        return runner.running();
    }

    public CompletionStage<ClusterView> get(String name)
    {
        return records.find(name)
                .thenApply(found -> found.orElseThrow(() -> new NotFoundException("Cluster '" + name + "' does not exist")))
                .thenCompose(record -> statusModel.flatMap(model -> model.status(record))
                        .<CompletionStage<ClusterView.Status>>map(CompletableFuture::completedFuture)
                        .orElseGet(() -> statuses.status(record, this::liveStatus))
                        .thenApply(status -> new ClusterView(record, status)));
    }

    /** The worker count of a cluster's spec (the count an operation in progress applies); empty when there is no such cluster. */
    @Override
    public CompletionStage<OptionalInt> specWorkers(String name)
    {
        return repository.cluster(name).thenApply(found -> found.map(record -> OptionalInt.of(record.value().spec().workers().count())).orElse(OptionalInt.empty()));
    }

    /** Cluster records sorted by name, {@code limit} of them after the name {@code after} (from memory: {@link ClusterRecords}). */
    public CompletionStage<List<ClusterRecord>> list(int limit, Optional<String> after)
    {
        return records.page(limit, after);
    }

    public CompletionStage<List<ClusterEvent>> events(String name)
    {
        return steps.existing(name).thenCompose(ignored -> repository.events(name));
    }

    public CompletionStage<Operation> operation(String id)
    {
        return repository.operation(id).thenApply(operation -> operation.orElseThrow(() -> new NotFoundException("Operation '" + id + "' does not exist")));
    }

    /**
     * The Nomad plan (diff) of the job as {@code actor} would deploy it now (with the running job's
     * restart stamp, as a deploy keeps it); deploys nothing.
     */
    public CompletionStage<JobPlan> plan(String name, String actor)
    {
        return steps.existing(name).thenCompose(record -> nomad.job(record.value().spec().jobId())
                        .thenCompose(running -> rendering.renderLike(record.value(), actor, running).thenApply(rendered -> JobRendering.asDeployedNow(rendered.nomadJob(), running))))
                .thenCompose(nomad::plan);
    }

    /**
     * Issue 18: which path the stored spec's catalog changes take against what the cluster runs
     * with (live CREATE/DROP CATALOG, or the rolling restart, and why); shown with {@link #plan}.
     */
    public CompletionStage<CatalogChangePlan> catalogPlan(String name, String actor)
    {
        return steps.existing(name).thenCompose(record -> {
            ClusterSpec spec = record.value().spec();
            return rendering.render(record.value(), actor).thenCompose(rendered -> nomad.variable(JobRenderer.catalogVariablePath(spec.jobId()))
                    .thenCombine(repository.catalogs(), (deployed, all) -> LiveCatalogHooks.plan(spec, rendered, deployed, all)));
        });
    }

    /** The job as {@code actor} would deploy it now, secrets masked. */
    public CompletionStage<ObjectNode> renderedJob(String name, String actor)
    {
        return steps.existing(name).thenCompose(record -> nomad.job(record.value().spec().jobId())
                .thenCompose(running -> rendering.renderLike(record.value(), actor, running).thenApply(rendered -> JobRendering.asDeployedNow(rendered.masked(), running))));
    }

    /** Validates and renders the spec (so a template error or a missing parameter is a 422 with nothing stored), then deploys it in the background. */
    public CompletionStage<Operation> create(ClusterSpec spec, String actor)
    {
        return repository.catalogs()
                .thenCompose(catalogs -> {
                    ClusterSpecValidator.validate(spec, names(catalogs));
                    Operation operation = Operation.start(ids.get(), spec.name(), OperationKind.CREATE.storedName(), actor, clock.instant());
                    ClusterRecord record = new ClusterRecord(spec, ClusterState.DEPLOYING, Optional.of(freePort.getAsInt()), Optional.of(operation.id()),
                            Optional.empty(), clock.instant(), clock.instant(), actor);
                    return rendering.render(record, actor)
                            .thenCompose(rendered -> repository.createCluster(record))
                            .thenCompose(created -> steps.event(spec.name(), "create-requested", "Cluster created by " + actor, actor, operation))
                            .thenCompose(requested -> repository.saveOperation(operation))
                            .thenApply(done -> {
                                runner.submit(operation);
                                return operation;
                            });
                });
    }

    /**
     * Applies a new spec. The same spec as the cluster's: nothing changes, nothing is asked of Nomad,
     * and no operation starts (unless the cluster failed: then it is deployed again). Only the worker
     * count changed on a running cluster: scale the worker group. Anything else on a running cluster:
     * render and register, refused with 409 when the job was changed outside the orchestrator since
     * its own last change; Nomad's plan decides how (see {@link DeployWorkflow}): a change that reaches no
     * Trino process (labels, min/max, the scaling policy) updates every allocation in place, one that
     * does replaces the workers first, then the coordinator. A stopped cluster only has its spec
     * updated; {@code start} deploys it.
     */
    public CompletionStage<Updated> update(String name, ClusterSpec spec, String actor)
    {
        return update(name, spec, actor, Optional.empty(), () -> CompletableFuture.completedFuture(null));
    }

    /**
     * What {@link #update} did.
     *
     * @param started the operation that applies the new spec; empty when the spec was the cluster's already
     * @param activeOperation when nothing started: the operation already applying this spec, if one runs
     */
    public record Updated(Optional<Operation> started, Optional<String> activeOperation)
    {
        public Updated
        {
            requireNonNull(started, "started is null");
            requireNonNull(activeOperation, "activeOperation is null");
        }

        static Updated unchanged(ClusterRecord record)
        {
            return new Updated(Optional.empty(), record.activeOperation());
        }

        /** The operation started; fails when nothing changed. */
        public Operation operation()
        {
            return started.orElseThrow(() -> new IllegalStateException("the spec did not change: no operation started"));
        }

        public boolean changed()
        {
            return started.isPresent();
        }
    }

    /** Whether applying {@code spec} to the cluster changes nothing: the same spec, and the cluster is not failed (a failed one is deployed again). */
    static boolean unchanged(ClusterRecord record, ClusterSpec spec)
    {
        return spec.equals(record.spec()) && record.state() != ClusterState.FAILED;
    }

    /** Only the worker count differs: a resize (Nomad's scale API). A change of min or max reaches the group's Scaling block, so it registers the job. */
    static boolean resizeOnly(ClusterSpec before, ClusterSpec after)
    {
        Workers was = before.workers();
        Workers wanted = after.workers();
        return after.withWorkers(was).equals(before) && wanted.min() == was.min() && wanted.max() == was.max() && wanted.count() != was.count();
    }

    /**
     * A worker count nomad-autoscaler asks for through the scale front ({@code autoscaling.ScaleFront}):
     * a resize like {@code PATCH /v1/clusters/{name}} with only the count changed, so a scale-in drains
     * first and a scale-out during a scale-in's drain reuses the workers it drains. {@code reason} (the
     * agent's message and the signal) goes into the events and into the message of the orchestrator's
     * own call of Nomad's scale API. {@code approve} runs once the resize is known to be accepted and
     * before anything changes; its failure refuses the resize (the front records the agent's decision
     * in Nomad with the agent's own token there, so Nomad's ACLs decide). A count the spec has already
     * changes nothing and does not call {@code approve}.
     */
    @Override
    public CompletionStage<Autoscaled> autoscale(String name, int count, String reason, Supplier<CompletionStage<Void>> approve)
    {
        return steps.existing(name).thenCompose(current -> {
            ClusterRecord record = current.value();
            Workers workers = record.spec().workers();
            if (workers.count() == count) {
                return CompletableFuture.completedFuture(new Autoscaled(record.activeOperation(), false));
            }
            ClusterSpec spec = record.spec().withWorkers(new Workers(count, workers.min(), workers.max()));
            return update(name, spec, AUTOSCALER, Optional.of(reason), approve)
                    .thenApply(updated -> new Autoscaled(updated.started().map(Operation::id).or(updated::activeOperation), updated.changed()));
        });
    }

    private CompletionStage<Updated> update(String name, ClusterSpec spec, String actor, Optional<String> reason, Supplier<CompletionStage<Void>> approve)
    {
        if (!spec.name().equals(name)) {
            return CompletableFuture.failedFuture(InvalidInputException.malformed("/name", "name is " + spec.name() + " but the path names " + name + ": a cluster cannot be renamed"));
        }
        return repository.catalogs().thenCompose(catalogs -> {
            ClusterSpecValidator.validate(spec, names(catalogs));
            return steps.existing(name).thenCompose(current -> {
                ClusterRecord record = current.value();
                if (unchanged(record, spec)) {
                    return CompletableFuture.completedFuture(Updated.unchanged(record));
                }
                boolean resizeOnly = resizeOnly(record.spec(), spec);
                if (record.activeOperation().isPresent() && resizeOnly && drains.isPresent()) {
                    return supersedeScaleIn(record, spec.workers(), actor, reason, approve).thenApply(operation -> new Updated(Optional.of(operation), Optional.empty()));
                }
                requireIdle(record);
                ClusterState next = record.state().on(ClusterState.Action.UPDATE);
                OperationKind kind = record.state() == ClusterState.STOPPED ? OperationKind.UPDATE_SPEC : resizeOnly ? OperationKind.RESIZE : OperationKind.UPDATE;
                Map<String, String> inputs = new HashMap<>();
                if (kind == OperationKind.RESIZE) {
                    inputs.put(ResizeWorkflow.WORKERS_BEFORE, Integer.toString(record.spec().workers().count()));
                }
                reason.ifPresent(why -> inputs.put(ResizeWorkflow.REASON, why));
                Operation operation = Operation.start(ids.get(), name, kind.storedName(), inputs, actor, clock.instant());
                ClusterRecord updated = record.withSpec(spec, clock.instant()).with(next, Optional.of(operation.id()), clock.instant());
                return rendering.render(updated, actor)
                        .thenCompose(rendered -> approve.get())
                        .thenCompose(approved -> repository.updateCluster(updated, current.index()))
                        .thenCompose(ignored -> steps.event(name, kind.storedName() + "-requested", describeChange(record.spec(), spec) + reason.map(why -> " by " + actor + ": " + why).orElse(""), actor, operation))
                        .thenCompose(ignored -> repository.saveOperation(operation))
                        .thenApply(ignored -> {
                            runner.submit(operation);
                            return new Updated(Optional.of(operation), Optional.empty());
                        });
            });
        });
    }

    /**
     * Issue 6's reversible drain, for capacity wanted while a scale-in drains. A resize to at least
     * the count the scale-in started from supersedes it: every worker it drains goes back to ACTIVE
     * (which ends their drains), and the scale-in operation then applies the new count instead of
     * starting new workers. A resize to a count between the scale-in's target and its start
     * retargets it: the draining workers Nomad keeps at the new count go back to ACTIVE at once, the
     * spec takes the new count, and the others keep draining; the operation then lowers the count
     * to the new one. Either is recorded against the scale-in's own decision to lower the count
     * ({@link ScaleInDecision}, compare-and-set), so the count is never lowered below what was
     * asked for. Answers the scale-in operation. Anything else while an operation runs is the usual 409.
     */
    private CompletionStage<Operation> supersedeScaleIn(ClusterRecord record, Workers wanted, String actor, Optional<String> reason, Supplier<CompletionStage<Void>> approve)
    {
        String id = record.activeOperation().orElseThrow();
        String name = record.name();
        // the scale-in's target, or the count an earlier resize retargeted it to
        int target = record.spec().workers().count();
        return repository.operation(id).thenCompose(found -> {
            Optional<Operation> active = found.filter(OperationKind.RESIZE::is);
            int before = active.flatMap(operation -> operation.input(ResizeWorkflow.WORKERS_BEFORE)).map(Integer::parseInt).orElse(-1);
            if (active.isEmpty() || target >= before) {
                requireIdle(record);
            }
            ScaleIn.Resize asked = new ScaleIn.Resize(before, target, wanted, actor);
            if (!asked.aboveTarget()) {
                // refused before the scale-in's decision is read, whatever it is
                throw notAboveTarget(name, id, before, target, wanted);
            }
            Operation scaleIn = active.orElseThrow();
            return repository.versionedScaleInDecision(id).thenCompose(recorded -> {
                ScaleIn.Outcome outcome = ScaleIn.on(recorded.map(Versioned::value), asked);
                if (outcome instanceof ScaleIn.Refuse refused) {
                    throw refused.why() == ScaleIn.Refusal.NOT_ABOVE_TARGET
                            ? notAboveTarget(name, id, before, target, wanted)
                            : loweredOrSuperseded(name, id, before, target);
                }
                if (!(outcome instanceof ScaleIn.Decide decide)) {
                    throw loweredOrSuperseded(name, id, before, target);
                }
                ScaleInDecision decision = decide.decision();
                boolean whole = decide.state() == ScaleIn.State.SUPERSEDED;
                long index = recorded.map(Versioned::index).orElse(0L);
                return approve.get().thenCompose(approved -> repository.decideScaleIn(id, decision, index)).thenCompose(decided -> {
                    if (!decided) {
                        throw loweredOrSuperseded(name, id, before, target);
                    }
                    String resize = "Resize to " + wanted.count() + " by " + actor + reason.map(why -> " (" + why + ")").orElse("");
                    WorkerPool pool = drains.orElseThrow();
                    if (whole) {
                        return steps.event(name, "scale-in-superseded", resize + " supersedes the scale-in " + before + " -> " + target
                                        + " in progress: the workers it drains go back to ACTIVE instead of new workers starting; operation " + id + " applies the new count", actor, scaleIn)
                                .thenCompose(ignored -> pool.workers(name))
                                .thenCompose(workers -> pool.reactivate(ClusterWorkers.stoppedByScaleIn(workers, target)))
                                .thenApply(ignored -> scaleIn);
                    }
                    return steps.retargetSpec(name, wanted)
                            .thenCompose(ignored -> pool.workers(name))
                            .thenCompose(workers -> pool.reactivate(ScaleInPlan.kept(workers, target, wanted.count())))
                            .thenCompose(back -> steps.event(name, "scale-in-retargeted", resize + " retargets the scale-in " + before + " -> " + target + " in progress: "
                                    + (back.isEmpty() ? "no draining worker needed putting back" : OperationSteps.labels(back) + " back to ACTIVE instead of new workers starting")
                                    + "; the others keep draining, and operation " + id + " lowers the count to " + wanted.count(), actor, scaleIn))
                            .thenApply(ignored -> scaleIn);
                });
            });
        });
    }

    private static ConflictException notAboveTarget(String name, String id, int before, int target, Workers wanted)
    {
        return new ConflictException("Cluster '" + name + "' has operation " + id + " in progress, a scale-in " + before + " -> " + target
                + ": a resize to more than " + target + " reuses its draining workers (they go back to ACTIVE); to " + wanted.count()
                + ", wait for it (GET /v1/operations/" + id + ")");
    }

    private static ConflictException loweredOrSuperseded(String name, String id, int before, int target)
    {
        return new ConflictException("Cluster '" + name + "' has operation " + id + " in progress, a scale-in " + before + " -> " + target
                + " that has lowered the count already or was superseded before: wait for it (GET /v1/operations/" + id + ")");
    }

    public CompletionStage<Operation> stop(String name, String actor)
    {
        return stop(name, actor, false);
    }

    /** @param force skip the wait for the queries still running once the public host takes no new ones (issue 18) */
    public CompletionStage<Operation> stop(String name, String actor, boolean force)
    {
        return transition(name, ClusterState.Action.STOP, OperationKind.STOP, force ? Map.of(StopWorkflow.FORCE, "true") : Map.of(), actor);
    }

    public CompletionStage<Operation> start(String name, String actor)
    {
        return transition(name, ClusterState.Action.START, OperationKind.START, Map.of(), actor);
    }

    public CompletionStage<Operation> restart(String name, String actor)
    {
        // a restart changes nothing else, so a Meta stamp makes Nomad replace every allocation; fixed now, so a resumed restart restarts once
        return transition(name, ClusterState.Action.RESTART, OperationKind.RESTART, Map.of(JobRewrite.RESTART_STAMP, clock.instant().toString()), actor);
    }

    public CompletionStage<Operation> delete(String name, String actor)
    {
        return transition(name, ClusterState.Action.DELETE, OperationKind.DELETE, Map.of(), actor);
    }

    public CompletionStage<List<CatalogDefinition>> catalogs()
    {
        return repository.catalogs();
    }

    public CompletionStage<CatalogDefinition> catalog(String name)
    {
        return repository.catalog(name).thenApply(found -> found.orElseThrow(() -> new NotFoundException("Catalog '" + name + "' does not exist")).value());
    }

    public CompletionStage<CatalogDefinition> createCatalog(CatalogDefinition catalog)
    {
        CatalogValidator.validate(catalog, ssmPrefix);
        return repository.createCatalog(catalog).thenApply(ignored -> catalog);
    }

    /** Replaces a catalog and restarts every running cluster that uses it; answers the restart operations. */
    public CompletionStage<List<Operation>> updateCatalog(CatalogDefinition catalog, String actor)
    {
        CatalogValidator.validate(catalog, ssmPrefix);
        return repository.catalog(catalog.name())
                .thenCompose(found -> repository.updateCatalog(catalog,
                        found.orElseThrow(() -> new NotFoundException("Catalog '" + catalog.name() + "' does not exist")).index()))
                .thenCompose(ignored -> repository.clusters())
                .thenCompose(clusters -> {
                    List<CompletableFuture<Operation>> restarts = new ArrayList<>();
                    for (ClusterRecord record : clusters) {
                        if (record.spec().catalogs().contains(catalog.name()) && record.state() == ClusterState.RUNNING) {
                            restarts.add(restart(record.name(), actor + " (catalog " + catalog.name() + " changed)").toCompletableFuture());
                        }
                    }
                    return CompletableFuture.allOf(restarts.toArray(CompletableFuture[]::new))
                            .thenApply(ignored -> restarts.stream().map(CompletableFuture::join).toList());
                });
    }

    public CompletionStage<Void> deleteCatalog(String name)
    {
        return repository.clusters().thenCompose(clusters -> {
            List<String> users = clusters.stream().filter(record -> record.spec().catalogs().contains(name)).map(ClusterRecord::name).sorted().toList();
            if (!users.isEmpty()) {
                throw new ConflictException("Catalog '" + name + "' is attached to " + users + ": detach it from those clusters first");
            }
            return repository.catalog(name).thenCompose(found -> repository.deleteCatalog(name,
                    found.orElseThrow(() -> new NotFoundException("Catalog '" + name + "' does not exist")).index()));
        });
    }

    private CompletionStage<Operation> transition(String name, ClusterState.Action action, OperationKind kind, Map<String, String> inputs, String actor)
    {
        return steps.existing(name).thenCompose(current -> {
            ClusterRecord record = current.value();
            requireIdle(record);
            ClusterState next = record.state().on(action);
            Operation operation = Operation.start(ids.get(), name, kind.storedName(), inputs, actor, clock.instant());
            // The leader's cluster watch can pick the operation up as soon as it is saved: the
            // request event goes first, so that it precedes everything the operation records.
            return repository.updateCluster(record.with(next, Optional.of(operation.id()), clock.instant()), current.index())
                    .thenCompose(ignored -> steps.event(name, kind.storedName() + "-requested", OperationSteps.capitalize(kind.storedName()) + " requested by " + actor, actor, operation))
                    .thenCompose(ignored -> repository.saveOperation(operation))
                    .thenApply(ignored -> {
                        runner.submit(operation);
                        return operation;
                    });
        });
    }

    private CompletionStage<ClusterView.Status> liveStatus(ClusterRecord record)
    {
        String jobId = record.spec().jobId();
        CompletionStage<Optional<NomadJob>> job = nomad.job(jobId);
        CompletionStage<List<AllocationStub>> allocations = nomad.allocations(jobId);
        CompletionStage<Optional<String>> coordinator = record.state() == ClusterState.STOPPED
                ? CompletableFuture.completedFuture(Optional.empty())
                : steps.coordinatorUrl(record);
        CompletionStage<OptionalInt> active = coordinator.thenCompose(url -> url.isEmpty()
                ? CompletableFuture.completedFuture(OptionalInt.empty())
                : trino.activeWorkers(record.spec().flavour(), url.get()));
        return job.thenCompose(nomadJob -> allocations.thenCompose(allocs -> coordinator.thenCompose(url -> active.thenCompose(workers -> steps.routing(record, nomadJob).thenApply(routing ->
                status(record, nomadJob, allocs, url, workers.isPresent() ? Optional.of(workers.getAsInt()) : Optional.empty(), routing, clock.instant()))))));
    }

    /** The status from what was read: from Nomad, Consul and the coordinator for this request, or from the read models ({@link ClusterStatuses}). */
    static ClusterView.Status status(ClusterRecord record, Optional<NomadJob> nomadJob, List<AllocationStub> allocs, Optional<String> coordinatorUrl, Optional<Integer> activeWorkers,
            ClusterView.Routing routing, java.time.Instant observedAt)
    {
        Map<String, Map<String, Integer>> groups = new TreeMap<>();
        for (AllocationStub alloc : allocs) {
            groups.computeIfAbsent(alloc.taskGroup(), ignored -> new TreeMap<>()).merge(alloc.clientStatus(), 1, Integer::sum);
        }
        Optional<String> drift = drift(record, nomadJob);
        return new ClusterView.Status(
                nomadJob.map(NomadJob::version),
                nomadJob.map(NomadJob::status),
                groups,
                nomadJob.isPresent() ? coordinatorUrl : Optional.empty(),
                activeWorkers,
                drift.isPresent(),
                drift,
                routing,
                observedAt);
    }

    private static Optional<String> drift(ClusterRecord record, Optional<NomadJob> job)
    {
        if (job.isEmpty() || job.get().stop()) {
            return record.state() == ClusterState.RUNNING ? Optional.of("job " + record.spec().jobId() + " is not running in Nomad") : Optional.empty();
        }
        if (record.jobModifyIndex().isPresent() && job.get().jobModifyIndex() != record.jobModifyIndex().get()) {
            return Optional.of("job modify index is " + job.get().jobModifyIndex() + " but the orchestrator's last change left " + record.jobModifyIndex().get()
                    + ": the job was changed outside the orchestrator");
        }
        return Optional.empty();
    }

    private static void requireIdle(ClusterRecord record)
    {
        record.activeOperation().ifPresent(id -> {
            throw new ConflictException("Cluster '" + record.name() + "' has operation " + id + " in progress: wait for it (GET /v1/operations/" + id + ")");
        });
    }

    private static Set<String> names(List<CatalogDefinition> catalogs)
    {
        Set<String> names = new HashSet<>();
        catalogs.forEach(catalog -> names.add(catalog.name()));
        return names;
    }

    private static String describeChange(ClusterSpec before, ClusterSpec after)
    {
        List<String> changes = new ArrayList<>();
        if (!before.workers().equals(after.workers())) {
            changes.add("workers " + before.workers().count() + " -> " + after.workers().count() + " (min " + after.workers().min() + ", max " + after.workers().max() + ")");
        }
        if (!before.version().equals(after.version()) || !before.image().equals(after.image())) {
            changes.add("version " + before.version() + " -> " + after.version());
        }
        if (!before.catalogs().equals(after.catalogs())) {
            changes.add("catalogs " + before.catalogs() + " -> " + after.catalogs());
        }
        if (!before.properties().equals(after.properties())) {
            changes.add("properties changed");
        }
        if (!before.autoscaling().equals(after.autoscaling())) {
            changes.add(before.autoscaling().enabled() == after.autoscaling().enabled()
                    ? "autoscaling policy changed"
                    : "autoscaling " + (after.autoscaling().enabled() ? "on" : "off"));
        }
        if (!before.labels().equals(after.labels())) {
            changes.add("labels changed");
        }
        return changes.isEmpty() ? "Spec changed" : String.join("; ", changes);
    }
}
