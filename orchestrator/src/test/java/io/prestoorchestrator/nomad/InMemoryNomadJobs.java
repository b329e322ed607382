package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.error.NotFoundException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * {@link NomadJobs} in memory, for unit tests of the code that drives Nomad. Deployments end at
 * once: successful, unless a task matches {@link #failTasksWhere} (then its allocations fail with
 * Nomad-like events and the deployment fails). {@link #setAvailable(boolean)} simulates Nomad down.
 * Kept honest by {@code NomadJobsContract}, which runs against this and the Nomad simulator.
 */
public final class InMemoryNomadJobs
        implements NomadJobs
{
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Map<String, List<ObjectNode>> versions = new HashMap<>(); // oldest first
    private final Map<String, List<AllocationStub>> allocations = new HashMap<>();
    private final Map<String, Deployment> deployments = new LinkedHashMap<>();
    private final Map<String, String> latestDeployment = new HashMap<>();
    private final List<String> promotions = new ArrayList<>();
    private final Map<String, StoredVariable> variables = new HashMap<>();
    private final Map<String, List<ScalingEvent>> scalingEvents = new HashMap<>(); // "job/group", newest first
    private long lastEventNanos;
    private long index;
    private volatile BiPredicate<String, JsonNode> failingTask = (group, task) -> false;
    private volatile boolean available = true;
    private boolean holdDeployments;
    private final Map<String, Deployment> heldOutcomes = new HashMap<>(); // deployment id -> how it ends when released
    private CompletableFuture<Void> released = new CompletableFuture<>(); // completes when the held deployments end

    /** Tasks (group name, task JSON) that fail when placed. */
    public void failTasksWhere(BiPredicate<String, JsonNode> failingTask)
    {
        this.failingTask = requireNonNull(failingTask, "failingTask is null");
    }

    public void setAvailable(boolean available)
    {
        this.available = available;
    }

    /**
     * From now on each deployment stays {@code running} until {@link #releaseDeployments}, as a real
     * one does for its allocations' min_healthy_time; meanwhile Nomad refuses to scale the job.
     */
    public synchronized void holdDeployments()
    {
        holdDeployments = true;
    }

    /** Ends every held deployment as it would have ended, and stops holding new ones. */
    public void releaseDeployments()
    {
        CompletableFuture<Void> done;
        synchronized (this) {
            holdDeployments = false;
            heldOutcomes.forEach((id, outcome) -> deployments.put(id, outcome));
            heldOutcomes.clear();
            done = released;
            released = new CompletableFuture<>();
        }
        done.complete(null);
    }

    /** Whether a deployment of {@code jobId} is running (held). */
    public synchronized boolean deploymentRunning(String jobId)
    {
        return Optional.ofNullable(latestDeployment.get(jobId)).map(deployments::get).map(deployment -> !deployment.terminal()).orElse(false);
    }

    @Override
    public CompletionStage<RegisterResult> register(ObjectNode job, OptionalLong expectedJobModifyIndex)
    {
        requireNonNull(job, "job is null");
        requireNonNull(expectedJobModifyIndex, "expectedJobModifyIndex is null");
        return call(() -> {
            synchronized (this) {
                String id = job.path("ID").asText();
                ObjectNode current = current(id);
                long currentIndex = current == null ? 0 : current.path("JobModifyIndex").asLong();
                if (expectedJobModifyIndex.isPresent() && expectedJobModifyIndex.getAsLong() != currentIndex) {
                    throw new ConflictException("job '" + id + "' was changed in Nomad since it was read (expected job modify index "
                            + expectedJobModifyIndex.getAsLong() + ", it is " + currentIndex + ")");
                }
                return store(id, job.deepCopy(), current);
            }
        });
    }

    @Override
    public CompletionStage<JobPlan> plan(ObjectNode job)
    {
        requireNonNull(job, "job is null");
        return call(() -> {
            synchronized (this) {
                String id = job.path("ID").asText();
                ObjectNode current = current(id);
                String type = current == null ? "Added" : strip(current).equals(strip(job)) ? "None" : "Edited";
                Map<String, GroupUpdates> groups = new LinkedHashMap<>();
                for (JsonNode group : job.path("TaskGroups")) {
                    String name = group.path("Name").asText();
                    int live = (int) allocations.getOrDefault(id, List.of()).stream().filter(a -> a.taskGroup().equals(name) && !a.terminal()).count();
                    int count = job.path("Stop").asBoolean() ? 0 : group.path("Count").asInt(1);
                    int kept = Math.min(live, count);
                    JsonNode oldGroup = current == null ? null : group(current, name);
                    boolean destructive = oldGroup != null && destructive(current, oldGroup, job, group);
                    boolean changed = type.equals("Edited");
                    groups.put(name, new GroupUpdates(Math.max(0, count - live), Math.max(0, live - count), changed ? 0 : kept,
                            changed && !destructive ? kept : 0, destructive ? kept : 0, 0, 0));
                }
                ObjectNode diff = JSON.objectNode();
                diff.put("Type", type);
                diff.put("ID", id);
                return new JobPlan(type, diff, groups, current == null ? 0 : current.path("JobModifyIndex").asLong(), "", false);
            }
        });
    }

    @Override
    public CompletionStage<Optional<NomadJob>> job(String jobId)
    {
        return call(() -> {
            synchronized (this) {
                ObjectNode current = current(jobId);
                return Optional.ofNullable(current).map(NomadHttpJobs::job);
            }
        });
    }

    @Override
    public CompletionStage<List<NomadJob>> versions(String jobId)
    {
        return call(() -> {
            synchronized (this) {
                List<NomadJob> out = new ArrayList<>();
                versions.getOrDefault(jobId, List.of()).forEach(version -> out.add(0, NomadHttpJobs.job(version)));
                return List.copyOf(out);
            }
        });
    }

    @Override
    public CompletionStage<Optional<RegisterResult>> deregister(String jobId, boolean purge)
    {
        return call(() -> {
            synchronized (this) {
                ObjectNode current = current(jobId);
                if (current == null) {
                    return Optional.<RegisterResult>empty();
                }
                allocations.computeIfPresent(jobId, (id, allocs) -> allocs.stream().map(InMemoryNomadJobs::stopped).toList());
                if (purge) {
                    versions.remove(jobId);
                    scalingEvents.keySet().removeIf(key -> key.startsWith(jobId + "/"));
                    allocations.remove(jobId);
                    return Optional.of(new RegisterResult(UUID.randomUUID().toString(), ++index, ""));
                }
                ObjectNode stopped = current.deepCopy();
                stopped.put("Stop", true);
                return Optional.of(store(jobId, stopped, current));
            }
        });
    }

    @Override
    public CompletionStage<Void> promote(String deploymentId)
    {
        return call(() -> {
            synchronized (this) {
                Deployment deployment = deployment(deploymentId);
                if (deployment.terminal()) {
                    throw new ConflictException("deployment " + deploymentId + " is " + deployment.status() + ": it cannot be promoted");
                }
                promotions.add(deploymentId);
                // the old allocations of each promoted group stop; the rest of its count is placed at the new version
                String jobId = deployment.jobId();
                ObjectNode job = current(jobId);
                List<AllocationStub> all = new ArrayList<>();
                Map<String, GroupProgress> promoted = new LinkedHashMap<>();
                for (AllocationStub alloc : allocations.getOrDefault(jobId, List.of())) {
                    GroupProgress progress = deployment.groups().get(alloc.taskGroup());
                    boolean old = !alloc.terminal() && alloc.jobVersion() != deployment.jobVersion() && progress != null && progress.desiredCanaries() > 0;
                    all.add(old ? stopped(alloc) : alloc);
                }
                deployment.groups().forEach((group, progress) -> {
                    for (int i = progress.placedCanaries(); i < progress.desiredTotal() && progress.desiredCanaries() > 0; i++) {
                        placeOne(jobId, group, group(job, group), deployment.jobVersion(), all, Integer.toString(i));
                    }
                    promoted.put(group, new GroupProgress(progress.desiredTotal(), progress.desiredTotal(), progress.desiredTotal(), 0,
                            progress.desiredCanaries(), progress.placedCanaries(), true));
                });
                allocations.put(jobId, all);
                job.put("Stable", true);
                deployments.put(deploymentId, new Deployment(deployment.id(), jobId, deployment.jobVersion(), "successful",
                        "Deployment completed successfully", promoted, ++index));
                return null;
            }
        });
    }

    /** The deployment, as Nomad's deployment endpoints look it up (the caller holds the lock). */
    private Deployment deployment(String deploymentId)
    {
        Deployment deployment = deployments.get(deploymentId);
        if (deployment == null) {
            throw new IllegalArgumentException("deployment not found: " + deploymentId);
        }
        return deployment;
    }

    @Override
    public CompletionStage<Void> failDeployment(String deploymentId)
    {
        return call(() -> {
            synchronized (this) {
                Deployment deployment = deployment(deploymentId);
                deployments.put(deploymentId, new Deployment(deployment.id(), deployment.jobId(), deployment.jobVersion(), "failed",
                        "Deployment marked as failed", deployment.groups(), ++index));
                return null;
            }
        });
    }

    @Override
    public CompletionStage<RegisterResult> revert(String jobId, long version, long enforcePriorVersion)
    {
        return call(() -> {
            synchronized (this) {
                ObjectNode current = current(jobId);
                if (current == null || current.path("Version").asLong() != enforcePriorVersion) {
                    throw new ConflictException("job '" + jobId + "' is not at version " + enforcePriorVersion);
                }
                ObjectNode target = versions.get(jobId).stream().filter(found -> found.path("Version").asLong() == version).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("job '" + jobId + "' has no version " + version));
                // as Nomad: the version's allocations that still run are kept (updated in place), those of the version reverted from stop
                ObjectNode job = target.deepCopy();
                long jobModifyIndex = ++index;
                long newVersion = current.path("Version").asLong() + 1;
                job.put("Version", newVersion);
                job.put("JobModifyIndex", jobModifyIndex);
                job.put("ModifyIndex", jobModifyIndex);
                job.put("Stable", true);
                versions.get(jobId).add(job);
                List<AllocationStub> all = new ArrayList<>();
                for (AllocationStub alloc : allocations.getOrDefault(jobId, List.of())) {
                    if (alloc.terminal()) {
                        all.add(alloc);
                    }
                    else if (alloc.jobVersion() == enforcePriorVersion) {
                        all.add(stopped(alloc));
                    }
                    else {
                        all.add(new AllocationStub(alloc.id(), alloc.name(), alloc.taskGroup(), alloc.clientStatus(), alloc.desiredStatus(), alloc.nodeId(), newVersion,
                                alloc.healthy(), alloc.taskStates()));
                    }
                }
                allocations.put(jobId, all);
                return new RegisterResult(UUID.randomUUID().toString(), jobModifyIndex, "");
            }
        });
    }

    @Override
    public CompletionStage<RegisterResult> scale(String jobId, String group, int count, String message)
    {
        return call(() -> {
            synchronized (this) {
                ObjectNode current = current(jobId);
                if (current == null) {
                    throw new NotFoundException("Nomad has no job '" + jobId + "' to scale");
                }
                if (deploymentRunning(jobId)) {
                    throw NomadHttpJobs.scalingBlocked(jobId, group, "job scaling blocked due to active deployment");
                }
                ObjectNode scaled = current.deepCopy();
                JsonNode taskGroup = group(scaled, group);
                if (taskGroup == null) {
                    throw new io.prestoorchestrator.error.InvalidInputException("job '" + jobId + "' has no group '" + group + "'", List.of(), true);
                }
                long previous = taskGroup.path("Count").asLong();
                ((ObjectNode) taskGroup).put("Count", count);
                RegisterResult result = store(jobId, scaled, current);
                addScalingEvent(jobId, group, OptionalLong.of(count), previous, message, false, Map.of(), Optional.of(result.evalId()));
                return result;
            }
        });
    }

    /**
     * What another caller of Nomad's scale API (nomad-autoscaler, the Nomad CLI) leaves behind: the
     * group's count set to {@code count} when present, and a scaling event with {@code message}.
     */
    public synchronized void scaleExternally(String jobId, String group, OptionalLong count, String message, boolean error, Map<String, String> meta)
    {
        ObjectNode current = current(jobId);
        JsonNode taskGroup = current == null ? null : group(current, group);
        if (taskGroup == null) {
            throw new IllegalArgumentException("no job '" + jobId + "' with group '" + group + "'");
        }
        long previous = taskGroup.path("Count").asLong();
        Optional<String> evalId = Optional.empty();
        if (count.isPresent()) {
            ObjectNode scaled = current.deepCopy();
            ((ObjectNode) group(scaled, group)).put("Count", count.getAsLong());
            evalId = Optional.of(store(jobId, scaled, current).evalId());
        }
        addScalingEvent(jobId, group, count, previous, message, error, meta, evalId);
    }

    @Override
    public CompletionStage<List<ScalingEvent>> scalingEvents(String jobId, String group)
    {
        return call(() -> {
            synchronized (this) {
                return current(jobId) == null ? List.<ScalingEvent>of() : List.copyOf(scalingEvents.getOrDefault(jobId + "/" + group, List.of()));
            }
        });
    }

    private void addScalingEvent(String jobId, String group, OptionalLong count, long previous, String message, boolean error, Map<String, String> meta, Optional<String> evalId)
    {
        Instant now = Instant.now();
        lastEventNanos = Math.max(lastEventNanos + 1, now.getEpochSecond() * 1_000_000_000L + now.getNano());
        List<ScalingEvent> events = scalingEvents.computeIfAbsent(jobId + "/" + group, key -> new ArrayList<>());
        events.add(0, new ScalingEvent(lastEventNanos, count, previous, message, error, meta, evalId));
        while (events.size() > 20) {
            events.remove(events.size() - 1);
        }
    }

    @Override
    public CompletionStage<List<AllocationStub>> allocations(String jobId)
    {
        return call(() -> {
            synchronized (this) {
                return List.copyOf(allocations.getOrDefault(jobId, List.of()));
            }
        });
    }

    @Override
    public CompletionStage<Optional<Deployment>> latestDeployment(String jobId)
    {
        return call(() -> {
            synchronized (this) {
                return Optional.ofNullable(latestDeployment.get(jobId)).map(deployments::get);
            }
        });
    }

    @Override
    public CompletionStage<DeploymentOutcome> watchDeployment(String deploymentId, DeploymentListener listener)
    {
        requireNonNull(listener, "listener is null");
        CompletableFuture<Void> waitFor;
        synchronized (this) {
            waitFor = heldOutcomes.containsKey(deploymentId) ? released : CompletableFuture.completedFuture(null);
        }
        return waitFor.thenCompose(ignored -> call(() -> {
            Deployment deployment;
            List<AllocationStub> allocs;
            synchronized (this) {
                deployment = deployments.get(deploymentId);
                if (deployment == null) {
                    throw new NotFoundException("Nomad has no deployment '" + deploymentId + "'");
                }
                allocs = List.copyOf(allocations.getOrDefault(deployment.jobId(), List.of()));
            }
            listener.progress(deployment);
            return new DeploymentOutcome(deployment, deployment.successful() ? List.of() : NomadHttpJobs.failures(allocs));
        }));
    }

    @Override
    public CompletionStage<Optional<StoredVariable>> variable(String path)
    {
        return call(() -> {
            synchronized (this) {
                return Optional.ofNullable(variables.get(path));
            }
        });
    }

    @Override
    public CompletionStage<StoredVariable> putVariable(String path, Map<String, String> items, OptionalLong expectedModifyIndex)
    {
        requireNonNull(items, "items is null");
        if (items.isEmpty()) {
            throw new IllegalArgumentException("a Nomad variable needs at least one item");
        }
        return call(() -> {
            synchronized (this) {
                checkCas(path, expectedModifyIndex);
                StoredVariable stored = new StoredVariable(path, items, ++index);
                variables.put(path, stored);
                return stored;
            }
        });
    }

    @Override
    public CompletionStage<Void> deleteVariable(String path, OptionalLong expectedModifyIndex)
    {
        return call(() -> {
            synchronized (this) {
                if (variables.containsKey(path)) {
                    checkCas(path, expectedModifyIndex);
                    variables.remove(path);
                    index++;
                }
                return null;
            }
        });
    }

    private void checkCas(String path, OptionalLong expected)
    {
        StoredVariable existing = variables.get(path);
        long current = existing == null ? 0 : existing.modifyIndex();
        if (expected.isPresent() && expected.getAsLong() != current) {
            throw new ConflictException("Nomad variable '" + path + "' changed concurrently: expected index " + expected.getAsLong() + ", it is at " + current);
        }
    }

    private ObjectNode current(String id)
    {
        List<ObjectNode> list = versions.get(id);
        return list == null || list.isEmpty() ? null : list.get(list.size() - 1);
    }

    private static JsonNode group(ObjectNode job, String name)
    {
        for (JsonNode group : job.path("TaskGroups")) {
            if (group.path("Name").asText().equals(name)) {
                return group;
            }
        }
        return null;
    }

    /** The spec without the fields Nomad sets itself. */
    private static ObjectNode strip(ObjectNode job)
    {
        ObjectNode copy = job.deepCopy();
        copy.remove(List.of("Version", "JobModifyIndex", "ModifyIndex", "CreateIndex", "Status", "Stable", "SubmitTime", "Namespace", "Region"));
        if (!copy.path("Stop").asBoolean()) {
            copy.remove("Stop");
        }
        return copy;
    }

    private RegisterResult store(String id, ObjectNode job, ObjectNode current)
    {
        if (current != null && strip(current).equals(strip(job))) {
            return new RegisterResult(UUID.randomUUID().toString(), current.path("JobModifyIndex").asLong(), "");
        }
        long jobModifyIndex = ++index;
        job.put("Version", current == null ? 0 : current.path("Version").asLong() + 1);
        job.put("JobModifyIndex", jobModifyIndex);
        job.put("ModifyIndex", jobModifyIndex);
        job.put("Stable", false);
        boolean stop = job.path("Stop").asBoolean();
        job.put("Stop", stop);
        job.put("Status", stop ? "dead" : "running");
        versions.computeIfAbsent(id, key -> new ArrayList<>()).add(job);
        place(id, job, current);
        return new RegisterResult(UUID.randomUUID().toString(), jobModifyIndex, "");
    }

    /**
     * Replaces the allocations of every group whose spec or tasks' combined Meta changed, all at once,
     * keeps those of the other groups (updated in place, as Nomad does), and ends the deployment
     * (service jobs only).
     */
    private void place(String id, ObjectNode job, ObjectNode previousJob)
    {
        long version = job.path("Version").asLong();
        List<AllocationStub> previous = allocations.getOrDefault(id, List.of());
        List<AllocationStub> all = new ArrayList<>(previous.stream().filter(AllocationStub::terminal).toList());
        Map<String, GroupProgress> progress = new LinkedHashMap<>();
        boolean allHealthy = true;
        boolean canaryGroups = false;
        for (JsonNode group : job.path("TaskGroups")) {
            String name = group.path("Name").asText();
            int count = job.path("Stop").asBoolean() ? 0 : group.path("Count").asInt(1);
            List<AllocationStub> live = previous.stream().filter(alloc -> !alloc.terminal() && alloc.taskGroup().equals(name)).toList();
            JsonNode previousGroup = previousJob == null || previousJob.path("Stop").asBoolean() ? null : group(previousJob, name);
            if (previousGroup != null && live.size() == count && !destructive(previousJob, previousGroup, job, group)) {
                live.forEach(alloc -> all.add(new AllocationStub(alloc.id(), alloc.name(), alloc.taskGroup(), alloc.clientStatus(), alloc.desiredStatus(),
                        alloc.nodeId(), version, alloc.healthy(), alloc.taskStates())));
                progress.put(name, new GroupProgress(count, count, count, 0));
                continue;
            }
            int canaries = Math.min(count, group.path("Update").path("Canary").asInt(0));
            if (previousGroup != null && !live.isEmpty() && canaries > 0) {
                // Nomad's canaries: the old allocations keep running; the new ones wait for a promotion (promote())
                all.addAll(live);
                int unhealthyCanaries = 0;
                for (int i = 0; i < canaries; i++) {
                    boolean failed = placeOne(id, name, group, version, all, "canary-" + i);
                    unhealthyCanaries += failed ? 1 : 0;
                }
                canaryGroups = true;
                allHealthy &= unhealthyCanaries == 0;
                progress.put(name, new GroupProgress(count, canaries, canaries - unhealthyCanaries, unhealthyCanaries, canaries, canaries, false));
                continue;
            }
            live.forEach(alloc -> all.add(stopped(alloc)));
            int unhealthy = 0;
            for (int i = 0; i < count; i++) {
                Map<String, TaskState> states = new LinkedHashMap<>();
                boolean failed = false;
                for (JsonNode task : group.path("Tasks")) {
                    boolean fails = failingTask.test(name, task);
                    failed |= fails;
                    states.put(task.path("Name").asText(), fails ? failedState() : runningState());
                }
                unhealthy += failed ? 1 : 0;
                all.add(new AllocationStub(UUID.randomUUID().toString(), id + "." + name + "[" + i + "]", name, failed ? "failed" : "running", "run",
                        "in-memory-node", version, Optional.of(!failed), states));
            }
            allHealthy &= unhealthy == 0;
            progress.put(name, new GroupProgress(count, count, count - unhealthy, unhealthy));
        }
        allocations.put(id, all);
        if (job.path("Type").asText("service").equals("service") && !job.path("Stop").asBoolean()) {
            Deployment deployment = canaryGroups
                    ? new Deployment(UUID.randomUUID().toString(), id, version, allHealthy ? "running" : "failed",
                            allHealthy ? "Deployment is running but requires manual promotion" : "Failed due to unhealthy allocations", progress, ++index)
                    : new Deployment(UUID.randomUUID().toString(), id, version, allHealthy ? "successful" : "failed",
                            allHealthy ? "Deployment completed successfully" : "Failed due to unhealthy allocations", progress, ++index);
            if (holdDeployments) {
                heldOutcomes.put(deployment.id(), deployment);
                deployment = new Deployment(deployment.id(), id, version, "running", "Deployment is running", progress, deployment.modifyIndex());
            }
            deployments.put(deployment.id(), deployment);
            latestDeployment.put(id, deployment.id());
            if (allHealthy && !canaryGroups) {
                job.put("Stable", true);
            }
        }
    }

    /** Places one allocation of {@code group} at {@code version}; answers whether its task failed. */
    private boolean placeOne(String id, String name, JsonNode group, long version, List<AllocationStub> all, String suffix)
    {
        Map<String, TaskState> states = new LinkedHashMap<>();
        boolean failed = false;
        for (JsonNode task : group.path("Tasks")) {
            boolean fails = failingTask.test(name, task);
            failed |= fails;
            states.put(task.path("Name").asText(), fails ? failedState() : runningState());
        }
        all.add(new AllocationStub(UUID.randomUUID().toString(), id + "." + name + "[" + suffix + "]", name, failed ? "failed" : "running", "run",
                "in-memory-node", version, Optional.of(!failed), states));
        return failed;
    }

    /** Promotions so far, deployment ids in order. */
    public synchronized List<String> promotions()
    {
        return List.copyOf(promotions);
    }

    /**
     * As Nomad's scheduler decides (scheduler/util.go tasksUpdated): the group beyond count, scaling,
     * update, Meta and services differs, or a task's combined Meta does. Services (but Connect ones,
     * which these jobs have none of) are updated in place.
     */
    private static boolean destructive(JsonNode oldJob, JsonNode oldGroup, JsonNode newJob, JsonNode newGroup)
    {
        if (!withoutMeta(oldGroup).equals(withoutMeta(newGroup))) {
            return true;
        }
        for (JsonNode task : newGroup.path("Tasks")) {
            JsonNode oldTask = null;
            for (JsonNode candidate : oldGroup.path("Tasks")) {
                if (candidate.path("Name").asText().equals(task.path("Name").asText())) {
                    oldTask = candidate;
                }
            }
            if (oldTask == null || !combinedMeta(oldJob, oldGroup, oldTask).equals(combinedMeta(newJob, newGroup, task))) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode withoutMeta(JsonNode group)
    {
        ObjectNode copy = group.deepCopy();
        copy.remove(List.of("Count", "Scaling", "Update", "Meta", "Services"));
        copy.path("Tasks").forEach(task -> ((ObjectNode) task).remove(List.of("Meta", "Services")));
        return copy;
    }

    private static Map<String, String> combinedMeta(JsonNode job, JsonNode group, JsonNode task)
    {
        Map<String, String> meta = new HashMap<>();
        for (JsonNode level : List.of(job, group, task)) {
            level.path("Meta").fields().forEachRemaining(entry -> meta.put(entry.getKey(), entry.getValue().asText()));
        }
        return meta;
    }

    private static TaskState runningState()
    {
        return new TaskState("running", false, 0, List.of(event("Received", "Task received by client"), event("Task Setup", "Building Task Directory"),
                event("Started", "Task started by client")));
    }

    private static TaskState failedState()
    {
        return new TaskState("dead", true, 0, List.of(event("Received", "Task received by client"), event("Task Setup", "Building Task Directory"),
                event("Started", "Task started by client"), event("Terminated", "Exit Code: 3"),
                event("Not Restarting", "Error was unrecoverable")));
    }

    private static TaskEvent event(String type, String message)
    {
        return new TaskEvent(type, Instant.now(), message, Map.of());
    }

    private static AllocationStub stopped(AllocationStub alloc)
    {
        return new AllocationStub(alloc.id(), alloc.name(), alloc.taskGroup(), alloc.clientStatus().equals("running") ? "complete" : alloc.clientStatus(), "stop",
                alloc.nodeId(), alloc.jobVersion(), alloc.healthy(), alloc.taskStates());
    }

    private <T> CompletionStage<T> call(Supplier<T> action)
    {
        if (!available) {
            return CompletableFuture.failedFuture(new DependencyException("nomad", "Nomad (in memory) is down", true, null));
        }
        try {
            return CompletableFuture.completedFuture(action.get());
        }
        catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
