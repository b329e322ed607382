package io.prestoorchestrator.drain;

import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.discovery.ServiceHealth;
import io.prestoorchestrator.nomad.AllocationStub;
import io.prestoorchestrator.nomad.NomadJobs;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The Trino workers of a cluster with their Nomad allocations: Nomad's running allocations of the
 * worker group, joined with the instances of the Consul service {@code trino-<cluster>-worker}
 * (which carry the allocation in Meta {@code alloc_id}; Nomad's service id names it too).
 */
public final class ClusterWorkers
{
    private static final Pattern ALLOC_INDEX = Pattern.compile("\\[(\\d+)]$");

    private final NomadJobs nomad;
    private final ServiceHealth services;

    public ClusterWorkers(NomadJobs nomad, ServiceHealth services)
    {
        this.nomad = requireNonNull(nomad, "nomad is null");
        this.services = requireNonNull(services, "services is null");
    }

    /** The workers whose allocation Nomad wants running and that are registered in Consul, lowest index first. */
    public CompletionStage<List<Worker>> workers(String cluster)
    {
        requireNonNull(cluster, "cluster is null");
        CompletionStage<List<AllocationStub>> allocations = nomad.allocations(JobNames.jobId(cluster));
        CompletionStage<List<ServiceHealth.Instance>> instances = services.instances(JobNames.workerService(cluster));
        return allocations.thenCombine(instances, ClusterWorkers::join);
    }

    static List<Worker> join(List<AllocationStub> allocations, List<ServiceHealth.Instance> instances)
    {
        List<Worker> workers = new ArrayList<>();
        for (AllocationStub allocation : allocations) {
            if (!allocation.taskGroup().equals(JobNames.WORKER_GROUP) || !allocation.desiredStatus().equals("run") || allocation.clientTerminal()) {
                continue;
            }
            Optional<ServiceHealth.Instance> instance = instances.stream().filter(candidate -> belongsTo(candidate, allocation.id())).findFirst();
            OptionalInt index = allocIndex(allocation, instance);
            if (instance.isEmpty() || index.isEmpty()) {
                continue;
            }
            workers.add(new Worker(allocation.id(), index.getAsInt(), allocation.nodeId(), url(instance.get())));
        }
        workers.sort(Comparator.comparingInt(Worker::allocIndex));
        return List.copyOf(workers);
    }

    static boolean belongsTo(ServiceHealth.Instance instance, String allocId)
    {
        String meta = instance.meta().get("alloc_id");
        return meta != null ? meta.equals(allocId) : instance.serviceId().startsWith("_nomad-task-" + allocId + "-");
    }

    private static OptionalInt allocIndex(AllocationStub allocation, Optional<ServiceHealth.Instance> instance)
    {
        Matcher matcher = ALLOC_INDEX.matcher(allocation.name());
        if (matcher.find()) {
            return OptionalInt.of(Integer.parseInt(matcher.group(1)));
        }
        Optional<String> meta = instance.map(ServiceHealth.Instance::meta).map(values -> values.get("alloc_index"));
        if (meta.isPresent() && meta.get().matches("\\d+")) {
            return OptionalInt.of(Integer.parseInt(meta.get()));
        }
        return OptionalInt.empty();
    }

    static URI url(ServiceHealth.Instance instance)
    {
        String host = instance.address().contains(":") ? "[" + instance.address() + "]" : instance.address();
        return URI.create("http://" + host + ":" + instance.port());
    }

    /**
     * The workers Nomad stops when the group's count goes down to {@code count}: it stops the
     * allocations with the highest indices, as many as run beyond the count. Highest first.
     */
    public static List<Worker> stoppedByScaleIn(List<Worker> workers, int count)
    {
        return workers.stream()
                .sorted(Comparator.comparingInt(Worker::allocIndex).reversed())
                .limit(Math.max(0, workers.size() - count))
                .toList();
    }
}
