package io.prestoorchestrator.operations;

import io.prestoorchestrator.autoscaling.ClusterSignal;
import io.prestoorchestrator.autoscaling.WorkersNeeded;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.ClusterView;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.discovery.HealthStates;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.follow.BlockingFollower;
import io.prestoorchestrator.follow.Indexed;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.nomad.NomadJobs;
import io.prestoorchestrator.nomad.NomadListings;
import io.prestoorchestrator.routing.PublicRoutes;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The status read model (issue 23): what {@code GET /v1/clusters/{name}} shows of each cluster,
 * kept from a few batched blocking queries that every replica runs, instead of four or five outside
 * reads per request:
 * <ul>
 *   <li>Nomad's job list ({@code GET /v1/jobs?prefix=trino-}); a list stub has no job version, so a
 *       job is read itself ({@code GET /v1/job/:id}) only when its {@code ModifyIndex} moved;</li>
 *   <li>every allocation ({@code GET /v1/allocations?task_states=false}), by job;</li>
 *   <li>every Consul health check ({@code GET /v1/health/state/any}): the routed service's instances
 *       and their checks, node checks included, as Traefik counts them;</li>
 *   <li>the public routers in Consul KV (issue 18): the side whose coordinator takes new queries;</li>
 *   <li>the active workers from the autoscaling collector's last poll of the coordinator.</li>
 * </ul>
 * {@link #status} answers only what it can answer as the per-request read would: empty (so the
 * caller reads it all, as before) while a query fails or has not answered, for a cluster with an
 * operation running, when a job's own read is behind its list entry, and when the collector's last
 * poll is older than the record's last change or than {@code signalMaxAge}, or read another
 * coordinator. The status says how old it is ({@link ClusterView.Status#observedAt()}): the time of
 * that poll.
 */
public final class ClusterStatuses
{
    private static final Logger log = LoggerFactory.getLogger(ClusterStatuses.class);
    /** Jobs read at once when their list entries moved: at 1,000 clusters, a first listing reads them 16 at a time. */
    private static final int JOB_READS = 16;

    private final NomadJobs nomad;
    private final Function<String, Optional<ClusterSignal>> signals;
    private final Duration signalMaxAge;
    private final Clock clock;
    private final BlockingFollower<Map<String, Long>> jobs;
    private final BlockingFollower<Map<String, List<AllocationStub>>> allocations;
    private final BlockingFollower<Map<String, List<ServiceHealth.Instance>>> instances;
    private final Optional<BlockingFollower<Map<String, String>>> sides;
    /** Each listed job as last read, with the list's ModifyIndex it was read for. */
    private final Map<String, JobRead> jobReads = new ConcurrentHashMap<>();
    private final Set<String> reading = ConcurrentHashMap.newKeySet();

    /**
     * @param signals the autoscaling collector's last poll of a cluster's coordinator
     * @param signalMaxAge how old that poll may be (twice {@code autoscaling.poll-interval})
     * @param routes the public routers, when blue-green rollouts are on; else every coordinator is side blue's
     * @param executor where the answers are taken in
     * @param watchWait how long Nomad and Consul may hold one blocking query ({@code leader.watch-wait})
     */
    public ClusterStatuses(NomadListings listings, NomadJobs nomad, HealthStates checks, Optional<PublicRoutes> routes, Function<String, Optional<ClusterSignal>> signals,
            Duration signalMaxAge, Executor executor, Scheduler waits, Clock clock, Duration watchWait, Duration retryInterval)
    {
        requireNonNull(listings, "listings is null");
        this.nomad = requireNonNull(nomad, "nomad is null");
        requireNonNull(checks, "checks is null");
        requireNonNull(routes, "routes is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.signalMaxAge = requireNonNull(signalMaxAge, "signalMaxAge is null");
        this.clock = requireNonNull(clock, "clock is null");
        requireNonNull(watchWait, "watchWait is null");
        this.jobs = new BlockingFollower<>("the job list in Nomad",
                index -> listings.jobs(JobNames.jobId(""), index, watchWait).thenApply(listed -> {
                    Map<String, Long> byId = new HashMap<>();
                    listed.value().forEach(stub -> byId.put(stub.id(), stub.modifyIndex()));
                    return new Indexed<>(Map.copyOf(byId), listed.index());
                }),
                executor, waits, clock, retryInterval);
        this.allocations = new BlockingFollower<>("the allocations in Nomad", index -> listings.allocations(index, watchWait), executor, waits, clock, retryInterval);
        this.instances = new BlockingFollower<>("the health checks in Consul",
                index -> checks.checks(index, watchWait).thenApply(states -> new Indexed<>(instances(states.value()), states.index())),
                executor, waits, clock, retryInterval);
        this.sides = routes.map(publicRoutes -> new BlockingFollower<Map<String, String>>("the public routers in Consul", index -> publicRoutes.activeSides(index, watchWait), executor, waits, clock, retryInterval));
        jobs.subscribe(snapshot -> readMovedJobs(snapshot.value()));
    }

    /** Starts every query; a second call does nothing. */
    public void start()
    {
        jobs.start();
        allocations.start();
        instances.start();
        sides.ifPresent(BlockingFollower::start);
    }

    public void close()
    {
        jobs.close();
        allocations.close();
        instances.close();
        sides.ifPresent(BlockingFollower::close);
    }

    /** The status of {@code record}'s cluster from memory, or empty when it must be read (see the class comment). */
    public Optional<ClusterView.Status> status(ClusterRecord record)
    {
        requireNonNull(record, "record is null");
        if (record.activeOperation().isPresent()) {
            return Optional.empty();
        }
        Optional<Map<String, Long>> listed = jobs.current().map(BlockingFollower.Snapshot::value);
        Optional<Map<String, List<AllocationStub>>> allocs = allocations.current().map(BlockingFollower.Snapshot::value);
        Optional<Map<String, List<ServiceHealth.Instance>>> registered = instances.current().map(BlockingFollower.Snapshot::value);
        Optional<Map<String, String>> active = sides.isPresent() ? sides.get().current().map(BlockingFollower.Snapshot::value) : Optional.of(Map.of());
        if (listed.isEmpty() || allocs.isEmpty() || registered.isEmpty() || active.isEmpty()) {
            return Optional.empty();
        }
        String jobId = record.spec().jobId();
        Optional<NomadJob> job = Optional.empty();
        Long modifyIndex = listed.get().get(jobId);
        if (modifyIndex != null) {
            JobRead read = jobReads.get(jobId);
            if (read == null || read.modifyIndex() < modifyIndex) {
                return Optional.empty();
            }
            job = read.job();
        }
        Optional<String> coordinator = Optional.empty();
        Optional<Integer> activeWorkers = Optional.empty();
        Instant observedAt = clock.instant();
        if (record.state() != ClusterState.STOPPED) {
            Optional<String> url = coordinator(record, Optional.ofNullable(active.get().get(record.name())), registered.get());
            Optional<ClusterSignal> signal = signals.apply(record.name());
            if (url.isEmpty() || signal.isEmpty() || !sameCoordinator(record, signal.get().coordinator(), url.get()) || signal.get().computation().isEmpty()
                    || signal.get().computedAt().isBefore(record.updatedAt()) || signal.get().computedAt().isBefore(observedAt.minus(signalMaxAge))) {
                return Optional.empty();
            }
            coordinator = url;
            activeWorkers = signal.get().computation().map(WorkersNeeded::inputs).map(inputs -> inputs.activeWorkers());
            observedAt = signal.get().computedAt();
        }
        ClusterView.Routing routing = OperationSteps.routing(record, job, registered.get().getOrDefault(OperationSteps.routedService(record.name()), List.of()));
        return Optional.of(ClusterService.status(record, job, allocs.get().getOrDefault(jobId, List.of()), coordinator, activeWorkers, routing, observedAt));
    }

    /**
     * The coordinator taking new queries, as {@code OperationSteps.coordinatorUrl} finds it: a local
     * cluster's from its port and the active side; another's is the coordinator service's one
     * instance in Consul, whose address the checks do not carry: the collector's poll names it.
     */
    private Optional<String> coordinator(ClusterRecord record, Optional<String> side, Map<String, List<ServiceHealth.Instance>> registered)
    {
        if (record.coordinatorPort().isPresent()) {
            return Optional.of(OperationSteps.localCoordinatorUrl(record.coordinatorPort().get(), side));
        }
        List<ServiceHealth.Instance> coordinators = registered.getOrDefault(OperationSteps.coordinatorService(record.name()), List.of());
        if (coordinators.size() != 1) {
            return Optional.empty();
        }
        return signals.apply(record.name()).flatMap(ClusterSignal::coordinator);
    }

    /** Whether the poll read {@code url}'s coordinator: a local one by its port, as Consul may register it at the host's address. */
    private static boolean sameCoordinator(ClusterRecord record, Optional<String> polled, String url)
    {
        if (polled.isEmpty()) {
            return false;
        }
        if (record.coordinatorPort().isEmpty()) {
            return polled.get().equals(url);
        }
        try {
            return java.net.URI.create(polled.get()).getPort() == java.net.URI.create(url).getPort();
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void readMovedJobs(Map<String, Long> listed)
    {
        jobReads.keySet().retainAll(listed.keySet());
        List<String> moved = new ArrayList<>();
        listed.forEach((id, modifyIndex) -> {
            JobRead read = jobReads.get(id);
            if ((read == null || read.modifyIndex() < modifyIndex) && reading.add(id)) {
                moved.add(id);
            }
        });
        io.prestoorchestrator.autoscaling.FanOut.each(moved, JOB_READS, id -> {
            long modifyIndex = listed.get(id);
            return nomad.job(id).<Void>handle((job, failure) -> {
                reading.remove(id);
                if (failure != null) {
                    // the next answer of the list reads it again; meanwhile its status is read per request
                    log.atWarn().addKeyValue("job", id).addKeyValue("error", failure.getMessage()).log("Cannot read a job whose list entry moved");
                    return null;
                }
                jobReads.merge(id, new JobRead(modifyIndex, job), (old, fresh) -> fresh.modifyIndex() >= old.modifyIndex() ? fresh : old);
                return null;
            });
        });
    }

    /** The service instances the checks name, by service name, each with its own checks and its node's. */
    static Map<String, List<ServiceHealth.Instance>> instances(List<HealthStates.CheckState> checks)
    {
        Map<String, List<ServiceHealth.Check>> nodeChecks = new HashMap<>();
        Map<String, Map<String, List<HealthStates.CheckState>>> byService = new TreeMap<>();
        for (HealthStates.CheckState check : checks) {
            if (check.serviceId().isEmpty()) {
                nodeChecks.computeIfAbsent(check.node(), ignored -> new ArrayList<>()).add(check.check());
            }
            else {
                byService.computeIfAbsent(check.serviceName(), ignored -> new TreeMap<>()).computeIfAbsent(check.node() + "/" + check.serviceId(), ignored -> new ArrayList<>()).add(check);
            }
        }
        Map<String, List<ServiceHealth.Instance>> out = new HashMap<>();
        byService.forEach((service, byInstance) -> {
            List<ServiceHealth.Instance> found = new ArrayList<>();
            byInstance.values().forEach(own -> {
                HealthStates.CheckState first = own.get(0);
                List<ServiceHealth.Check> all = new ArrayList<>(nodeChecks.getOrDefault(first.node(), List.of()));
                own.forEach(check -> all.add(check.check()));
                // the checks carry no address, port, tags or meta: the routing reads the public URL from the job then
                found.add(new ServiceHealth.Instance(first.serviceId(), first.node(), "", 0, List.of(), Map.of(), all));
            });
            out.put(service, List.copyOf(found));
        });
        return Map.copyOf(out);
    }

    private record JobRead(long modifyIndex, Optional<NomadJob> job) {}
}
