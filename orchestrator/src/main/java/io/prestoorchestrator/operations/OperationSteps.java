package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.ClusterView.Routing;
import io.prestoorchestrator.cluster.Operation;
import io.prestoorchestrator.cluster.TrinoProbe;
import io.prestoorchestrator.cluster.Versioned;
import io.prestoorchestrator.cluster.Workers;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.drain.Worker;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.error.NotFoundException;
import io.prestoorchestrator.nomad.Deployment;
import io.prestoorchestrator.nomad.DeploymentOutcome;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * What every workflow does on the way: record events, change the cluster record compare-and-set,
 * wait on Nomad, Consul and Trino (polling with a deadline, ended when leadership is lost), and
 * settle or fail the operation.
 */
final class OperationSteps
{
    private static final Logger log = LoggerFactory.getLogger(OperationSteps.class);
    /** The name of the routed service's script check in job-templates/trino-cluster.json.ftl. */
    static final String READINESS_GATE = "routing readiness gate";
    /** How often an operation's write to the cluster record is tried when another write comes between its read and its write. */
    private static final int RECORD_WRITE_ATTEMPTS = 3;

    private final ClusterRepository repository;
    private final NomadJobs nomad;
    private final TrinoProbe trino;
    private final ServiceHealth services;
    private final Scheduler waits;
    private final Clock clock;
    private final Duration settleTimeout;
    private final Duration pollInterval;
    private final Duration deploymentPollInterval;
    private final Duration coordinatorPollInterval;

    private volatile Optional<io.prestoorchestrator.routing.PublicRoutes> routes = Optional.empty();

    /** @param clusters the settle timeout every wait is bounded by, and how often each kind of wait looks again */
    OperationSteps(ClusterRepository repository, NomadJobs nomad, TrinoProbe trino, ServiceHealth services, Scheduler waits, Clock clock, ClustersConfig clusters)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.trino = requireNonNull(trino, "trino is null");
        this.services = requireNonNull(services, "services is null");
        this.waits = requireNonNull(waits, "waits is null");
        this.clock = requireNonNull(clock, "clock is null");
        requireNonNull(clusters, "clusters is null");
        this.settleTimeout = clusters.settleTimeout();
        this.pollInterval = clusters.pollInterval();
        this.deploymentPollInterval = clusters.deploymentPollInterval();
        this.coordinatorPollInterval = clusters.coordinatorPollInterval();
    }

    /** How often a wait on Nomad or Consul looks again ({@code clusters.poll-interval}). */
    Duration pollInterval()
    {
        return pollInterval;
    }

    /** How often a look at a Nomad deployment is repeated ({@code clusters.deployment-poll-interval}). */
    Duration deploymentPollInterval()
    {
        return deploymentPollInterval;
    }

    /** The spec's workers set to {@code wanted} while an operation runs (a resize that retargets or supersedes a scale-in). */
    CompletionStage<Void> retargetSpec(String name, Workers wanted)
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
    CompletionStage<Void> updateRecord(String name, java.util.function.UnaryOperator<ClusterRecord> change)
    {
        return updateRecord(name, change, RECORD_WRITE_ATTEMPTS);
    }

    CompletionStage<Void> updateRecord(String name, java.util.function.UnaryOperator<ClusterRecord> change, int attempts)
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

    /**
     * Nomad refuses to scale a job while one of its deployments runs ("job scaling blocked due to
     * active deployment"): one follows every register and every scale, for the allocations'
     * min_healthy_time at least. So a scale first waits for the job's running deployment, if any, to
     * end (its progress shown in {@code step}), whatever its outcome: the scale itself is still wanted.
     */
    CompletionStage<Void> awaitNoDeployment(String jobId, String step, Tracker tracker)
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

    CompletionStage<DeploymentOutcome> awaitDeployment(String jobId, String step, Tracker tracker)
    {
        return deploymentOfCurrentVersion(jobId, step, tracker).thenCompose(deployment -> watchToEnd(deployment.id(), step, tracker));
    }

    /** The deployment Nomad made for the job's current version (the one just registered), waited for up to 30 s. */
    CompletionStage<Deployment> deploymentOfCurrentVersion(String jobId, String step, Tracker tracker)
    {
        return nomad.job(jobId).thenCompose(job -> {
            long version = job.map(NomadJob::version).orElseThrow(() -> new ConflictException("Job " + jobId + " disappeared right after it was registered"));
            java.time.Instant deadline = clock.instant().plus(Duration.ofSeconds(30));
            return poll(tracker, step, deploymentPollInterval, deadline, () -> nomad.latestDeployment(jobId).thenApply(latest ->
                    latest.isPresent() && latest.get().jobVersion() == version
                            ? Look.done(latest.get(), Optional.empty())
                            : Look.<Deployment>waiting(Optional.empty(), "Nomad created no deployment for version " + version + " of job " + jobId + " within 30s")));
        });
    }

    /** Watches a deployment until it ends, each change of its progress shown in {@code step}. */
    CompletionStage<DeploymentOutcome> watchToEnd(String deploymentId, String step, Tracker tracker)
    {
        return tracker.await(nomad.watchDeployment(deploymentId, progress -> tracker.progress(step, describe(progress))));
    }

    static String labels(List<Worker> workers)
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

    CompletionStage<Long> awaitRunning(String jobId, String group, int count, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "place", pollInterval, deadline, () -> nomad.allocations(jobId).thenApply(allocations -> {
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
    CompletionStage<Integer> awaitTrinoReady(String name, String jobId, OptionalLong version, Tracker tracker)
    {
        java.time.Instant deadline = clock.instant().plus(settleTimeout);
        return tracker.step("trino-ready", "waiting for the coordinator to count the workers as active")
                .thenCompose(ignored -> version.isPresent() ? awaitOlderVersionsGone(jobId, version.getAsLong(), deadline, tracker) : CompletableFuture.completedFuture(0L))
                .thenCompose(ignored -> existing(name))
                .thenCompose(record -> awaitCoordinator(record.value(), deadline, tracker)
                        .thenCompose(coordinator -> awaitActiveWorkers(coordinator, jobId, record.value().spec(), deadline, tracker)));
    }

    /** Where the coordinator answers: its static local port, else its discovery service in Consul (which Nomad registers once it runs). */
    CompletionStage<String> awaitCoordinator(ClusterRecord record, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "trino-ready", pollInterval, deadline, () -> coordinatorUrl(record).thenApply(url -> url.isPresent()
                ? Look.done(url.get(), Optional.empty())
                : Look.<String>waiting(Optional.of("waiting for the coordinator to register in Consul as " + coordinatorService(record.name())),
                "The coordinator of " + record.name() + " did not register in Consul as " + coordinatorService(record.name()) + " within " + settleTimeout.toSeconds() + "s")));
    }

    /**
     * The coordinator taking the cluster's new queries: of the side whose public route is active
     * (issue 18; during a blue-green switch two coordinators run), else the only one. Local clusters
     * (static discovery) listen on their port, side green on the next one.
     */
    CompletionStage<Optional<String>> coordinatorUrl(ClusterRecord record)
    {
        CompletionStage<Optional<String>> active = routes.map(found -> found.active(record.name()).exceptionally(failure -> Optional.empty()))
                .orElse(CompletableFuture.completedFuture(Optional.empty()));
        return active.thenCompose(side -> {
            if (record.coordinatorPort().isPresent()) {
                return CompletableFuture.completedFuture(Optional.of(localCoordinatorUrl(record.coordinatorPort().get(), side)));
            }
            return services.instances(coordinatorService(record.name())).thenApply(instances -> instances.stream()
                    .filter(instance -> side.isEmpty() || instances.size() == 1 || instance.tags().contains("side-" + side.get()))
                    .findFirst()
                    .map(ServiceHealth.Instance::httpUrl));
        });
    }

    /**
     * A local cluster's coordinator (static discovery): side blue listens on the cluster's port, side
     * green on the next ({@link io.prestoorchestrator.render.RenderInputs#localCoordinatorPort}); no
     * side, or one that is neither, is blue.
     */
    static String localCoordinatorUrl(int port, Optional<String> side)
    {
        String known = side.filter(io.prestoorchestrator.render.RenderInputs.SIDES::contains).orElse("blue");
        return "http://127.0.0.1:" + io.prestoorchestrator.render.RenderInputs.localCoordinatorPort(port, known);
    }

    /** Issue 18: the public routes say which side's coordinator takes new queries. Call once, at wiring. */
    void useRoutes(io.prestoorchestrator.routing.PublicRoutes publicRoutes)
    {
        this.routes = Optional.of(requireNonNull(publicRoutes, "publicRoutes is null"));
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
    CompletionStage<Routing> awaitRoutable(String name, Tracker tracker)
    {
        java.time.Instant deadline = clock.instant().plus(settleTimeout);
        return tracker.step("routable", "waiting for the readiness gate of " + routedService(name) + " to pass in Consul")
                .thenCompose(ignored -> existing(name))
                .thenCompose(record -> poll(tracker, "routable", pollInterval, deadline, () -> routing(record.value(), Optional.empty()).thenApply(routing -> routing.routable()
                        ? Look.done(routing, Optional.empty())
                        : Look.<Routing>waiting(Optional.of(routing.reason()), "Cluster " + name + " is not routable " + settleTimeout.toSeconds() + "s after its deployment: " + routing.reason()))));
    }

    /** Whether Traefik routes the cluster now, and why not, from the routed service's instances in Consul. */
    CompletionStage<Routing> routing(ClusterRecord record, Optional<NomadJob> job)
    {
        if (record.state() == ClusterState.STOPPED) {
            return CompletableFuture.completedFuture(routing(record, job, List.of()));
        }
        return services.instances(routedService(record.name())).thenApply(instances -> routing(record, job, instances));
    }

    /** Whether Traefik routes the cluster now, and why not, from the routed service's instances (unless stopped: then they are not read). */
    static Routing routing(ClusterRecord record, Optional<NomadJob> job, List<ServiceHealth.Instance> instances)
    {
        Optional<String> jobUrl = job.flatMap(NomadJob::publicUrl);
        if (record.state() == ClusterState.STOPPED) {
            return new Routing(Optional.empty(), false, "the cluster is stopped: POST /v1/clusters/" + record.name() + "/start brings it back");
        }
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
    }

    CompletionStage<Long> awaitOlderVersionsGone(String jobId, long version, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "trino-ready", pollInterval, deadline, () -> nomad.allocations(jobId).thenApply(allocations -> {
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
    CompletionStage<Integer> awaitActiveWorkers(String coordinator, String jobId, ClusterSpec spec, java.time.Instant deadline, Tracker tracker)
    {
        return poll(tracker, "trino-ready", coordinatorPollInterval, deadline, () -> expectedWorkers(jobId, spec).thenCompose(expected -> trino.activeWorkers(spec.flavour(), coordinator).thenApply(active ->
                active.isPresent() && active.getAsInt() == expected
                        ? Look.done(expected, Optional.empty())
                        : Look.<Integer>waiting(Optional.of(active.isPresent()
                                ? "the coordinator counts " + active.getAsInt() + " of " + expected + " worker(s) as active"
                                : "the coordinator at " + coordinator + " does not answer yet"),
                        "After " + settleTimeout.toSeconds() + "s the coordinator at " + coordinator + " counts "
                                + (active.isPresent() ? active.getAsInt() : "no") + " active workers of " + expected + "; see the worker task logs in Nomad"))));
    }

    CompletionStage<Integer> expectedWorkers(String jobId, ClusterSpec spec)
    {
        if (!spec.autoscaling().enabled()) {
            return CompletableFuture.completedFuture(spec.workers().count());
        }
        return nomad.job(jobId).thenApply(job -> job.map(found -> found.groupCount(JobNames.WORKER_GROUP)).filter(count -> count >= 0).orElse(spec.workers().count()));
    }

    /** Looks every {@code interval}, showing progress on {@code step}, until there is a result; past {@code deadline} it is a 409 with the look's message. */
    <T> CompletionStage<T> poll(Tracker tracker, String step, Duration interval, java.time.Instant deadline, Supplier<CompletionStage<Look<T>>> look)
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

    CompletionStage<Void> settle(String name, ClusterState.Action action, Tracker tracker, String eventType, String message)
    {
        return tracker.whileLeading(() -> updateRecord(name, record -> record.with(record.state().on(action), Optional.empty(), clock.instant())))
                .thenCompose(ignored -> tracker.whileLeading(() -> event(name, eventType, message, tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> tracker.succeed());
    }

    CompletionStage<Void> fail(String name, Tracker tracker, ClusterState.Action action, String reason)
    {
        log.atWarn().addKeyValue("cluster", name).addKeyValue("operation", tracker.operation().id()).addKeyValue("reason", reason).log("Operation failed");
        return tracker.whileLeading(() -> updateRecord(name, record -> record.with(action == null ? failedState(record.state()) : record.state().on(action), Optional.empty(), clock.instant())))
                .exceptionally(failure -> null)
                .thenCompose(ignored -> tracker.whileLeading(() -> event(name, tracker.operation().kind() + "-failed", reason, tracker.operation().requestedBy(), tracker.operation())))
                .thenCompose(ignored -> tracker.fail(reason));
    }

    static ClusterState failedState(ClusterState state)
    {
        return switch (state) {
            case DEPLOYING, STARTING, STOPPING -> ClusterState.FAILED;
            default -> state;
        };
    }

    CompletionStage<Versioned<ClusterRecord>> existing(String name)
    {
        return repository.cluster(name).thenApply(found -> found.orElseThrow(() -> new NotFoundException("Cluster '" + name + "' does not exist")));
    }

    CompletionStage<Void> recordIndex(String name, long index, Tracker tracker)
    {
        return tracker.whileLeading(() -> updateRecord(name, record -> record.withJobModifyIndex(index, clock.instant())));
    }

    CompletionStage<Void> event(String cluster, String type, String message, String actor, Operation operation)
    {
        log.atInfo().addKeyValue("cluster", cluster).addKeyValue("event", type).addKeyValue("actor", actor).addKeyValue("operation", operation.id()).log(message);
        return repository.appendEvent(new ClusterEvent(clock.instant(), cluster, type, message, actor, Optional.of(operation.id())));
    }

    static String describe(Deployment deployment)
    {
        StringBuilder text = new StringBuilder(deployment.status());
        deployment.groups().forEach((group, progress) -> text.append(", ").append(group).append(' ')
                .append(progress.healthyAllocs()).append('/').append(progress.desiredTotal()).append(" healthy"));
        return text.toString();
    }

    static String capitalize(String text)
    {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    CompletionStage<Void> delay(Duration duration)
    {
        return waits.after(duration);
    }
}
