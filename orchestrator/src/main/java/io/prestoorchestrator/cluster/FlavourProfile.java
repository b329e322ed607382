package io.prestoorchestrator.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Everything an engine differs in, in one place: the code and the job templates ask the cluster's
 * profile ({@link Flavour#profile()}; {@code engine} in the templates' model) instead of testing the
 * flavour. Each value below was seen on the engine named (Trino 476; PrestoDB 0.287, design notes).
 *
 * @param userHeader the header naming the user of a request ({@code X-Trino-User}, {@code X-Presto-User})
 * @param workerDrain the states a worker is asked for ({@code PUT /v1/info/state}; names of
 *         {@code io.prestoorchestrator.drain.WorkerState}, which this package may not depend on), in order, to stop it without failing a query:
 *         Trino {@code DRAINING} (wait for {@code DRAINED}) then {@code SHUTTING_DOWN}; PrestoDB has no
 *         {@code DRAINING} (0.287 answers 400) and its {@code SHUTTING_DOWN} waits for running tasks itself
 * @param coordinatorShutdown whether the coordinator takes {@code SHUTTING_DOWN} and waits for its running
 *         queries before it exits (PrestoDB; Trino 476's coordinator refuses it)
 * @param liveCatalogs whether catalogs change on the running coordinator ({@code CREATE/DROP CATALOG}); without,
 *         each catalog is a file of the job and a change restarts the cluster
 * @param discoveryServer whether the coordinator must be told to serve discovery ({@code discovery-server.enabled})
 * @param processForwarded whether {@code http-server.process-forwarded} exists (PrestoDB 0.287 has no such property)
 * @param pinHeader the request header the engine builds {@code nextUri}'s host from, which the Traefik middleware of a
 *         side's coordinator sets to the side's pinned host so that a query keeps polling the coordinator that runs it
 *         (issue 18): Trino {@code X-Forwarded-Host} (with {@code http-server.process-forwarded}); PrestoDB 0.287
 *         {@code Host}: its Jetty has no forwarded-request customizer, so it ignores {@code X-Forwarded-Host} and
 *         {@code Forwarded} and takes the host of the request (only {@code X-Forwarded-Proto} is honoured, for the scheme)
 * @param totalMemoryPerNode whether {@code query.max-total-memory-per-node} exists and must be set: PrestoDB's default
 *         is twice {@code query.max-memory-per-node}, and with the heap headroom that exceeds a small heap, which
 *         stops the server at start
 * @param stateAccessControl whether the worker's file access control guards {@code PUT /v1/info/state} (Trino's
 *         {@code system_information}); PrestoDB 0.287 lets any caller change the state
 * @param readiness how the coordinator tells its active workers
 * @param signal where the autoscaling signal's counts come from
 * @param logger the logger hierarchy {@code log.properties} sets the level of
 * @param homeVariable the variable-file key of the engine's installation directory (raw_exec)
 * @param javaHomeVariable the variable-file key of the JDK the engine runs on (raw_exec): PrestoDB 0.287 needs Java 11
 * @param launcherJvmDir whether the launcher takes {@code --jvm-dir} (Trino's); PrestoDB 0.287's launcher.py takes the JDK
 *         from {@code JAVA_HOME} only and refuses the option
 */
public record FlavourProfile(
        Flavour flavour,
        String userHeader,
        List<String> workerDrain,
        boolean coordinatorShutdown,
        boolean liveCatalogs,
        boolean discoveryServer,
        boolean processForwarded,
        String pinHeader,
        boolean totalMemoryPerNode,
        boolean stateAccessControl,
        Readiness readiness,
        SignalSource signal,
        String logger,
        String homeVariable,
        String javaHomeVariable,
        boolean launcherJvmDir)
{
    /** How a coordinator tells how many workers it schedules on. */
    public enum Readiness
    {
        /** {@code /metrics?name[]=trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount}, coordinator included; needs a user. */
        OPENMETRICS_ACTIVE_NODES("openmetrics"),
        /** {@code /v1/cluster}'s {@code activeWorkers}: workers only (with {@code node-scheduler.include-coordinator=false}); no user needed. */
        CLUSTER_STATS("cluster-stats");

        private final String templateName;

        Readiness(String templateName)
        {
            this.templateName = templateName;
        }

        public String templateName()
        {
            return templateName;
        }
    }

    /** Where the autoscaling signal's running, queued and blocked queries and node counts come from. */
    public enum SignalSource
    {
        /** Trino's OpenMetrics names on {@code /metrics} (io.prestoorchestrator.autoscaling.CoordinatorMetrics). */
        OPENMETRICS,
        /** PrestoDB's {@code GET /v1/cluster}: runningQueries, queuedQueries, blockedQueries, activeWorkers. */
        CLUSTER_STATS
    }

    public static final String DRAINING = "DRAINING";
    public static final String SHUTTING_DOWN = "SHUTTING_DOWN";

    public static final FlavourProfile TRINO = new FlavourProfile(Flavour.TRINO, "X-Trino-User",
            List.of(DRAINING, SHUTTING_DOWN), false, true, false, true, "X-Forwarded-Host", false, true,
            Readiness.OPENMETRICS_ACTIVE_NODES, SignalSource.OPENMETRICS, "io.trino", "trino_home", "java_home", true);

    public static final FlavourProfile PRESTODB = new FlavourProfile(Flavour.PRESTODB, "X-Presto-User",
            List.of(SHUTTING_DOWN), true, false, true, false, "Host", true, false,
            Readiness.CLUSTER_STATS, SignalSource.CLUSTER_STATS, "com.facebook.presto", "prestodb_home", "prestodb_java_home", false);

    public FlavourProfile
    {
        requireNonNull(flavour, "flavour is null");
        requireNonNull(userHeader, "userHeader is null");
        workerDrain = List.copyOf(workerDrain);
        requireNonNull(pinHeader, "pinHeader is null");
        requireNonNull(readiness, "readiness is null");
        requireNonNull(signal, "signal is null");
        requireNonNull(logger, "logger is null");
        requireNonNull(homeVariable, "homeVariable is null");
        requireNonNull(javaHomeVariable, "javaHomeVariable is null");
        if (workerDrain.isEmpty() || !workerDrain.get(workerDrain.size() - 1).equals(SHUTTING_DOWN)) {
            throw new IllegalArgumentException("a worker drain ends with SHUTTING_DOWN: " + workerDrain);
        }
    }

    /** Whether a worker is asked for {@code DRAINING} first (and stays, idle, until stopped). */
    public boolean drainsBeforeShutdown()
    {
        return workerDrain.get(0).equals(DRAINING);
    }

    /** The user headers of every engine: a worker's address does not say which engine it runs, and each ignores the other's header. */
    public static List<String> allUserHeaders()
    {
        return List.of(TRINO.userHeader, PRESTODB.userHeader);
    }

    /** The job templates' view ({@code engine.*}). */
    public Map<String, Object> templateModel()
    {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("userHeader", userHeader);
        model.put("workerDrain", String.join(" ", workerDrain));
        model.put("coordinatorShutdown", coordinatorShutdown);
        model.put("liveCatalogs", liveCatalogs);
        model.put("discoveryServer", discoveryServer);
        model.put("processForwarded", processForwarded);
        model.put("pinHeader", pinHeader);
        model.put("totalMemoryPerNode", totalMemoryPerNode);
        model.put("stateAccessControl", stateAccessControl);
        model.put("readiness", readiness.templateName());
        model.put("logger", logger);
        model.put("homeVariable", homeVariable);
        model.put("javaHomeVariable", javaHomeVariable);
        model.put("launcherJvmDir", launcherJvmDir);
        return model;
    }
}
