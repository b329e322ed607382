package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.JobNames;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.Operation;

import java.util.Optional;

/**
 * The rendered job rewritten as a deploy registers it; pure (JSON in, JSON out, inputs never
 * changed). Two steps:
 * <ol>
 * <li>{@link #deployable}: the restart stamp set in the job Meta, and the job Meta copied into the
 * workers group's Meta ({@link #withWorkersMeta});</li>
 * <li>{@link #workersFirst}: phase 1 of an update that replaces allocations, or of a restart: the
 * running job with only the workers group changed, so Nomad rolls the workers while the
 * coordinator keeps serving; phase 2 registers the deployable job in full.</li>
 * </ol>
 * Golden files in {@code src/test/resources/golden/operations/} show both on the shipped templates.
 */
public final class JobRewrite
{
    /** Operation input: the Meta stamp that makes a restart replace every allocation, fixed when the restart was asked for. */
    public static final String RESTART_STAMP = "restartStamp";
    /** The job Meta key a restart sets, so that Nomad replaces every allocation of an otherwise unchanged job. */
    public static final String RESTART_META = "orchestrator_restarted_at";

    private JobRewrite() {}

    /**
     * The stamp a deploy of {@code operation} puts in the job Meta: a restart's own stamp, or else
     * the stamp the running job has (a restart's stamp stays until the next restart: dropping it
     * would change every group's Meta and so replace every allocation, which only a restart should do).
     */
    public static Optional<String> stamp(Operation operation, Optional<String> runningStamp)
    {
        return OperationKind.RESTART.is(operation)
                ? Optional.of(operation.input(RESTART_STAMP).orElse(operation.createdAt().toString()))
                : runningStamp;
    }

    /** The rendered job as deployed: with {@code stamp} in the job Meta, and the job Meta copied into the workers group. */
    public static ObjectNode deployable(ObjectNode rendered, Optional<String> stamp)
    {
        return withWorkersMeta(withRestartStamp(rendered, stamp));
    }

    /** The restart stamp in a job's Meta, if it has one. */
    public static Optional<String> restartStamp(JsonNode job)
    {
        return Optional.of(job.path("Meta").path(RESTART_META)).filter(JsonNode::isTextual).map(JsonNode::asText);
    }

    static ObjectNode withRestartStamp(ObjectNode rendered, Optional<String> stamp)
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
    public static ObjectNode withWorkersMeta(ObjectNode rendered)
    {
        ObjectNode job = rendered.deepCopy();
        ObjectNode workers = group(job, JobNames.WORKER_GROUP);
        if (workers != null) {
            ObjectNode meta = job.path("Meta").isObject() ? ((ObjectNode) job.get("Meta")).deepCopy() : JsonNodeFactory.instance.objectNode();
            if (workers.path("Meta").isObject()) {
                meta.setAll((ObjectNode) workers.get("Meta"));
            }
            workers.set("Meta", meta);
        }
        return job;
    }

    /**
     * The running job with only the workers group replaced by the new one: the coordinator group
     * and every task's combined Meta (job, group, task: what Nomad compares) stay as they run, so
     * Nomad replaces the workers and updates the coordinator in place. The job Meta keeps only the
     * keys the new version keeps (the new values are in the workers group's Meta, so the workers'
     * combined Meta is already the new version's); a key the new version drops moves into the
     * coordinator group's Meta so the coordinator's combined Meta does not change either.
     *
     * @param running the job Nomad runs now; it must have the coordinator group
     * @param next the {@link #deployable} new version
     */
    public static ObjectNode workersFirst(ObjectNode running, ObjectNode next)
    {
        ObjectNode runningCoordinator = group(running, JobNames.COORDINATOR_GROUP);
        if (runningCoordinator == null) {
            throw new IllegalArgumentException("the running job has no " + JobNames.COORDINATOR_GROUP + " group: it registers in one phase");
        }
        ObjectNode phase = next.deepCopy();
        ObjectNode oldMeta = running.path("Meta").isObject() ? (ObjectNode) running.get("Meta") : JsonNodeFactory.instance.objectNode();
        JsonNode newMeta = next.path("Meta");
        ObjectNode kept = JsonNodeFactory.instance.objectNode();
        ObjectNode dropped = JsonNodeFactory.instance.objectNode();
        oldMeta.fields().forEachRemaining(field -> (newMeta.has(field.getKey()) ? kept : dropped).set(field.getKey(), field.getValue()));
        phase.set("Meta", kept);
        ObjectNode coordinator = runningCoordinator.deepCopy();
        if (!dropped.isEmpty()) {
            if (coordinator.path("Meta").isObject()) {
                dropped.setAll((ObjectNode) coordinator.get("Meta"));
            }
            coordinator.set("Meta", dropped);
        }
        ArrayNode groups = (ArrayNode) phase.get("TaskGroups");
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).path("Name").asText().equals(JobNames.COORDINATOR_GROUP)) {
                groups.set(i, coordinator);
            }
        }
        return phase;
    }

    /** The task group of that name; null when the job has none. */
    static ObjectNode group(JsonNode job, String name)
    {
        for (JsonNode group : job.path("TaskGroups")) {
            if (group.path("Name").asText().equals(name)) {
                return (ObjectNode) group;
            }
        }
        return null;
    }
}
