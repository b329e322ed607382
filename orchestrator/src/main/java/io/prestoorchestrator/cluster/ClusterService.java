package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.ClusterView.Routing;
import io.prestoorchestrator.config.DrainConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.config.ssm.ParameterStore;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.drain.ClusterWorkers;
import io.prestoorchestrator.drain.DrainResult;
import io.prestoorchestrator.drain.Worker;
import io.prestoorchestrator.drain.WorkerPool;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.error.NotFoundException;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.Deployment;
import io.prestoorchestrator.nomad.DeploymentOutcome;
import io.prestoorchestrator.catalogs.CatalogChangePlan;
import io.prestoorchestrator.catalogs.LiveCatalogs;
import io.prestoorchestrator.nomad.JobPlan;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.nomad.PlanEffect;
import io.prestoorchestrator.nomad.RegisterResult;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.render.NomadVariable;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.render.RenderedJob;
import io.prestoorchestrator.render.SecretParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
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
 * Keeps Nomad in line with the cluster specs: create, update (resize, upgrade, properties,
 * catalogs), stop, start, restart, delete. Every change is an {@link Operation} that runs in the
 * background and records its steps, and an entry in the cluster's event timeline. One operation
 * per cluster at a time; the cluster record changes only by compare-and-set.
 *
 * <p>Any replica takes requests and stores the operation; only the leader runs it (see
 * {@link OperationRunner}, told of leadership through {@link #leadership()}). The work of every
 * kind is safe to run again from the start, which is how a new leader resumes it.
 */
public final class ClusterService
{
    public static final String WORKER_GROUP = "workers";
    static final String COORDINATOR_GROUP = "coordinator";
    /** The name of the routed service's script check in job-templates/trino-cluster.json.ftl. */
    static final String READINESS_GATE = "routing readiness gate";
    /** Operation inputs: the Meta stamp that makes a restart replace every allocation, and the worker count a resize started from. */
    static final String RESTART_STAMP = "restartStamp";
    /** The job Meta key a restart sets, so that Nomad replaces every allocation of an otherwise unchanged job. */
    static final String RESTART_META = "orchestrator_restarted_at";
    static final String WORKERS_BEFORE = "workersBefore";
    /** Operation input: why it was asked, when someone other than a user asked (nomad-autoscaler's reason). */
    static final String REASON = "reason";
    /** The actor of the worker counts nomad-autoscaler asks for through the scale front. */
    public static final String AUTOSCALER = "nomad-autoscaler";
    private static final Logger log = LoggerFactory.getLogger(ClusterService.class);
    /** How often an operation's write to the cluster record is tried when another write comes between its read and its write. */
    private static final int RECORD_WRITE_ATTEMPTS = 3;

    private final ClusterRepository repository;
    private final NomadJobs nomad;
    private final JobRenderer renderer;
    private final Optional<ParameterStore> parameters;
    private final String ssmPrefix;
    private final TrinoProbe trino;
    /** Issue 18's CREATE/DROP CATALOG on Trino coordinators; set once at wiring ({@link #useLiveCatalogs}). */
    private volatile Optional<LiveCatalogs> liveCatalogs = Optional.empty();
    private final ServiceHealth services;
    private final Executor blocking;
    private final Clock clock;
    private final IntSupplier freePort;
    private final Map<String, String> environment;
    private final String version;
    private final Duration settleTimeout;
    private final Supplier<String> ids;
    private final String replicaId;
    private final OperationRunner runner;
    private final Optional<WorkerPool> drains;
    private final Optional<DrainWatchdog> watchdog;
    private final ClusterStatusCache statuses;

    /**
     * @param replicaId this replica, as operations and events name it
     * @param watchWait how long the leader's blocking query on the cluster records may be held
     * @param retryInterval how long the leader waits before following the cluster records again after Consul failed
     */
    public ClusterService(ClusterRepository repository, NomadJobs nomad, JobRenderer renderer, Optional<ParameterStore> parameters, String ssmPrefix,
            TrinoProbe trino, ServiceHealth services, Executor blocking, Clock clock, IntSupplier freePort, Map<String, String> environment, String version, Duration settleTimeout,
            String replicaId, Duration watchWait, Duration retryInterval)
    {
        this(repository, nomad, renderer, parameters, ssmPrefix, trino, services, blocking, clock, freePort, environment, version, settleTimeout, replicaId, watchWait, retryInterval,
                Optional.empty());
    }

    /** @param drains drains workers before a scale-in and restores them on a scale-up; empty: the count changes at once (drain.enabled false) */
    public ClusterService(ClusterRepository repository, NomadJobs nomad, JobRenderer renderer, Optional<ParameterStore> parameters, String ssmPrefix,
            TrinoProbe trino, ServiceHealth services, Executor blocking, Clock clock, IntSupplier freePort, Map<String, String> environment, String version, Duration settleTimeout,
            String replicaId, Duration watchWait, Duration retryInterval, Optional<WorkerPool> drains)
    {
        this.drains = requireNonNull(drains, "drains is null");
        this.watchdog = drains.map(pool -> new DrainWatchdog(repository, pool, clock, blocking));
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.renderer = requireNonNull(renderer, "renderer is null");
        this.parameters = requireNonNull(parameters, "parameters is null");
        this.ssmPrefix = requireNonNull(ssmPrefix, "ssmPrefix is null");
        this.trino = requireNonNull(trino, "trino is null");
        this.services = requireNonNull(services, "services is null");
        this.blocking = requireNonNull(blocking, "blocking is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.freePort = requireNonNull(freePort, "freePort is null");
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.version = requireNonNull(version, "version is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
        this.ids = () -> UUID.randomUUID().toString();
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        this.runner = new OperationRunner(replicaId, repository, this::execute, blocking, watchWait, retryInterval);
        this.statuses = new ClusterStatusCache(ClusterStatusCache.DEFAULT_MAX_AGE, clock);
    }

    /** Issue 18: run CREATE/DROP CATALOG on Trino coordinators after each deploy. Call once, before leadership is gained. */
    public void useLiveCatalogs(LiveCatalogs live)
    {
        this.liveCatalogs = Optional.of(requireNonNull(live, "live is null"));
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

    // ---- reads -------------------------------------------------------------------------------

    public CompletionStage<ClusterView> get(String name)
    {
        return existing(name).thenCompose(record -> statuses.status(record, this::liveStatus).thenApply(status -> new ClusterView(record.value(), status)));
    }

    /** The worker count of a cluster's spec (the count an operation in progress applies); empty when there is no such cluster. */
    public CompletionStage<OptionalInt> specWorkers(String name)
    {
        return repository.cluster(name).thenApply(found -> found.map(record -> OptionalInt.of(record.value().spec().workers().count())).orElse(OptionalInt.empty()));
    }

    /** Cluster records sorted by name, {@code limit} of them after the name {@code after}. */
    public CompletionStage<List<ClusterRecord>> list(int limit, Optional<String> after)
    {
        return repository.clusters().thenApply(records -> records.stream()
                .filter(record -> after.map(cursor -> record.name().compareTo(cursor) > 0).orElse(true))
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .limit(limit)
                .toList());
    }

    public CompletionStage<List<ClusterEvent>> events(String name)
    {
        return existing(name).thenCompose(ignored -> repository.events(name));
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
        return existing(name).thenCompose(record -> render(record.value(), actor)
                        .thenCombine(nomad.job(record.value().spec().jobId()), (rendered, running) -> asDeployedNow(rendered.nomadJob(), running)))
                .thenCompose(nomad::plan);
    }

    /**
     * Issue 18: which path the stored spec's catalog changes take against what the cluster runs
     * with (live CREATE/DROP CATALOG, or the rolling restart, and why); shown with {@link #plan}.
     */
    public CompletionStage<CatalogChangePlan> catalogPlan(String name, String actor)
    {
        return existing(name).thenCompose(record -> {
            ClusterSpec spec = record.value().spec();
            return render(record.value(), actor).thenCompose(rendered -> nomad.variable(JobRenderer.catalogVariablePath(spec.jobId()))
                    .thenCombine(repository.catalogs(), (deployed, all) -> LiveCatalogHooks.plan(spec, rendered, deployed, all)));
        });
    }

    /** The job as {@code actor} would deploy it now, secrets masked. */
    public CompletionStage<ObjectNode> renderedJob(String name, String actor)
    {
        return existing(name).thenCompose(record -> render(record.value(), actor)
                .thenCombine(nomad.job(record.value().spec().jobId()), (rendered, running) -> asDeployedNow(rendered.masked(), running)));
    }

    // ---- changes -----------------------------------------------------------------------------

    /** Validates and renders the spec (so a template error or a missing parameter is a 422 with nothing stored), then deploys it in the background. */
    public CompletionStage<Operation> create(ClusterSpec spec, String actor)
    {
        return repository.catalogs()
                .thenCompose(catalogs -> {
                    ClusterSpecValidator.validate(spec, names(catalogs));
                    Operation operation = Operation.start(ids.get(), spec.name(), "create", actor, clock.instant());
                    ClusterRecord record = new ClusterRecord(spec, ClusterState.DEPLOYING, Optional.of(freePort.getAsInt()), Optional.of(operation.id()),
                            Optional.empty(), clock.instant(), clock.instant(), actor);
                    return render(record, actor)
                            .thenCompose(rendered -> repository.createCluster(record))
                            .thenCompose(created -> event(spec.name(), "create-requested", "Cluster created by " + actor, actor, operation))
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
     * its own last change; Nomad's plan decides how (see {@link #deploy}): a change that reaches no
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
    public CompletionStage<Autoscaled> autoscale(String name, int count, String reason, Supplier<CompletionStage<Void>> approve)
    {
        return existing(name).thenCompose(current -> {
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

    /**
     * What {@link #autoscale} did.
     *
     * @param operationId the operation that applies the count: the one it started or superseded, or the
     *        one already running when nothing changed; empty when nothing changed and nothing runs
     * @param changed whether the spec's count changed
     */
    public record Autoscaled(Optional<String> operationId, boolean changed)
    {
        public Autoscaled
        {
            requireNonNull(operationId, "operationId is null");
        }
    }

    private CompletionStage<Updated> update(String name, ClusterSpec spec, String actor, Optional<String> reason, Supplier<CompletionStage<Void>> approve)
    {
        if (!spec.name().equals(name)) {
            return CompletableFuture.failedFuture(InvalidInputException.malformed("/name", "name is " + spec.name() + " but the path names " + name + ": a cluster cannot be renamed"));
        }
        return repository.catalogs().thenCompose(catalogs -> {
            ClusterSpecValidator.validate(spec, names(catalogs));
            return existing(name).thenCompose(current -> {
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
                String kind = record.state() == ClusterState.STOPPED ? "update-spec" : resizeOnly ? "resize" : "update";
                Map<String, String> inputs = new HashMap<>();
                if (kind.equals("resize")) {
                    inputs.put(WORKERS_BEFORE, Integer.toString(record.spec().workers().count()));
                }
                reason.ifPresent(why -> inputs.put(REASON, why));
                Operation operation = Operation.start(ids.get(), name, kind, inputs, actor, clock.instant());
                ClusterRecord updated = record.withSpec(spec, clock.instant()).with(next, Optional.of(operation.id()), clock.instant());
                return render(updated, actor)
                        .thenCompose(rendered -> approve.get())
                        .thenCompose(approved -> repository.updateCluster(updated, current.index()))
                        .thenCompose(ignored -> event(name, kind + "-requested", describeChange(record.spec(), spec) + reason.map(why -> " by " + actor + ": " + why).orElse(""), actor, operation))
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
            Optional<Operation> active = found.filter(operation -> operation.kind().equals("resize"));
            int before = active.flatMap(operation -> operation.input(WORKERS_BEFORE)).map(Integer::parseInt).orElse(-1);
            if (active.isEmpty() || target >= before) {
                requireIdle(record);
            }
            if (wanted.count() <= target) {
                throw new ConflictException("Cluster '" + name + "' has operation " + id + " in progress, a scale-in " + before + " -> " + target
                        + ": a resize to more than " + target + " reuses its draining workers (they go back to ACTIVE); to " + wanted.count()
                        + ", wait for it (GET /v1/operations/" + id + ")");
            }
            Operation scaleIn = active.orElseThrow();
            boolean whole = wanted.count() >= before;
            return repository.versionedScaleInDecision(id).thenCompose(recorded -> {
                if (recorded.isPresent() && !recorded.get().value().pending()) {
                    throw loweredOrSuperseded(name, id, before, target);
                }
                ScaleInDecision decision = whole ? ScaleInDecision.supersede(wanted, actor) : ScaleInDecision.retarget(wanted, actor);
                long index = recorded.map(Versioned::index).orElse(0L);
                return approve.get().thenCompose(approved -> repository.decideScaleIn(id, decision, index)).thenCompose(decided -> {
                    if (!decided) {
                        throw loweredOrSuperseded(name, id, before, target);
                    }
                    String resize = "Resize to " + wanted.count() + " by " + actor + reason.map(why -> " (" + why + ")").orElse("");
                    WorkerPool pool = drains.orElseThrow();
                    if (whole) {
                        return event(name, "scale-in-superseded", resize + " supersedes the scale-in " + before + " -> " + target
                                        + " in progress: the workers it drains go back to ACTIVE instead of new workers starting; operation " + id + " applies the new count", actor, scaleIn)
                                .thenCompose(ignored -> pool.workers(name))
                                .thenCompose(workers -> pool.reactivate(ClusterWorkers.stoppedByScaleIn(workers, target)))
                                .thenApply(ignored -> scaleIn);
                    }
                    return retargetSpec(name, wanted)
                            .thenCompose(ignored -> pool.workers(name))
                            .thenCompose(workers -> pool.reactivate(kept(workers, target, wanted.count())))
                            .thenCompose(back -> event(name, "scale-in-retargeted", resize + " retargets the scale-in " + before + " -> " + target + " in progress: "
                                    + (back.isEmpty() ? "no draining worker needed putting back" : labels(back) + " back to ACTIVE instead of new workers starting")
                                    + "; the others keep draining, and operation " + id + " lowers the count to " + wanted.count(), actor, scaleIn))
                            .thenApply(ignored -> scaleIn);
                });
            });
        });
    }

    private static ConflictException loweredOrSuperseded(String name, String id, int before, int target)
    {
        return new ConflictException("Cluster '" + name + "' has operation " + id + " in progress, a scale-in " + before + " -> " + target
                + " that has lowered the count already or was superseded before: wait for it (GET /v1/operations/" + id + ")");
    }

    /** Of the workers a scale-in from {@code current} drains, the {@code current - count} that Nomad stops at {@code count} (the highest allocation indices). */
    private static List<Worker> stoppedAt(List<Worker> draining, int current, int count)
    {
        return ClusterWorkers.stoppedByScaleIn(draining, Math.max(0, draining.size() - (current - count)));
    }

    /** The workers a scale-in to {@code from} drains that Nomad keeps when the count goes to {@code to} instead. */
    private static List<Worker> kept(List<Worker> workers, int from, int to)
    {
        List<Worker> kept = new ArrayList<>(ClusterWorkers.stoppedByScaleIn(workers, from));
        kept.removeAll(ClusterWorkers.stoppedByScaleIn(workers, to));
        return kept;
    }

    /** The spec's workers set to {@code wanted} while an operation runs (a resize that retargets or supersedes a scale-in). */
    private CompletionStage<Void> retargetSpec(String name, Workers wanted)
    {
        return updateRecord(name, record -> record.spec().workers().equals(wanted) ? record : record.withSpec(record.spec().withWorkers(wanted), clock.instant()));
    }

    /**
     * The cluster record changed by {@code change} (compare-and-set; unchanged: no write). Retried
     * when another write came between the read and the write: while a scale-in drains, a resize
     * that retargets it writes the spec's count beside the operation's own writes. Every write an
     * operation makes goes through here (its state at the end, the job's modify index, the spec's
     * count); a user's request writes once against the record it read, and a conflict is its 409.
     */
    private CompletionStage<Void> updateRecord(String name, java.util.function.UnaryOperator<ClusterRecord> change)
    {
        return updateRecord(name, change, RECORD_WRITE_ATTEMPTS);
    }

    private CompletionStage<Void> updateRecord(String name, java.util.function.UnaryOperator<ClusterRecord> change, int attempts)
    {
        return existing(name)
                .thenCompose(current -> {
                    ClusterRecord changed = change.apply(current.value());
                    return changed.equals(current.value())
                            ? CompletableFuture.<Void>completedFuture(null)
                            : repository.updateCluster(changed, current.index());
                })
                .handle((ignored, failure) -> failure)
                .thenCompose(failure -> {
                    if (failure == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    if (Failures.unwrap(failure) instanceof ConflictException && attempts > 1) {
                        return updateRecord(name, change, attempts - 1);
                    }
                    return CompletableFuture.<Void>failedFuture(failure);
                });
    }

    public CompletionStage<Operation> stop(String name, String actor)
    {
        return transition(name, ClusterState.Action.STOP, "stop", Map.of(), actor);
    }

    public CompletionStage<Operation> start(String name, String actor)
    {
        return transition(name, ClusterState.Action.START, "start", Map.of(), actor);
    }

    public CompletionStage<Operation> restart(String name, String actor)
    {
        // a restart changes nothing else, so a Meta stamp makes Nomad replace every allocation; fixed now, so a resumed restart restarts once
        return transition(name, ClusterState.Action.RESTART, "restart", Map.of(RESTART_STAMP, clock.instant().toString()), actor);
    }

    public CompletionStage<Operation> delete(String name, String actor)
    {
        return transition(name, ClusterState.Action.DELETE, "delete", Map.of(), actor);
    }

    // ---- catalogs ----------------------------------------------------------------------------

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

    // ---- the work behind operations ----------------------------------------------------------

    private CompletionStage<Operation> transition(String name, ClusterState.Action action, String kind, Map<String, String> inputs, String actor)
    {
        return existing(name).thenCompose(current -> {
            ClusterRecord record = current.value();
            requireIdle(record);
            ClusterState next = record.state().on(action);
            Operation operation = Operation.start(ids.get(), name, kind, inputs, actor, clock.instant());
            // The leader's cluster watch can pick the operation up as soon as it is saved: the
            // request event goes first, so that it precedes everything the operation records.
            return repository.updateCluster(record.with(next, Optional.of(operation.id()), clock.instant()), current.index())
                    .thenCompose(ignored -> event(name, kind + "-requested", capitalize(kind) + " requested by " + actor, actor, operation))
                    .thenCompose(ignored -> repository.saveOperation(operation))
                    .thenApply(ignored -> {
                        runner.submit(operation);
                        return operation;
                    });
        });
    }

    /**
     * An operation's work, on the leader: from its start, or again from the start when a new leader
     * resumes it (then {@code stored} names the replica that ran it before). Whatever fails is
     * recorded on the operation and the cluster, never lost; losing leadership records nothing.
     */
    private CompletionStage<Void> execute(Operation stored, OperationRunner.Execution execution)
    {
        boolean resumed = stored.runner().isPresent();
        Tracker tracker = new Tracker(resumed
                ? stored.resumedBy(replicaId, "resumed by " + replicaId + " after leader change (it was run by " + stored.runner().get() + ")", clock.instant())
                : stored.runBy(replicaId), execution);
        String name = stored.cluster();
        CompletionStage<Void> work = repository.cluster(name).thenCompose(found -> {
            if (found.isEmpty() || !found.get().value().activeOperation().equals(Optional.of(stored.id()))) {
                return conclude(stored, found, tracker);
            }
            CompletionStage<Void> announced = CompletableFuture.completedFuture(null);
            if (resumed) {
                log.atInfo().addKeyValue("cluster", name).addKeyValue("operation", stored.id()).addKeyValue("replica", replicaId).log("Resuming an operation after a leader change");
                announced = tracker.save().thenCompose(ignored -> tracker.whileLeading(() -> event(name, "operation-resumed",
                        capitalize(stored.kind()) + " operation resumed by " + replicaId + " after leader change", stored.requestedBy(), stored)));
            }
            return announced.thenCompose(ignored -> switch (stored.kind()) {
                case "create", "update", "start", "restart" -> deploy(name, tracker, resumed);
                case "resize" -> resize(name, tracker, found.get().value().spec().workers().count(), resumed);
                case "update-spec" -> settleWithoutNomad(name, tracker);
                case "stop" -> stopJob(name, tracker, false);
                case "delete" -> stopJob(name, tracker, true);
                default -> CompletableFuture.failedFuture(new IllegalStateException("operation kind '" + stored.kind() + "' is unknown to this orchestrator version"));
            });
        });
        return recordFailure(work, tracker);
    }

    /**
     * An unfinished operation the cluster record no longer points to: the replica that ran it
     * settled the cluster, then lost leadership before it marked the operation done. The cluster's
     * timeline says how it ended.
     */
    private CompletionStage<Void> conclude(Operation stored, Optional<Versioned<ClusterRecord>> cluster, Tracker tracker)
    {
        if (cluster.isEmpty()) {
            return stored.kind().equals("delete")
                    ? tracker.succeed()
                    : tracker.fail("cluster " + stored.cluster() + " no longer exists");
        }
        return repository.events(stored.cluster()).thenCompose(events -> {
            Optional<ClusterEvent> last = events.stream().filter(event -> event.operation().equals(Optional.of(stored.id()))).reduce((first, second) -> second);
            if (last.isPresent() && last.get().type().endsWith("-failed")) {
                return tracker.fail(last.get().message());
            }
            if (last.isPresent() && !last.get().type().endsWith("-requested") && !last.get().type().equals("operation-resumed")) {
                return tracker.succeed();
            }
            return tracker.fail("interrupted by a leader change before it finished; the cluster is " + cluster.get().value().state().label());
        });
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
        ReplacementWatcher replacements = new ReplacementWatcher(nomad, ClusterSpec.jobId(name), clock, Duration.ofMillis(500), blocking, tracker::active,
                (type, message) -> tracker.whileLeading(() -> event(name, type, message, operation.requestedBy(), operation)));
        CompletionStage<Void> work = tracker.step("render", "rendering the job from job-templates/")
                .thenCompose(ignored -> existing(name))
                .thenCompose(record -> renderWithSecrets(record.value(), operation.requestedBy())
                        .thenCombine(nomad.job(record.value().spec().jobId()), (rendered, running) -> new Prepared(record.value(), rendered, restartStamp(running))))
                .thenCompose(prepared -> {
                    RenderedJob rendered = prepared.rendered().job();
                    ObjectNode job = deployable(rendered.nomadJob(), operation, prepared.runningStamp());
                    ClusterRecord record = prepared.record();
                    return tracker.step("write-variables", rendered.variables().size() + " Nomad variable(s) with secrets"
                                    + rendered.catalogBundle().map(bundle -> ", and the catalog files (" + bundle.path() + ")").orElse(""))
                            .thenCompose(ignored -> tracker.whileLeading(() -> writeVariables(rendered.variables(), prepared.rendered().secrets())))
                            // issue 18: before the register, so that a coordinator started by it finds its catalog files
                            .thenCompose(ignored -> tracker.whileLeading(() -> LiveCatalogHooks.writeBundle(nomad, rendered)))
                            .thenCompose(ignored -> replacements.start())
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
                                                : expectedIndex(operation.kind(), record, job, resumed))
                                        .thenCompose(expected -> tracker.whileLeading(() -> nomad.register(job, expected)))
                                        .thenCompose(result -> recordIndex(name, result.jobModifyIndex(), tracker))
                                        .thenCompose(ignored -> tracker.step("deploy", workers.isPresent()
                                                ? "waiting for the deployment: the coordinator's restart (the workers stay)"
                                                : "waiting for the deployment"))
                                        .thenCompose(ignored -> awaitDeployment(rendered.jobId(), "deploy", tracker));
                            });
                })
                .thenCompose(outcome -> finishDeploy(name, tracker, outcome, replacements));
        return work.whenComplete((ignored, failure) -> replacements.stop());
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
        return existing(name).thenCompose(current -> {
            ClusterRecord record = current.value();
            if (liveCatalogs.isEmpty() || record.spec().flavour() != Flavour.TRINO) {
                return CompletableFuture.completedFuture(null);
            }
            return tracker.step("catalogs", "the coordinator serves the cluster's catalogs " + record.spec().catalogs() + ": CREATE/DROP CATALOG for any difference")
                    .thenCompose(ignored -> repository.catalogs().thenCombine(coordinatorUrl(record), (all, url) -> LiveCatalogHooks.attached(record.spec(), all, url)))
                    .thenCompose(attached -> tracker.whileLeading(() -> liveCatalogs.get().reconcile(attached.coordinatorUrl(), attached.catalogs())))
                    .thenCompose(statements -> statements.isEmpty()
                            ? CompletableFuture.completedFuture(null)
                            : event(name, "catalogs-changed", "Catalogs changed live on the running coordinator, no allocation replaced: " + String.join("; ", statements),
                                    operation.requestedBy(), operation));
        });
    }

    /** A deploy's inputs: the record, its rendered job and secrets, and the restart stamp of the job Nomad runs now. */
    private record Prepared(ClusterRecord record, Rendered rendered, Optional<String> runningStamp) {}

    /**
     * The rendered job as deployed: with a restart's new stamp, or else the stamp the running job
     * has (a restart's stamp stays until the next restart: dropping it would change every group's
     * Meta and so replace every allocation, which only a restart should do), and the job Meta
     * copied into the workers group.
     */
    private static ObjectNode deployable(ObjectNode rendered, Operation operation, Optional<String> runningStamp)
    {
        Optional<String> stamp = operation.kind().equals("restart")
                ? Optional.of(operation.input(RESTART_STAMP).orElse(operation.createdAt().toString()))
                : runningStamp;
        return withWorkersMeta(withRestartStamp(rendered, stamp));
    }

    /** A rendered job as a deploy other than a restart would register it, next to the job Nomad runs now. */
    private static ObjectNode asDeployedNow(ObjectNode rendered, Optional<NomadJob> running)
    {
        return withWorkersMeta(withRestartStamp(rendered, restartStamp(running)));
    }

    /** The restart stamp in a job's Meta, if the job exists and has one. */
    static Optional<String> restartStamp(Optional<NomadJob> job)
    {
        return job.map(found -> found.spec().path("Meta").path(RESTART_META)).filter(JsonNode::isTextual).map(JsonNode::asText);
    }

    private static ObjectNode withRestartStamp(ObjectNode rendered, Optional<String> stamp)
    {
        ObjectNode job = rendered.deepCopy();
        stamp.ifPresent(value -> job.with("Meta").put(RESTART_META, value));
        return job;
    }

    /**
     * The job Meta copied into the workers group's Meta (the group's own keys win): then the
     * workers' combined Meta does not depend on the job Meta, which lets {@link #workersFirst}
     * register the new workers under the old job Meta, and the full version after it leave them be.
     */
    static ObjectNode withWorkersMeta(ObjectNode rendered)
    {
        ObjectNode job = rendered.deepCopy();
        ObjectNode workers = group(job, WORKER_GROUP);
        if (workers != null) {
            ObjectNode meta = job.path("Meta").isObject() ? ((ObjectNode) job.get("Meta")).deepCopy() : JsonNodeFactory.instance.objectNode();
            if (workers.path("Meta").isObject()) {
                meta.setAll((ObjectNode) workers.get("Meta"));
            }
            workers.set("Meta", meta);
        }
        return job;
    }

    /** Phase 1's deployment (none when the workers group was already as wanted), and the EnforceIndex phase 2 registers with. */
    private record WorkersPhase(Optional<DeploymentOutcome> outcome, OptionalLong nextExpectedIndex) {}

    /**
     * Phase 1 of an update or restart of a running job: registers {@link #workersFirst} and waits
     * for its deployment (Nomad rolls the workers by the group's update block). Empty for a create,
     * a start, or a job that is not running: those register once; and for an update Nomad's plan
     * says replaces no allocation (labels, min/max, the scaling policy: {@link PlanEffect}), which
     * registers once, in place.
     */
    private CompletionStage<Optional<WorkersPhase>> replaceWorkersFirst(String name, ClusterRecord record, ObjectNode job, boolean resumed, Tracker tracker)
    {
        String kind = tracker.operation().kind();
        String jobId = job.path("ID").asText();
        if (!kind.equals("update") && !kind.equals("restart")) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return nomad.job(jobId).thenCompose(current -> {
            if (current.isEmpty() || current.get().stop() || group(current.get().spec(), COORDINATOR_GROUP) == null) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            if (kind.equals("restart")) {
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
        String kind = tracker.operation().kind();
        String jobId = job.path("ID").asText();
        ObjectNode phase = workersFirst(current.spec(), job);
        long before = current.jobModifyIndex();
        return tracker.step("register-workers", "phase 1 of 2: registering job " + jobId + " with only the workers group changed;"
                        + " Nomad replaces the workers one at a time (each drains itself on the kill signal) while the coordinator keeps serving")
                .thenCompose(ignored -> expectedIndex(kind, record, phase, resumed))
                .thenCompose(expected -> tracker.whileLeading(() -> nomad.register(phase, expected)))
                .thenCompose(result -> recordIndex(name, result.jobModifyIndex(), tracker).thenApply(ignored -> result))
                .thenCompose(result -> tracker.step("deploy-workers", "waiting for the workers' rolling replacement")
                        .thenCompose(ignored -> result.jobModifyIndex() == before
                                ? latestOutcomeIfRunning(jobId, tracker)
                                : awaitDeployment(jobId, "deploy-workers", tracker).thenApply(Optional::of))
                        .thenApply(outcome -> {
                            if (outcome.isEmpty()) {
                                tracker.progress("deploy-workers", "the workers group is unchanged: nothing to replace before the coordinator");
                            }
                            OptionalLong next = kind.equals("update") ? OptionalLong.of(result.jobModifyIndex()) : OptionalLong.empty();
                            return Optional.of(new WorkersPhase(outcome, next));
                        }));
    }

    /**
     * The running job with only the workers group replaced by the new one: the coordinator group
     * and every task's combined Meta (job, group, task: what Nomad compares) stay as they run, so
     * Nomad replaces the workers and updates the coordinator in place. The job Meta keeps only the
     * keys the new version keeps (the new values are in the workers group's Meta, so the workers'
     * combined Meta is already the new version's); a key the new version drops moves into the
     * coordinator group's Meta so the coordinator's combined Meta does not change either.
     */
    static ObjectNode workersFirst(ObjectNode running, ObjectNode next)
    {
        ObjectNode phase = next.deepCopy();
        ObjectNode oldMeta = running.path("Meta").isObject() ? (ObjectNode) running.get("Meta") : JsonNodeFactory.instance.objectNode();
        JsonNode newMeta = next.path("Meta");
        ObjectNode kept = JsonNodeFactory.instance.objectNode();
        ObjectNode dropped = JsonNodeFactory.instance.objectNode();
        oldMeta.fields().forEachRemaining(field -> (newMeta.has(field.getKey()) ? kept : dropped).set(field.getKey(), field.getValue()));
        phase.set("Meta", kept);
        ObjectNode coordinator = group(running, COORDINATOR_GROUP).deepCopy();
        if (!dropped.isEmpty()) {
            if (coordinator.path("Meta").isObject()) {
                dropped.setAll((ObjectNode) coordinator.get("Meta"));
            }
            coordinator.set("Meta", dropped);
        }
        ArrayNode groups = (ArrayNode) phase.get("TaskGroups");
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).path("Name").asText().equals(COORDINATOR_GROUP)) {
                groups.set(i, coordinator);
            }
        }
        return phase;
    }

    private static ObjectNode group(JsonNode job, String name)
    {
        for (JsonNode group : job.path("TaskGroups")) {
            if (group.path("Name").asText().equals(name)) {
                return (ObjectNode) group;
            }
        }
        return null;
    }

    /** Registering changed nothing: a deployment of this version still running (a resumed operation's) is awaited, a finished one is not. */
    private CompletionStage<Optional<DeploymentOutcome>> latestOutcomeIfRunning(String jobId, Tracker tracker)
    {
        return nomad.latestDeployment(jobId).thenCompose(latest -> latest.isPresent() && "running".equals(latest.get().status())
                ? watchToEnd(latest.get().id(), "deploy-workers", tracker).thenApply(Optional::of)
                : CompletableFuture.completedFuture(Optional.empty()));
    }

    /**
     * Nomad refuses to scale a job while one of its deployments runs ("job scaling blocked due to
     * active deployment"): one follows every register and every scale, for the allocations'
     * min_healthy_time at least. So a scale first waits for the job's running deployment, if any, to
     * end (its progress shown in {@code step}), whatever its outcome: the scale itself is still wanted.
     */
    private CompletionStage<Void> awaitNoDeployment(String jobId, String step, Tracker tracker)
    {
        return nomad.latestDeployment(jobId).thenCompose(latest -> {
            if (latest.isEmpty() || latest.get().terminal()) {
                return CompletableFuture.completedFuture(null);
            }
            tracker.progress(step, "Nomad does not scale a job while a deployment runs: waiting for deployment " + shortId(latest.get().id())
                    + " (version " + latest.get().jobVersion() + ") to end");
            return watchToEnd(latest.get().id(), step, tracker).thenApply(outcome -> null);
        });
    }

    /**
     * Create and update register with {@code EnforceIndex}: the job must still be as the
     * orchestrator last left it. A resumed one may find the job its former leader registered but had
     * not recorded yet: the same job (same Meta: spec hash, templates, SSM versions, restart stamp),
     * so its index is adopted and registering it again changes nothing.
     */
    private CompletionStage<OptionalLong> expectedIndex(String kind, ClusterRecord record, ObjectNode job, boolean resumed)
    {
        OptionalLong expected = switch (kind) {
            case "create" -> OptionalLong.of(record.jobModifyIndex().orElse(0L));
            case "update" -> record.jobModifyIndex().map(OptionalLong::of).orElse(OptionalLong.empty());
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

    private CompletionStage<DeploymentOutcome> awaitDeployment(String jobId, String step, Tracker tracker)
    {
        return nomad.job(jobId).thenCompose(job -> {
            long version = job.map(NomadJob::version).orElseThrow(() -> new ConflictException("Job " + jobId + " disappeared right after it was registered"));
            java.time.Instant deadline = clock.instant().plus(Duration.ofSeconds(30));
            return poll(tracker, step, Duration.ofMillis(500), deadline, () -> nomad.latestDeployment(jobId).thenApply(latest ->
                    latest.isPresent() && latest.get().jobVersion() == version
                            ? Look.done(latest.get(), Optional.empty())
                            : Look.<Deployment>waiting(Optional.empty(), "Nomad created no deployment for version " + version + " of job " + jobId + " within 30s")));
        }).thenCompose(deployment -> watchToEnd(deployment.id(), step, tracker));
    }

    /** Watches a deployment until it ends, each change of its progress shown in {@code step}. */
    private CompletionStage<DeploymentOutcome> watchToEnd(String deploymentId, String step, Tracker tracker)
    {
        return tracker.await(nomad.watchDeployment(deploymentId, progress -> tracker.progress(step, describe(progress))));
    }

    private CompletionStage<Void> finishDeploy(String name, Tracker tracker, DeploymentOutcome outcome, ReplacementWatcher replacements)
    {
        Deployment deployment = outcome.deployment();
        if ("successful".equals(deployment.status())) {
            return awaitTrinoReady(name, deployment.jobId(), OptionalLong.of(deployment.jobVersion()), tracker)
                    .thenCompose(workers -> applyLiveCatalogs(name, tracker).thenApply(ignored -> workers))
                    .thenCompose(workers -> replacements.finish().thenApply(ignored -> workers))
                    .thenCompose(workers -> awaitRoutable(name, tracker).thenCompose(routing -> settle(name, ClusterState.Action.DEPLOY_SUCCEEDED, tracker, "deploy-succeeded",
                            "Deployment " + deployment.id() + " of job version " + deployment.jobVersion() + " succeeded; the coordinator counts " + workers
                                    + " active worker(s); routable" + routing.url().map(url -> " at " + url).orElse(""))));
        }
        StringBuilder reason = new StringBuilder("Deployment " + deployment.id() + " " + deployment.status() + ": " + deployment.statusDescription());
        outcome.failures().forEach(failure -> reason.append("; ").append(failure.allocName()).append(" task ").append(failure.task()).append(": ")
                .append(failure.events().isEmpty() ? failure.state() : failure.events().get(failure.events().size() - 1).displayMessage()));
        return replacements.finish().thenCompose(ignored -> fail(name, tracker, ClusterState.Action.DEPLOY_FAILED, reason.toString()));
    }

    /**
     * Scale the worker group; resumed, it scales only if the former leader did not get to it. With
     * drains on, a scale-in first drains the workers Nomad will stop (see {@link #drainForScaleIn}),
     * and a scale-up first puts draining workers back to ACTIVE.
     */
    private CompletionStage<Void> resize(String name, Tracker tracker, int count, boolean resumed)
    {
        Operation operation = tracker.operation();
        String previous = operation.input(WORKERS_BEFORE).orElse("?");
        String jobId = ClusterSpec.jobId(name);
        return nomad.job(jobId).thenCompose(job -> {
            int current = job.filter(found -> !found.stop()).map(found -> found.groupCount(WORKER_GROUP)).orElse(-1);
            boolean scaled = resumed && current == count;
            if (drains.isEmpty() || current < 0 || scaled || current == count) {
                return scale(name, tracker, count, previous, scaled).thenApply(ignored -> List.<Worker>of());
            }
            if (count > current) {
                return reactivateForCapacity(name, tracker)
                        .thenCompose(ignored -> scale(name, tracker, count, previous, false))
                        .thenApply(ignored -> List.<Worker>of());
            }
            return drainForScaleIn(name, tracker, current, count, previous);
        }).thenCompose(drained -> drained.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : awaitStopped(name, jobId, drained, tracker))
                // a superseded scale-in changed the spec's count
                .thenCompose(ignored -> existing(name)).thenApply(record -> record.value().spec().workers().count())
                .thenCompose(finalCount -> tracker.step("place", "waiting for " + finalCount + " running worker allocation(s)")
                        .thenCompose(ignored -> awaitRunning(jobId, WORKER_GROUP, finalCount, clock.instant().plus(settleTimeout), tracker))
                        .thenCompose(ignored -> awaitTrinoReady(name, jobId, OptionalLong.empty(), tracker))
                        .thenCompose(ignored -> settle(name, ClusterState.Action.DEPLOY_SUCCEEDED, tracker, "scaled", "Workers scaled from " + previous + " to " + finalCount)))
                .thenCompose(ignored -> tracker.whileLeading(() -> repository.forgetScaleIn(operation.id())));
    }

    private CompletionStage<Void> scale(String name, Tracker tracker, int count, String previous, boolean alreadyScaled)
    {
        Operation operation = tracker.operation();
        String jobId = ClusterSpec.jobId(name);
        return tracker.step("scale", "workers " + previous + " -> " + count)
                .thenCompose(ignored -> alreadyScaled
                        ? nomad.job(jobId).thenApply(job -> job.map(NomadJob::jobModifyIndex).orElse(0L))
                        : awaitNoDeployment(jobId, "scale", tracker)
                                .thenCompose(none -> tracker.whileLeading(() -> nomad.scale(jobId, WORKER_GROUP, count,
                                        "presto-orchestrator: resize by " + operation.requestedBy() + operation.input(REASON).map(why -> ": " + why).orElse(""))))
                                .thenApply(RegisterResult::jobModifyIndex))
                .thenCompose(index -> recordIndex(name, index, tracker));
    }

    /**
     * Path 2 of issue 6: drain the workers Nomad will stop (the highest allocation indices) in
     * parallel, record an event per worker, and only then lower the count, so the worker's own
     * drain wrapper finds it DRAINED and exits at once. A worker still draining at the bound is
     * handled as {@code drain.at-bound} says. If the scale fails, or the drain is aborted, the
     * workers are put back to ACTIVE. Resumed by a new leader, workers already DRAINED are not
     * asked again. Answers the drained workers, whose allocations the caller waits to see stop.
     */
    private CompletionStage<List<Worker>> drainForScaleIn(String name, Tracker tracker, int current, int count, String previous)
    {
        return repository.scaleInDecision(tracker.operation().id()).thenCompose(decided -> decided.flatMap(ScaleInDecision::supersededBy).isPresent()
                ? superseded(name, tracker, List.of(), decided.get(), current)
                // resumed after a retarget: only the workers Nomad stops at the retargeted count
                : drainThenDecide(name, tracker, current, decided.flatMap(ScaleInDecision::retargetedTo).map(Workers::count).orElse(count), previous));
    }

    private CompletionStage<List<Worker>> drainThenDecide(String name, Tracker tracker, int current, int count, String previous)
    {
        WorkerPool pool = drains.orElseThrow();
        DrainConfig config = pool.config();
        Operation operation = tracker.operation();
        Map<String, java.time.Instant> finishedAt = new java.util.concurrent.ConcurrentHashMap<>();
        return tracker.step("drain", "finding the workers Nomad stops when the count goes " + current + " -> " + count)
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.workers(name)))
                .thenCompose(workers -> {
                    List<Worker> chosen = ClusterWorkers.stoppedByScaleIn(workers, count);
                    if (chosen.isEmpty()) {
                        tracker.progress("drain", "no registered worker beyond the count " + count + ": nothing to drain");
                        return CompletableFuture.completedFuture(List.<WorkerPool.Drained>of());
                    }
                    tracker.progress("drain", "draining " + labels(chosen) + " (bound " + config.timeout().toSeconds() + "s each)");
                    return pool.drain(name, "scale-in", chosen, new WorkerPool.Listener()
                    {
                        @Override
                        public CompletionStage<Void> started(Worker worker)
                        {
                            return tracker.whileLeading(() -> event(name, "drain-started", "Draining worker " + describe(worker) + " before the count goes " + current + " -> " + count
                                    + "; bound " + config.timeout().toSeconds() + "s, at the bound: " + config.atBound().name().toLowerCase(java.util.Locale.ROOT), operation.requestedBy(), operation));
                        }

                        @Override
                        public void progress(Worker worker, String detail)
                        {
                            tracker.progress("drain", worker.label() + ": " + detail);
                        }

                        @Override
                        public CompletionStage<Void> finished(Worker worker, DrainResult result)
                        {
                            finishedAt.put(worker.allocId(), clock.instant());
                            CompletionStage<Optional<ScaleInDecision>> reversal = result.outcome() == DrainResult.Outcome.REFUSED
                                    ? repository.scaleInDecision(operation.id())
                                    : CompletableFuture.completedFuture(Optional.empty());
                            return reversal.thenCompose(decision -> {
                                // a drain ended by a resize that superseded or retargeted the scale-in and keeps this worker
                                Optional<Workers> resize = decision.flatMap(found -> found.supersededBy().or(found::retargetedTo));
                                if (resize.isPresent() && !stoppedAt(chosen, current, resize.get().count()).contains(worker)) {
                                    return tracker.whileLeading(() -> event(name, "drain-cancelled", "Worker " + worker.label() + " stopped draining after " + seconds(result.took())
                                            + ": the resize to " + resize.get().count() + " by " + decision.get().by() + " keeps it, ACTIVE again", operation.requestedBy(), operation));
                                }
                                return tracker.whileLeading(() -> event(name, drainEventType(result), describe(worker, result, config), operation.requestedBy(), operation));
                            });
                        }
                    });
                })
                .thenCompose(results -> tracker.whileLeading(() -> decideLowering(operation.id(), 5))
                        .thenCompose(decision -> {
                            List<Worker> chosen = results.stream().map(WorkerPool.Drained::worker).toList();
                            if (decision.supersededBy().isPresent()) {
                                return superseded(name, tracker, chosen, decision, current);
                            }
                            int lowerTo = decision.retargetedTo().map(Workers::count).orElse(count);
                            if (lowerTo == count) {
                                return lowerAfterDrains(name, tracker, current, count, previous, config, finishedAt, results);
                            }
                            if (lowerTo >= current) {
                                return superseded(name, tracker, chosen, ScaleInDecision.supersede(decision.retargetedTo().orElseThrow(), decision.by()), current);
                            }
                            return lowerToRetarget(name, tracker, current, decision.retargetedTo().orElseThrow(), previous, config, finishedAt, results);
                        }));
    }

    /**
     * The scale-in's final decision once its workers drained: the operation lowers the count (to a
     * pending retarget's count, if a resize retargeted it) unless a resize superseded it first.
     * Compare-and-set against the resizes that retarget or supersede it meanwhile.
     */
    private CompletionStage<ScaleInDecision> decideLowering(String operationId, int attempts)
    {
        return repository.versionedScaleInDecision(operationId).thenCompose(recorded -> {
            if (recorded.isPresent() && !recorded.get().value().pending()) {
                return CompletableFuture.completedFuture(recorded.get().value());
            }
            ScaleInDecision lowering = recorded.map(found -> found.value().lowered(replicaId)).orElseGet(() -> ScaleInDecision.lower(replicaId));
            return repository.decideScaleIn(operationId, lowering, recorded.map(Versioned::index).orElse(0L)).thenCompose(decided -> {
                if (decided) {
                    return CompletableFuture.completedFuture(lowering);
                }
                if (attempts > 1) {
                    return decideLowering(operationId, attempts - 1);
                }
                return CompletableFuture.<ScaleInDecision>failedFuture(new IllegalStateException("the decision of scale-in " + operationId + " kept changing while it was being made"));
            });
        });
    }

    /**
     * A resize retargeted the scale-in to {@code wanted}, between its target and the count it
     * started from: Nomad stops only the highest-index workers beyond {@code wanted}, so only they
     * must have drained; the others are ACTIVE again (the resize put them back; again here in case
     * that failed, so none is left DRAINED and kept).
     */
    private CompletionStage<List<Worker>> lowerToRetarget(String name, Tracker tracker, int current, Workers wanted, String previous, DrainConfig config,
            Map<String, java.time.Instant> finishedAt, List<WorkerPool.Drained> results)
    {
        List<Worker> stoppedAt = stoppedAt(results.stream().map(WorkerPool.Drained::worker).toList(), current, wanted.count());
        List<WorkerPool.Drained> stopping = results.stream().filter(drained -> stoppedAt.contains(drained.worker())).toList();
        List<Worker> keptBack = results.stream().filter(drained -> !stopping.contains(drained)).map(WorkerPool.Drained::worker).toList();
        Map<String, java.time.Instant> stoppingFinishedAt = new HashMap<>(finishedAt);
        stoppingFinishedAt.keySet().retainAll(stopping.stream().map(drained -> drained.worker().allocId()).toList());
        return tracker.whileLeading(() -> retargetSpec(name, wanted))
                .thenCompose(ignored -> tracker.whileLeading(() -> drains.orElseThrow().reactivate(keptBack)))
                .thenCompose(back -> back.isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null)
                        : tracker.whileLeading(() -> event(name, "drain-reversed", labels(back) + " put back to ACTIVE because a resize to " + wanted.count() + " retargeted the scale-in",
                        tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> lowerAfterDrains(name, tracker, current, wanted.count(), previous, config, stoppingFinishedAt, stopping));
    }

    /** The scale-in goes ahead: {@code drain.at-bound} for unfinished drains, then the count lowered. */
    private CompletionStage<List<Worker>> lowerAfterDrains(String name, Tracker tracker, int current, int count, String previous, DrainConfig config,
            Map<String, java.time.Instant> finishedAt, List<WorkerPool.Drained> results)
    {
        Operation operation = tracker.operation();
        List<Worker> chosen = results.stream().map(WorkerPool.Drained::worker).toList();
        List<WorkerPool.Drained> unfinished = results.stream().filter(drained -> !drained.result().safeToStop()).toList();
        if (!unfinished.isEmpty() && config.atBound() == DrainConfig.AtBound.ABORT) {
            return abortScaleIn(name, tracker, chosen, unfinished, current);
        }
        CompletionStage<Void> noted = unfinished.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : tracker.whileLeading(() -> event(name, "drain-bound-reached", labels(unfinished.stream().map(WorkerPool.Drained::worker).toList())
                        + " did not finish draining; drain.at-bound is continue: the count is lowered anyway, Nomad's kill signal and the worker's own drain wrapper take over",
                        operation.requestedBy(), operation));
        java.time.Instant lastDrained = finishedAt.values().stream().max(java.time.Instant::compareTo).orElse(clock.instant());
        return noted
                .thenCompose(ignored -> scale(name, tracker, count, previous, false))
                .handle((ignored, failure) -> failure)
                .thenCompose(failure -> {
                    if (failure == null) {
                        Duration overhead = Duration.between(lastDrained, clock.instant());
                        return tracker.whileLeading(() -> event(name, "count-lowered", "Count lowered " + current + " -> " + count + " " + seconds(overhead)
                                        + " after the last worker finished draining; Nomad stops " + labels(chosen), operation.requestedBy(), operation))
                                .thenApply(ignored -> chosen);
                    }
                    if (!tracker.active()) {
                        return CompletableFuture.<List<Worker>>failedFuture(failure);
                    }
                    // the count was not lowered: the spec goes back to what Nomad runs and the cluster to RUNNING, as after an
                    // aborted drain, so that the failed operation leaves no spec that nothing runs (a Nomad outage during the scale call)
                    String reason = Failures.unwrap(failure).getMessage();
                    // the steps say which one failed: the scale, then the workers put back (done), then the operation fails
                    return tracker.endStep(Operation.StepState.FAILED, Optional.of("workers " + current + " -> " + count + ": " + reason))
                            .thenCompose(ignored -> restore(name, tracker, chosen, "the resize failed (" + reason + ")"))
                            .thenCompose(ignored -> tracker.whileLeading(() -> updateRecord(name, record -> record
                                    .withSpec(record.spec().withWorkers(new Workers(current, record.spec().workers().min(), record.spec().workers().max())), clock.instant())
                                    .with(ClusterState.RUNNING, Optional.empty(), clock.instant()))))
                            .thenCompose(ignored -> tracker.endStep(Operation.StepState.DONE, Optional.empty()))
                            .thenCompose(ignored -> CompletableFuture.<List<Worker>>failedFuture(new IllegalStateException(reason + "; the count stays " + current, failure)));
                });
    }

    /**
     * A larger resize superseded the scale-in ({@link #supersedeScaleIn}): the workers it drained
     * back to ACTIVE, the spec to the workers asked for, and the count raised if that is above what
     * runs now. Nothing is left to wait to stop.
     */
    private CompletionStage<List<Worker>> superseded(String name, Tracker tracker, List<Worker> chosen, ScaleInDecision decision, int current)
    {
        Workers wanted = decision.supersededBy().orElseThrow();
        CompletionStage<Void> restored = chosen.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : restore(name, tracker, chosen, "a resize to " + wanted.count() + " by " + decision.by() + " superseded the scale-in");
        return restored
                .thenCompose(ignored -> tracker.whileLeading(() -> retargetSpec(name, wanted)))
                .thenCompose(ignored -> wanted.count() > current
                        ? reactivateForCapacity(name, tracker).thenCompose(none -> scale(name, tracker, wanted.count(), Integer.toString(current), false))
                        : CompletableFuture.<Void>completedFuture(null))
                .thenApply(ignored -> List.<Worker>of());
    }

    /** {@code drain.at-bound: abort}: every worker of the operation back to ACTIVE, the spec back to the count Nomad runs, the operation failed. */
    private CompletionStage<List<Worker>> abortScaleIn(String name, Tracker tracker, List<Worker> chosen, List<WorkerPool.Drained> unfinished, int current)
    {
        String reason = "Drain aborted: " + unfinished.stream().map(drained -> drained.worker().label() + " " + drained.result().outcome().name().toLowerCase(java.util.Locale.ROOT)
                + " (" + drained.result().detail() + ")").collect(java.util.stream.Collectors.joining("; "))
                + "; drain.at-bound is abort, so every worker was put back to ACTIVE and the count stays " + current;
        return restore(name, tracker, chosen, "drain.at-bound is abort")
                .thenCompose(ignored -> tracker.whileLeading(() -> updateRecord(name, record -> record
                        .withSpec(record.spec().withWorkers(new Workers(current, record.spec().workers().min(), record.spec().workers().max())), clock.instant())
                        .with(ClusterState.RUNNING, Optional.empty(), clock.instant()))))
                .thenCompose(ignored -> tracker.whileLeading(() -> event(name, "drain-aborted", reason, tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> tracker.fail(reason))
                .thenCompose(ignored -> CompletableFuture.<List<Worker>>failedFuture(new DrainAborted(reason)));
    }

    /** Raised after an aborted drain recorded everything, so nothing else is recorded. */
    static final class DrainAborted
            extends RuntimeException
    {
        DrainAborted(String message)
        {
            super(message);
        }
    }

    /** A reversible drain undone: the workers back to ACTIVE, one event naming them. */
    private CompletionStage<Void> restore(String name, Tracker tracker, List<Worker> workers, String why)
    {
        WorkerPool pool = drains.orElseThrow();
        return tracker.step("reactivate", "putting " + labels(workers) + " back to ACTIVE: " + why)
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.reactivate(workers)))
                .thenCompose(back -> tracker.whileLeading(() -> event(name, "drain-reversed", (back.isEmpty() ? "No worker needed putting back" : labels(back) + " put back to ACTIVE")
                        + " because " + why, tracker.operation().requestedBy(), tracker.operation())));
    }

    /** Capacity is wanted: workers still DRAINING or DRAINED are put back to ACTIVE before any new one is started. */
    private CompletionStage<Void> reactivateForCapacity(String name, Tracker tracker)
    {
        WorkerPool pool = drains.orElseThrow();
        return tracker.step("reactivate", "putting draining workers back to ACTIVE before starting new ones")
                .thenCompose(ignored -> tracker.whileLeading(() -> pool.reactivateDraining(name)))
                .thenCompose(back -> back.isEmpty()
                        ? CompletableFuture.<Void>completedFuture(null)
                        : tracker.whileLeading(() -> event(name, "worker-reactivated", labels(back) + " were draining and are ACTIVE again: capacity back without starting new workers",
                        tracker.operation().requestedBy(), tracker.operation())));
    }

    /** Waits until the drained workers' allocations have stopped, recording when each stopped relative to the count being lowered. */
    private CompletionStage<Void> awaitStopped(String name, String jobId, List<Worker> drained, Tracker tracker)
    {
        java.time.Instant lowered = clock.instant();
        java.time.Instant deadline = lowered.plus(settleTimeout);
        Set<String> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Operation operation = tracker.operation();
        return tracker.step("stop-drained", "waiting for the allocations of " + labels(drained) + " to stop")
                .thenCompose(ignored -> poll(tracker, "stop-drained", Duration.ofMillis(250), deadline, () -> nomad.allocations(jobId).thenCompose(allocations -> {
                    CompletionStage<Void> events = CompletableFuture.completedFuture(null);
                    int stopped = 0;
                    for (Worker worker : drained) {
                        Optional<AllocationStub> allocation = allocations.stream().filter(candidate -> candidate.id().equals(worker.allocId())).findFirst();
                        if (allocation.isEmpty() || allocation.get().clientTerminal()) {
                            stopped++;
                            if (reported.add(worker.allocId())) {
                                Duration after = Duration.between(lowered, clock.instant());
                                events = events.thenCompose(written -> event(name, "worker-stopped", "Worker " + worker.label() + " (alloc " + shortId(worker.allocId())
                                        + ") stopped " + seconds(after) + " after the count was lowered", operation.requestedBy(), operation));
                            }
                        }
                    }
                    int done = stopped;
                    return events.thenApply(written -> done == drained.size()
                            ? Look.done(done, Optional.of(done + "/" + drained.size() + " drained worker(s) stopped"))
                            : Look.<Integer>waiting(Optional.of(done + "/" + drained.size() + " drained worker(s) stopped"),
                            "The allocations of " + labels(drained) + " did not stop within " + settleTimeout.toSeconds() + "s of the count being lowered"));
                })))
                .thenApply(ignored -> null);
    }

    private static String drainEventType(DrainResult result)
    {
        return switch (result.outcome()) {
            case DRAINED -> "worker-drained";
            case SHUTTING_DOWN -> "worker-shut-down";
            case TIMED_OUT -> "drain-timed-out";
            case GONE -> "drain-worker-gone";
            case REFUSED -> "drain-refused";
        };
    }

    private static String describe(Worker worker)
    {
        return worker.label() + " (alloc " + shortId(worker.allocId()) + " on node " + shortId(worker.nodeId()) + ", " + worker.url() + ")";
    }

    private static String describe(Worker worker, DrainResult result, DrainConfig config)
    {
        String took = seconds(result.took());
        return switch (result.outcome()) {
            case DRAINED -> "Worker " + worker.label() + " drained after " + took + ": it runs no tasks and is stopped next";
            case SHUTTING_DOWN -> "Worker " + worker.label() + " has no DRAINING state: SHUTTING_DOWN used instead, it exited after " + took;
            case GONE -> "Worker " + worker.label() + " went away while draining (" + result.detail() + ") after " + took + "; its allocation or node is gone";
            case TIMED_OUT -> "Worker " + worker.label() + " did not finish draining within " + config.timeout().toSeconds() + "s (" + result.detail() + "); at the bound: "
                    + (config.atBound() == DrainConfig.AtBound.CONTINUE ? "continue, it is stopped anyway" : "abort, it is put back to ACTIVE");
            case REFUSED -> "Worker " + worker.label() + " refused to drain (" + result.detail() + ") after " + took + "; at the bound: "
                    + (config.atBound() == DrainConfig.AtBound.CONTINUE ? "continue, it is stopped anyway" : "abort, it is put back to ACTIVE");
        };
    }

    private static String labels(List<Worker> workers)
    {
        return workers.stream().map(Worker::label).collect(java.util.stream.Collectors.joining(", "));
    }

    static String shortId(String id)
    {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    static String seconds(Duration duration)
    {
        return String.format(java.util.Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    private CompletionStage<Long> awaitRunning(String jobId, String group, int count, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "place", Duration.ofSeconds(1), deadline, () -> nomad.allocations(jobId).thenApply(allocations -> {
            long running = allocations.stream().filter(a -> a.taskGroup().equals(group) && "running".equals(a.clientStatus()) && "run".equals(a.desiredStatus())).count();
            long wanted = allocations.stream().filter(a -> a.taskGroup().equals(group) && "run".equals(a.desiredStatus())).count();
            Optional<String> progress = Optional.of(running + "/" + count + " worker allocation(s) running");
            return running == count && wanted == count
                    ? Look.done(running, progress)
                    : Look.<Long>waiting(progress, "Group " + group + " of job " + jobId + " has " + running + " of " + count + " allocations running after " + settleTimeout.toSeconds() + "s");
        }));
    }

    /**
     * Done means Trino serves: allocations of older job versions are gone (a replaced coordinator
     * can answer for a few seconds after Nomad reports the new deployment healthy), and the
     * coordinator counts the spec's number of workers as active.
     */
    private CompletionStage<Integer> awaitTrinoReady(String name, String jobId, OptionalLong version, Tracker tracker)
    {
        java.time.Instant deadline = clock.instant().plus(settleTimeout);
        return tracker.step("trino-ready", "waiting for the coordinator to count the workers as active")
                .thenCompose(ignored -> version.isPresent() ? awaitOlderVersionsGone(jobId, version.getAsLong(), deadline, tracker) : CompletableFuture.completedFuture(0L))
                .thenCompose(ignored -> existing(name))
                .thenCompose(record -> awaitCoordinator(record.value(), deadline, tracker)
                        .thenCompose(coordinator -> awaitActiveWorkers(coordinator, jobId, record.value().spec(), deadline, tracker)));
    }

    /** Where the coordinator answers: its static local port, else its discovery service in Consul (which Nomad registers once it runs). */
    private CompletionStage<String> awaitCoordinator(ClusterRecord record, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "trino-ready", Duration.ofSeconds(1), deadline, () -> coordinatorUrl(record).thenApply(url -> url.isPresent()
                ? Look.done(url.get(), Optional.empty())
                : Look.<String>waiting(Optional.of("waiting for the coordinator to register in Consul as " + coordinatorService(record.name())),
                "The coordinator of " + record.name() + " did not register in Consul as " + coordinatorService(record.name()) + " within " + settleTimeout.toSeconds() + "s")));
    }

    private CompletionStage<Optional<String>> coordinatorUrl(ClusterRecord record)
    {
        if (record.coordinatorPort().isPresent()) {
            return CompletableFuture.completedFuture(Optional.of("http://127.0.0.1:" + record.coordinatorPort().get()));
        }
        return services.instances(coordinatorService(record.name())).thenApply(instances -> instances.stream()
                .findFirst()
                .map(ServiceHealth.Instance::httpUrl));
    }

    /** The coordinator's unrouted Consul service: workers discover it, the orchestrator probes it. */
    static String coordinatorService(String cluster)
    {
        return ClusterSpec.jobId(cluster) + "-coordinator";
    }

    /** The coordinator's routed Consul service, behind the readiness gate. */
    static String routedService(String cluster)
    {
        return ClusterSpec.jobId(cluster);
    }

    /** The last step of a deploy: the routing readiness gate passes in Consul, so Traefik routes the cluster's host. */
    private CompletionStage<Routing> awaitRoutable(String name, Tracker tracker)
    {
        java.time.Instant deadline = clock.instant().plus(settleTimeout);
        return tracker.step("routable", "waiting for the readiness gate of " + routedService(name) + " to pass in Consul")
                .thenCompose(ignored -> existing(name))
                .thenCompose(record -> poll(tracker, "routable", Duration.ofSeconds(1), deadline, () -> routing(record.value(), Optional.empty()).thenApply(routing -> routing.routable()
                        ? Look.done(routing, Optional.empty())
                        : Look.<Routing>waiting(Optional.of(routing.reason()), "Cluster " + name + " is not routable " + settleTimeout.toSeconds() + "s after its deployment: " + routing.reason()))));
    }

    /** Whether Traefik routes the cluster now, and why not, from the routed service's instances in Consul. */
    private CompletionStage<Routing> routing(ClusterRecord record, Optional<NomadJob> job)
    {
        Optional<String> jobUrl = job.flatMap(NomadJob::publicUrl);
        if (record.state() == ClusterState.STOPPED) {
            return CompletableFuture.completedFuture(new Routing(Optional.empty(), false, "the cluster is stopped: POST /v1/clusters/" + record.name() + "/start brings it back"));
        }
        return services.instances(routedService(record.name())).thenApply(instances -> {
            Optional<String> url = instances.stream().map(instance -> instance.meta().get("public_url")).filter(Objects::nonNull).findFirst().or(() -> jobUrl);
            if (instances.isEmpty()) {
                return new Routing(url, false, "no coordinator is registered in Consul as " + routedService(record.name()) + " (it is not running yet, or stopping)");
            }
            Optional<ServiceHealth.Instance> passing = instances.stream().filter(ServiceHealth.Instance::passing).findFirst();
            if (passing.isPresent()) {
                String gate = passing.get().checks().stream().filter(check -> check.name().equals(READINESS_GATE)).map(ServiceHealth.Check::output).findFirst().orElse("").strip();
                return new Routing(url, true, gate.isEmpty() ? "every check of " + routedService(record.name()) + " passes" : gate);
            }
            String failing = instances.stream().flatMap(instance -> instance.checks().stream())
                    .filter(check -> !check.status().equals("passing"))
                    .map(check -> check.name() + " is " + check.status() + (check.output().isBlank() ? "" : ": " + check.output().strip()))
                    .distinct()
                    .collect(java.util.stream.Collectors.joining("; "));
            return new Routing(url, false, failing);
        });
    }

    private CompletionStage<Long> awaitOlderVersionsGone(String jobId, long version, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "trino-ready", Duration.ofSeconds(1), deadline, () -> nomad.allocations(jobId).thenApply(allocations -> {
            long old = allocations.stream().filter(a -> a.jobVersion() < version && !a.clientTerminal()).count();
            return old == 0
                    ? Look.done(old, Optional.empty())
                    : Look.<Long>waiting(Optional.of(old + " allocation(s) of older job versions still stopping"),
                    old + " allocation(s) of older versions of " + jobId + " still run " + settleTimeout.toSeconds() + "s after the deployment");
        }));
    }

    /**
     * Waits until the coordinator counts the workers the cluster should run: the spec's count, or,
     * with autoscaling enabled, the worker group's count in Nomad at each look, since the agent may
     * change it while the operation waits (a cluster created at 1 with {@code min} 0 can be scaled
     * to zero before its worker is active).
     */
    private CompletionStage<Integer> awaitActiveWorkers(String coordinator, String jobId, ClusterSpec spec, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "trino-ready", Duration.ofSeconds(2), deadline, () -> expectedWorkers(jobId, spec).thenCompose(expected -> trino.activeWorkers(coordinator).thenApply(active ->
                active.isPresent() && active.getAsInt() == expected
                        ? Look.done(expected, Optional.empty())
                        : Look.<Integer>waiting(Optional.of(active.isPresent()
                                ? "the coordinator counts " + active.getAsInt() + " of " + expected + " worker(s) as active"
                                : "the coordinator at " + coordinator + " does not answer yet"),
                        "After " + settleTimeout.toSeconds() + "s the coordinator at " + coordinator + " counts "
                                + (active.isPresent() ? active.getAsInt() : "no") + " active workers of " + expected + "; see the worker task logs in Nomad"))));
    }

    private CompletionStage<Integer> expectedWorkers(String jobId, ClusterSpec spec)
    {
        if (!spec.autoscaling().enabled()) {
            return CompletableFuture.completedFuture(spec.workers().count());
        }
        return nomad.job(jobId).thenApply(job -> job.map(found -> found.groupCount(WORKER_GROUP)).filter(count -> count >= 0).orElse(spec.workers().count()));
    }

    /** Stop (keep the spec) or delete (remove everything): deregister with purge, then wait until no allocation runs. */
    private CompletionStage<Void> stopJob(String name, Tracker tracker, boolean delete)
    {
        String jobId = ClusterSpec.jobId(name);
        CompletionStage<Long> stopped = tracker.step("deregister", "stopping job " + jobId)
                .thenCompose(ignored -> tracker.whileLeading(() -> nomad.deregister(jobId, true)))
                .thenCompose(ignored -> tracker.step("drain-allocations", "waiting until no allocation of " + jobId + " runs"))
                .thenCompose(ignored -> awaitNoAllocations(jobId, clock.instant().plus(settleTimeout), tracker));
        if (!delete) {
            return stopped.thenCompose(ignored -> settle(name, ClusterState.Action.STOP_COMPLETED, tracker, "stopped", "Stopped; the spec is kept, start brings it back"));
        }
        return stopped
                .thenCompose(ignored -> tracker.step("cleanup", "removing Nomad variables and stored state"))
                .thenCompose(ignored -> tracker.whileLeading(() -> nomad.deleteVariable(JobRenderer.variablePath(jobId), OptionalLong.empty())))
                .thenCompose(ignored -> tracker.whileLeading(() -> nomad.deleteVariable(JobRenderer.catalogVariablePath(jobId), OptionalLong.empty())))
                .thenCompose(ignored -> tracker.whileLeading(() -> repository.deleteEvents(name)))
                .thenCompose(ignored -> tracker.whileLeading(() -> repository.deleteCluster(name)))
                .thenCompose(ignored -> tracker.succeed());
    }

    private CompletionStage<Long> awaitNoAllocations(String jobId, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "drain-allocations", Duration.ofSeconds(1), deadline, () -> nomad.allocations(jobId).thenApply(allocations -> {
            long live = allocations.stream().filter(a -> !a.clientTerminal()).count();
            Optional<String> progress = Optional.of(live + " allocation(s) still running");
            return live == 0
                    ? Look.done(live, progress)
                    : Look.<Long>waiting(progress, live + " allocation(s) of " + jobId + " still run " + settleTimeout.toSeconds() + "s after the job was stopped");
        }));
    }

    /** One look at what an operation waits for: the result once it is there, else what to say if time runs out. */
    private record Look<T>(Optional<T> result, Optional<String> progress, String timeoutMessage)
    {
        static <T> Look<T> done(T result, Optional<String> progress)
        {
            return new Look<>(Optional.of(result), progress, "");
        }

        static <T> Look<T> waiting(Optional<String> progress, String timeoutMessage)
        {
            return new Look<>(Optional.empty(), progress, timeoutMessage);
        }
    }

    /** Looks every {@code interval}, showing progress on {@code step}, until there is a result; past {@code deadline} it is a 409 with the look's message. */
    private <T> CompletionStage<T> poll(Tracker tracker, String step, Duration interval, java.time.Instant deadline, Supplier<CompletionStage<Look<T>>> look)
    {
        return tracker.whileLeading(look).thenCompose(seen -> {
            seen.progress().ifPresent(detail -> tracker.progress(step, detail));
            if (seen.result().isPresent()) {
                return CompletableFuture.completedFuture(seen.result().get());
            }
            if (clock.instant().isAfter(deadline)) {
                throw new ConflictException(seen.timeoutMessage());
            }
            return tracker.await(delay(interval)).thenCompose(ignored -> poll(tracker, step, interval, deadline, look));
        });
    }

    private CompletionStage<Void> settleWithoutNomad(String name, Tracker tracker)
    {
        Operation operation = tracker.operation();
        return tracker.step("store", "spec stored; the cluster is stopped, start deploys it")
                .thenCompose(ignored -> tracker.whileLeading(() -> updateRecord(name, record -> record.with(ClusterState.STOPPED, Optional.empty(), clock.instant()))))
                .thenCompose(ignored -> tracker.whileLeading(() -> event(name, "spec-updated", "Spec updated while stopped", operation.requestedBy(), operation)))
                .thenCompose(ignored -> tracker.succeed());
    }

    private CompletionStage<Void> settle(String name, ClusterState.Action action, Tracker tracker, String eventType, String message)
    {
        return tracker.whileLeading(() -> updateRecord(name, record -> record.with(record.state().on(action), Optional.empty(), clock.instant())))
                .thenCompose(ignored -> tracker.whileLeading(() -> event(name, eventType, message, tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> tracker.succeed());
    }

    private CompletionStage<Void> fail(String name, Tracker tracker, ClusterState.Action action, String reason)
    {
        log.atWarn().addKeyValue("cluster", name).addKeyValue("operation", tracker.operation().id()).addKeyValue("reason", reason).log("Operation failed");
        return tracker.whileLeading(() -> updateRecord(name, record -> record.with(action == null ? failedState(record.state()) : record.state().on(action), Optional.empty(), clock.instant())))
                .exceptionally(failure -> null)
                .thenCompose(ignored -> tracker.whileLeading(() -> event(name, tracker.operation().kind() + "-failed", reason, tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> tracker.fail(reason));
    }

    private static ClusterState failedState(ClusterState state)
    {
        return switch (state) {
            case DEPLOYING, STARTING, STOPPING -> ClusterState.FAILED;
            default -> state;
        };
    }

    /** Whatever fails is recorded on the operation and the cluster, never lost; unless this replica stopped leading, then the new leader resumes it. */
    private CompletionStage<Void> recordFailure(CompletionStage<Void> work, Tracker tracker)
    {
        Operation operation = tracker.operation();
        return work.handle((ignored, failure) -> failure).thenCompose(failure -> {
            if (failure == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = Failures.unwrap(failure);
            if (cause instanceof DrainAborted) {
                return forgetScaleIn(tracker);
            }
            if (cause instanceof OperationRunner.LeadershipLostException || !tracker.active()) {
                log.atInfo().addKeyValue("cluster", operation.cluster()).addKeyValue("operation", operation.id())
                        .log("Operation stopped: this replica is no longer the leader, the new leader resumes it");
                return CompletableFuture.<Void>completedFuture(null);
            }
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return repository.operation(operation.id())
                    .thenCompose(current -> {
                        if (current.map(Operation::state).orElse(Operation.State.RUNNING) != Operation.State.RUNNING) {
                            return CompletableFuture.<Void>completedFuture(null);
                        }
                        return fail(operation.cluster(), tracker, null, reason);
                    })
                    .exceptionally(error -> {
                        log.atError().setCause(error).addKeyValue("operation", operation.id()).log("Could not record the failure of an operation");
                        return null;
                    })
                    .thenCompose(ignored -> forgetScaleIn(tracker));
        });
    }

    /** A resize that ended in failure drops its scale-in decision as a finished one does (a new leader resuming it still needs it, so only while leading). */
    private CompletionStage<Void> forgetScaleIn(Tracker tracker)
    {
        if (!tracker.operation().kind().equals("resize")) {
            return CompletableFuture.completedFuture(null);
        }
        return tracker.whileLeading(() -> repository.forgetScaleIn(tracker.operation().id()))
                .exceptionally(error -> {
                    log.atWarn().setCause(error).addKeyValue("operation", tracker.operation().id()).log("Could not drop the scale-in decision of a failed resize");
                    return null;
                });
    }

    // ---- rendering inputs --------------------------------------------------------------------

    private record Rendered(RenderedJob job, Map<String, Secret> secrets) {}

    /** @param deployedBy who deploys the job, recorded in its Meta */
    private CompletionStage<RenderedJob> render(ClusterRecord record, String deployedBy)
    {
        return renderWithSecrets(record, deployedBy).thenApply(Rendered::job);
    }

    private CompletionStage<Rendered> renderWithSecrets(ClusterRecord record, String deployedBy)
    {
        return repository.catalogs().thenCompose(catalogs -> CompletableFuture.supplyAsync(() -> {
            List<CatalogDefinition> attached = catalogs.stream().filter(catalog -> record.spec().catalogs().contains(catalog.name())).toList();
            Map<String, Secret> values = new HashMap<>();
            List<SecretParameter> secrets = new ArrayList<>();
            Set<String> references = new HashSet<>();
            for (CatalogDefinition catalog : attached) {
                for (Map.Entry<String, String> secret : new TreeMap<>(catalog.secretProperties()).entrySet()) {
                    String path = CatalogDefinition.ssmPath(secret.getValue());
                    if (!CatalogValidator.withinPrefix(path, ssmPrefix)) {
                        // stored before references were confined to the prefix: never read it
                        throw InvalidInputException.unprocessable("/catalogs", "catalog " + catalog.name() + " secret property " + secret.getKey()
                                + " refers to an SSM parameter outside aws.ssm-prefix " + ssmPrefix + "/: update the catalog");
                    }
                    references.add(path);
                }
            }
            if (!references.isEmpty() || parameters.isPresent()) {
                ParameterStore store = parameters.orElseThrow(() -> InvalidInputException.unprocessable("/catalogs",
                        "catalogs " + record.spec().catalogs() + " refer to SSM parameters " + references + " but aws.enabled is false"));
                for (ParameterStore.Parameter parameter : store.byPath(ssmPrefix + "/" + record.name())) {
                    String key = parameter.name().substring(ssmPrefix.length() + record.name().length() + 2);
                    secrets.add(new SecretParameter(key, parameter.name(), parameter.version()));
                    values.put(parameter.name(), parameter.value());
                }
                for (String reference : references) {
                    ParameterStore.Parameter parameter = store.get(reference).orElseThrow(() -> InvalidInputException.unprocessable("/catalogs",
                            "SSM parameter " + reference + " (referred to by a catalog of cluster " + record.name() + ") does not exist: create it or fix the catalog"));
                    secrets.add(new SecretParameter("catalog_" + Integer.toHexString(reference.hashCode()), parameter.name(), parameter.version()));
                    values.put(parameter.name(), parameter.value());
                }
            }
            RenderInputs inputs = new RenderInputs(attached, List.of(), secrets, version, deployedBy, environment, record.coordinatorPort());
            return new Rendered(renderer.render(record.spec(), inputs), Map.copyOf(values));
        }, blocking));
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

    // ---- live status -------------------------------------------------------------------------

    private CompletionStage<ClusterView.Status> liveStatus(ClusterRecord record)
    {
        String jobId = record.spec().jobId();
        CompletionStage<Optional<NomadJob>> job = nomad.job(jobId);
        CompletionStage<List<AllocationStub>> allocations = nomad.allocations(jobId);
        CompletionStage<Optional<String>> coordinator = record.state() == ClusterState.STOPPED
                ? CompletableFuture.completedFuture(Optional.empty())
                : coordinatorUrl(record);
        CompletionStage<OptionalInt> active = coordinator.thenCompose(url -> url.isEmpty()
                ? CompletableFuture.completedFuture(OptionalInt.empty())
                : trino.activeWorkers(url.get()));
        return job.thenCompose(nomadJob -> allocations.thenCompose(allocs -> coordinator.thenCompose(url -> active.thenCompose(workers -> routing(record, nomadJob).thenApply(routing -> {
            Map<String, Map<String, Integer>> groups = new TreeMap<>();
            for (AllocationStub alloc : allocs) {
                groups.computeIfAbsent(alloc.taskGroup(), ignored -> new TreeMap<>()).merge(alloc.clientStatus(), 1, Integer::sum);
            }
            Optional<String> drift = drift(record, nomadJob);
            return new ClusterView.Status(
                    nomadJob.map(NomadJob::version),
                    nomadJob.map(NomadJob::status),
                    groups,
                    nomadJob.isPresent() ? url : Optional.empty(),
                    workers.isPresent() ? Optional.of(workers.getAsInt()) : Optional.empty(),
                    drift.isPresent(),
                    drift,
                    routing);
        })))));
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

    // ---- helpers -----------------------------------------------------------------------------

    private CompletionStage<Versioned<ClusterRecord>> existing(String name)
    {
        return repository.cluster(name).thenApply(found -> found.orElseThrow(() -> new NotFoundException("Cluster '" + name + "' does not exist")));
    }

    private CompletionStage<Void> recordIndex(String name, long index, Tracker tracker)
    {
        return tracker.whileLeading(() -> updateRecord(name, record -> record.withJobModifyIndex(index, clock.instant())));
    }

    private static void requireIdle(ClusterRecord record)
    {
        record.activeOperation().ifPresent(id -> {
            throw new ConflictException("Cluster '" + record.name() + "' has operation " + id + " in progress: wait for it (GET /v1/operations/" + id + ")");
        });
    }

    private CompletionStage<Void> event(String cluster, String type, String message, String actor, Operation operation)
    {
        log.atInfo().addKeyValue("cluster", cluster).addKeyValue("event", type).addKeyValue("actor", actor).addKeyValue("operation", operation.id()).log(message);
        return repository.appendEvent(new ClusterEvent(clock.instant(), cluster, type, message, actor, Optional.of(operation.id())));
    }

    private static Set<String> names(List<CatalogDefinition> catalogs)
    {
        Set<String> names = new HashSet<>();
        catalogs.forEach(catalog -> names.add(catalog.name()));
        return names;
    }

    private static String describe(Deployment deployment)
    {
        StringBuilder text = new StringBuilder(deployment.status());
        deployment.groups().forEach((group, progress) -> text.append(", ").append(group).append(' ')
                .append(progress.healthyAllocs()).append('/').append(progress.desiredTotal()).append(" healthy"));
        return text.toString();
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

    private static String capitalize(String text)
    {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private CompletionStage<Void> delay(Duration duration)
    {
        return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(duration.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS, blocking));
    }

    /**
     * Persists an operation's progress, writes chained so they land in order; and keeps its work to
     * this replica's term as leader: after it ends, nothing more is written and every wait ends.
     */
    private final class Tracker
    {
        private final OperationRunner.Execution execution;
        private Operation operation;
        private CompletionStage<Void> writes = CompletableFuture.completedFuture(null);

        Tracker(Operation operation, OperationRunner.Execution execution)
        {
            this.operation = Objects.requireNonNull(operation, "operation is null");
            this.execution = Objects.requireNonNull(execution, "execution is null");
        }

        synchronized Operation operation()
        {
            return operation;
        }

        boolean active()
        {
            return execution.active();
        }

        /** Does {@code action} (a write, or a look that leads to one) only while this replica leads. */
        <T> CompletionStage<T> whileLeading(Supplier<CompletionStage<T>> action)
        {
            return execution.active() ? action.get() : CompletableFuture.failedFuture(execution.lost());
        }

        /** {@code wait}, ended at once when this replica stops leading. */
        <T> CompletionStage<T> await(CompletionStage<T> wait)
        {
            return execution.guard(wait);
        }

        synchronized CompletionStage<Void> step(String name, String detail)
        {
            operation = operation.step(name, detail, clock.instant());
            return save();
        }

        synchronized CompletionStage<Void> endStep(Operation.StepState state, Optional<String> detail)
        {
            operation = operation.stepEnded(state, detail, clock.instant());
            return save();
        }

        synchronized void progress(String name, String detail)
        {
            if (execution.active()) {
                operation = operation.step(name, detail, clock.instant());
                save();
            }
        }

        synchronized CompletionStage<Void> succeed()
        {
            operation = operation.succeeded(clock.instant());
            return save();
        }

        synchronized CompletionStage<Void> fail(String reason)
        {
            operation = operation.failed(reason, clock.instant());
            return save();
        }

        synchronized CompletionStage<Void> save()
        {
            Operation snapshot = operation;
            writes = writes.exceptionally(ignored -> null).thenCompose(ignored -> whileLeading(() -> repository.saveOperation(snapshot)));
            return writes;
        }
    }
}
