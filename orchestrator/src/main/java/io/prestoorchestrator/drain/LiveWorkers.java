package io.prestoorchestrator.drain;

import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.NomadJobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What runs in a cluster's worker group now, as an operator watches it: every worker allocation
 * whose task has not stopped yet (those Nomad was told to stop included, since they drain before
 * they exit), its Nomad node and the Consul node it is registered on, and the state its Trino reports
 * ({@code ACTIVE}, {@code DRAINING}, {@code DRAINED}, {@code SHUTTING_DOWN}), asked of each worker
 * at once. A worker not registered in Consul yet, or not answering, has no state.
 */
public final class LiveWorkers
{
    private static final Pattern ALLOC_INDEX = Pattern.compile("\\[(\\d+)]$");

    private final Function<String, CompletionStage<List<AllocationStub>>> allocations;
    private final ServiceHealth services;
    private final TrinoWorkers trino;

    public LiveWorkers(NomadJobs nomad, ServiceHealth services, TrinoWorkers trino)
    {
        this(requireNonNull(nomad, "nomad is null")::allocations, services, trino);
    }

    /** @param allocations a job's allocations, by job id ({@link NomadJobs#allocations}) */
    LiveWorkers(Function<String, CompletionStage<List<AllocationStub>>> allocations, ServiceHealth services, TrinoWorkers trino)
    {
        this.allocations = requireNonNull(allocations, "allocations is null");
        this.services = requireNonNull(services, "services is null");
        this.trino = requireNonNull(trino, "trino is null");
    }

    /** The cluster's live workers, lowest allocation index first. */
    public CompletionStage<List<LiveWorker>> workers(String cluster)
    {
        requireNonNull(cluster, "cluster is null");
        return allocations.apply(JobNames.jobId(cluster))
                .thenCombine(services.instances(JobNames.workerService(cluster)), LiveWorkers::join)
                .thenCompose(this::withStates);
    }

    private static List<Unasked> join(List<AllocationStub> allocations, List<ServiceHealth.Instance> instances)
    {
        List<Unasked> workers = new ArrayList<>();
        for (AllocationStub allocation : allocations) {
            if (!allocation.taskGroup().equals(JobNames.WORKER_GROUP) || allocation.clientTerminal()) {
                continue;
            }
            Optional<ServiceHealth.Instance> instance = instances.stream().filter(candidate -> ClusterWorkers.belongsTo(candidate, allocation.id())).findFirst();
            workers.add(new Unasked(allocation, instance));
        }
        workers.sort(Comparator.comparingInt((Unasked worker) -> index(worker.allocation().name())).thenComparing(worker -> worker.allocation().id()));
        return workers;
    }

    private CompletionStage<List<LiveWorker>> withStates(List<Unasked> workers)
    {
        List<CompletableFuture<LiveWorker>> asked = new ArrayList<>();
        for (Unasked worker : workers) {
            CompletionStage<Optional<WorkerState>> state = worker.instance().isPresent()
                    ? trino.state(ClusterWorkers.url(worker.instance().get()))
                    : CompletableFuture.completedFuture(Optional.empty());
            asked.add(state.thenApply(found -> worker.answered(found)).toCompletableFuture());
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> asked.stream().map(CompletableFuture::join).toList());
    }

    /** The allocation's index in its group ({@code job.workers[2]} is 2); -1 when its name has none. */
    static int index(String allocationName)
    {
        Matcher matcher = ALLOC_INDEX.matcher(allocationName);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private record Unasked(AllocationStub allocation, Optional<ServiceHealth.Instance> instance)
    {
        LiveWorker answered(Optional<WorkerState> state)
        {
            int index = index(allocation.name());
            return new LiveWorker(allocation.id(), index < 0 ? allocation.name() : "workers[" + index + "]", allocation.nodeId(),
                    instance.map(ServiceHealth.Instance::node), allocation.clientStatus(), allocation.desiredStatus(), instance.isPresent(), state);
        }
    }

    /**
     * @param name how events name it ({@code workers[1]})
     * @param nodeId the Nomad node it runs on
     * @param consulNode the Consul node it is registered on, when it is
     * @param clientStatus Nomad's: pending, running
     * @param desiredStatus Nomad's: run, or stop while it drains and exits
     * @param registered whether it is registered in Consul (so its Trino was asked)
     * @param trinoState what its Trino answered; empty when it was not asked or did not answer
     */
    public record LiveWorker(String allocId, String name, String nodeId, Optional<String> consulNode, String clientStatus, String desiredStatus, boolean registered,
            Optional<WorkerState> trinoState)
    {
        public LiveWorker
        {
            requireNonNull(allocId, "allocId is null");
            requireNonNull(name, "name is null");
            requireNonNull(nodeId, "nodeId is null");
            requireNonNull(consulNode, "consulNode is null");
            requireNonNull(clientStatus, "clientStatus is null");
            requireNonNull(desiredStatus, "desiredStatus is null");
            requireNonNull(trinoState, "trinoState is null");
        }
    }
}
