package io.prestoorchestrator.cluster;

/**
 * The names a cluster goes by outside the orchestrator, defined once: its Nomad job, the job's two
 * task groups and the Consul services they register. The job template receives them in its model
 * ({@code cluster.names}), so the rendered job and the code that looks it up agree.
 */
public final class JobNames
{
    /** The task group of the coordinator (one allocation). */
    public static final String COORDINATOR_GROUP = "coordinator";
    /** The task group of the workers: what a resize and nomad-autoscaler scale. */
    public static final String WORKER_GROUP = "workers";

    private JobNames() {}

    /** The Nomad job ID of the cluster called {@code cluster}. */
    public static String jobId(String cluster)
    {
        return "trino-" + cluster;
    }

    /** The Consul service the coordinator registers as (unrouted; workers discover it there). */
    public static String coordinatorService(String cluster)
    {
        return jobId(cluster) + "-coordinator";
    }

    /** The Consul service every worker registers as. */
    public static String workerService(String cluster)
    {
        return jobId(cluster) + "-worker";
    }
}
