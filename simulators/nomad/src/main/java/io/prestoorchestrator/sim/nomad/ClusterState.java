package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.sim.nomad.NomadSimulatorConfig.NodeSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The simulated cluster: jobs, versions, allocations, evaluations, deployments, nodes, scaling
 * policies and events, variables. One lock guards it all; mutations bump a raft-like index per
 * table (what blocking queries watch) and hand side effects (start or stop a task runner) to the
 * {@link AllocDriver} after the lock is released.
 */
final class ClusterState
{
    private static final Logger log = LoggerFactory.getLogger(ClusterState.class);
    private static final long HEALTH_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    interface AllocDriver
    {
        void start(String allocId);

        void stop(String allocId);

        void forceKill(String allocId);

        /** Whether the allocation's health checks pass now (blocking; never called under the lock). */
        boolean checksPassing(String allocId);
    }

    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final String region;
    private final Optional<Duration> minHealthyTimeOverride;
    private AllocDriver driver;

    private long index = 10;
    private final Map<String, Long> tableIndex = new HashMap<>();
    private final Map<String, JobEntry> jobs = new LinkedHashMap<>();
    private final Map<String, Allocation> allocs = new LinkedHashMap<>();
    private final Map<String, ObjectNode> evals = new LinkedHashMap<>();
    private final Map<String, Deployment> deployments = new LinkedHashMap<>();
    private final Map<String, VirtualNode> nodes = new LinkedHashMap<>();
    private final Map<String, PolicyEntry> policies = new LinkedHashMap<>();
    private final Map<String, VarEntry> vars = new LinkedHashMap<>();
    private final List<Runnable> waiters = new ArrayList<>();
    private final List<Runnable> pendingEffects = new ArrayList<>();

    ClusterState(Clock clock, ScheduledExecutorService timers, String region, List<NodeSpec> nodeSpecs, String httpAddress, Optional<Duration> minHealthyTimeOverride)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.timers = requireNonNull(timers, "timers is null");
        this.region = requireNonNull(region, "region is null");
        this.minHealthyTimeOverride = requireNonNull(minHealthyTimeOverride, "minHealthyTimeOverride is null");
        long idx = bump("nodes");
        for (NodeSpec spec : nodeSpecs) {
            VirtualNode node = new VirtualNode(spec, httpAddress, idx, nowNanos());
            nodes.put(node.id, node);
        }
    }

    void setDriver(AllocDriver driver)
    {
        this.driver = requireNonNull(driver, "driver is null");
    }

    String region()
    {
        return region;
    }

    // ---------------------------------------------------------------- indices and waiting

    private long bump(String... tables)
    {
        index++;
        for (String table : tables) {
            tableIndex.put(table, index);
        }
        return index;
    }

    synchronized long tableIndex(String... tables)
    {
        long max = 1;
        for (String table : tables) {
            max = Math.max(max, tableIndex.getOrDefault(table, 1L));
        }
        return max;
    }

    synchronized long latestIndex()
    {
        return index;
    }

    /** Registers a one-shot callback run after the next state change. */
    synchronized void onNextChange(Runnable waiter)
    {
        waiters.add(waiter);
    }

    synchronized void removeWaiter(Runnable waiter)
    {
        waiters.remove(waiter);
    }

    /** Runs a read under the lock. */
    synchronized <T> T read(java.util.function.Supplier<T> reader)
    {
        return reader.get();
    }

    /** Runs a mutation under the lock, then side effects and waiters outside it. */
    <T> T write(java.util.function.Supplier<T> mutation)
    {
        T result;
        List<Runnable> effects;
        List<Runnable> toWake;
        synchronized (this) {
            result = mutation.get();
            effects = new ArrayList<>(pendingEffects);
            pendingEffects.clear();
            toWake = new ArrayList<>(waiters);
            waiters.clear();
        }
        effects.forEach(ClusterState::runSafely);
        toWake.forEach(ClusterState::runSafely);
        return result;
    }

    private static void runSafely(Runnable runnable)
    {
        try {
            runnable.run();
        }
        catch (RuntimeException e) {
            log.warn("side effect failed", e);
        }
    }

    long nowNanos()
    {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    // ---------------------------------------------------------------- jobs

    static final class JobEntry
    {
        final String namespace;
        final String id;
        final long createIndex;
        ObjectNode current;
        final List<ObjectNode> versions = new ArrayList<>();
        final Map<String, List<ObjectNode>> scalingEvents = new LinkedHashMap<>();
        long eventsIndex;
        boolean blocked;

        JobEntry(String namespace, String id, long createIndex)
        {
            this.namespace = namespace;
            this.id = id;
            this.createIndex = createIndex;
        }

        long jobModifyIndex()
        {
            return current.get("JobModifyIndex").asLong();
        }

        String type()
        {
            return current.get("Type").asText();
        }

        JsonNode group(String name)
        {
            for (JsonNode group : current.get("TaskGroups")) {
                if (group.get("Name").asText().equals(name)) {
                    return group;
                }
            }
            return null;
        }
    }

    record RegisterResult(String evalId, long evalCreateIndex, long jobModifyIndex, long index, String warnings) {}

    RegisterResult register(ObjectNode job, boolean enforceIndex, long enforcedJobModifyIndex, String warnings)
    {
        return write(() -> {
            String key = key(job.get("Namespace").asText(), job.get("ID").asText());
            JobEntry existing = jobs.get(key);
            if (enforceIndex) {
                if (existing != null) {
                    if (enforcedJobModifyIndex == 0) {
                        throw new NomadApiException(500, "Enforcing job modify index 0: job already exists");
                    }
                    if (enforcedJobModifyIndex != existing.jobModifyIndex()) {
                        throw new NomadApiException(500, "Enforcing job modify index " + enforcedJobModifyIndex
                                + ": job exists with conflicting job modify index: " + existing.jobModifyIndex());
                    }
                }
                else if (enforcedJobModifyIndex != 0) {
                    throw new NomadApiException(500, "Enforcing job modify index " + enforcedJobModifyIndex + ": job does not exist");
                }
            }
            if (existing != null && !existing.type().equals(job.get("Type").asText())) {
                throw new NomadApiException(500, "cannot update job from type \"" + existing.type() + "\" to \"" + job.get("Type").asText() + "\"");
            }
            long idx = bump("jobs", "job_version", "job_summary");
            JobEntry entry = upsertJob(key, existing, job, idx);
            ObjectNode eval = createEval(entry, "job-register", "", idx);
            reconcile(entry, eval, true);
            return new RegisterResult(eval.get("ID").asText(), idx, entry.jobModifyIndex(), idx, warnings);
        });
    }

    private JobEntry upsertJob(String key, JobEntry existing, ObjectNode job, long idx)
    {
        long now = nowNanos();
        JobEntry entry = existing;
        if (entry == null || existing.current == null) {
            entry = new JobEntry(job.get("Namespace").asText(), job.get("ID").asText(), idx);
            jobs.put(key, entry);
        }
        boolean specChanged = entry.current == null || !specOf(entry.current).equals(specOf(job));
        long version = entry.current == null ? 0 : entry.current.get("Version").asLong() + (specChanged ? 1 : 0);
        ObjectNode stored = job.deepCopy();
        stored.put("Status", entry.current == null ? "pending" : entry.current.get("Status").asText());
        stored.put("StatusDescription", "");
        stored.put("Stable", !specChanged && entry.current.get("Stable").asBoolean());
        stored.put("Version", version);
        stored.put("SubmitTime", now);
        stored.put("CreateIndex", entry.createIndex);
        stored.put("ModifyIndex", idx);
        stored.put("JobModifyIndex", specChanged ? idx : entry.current.get("JobModifyIndex").asLong());
        assignScalingPolicies(entry, stored, idx);
        entry.current = stored;
        if (specChanged) {
            entry.versions.add(0, stored.deepCopy());
            while (entry.versions.size() > 6) {
                entry.versions.remove(entry.versions.size() - 1);
            }
        }
        else if (!entry.versions.isEmpty()) {
            entry.versions.set(0, stored.deepCopy());
        }
        log.info("job registered: job={} version={} index={}", entry.id, version, idx);
        return entry;
    }

    /** The user-controlled part of a job: what decides whether a new version is created. */
    private static JsonNode specOf(JsonNode job)
    {
        ObjectNode spec = job.deepCopy();
        for (String field : List.of("Status", "StatusDescription", "Stable", "Version", "SubmitTime", "CreateIndex", "ModifyIndex", "JobModifyIndex")) {
            spec.remove(field);
        }
        for (JsonNode group : spec.get("TaskGroups")) {
            JsonNode scaling = group.get("Scaling");
            if (scaling != null && scaling.isObject()) {
                for (String field : List.of("ID", "Namespace", "Target", "CreateIndex", "ModifyIndex")) {
                    ((ObjectNode) scaling).remove(field);
                }
            }
        }
        return spec;
    }

    private void assignScalingPolicies(JobEntry entry, ObjectNode job, long idx)
    {
        Set<String> live = new HashSet<>();
        boolean changed = false;
        for (JsonNode group : job.get("TaskGroups")) {
            JsonNode scaling = group.get("Scaling");
            if (scaling == null || scaling.isNull()) {
                continue;
            }
            ObjectNode policy = (ObjectNode) scaling;
            String groupName = group.get("Name").asText();
            String policyKey = key(entry.namespace, entry.id) + "/" + groupName;
            live.add(policyKey);
            if (job.get("Stop").asBoolean()) {
                policy.put("Enabled", false);
            }
            PolicyEntry existing = policies.get(policyKey);
            ObjectNode target = Json.object();
            target.put("Namespace", entry.namespace);
            target.put("Job", entry.id);
            target.put("Group", groupName);
            policy.put("Namespace", entry.namespace);
            policy.set("Target", target);
            if (existing == null) {
                existing = new PolicyEntry(UUID.randomUUID().toString(), policyKey, idx);
                policies.put(policyKey, existing);
                changed = true;
            }
            ObjectNode comparable = policy.deepCopy();
            comparable.remove(List.of("ID", "CreateIndex", "ModifyIndex"));
            if (!comparable.equals(existing.lastSpec)) {
                existing.modifyIndex = idx;
                existing.lastSpec = comparable;
                changed = true;
            }
            policy.put("ID", existing.id);
            policy.put("CreateIndex", existing.createIndex);
            policy.put("ModifyIndex", existing.modifyIndex);
            existing.policy = policy;
        }
        String prefix = key(entry.namespace, entry.id) + "/";
        changed |= policies.keySet().removeIf(k -> k.startsWith(prefix) && !live.contains(k));
        if (changed) {
            tableIndex.put("scaling_policy", idx);
        }
    }

    static final class PolicyEntry
    {
        final String id;
        final String key;
        final long createIndex;
        long modifyIndex;
        ObjectNode lastSpec;
        ObjectNode policy;

        PolicyEntry(String id, String key, long createIndex)
        {
            this.id = id;
            this.key = key;
            this.createIndex = createIndex;
            this.modifyIndex = createIndex;
        }
    }

    JobEntry job(String namespace, String id)
    {
        return jobs.get(key(namespace, id));
    }

    List<JobEntry> jobs()
    {
        return List.copyOf(jobs.values());
    }

    record DeregisterResult(String evalId, long index, long jobModifyIndex) {}

    DeregisterResult deregister(String namespace, String id, boolean purge)
    {
        return write(() -> {
            JobEntry entry = jobs.get(key(namespace, id));
            if (entry == null) {
                throw new NomadApiException(404, "job not found");
            }
            long idx = bump("jobs", "job_version", "job_summary");
            if (!entry.current.get("Stop").asBoolean()) {
                ObjectNode stopped = entry.current.deepCopy();
                stopped.put("Stop", true);
                upsertJob(key(namespace, id), entry, stopped, idx);
            }
            ObjectNode eval = createEval(entry, "job-deregister", "", idx);
            reconcile(entry, eval, false);
            if (purge) {
                jobs.remove(key(namespace, id));
                String prefix = key(namespace, id) + "/";
                if (policies.keySet().removeIf(k -> k.startsWith(prefix))) {
                    tableIndex.put("scaling_policy", idx);
                }
                log.info("job purged: job={} index={}", id, idx);
            }
            return new DeregisterResult(eval.get("ID").asText(), idx, entry.jobModifyIndex());
        });
    }

    RegisterResult scale(String namespace, String jobId, String group, Long count, String message, boolean error, JsonNode meta)
    {
        return write(() -> {
            JobEntry entry = jobs.get(key(namespace, jobId));
            if (entry == null) {
                throw new NomadApiException(404, "job \"" + jobId + "\" not found");
            }
            JsonNode groupSpec = entry.group(group);
            if (groupSpec == null) {
                throw new NomadApiException(400, "task group \"" + group + "\" specified for scaling does not exist in job");
            }
            if (entry.type().equals("system") && count != null && count > 1) {
                throw new NomadApiException(400, "jobs of type \"system\" can only be scaled between 0 and 1");
            }
            long previous = groupSpec.get("Count").asLong();
            String evalId = "";
            long evalIndex = 0;
            JsonNode scaling = groupSpec.get("Scaling");
            if (count != null) {
                if (scaling != null && !scaling.isNull()) {
                    if (count < scaling.get("Min").asLong()) {
                        throw new NomadApiException(400, "group count was less than scaling policy minimum: " + count + " < " + scaling.get("Min").asLong());
                    }
                    if (!scaling.get("Max").isNull() && scaling.get("Max").asLong() < count) {
                        throw new NomadApiException(400, "group count was greater than scaling policy maximum: " + count + " > " + scaling.get("Max").asLong());
                    }
                }
                Deployment latest = latestDeployment(entry);
                if (latest != null && latest.active() && latest.jobCreateIndex == entry.createIndex) {
                    throw new NomadApiException(400, "job scaling blocked due to active deployment");
                }
            }
            long idx = bump("jobs", "job_version", "scaling_event", "job_summary");
            if (count != null) {
                ObjectNode updated = entry.current.deepCopy();
                for (JsonNode g : updated.get("TaskGroups")) {
                    if (g.get("Name").asText().equals(group)) {
                        ((ObjectNode) g).put("Count", count.intValue());
                    }
                }
                upsertJob(key(namespace, jobId), entry, updated, idx);
                ObjectNode eval = createEval(entry, "job-scaling", "", idx);
                evalId = eval.get("ID").asText();
                evalIndex = idx;
                reconcile(entry, eval, true);
            }
            ObjectNode event = Json.object();
            if (count == null) {
                event.putNull("Count");
            }
            else {
                event.put("Count", count);
            }
            event.put("PreviousCount", previous);
            event.put("Error", error);
            event.put("Message", message);
            event.set("Meta", meta == null ? null : meta.deepCopy());
            if (evalId.isEmpty()) {
                event.putNull("EvalID");
            }
            else {
                event.put("EvalID", evalId);
            }
            event.put("Time", nowNanos());
            event.put("CreateIndex", idx);
            List<ObjectNode> events = entry.scalingEvents.computeIfAbsent(group, g -> new ArrayList<>());
            events.add(0, event);
            while (events.size() > 20) {
                events.remove(events.size() - 1);
            }
            entry.eventsIndex = idx;
            log.info("job scaled: job={} group={} count={} previous={} index={}", jobId, group, count, previous, idx);
            return new RegisterResult(evalId, evalIndex, entry.jobModifyIndex(), idx, "");
        });
    }

    // ---------------------------------------------------------------- evaluations

    private ObjectNode createEval(JobEntry job, String triggeredBy, String nodeId, long idx)
    {
        ObjectNode eval = Json.object();
        long now = nowNanos();
        eval.put("ID", UUID.randomUUID().toString());
        eval.put("Namespace", job.namespace);
        eval.put("Priority", job.current.get("Priority").asInt());
        eval.put("Type", job.type());
        eval.put("TriggeredBy", triggeredBy);
        eval.put("JobID", job.id);
        eval.put("JobModifyIndex", job.jobModifyIndex());
        eval.put("NodeID", nodeId);
        eval.put("NodeModifyIndex", nodeId.isEmpty() ? 0 : idx);
        eval.put("DeploymentID", "");
        eval.put("Status", "complete");
        eval.put("StatusDescription", "");
        eval.put("Wait", 0);
        eval.put("WaitUntil", Json.ZERO_TIME);
        eval.put("NextEval", "");
        eval.put("PreviousEval", "");
        eval.put("BlockedEval", "");
        eval.putNull("RelatedEvals");
        eval.putNull("FailedTGAllocs");
        eval.putNull("ClassEligibility");
        eval.put("EscapedComputedClass", false);
        eval.put("QuotaLimitReached", "");
        eval.put("AnnotatePlan", false);
        ObjectNode queued = Json.object();
        for (JsonNode group : job.current.get("TaskGroups")) {
            queued.put(group.get("Name").asText(), 0);
        }
        eval.set("QueuedAllocations", queued);
        eval.put("SnapshotIndex", idx);
        eval.put("CreateIndex", idx);
        eval.put("ModifyIndex", idx);
        eval.put("CreateTime", now);
        eval.put("ModifyTime", now);
        evals.put(eval.get("ID").asText(), eval);
        tableIndex.put("evals", idx);
        return eval;
    }

    ObjectNode eval(String id)
    {
        return evals.get(id);
    }

    List<ObjectNode> evals()
    {
        return List.copyOf(evals.values());
    }

    // ---------------------------------------------------------------- the reconciler

    /**
     * Brings one job's allocations to its desired state, as Nomad's service scheduler would:
     * migrate off draining nodes, replace allocations of an older spec (destructive update), update
     * the others in place, stop the highest indices first on a count decrease and place the missing
     * indices on the eligible node with the fewest allocations of the job. A group with an update
     * strategy (MaxParallel > 0) replaces at most MaxParallel allocations at a time: the next ones
     * only once the replacements in flight are healthy (this runs again on every health change), and
     * none after the deployment failed. A deployment tracks only the groups that change.
     */
    private void reconcile(JobEntry job, ObjectNode eval, boolean mayCreateDeployment)
    {
        long idx = index;
        boolean stopped = job.current.get("Stop").asBoolean();
        ObjectNode failedGroups = Json.object();
        List<GroupPlan> plans = new ArrayList<>();
        for (JsonNode group : job.current.get("TaskGroups")) {
            String groupName = group.get("Name").asText();
            int desired = stopped ? 0 : group.get("Count").asInt();
            List<Allocation> live = new ArrayList<>();
            for (Allocation alloc : allocs.values()) {
                if (alloc.jobId.equals(job.id) && alloc.namespace.equals(job.namespace) && alloc.group.equals(groupName)
                        && alloc.jobCreateIndex == job.createIndex && !alloc.serverTerminal()
                        && !(job.type().equals("batch") && alloc.clientStatus.equals("complete"))) {
                    live.add(alloc);
                }
            }
            live.sort(Comparator.comparingInt(a -> a.index));
            GroupPlan plan = new GroupPlan(group);
            Set<Integer> used = new HashSet<>();
            for (Allocation alloc : live) {
                if (alloc.index >= desired || used.contains(alloc.index)) {
                    stopAlloc(alloc, stopped ? "alloc not needed since job is stopped" : "alloc not needed due to job update", false);
                    continue;
                }
                used.add(alloc.index);
                VirtualNode node = nodes.get(alloc.nodeId);
                boolean draining = node != null && node.drainStrategy != null;
                if (draining) {
                    stopAlloc(alloc, "alloc is being migrated", true);
                    plan.toPlace.add(alloc.index);
                    plan.replacing.put(alloc.index, alloc);
                }
                else if (destructive(alloc.job, alloc.groupSpec(), job.current, group)) {
                    plan.destructive.add(alloc);
                }
                else if (alloc.jobVersion() != job.current.get("Version").asLong()) {
                    alloc.job = job.current.deepCopy();
                    touch(alloc, idx);
                    plan.inPlace.add(alloc);
                }
            }
            for (int i = 0; i < desired; i++) {
                if (!used.contains(i)) {
                    plan.toPlace.add(i);
                }
            }
            plans.add(plan);
        }
        Deployment deployment = activeDeployment(job);
        // as Nomad's reconciler (createDeployment): allocations to place, or a changed job (a destructive or an in-place update)
        boolean startsDeployment = mayCreateDeployment && job.type().equals("service") && !stopped
                && plans.stream().anyMatch(plan -> !plan.toPlace.isEmpty() || !plan.destructive.isEmpty() || !plan.inPlace.isEmpty());
        if (startsDeployment) {
            deployment = startDeployment(job, plans.stream().filter(GroupPlan::changes).map(plan -> plan.group).toList(), idx);
            // in-place updated allocations belong to the new deployment (Nomad counts them in DesiredTotal) and are checked again
            for (GroupPlan plan : plans) {
                for (Allocation alloc : plan.inPlace) {
                    alloc.deploymentId = deployment.id;
                    alloc.healthy = null;
                    scheduleHealthDeadline(alloc);
                    if (alloc.allTasksRunning()) {
                        scheduleHealthCheck(alloc);
                    }
                }
            }
        }
        for (GroupPlan plan : plans) {
            String groupName = plan.group.get("Name").asText();
            Deployment groupDeployment = deployment != null && deployment.groups.containsKey(groupName) ? deployment : null;
            int limit = destructiveLimit(job, plan, groupDeployment);
            for (Allocation alloc : plan.destructive.subList(0, Math.min(limit, plan.destructive.size()))) {
                stopAlloc(alloc, "alloc is being updated due to job update", false);
                plan.toPlace.add(alloc.index);
                plan.replacing.put(alloc.index, alloc);
            }
            plan.toPlace.sort(Integer::compare);
            int failed = 0;
            for (int allocIndex : plan.toPlace) {
                Optional<VirtualNode> node = pickNode(job);
                if (node.isEmpty()) {
                    failed++;
                    continue;
                }
                place(job, plan.group, allocIndex, node.get(), eval, groupDeployment, plan.replacing.get(allocIndex), idx);
            }
            if (failed > 0) {
                ObjectNode metric = Json.object();
                metric.put("NodesEvaluated", nodes.size());
                metric.put("NodesFiltered", nodes.size());
                metric.put("NodesInPool", nodes.size());
                metric.put("NodesExhausted", 0);
                metric.put("CoalescedFailures", failed - 1);
                ObjectNode available = Json.object();
                nodes.values().forEach(n -> available.put(n.spec.datacenter(), 0));
                metric.set("NodesAvailable", available);
                failedGroups.set(groupName, metric);
                ((ObjectNode) eval.get("QueuedAllocations")).put(groupName, failed);
            }
        }
        if (deployment != null) {
            eval.put("DeploymentID", deployment.id);
            recomputeDeployment(deployment);
        }
        if (!failedGroups.isEmpty()) {
            eval.set("FailedTGAllocs", failedGroups);
            ObjectNode blocked = createEval(job, "queued-allocs", "", idx);
            blocked.put("Status", "blocked");
            blocked.put("StatusDescription", "created due to placement conflicts");
            blocked.put("PreviousEval", eval.get("ID").asText());
            eval.put("BlockedEval", blocked.get("ID").asText());
            job.blocked = true;
        }
        else {
            job.blocked = false;
            evals.values().stream()
                    .filter(e -> e.get("JobID").asText().equals(job.id) && e.get("Status").asText().equals("blocked"))
                    .forEach(e -> {
                        e.put("Status", "complete");
                        e.put("ModifyIndex", idx);
                    });
        }
        updateJobStatus(job);
    }

    /** One group's share of a reconcile: indices to place (and whom they replace), allocations of an older spec, in-place updates. */
    private static final class GroupPlan
    {
        final JsonNode group;
        final List<Integer> toPlace = new ArrayList<>();
        final Map<Integer, Allocation> replacing = new HashMap<>();
        final List<Allocation> destructive = new ArrayList<>();
        final List<Allocation> inPlace = new ArrayList<>();

        GroupPlan(JsonNode group)
        {
            this.group = group;
        }

        boolean changes()
        {
            return !toPlace.isEmpty() || !destructive.isEmpty() || !inPlace.isEmpty();
        }
    }

    /**
     * How many allocations of an older spec to replace now. Without an update strategy all of them;
     * with one, MaxParallel less the replacements of the running deployment not yet healthy, and
     * none once one of them is unhealthy or the group's deployment is no longer running.
     */
    private int destructiveLimit(JobEntry job, GroupPlan plan, Deployment deployment)
    {
        JsonNode update = plan.group.get("Update");
        int maxParallel = update == null || update.isNull() ? 0 : update.get("MaxParallel").asInt();
        if (!job.type().equals("service") || maxParallel <= 0) {
            return plan.destructive.size();
        }
        if (deployment == null || !deployment.status.equals("running")) {
            return 0;
        }
        String groupName = plan.group.get("Name").asText();
        int limit = maxParallel;
        for (Allocation alloc : allocs.values()) {
            if (alloc.deploymentId.equals(deployment.id) && alloc.group.equals(groupName) && !alloc.serverTerminal()) {
                if (Boolean.FALSE.equals(alloc.healthy)) {
                    return 0;
                }
                if (!Boolean.TRUE.equals(alloc.healthy)) {
                    limit--;
                }
            }
        }
        return Math.max(0, limit);
    }

    /**
     * Whether an allocation must be replaced rather than updated in place: the group changed beyond
     * its count, scaling and update blocks and its services (Nomad updates non-Connect services in
     * place), or a task's combined Meta (job, group, task) changed, as Nomad's scheduler compares it
     * (scheduler/util.go tasksUpdated in v1.6.1).
     */
    static boolean destructive(JsonNode oldJob, JsonNode oldGroup, JsonNode newJob, JsonNode newGroup)
    {
        if (!groupSpecOf(oldGroup).equals(groupSpecOf(newGroup))) {
            return true;
        }
        for (JsonNode newTask : newGroup.get("Tasks")) {
            JsonNode oldTask = null;
            for (JsonNode candidate : oldGroup.get("Tasks")) {
                if (candidate.get("Name").asText().equals(newTask.get("Name").asText())) {
                    oldTask = candidate;
                }
            }
            if (oldTask == null || !combinedMeta(oldJob, oldGroup, oldTask).equals(combinedMeta(newJob, newGroup, newTask))) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> combinedMeta(JsonNode job, JsonNode group, JsonNode task)
    {
        Map<String, String> meta = new HashMap<>();
        for (JsonNode level : List.of(job, group, task)) {
            JsonNode values = level.get("Meta");
            if (values != null && values.isObject()) {
                values.fields().forEachRemaining(entry -> meta.put(entry.getKey(), entry.getValue().asText()));
            }
        }
        return meta;
    }

    private static JsonNode groupSpecOf(JsonNode group)
    {
        ObjectNode spec = group.deepCopy();
        spec.remove(List.of("Count", "Scaling", "Update", "Meta", "Services"));
        for (JsonNode task : spec.get("Tasks")) {
            ((ObjectNode) task).remove(List.of("Meta", "Services"));
        }
        return spec;
    }

    private Optional<VirtualNode> pickNode(JobEntry job)
    {
        Set<String> datacenters = new HashSet<>();
        job.current.get("Datacenters").forEach(dc -> datacenters.add(dc.asText()));
        String pool = job.current.get("NodePool").asText();
        Map<String, Integer> jobAllocs = new HashMap<>();
        Map<String, Integer> allAllocs = new HashMap<>();
        for (Allocation alloc : allocs.values()) {
            if (!alloc.terminal()) {
                allAllocs.merge(alloc.nodeId, 1, Integer::sum);
                if (alloc.jobId.equals(job.id)) {
                    jobAllocs.merge(alloc.nodeId, 1, Integer::sum);
                }
            }
        }
        return nodes.values().stream()
                .filter(VirtualNode::schedulable)
                .filter(node -> pool.equals("all") || node.spec.nodePool().equals(pool))
                .filter(node -> datacenters.stream().anyMatch(dc -> globMatch(dc, node.spec.datacenter())))
                .min(Comparator.<VirtualNode>comparingInt(node -> jobAllocs.getOrDefault(node.id, 0))
                        .thenComparingInt(node -> allAllocs.getOrDefault(node.id, 0)));
    }

    private static boolean globMatch(String pattern, String value)
    {
        String regex = ("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
        return value.matches(regex);
    }

    private void place(JobEntry job, JsonNode group, int allocIndex, VirtualNode node, ObjectNode eval, Deployment deployment, Allocation previous, long idx)
    {
        Map<String, Integer> ports = new LinkedHashMap<>();
        JsonNode networks = group.get("Networks");
        if (networks != null && !networks.isNull()) {
            for (JsonNode network : networks) {
                JsonNode reserved = network.get("ReservedPorts");
                if (reserved != null && !reserved.isNull()) {
                    reserved.forEach(port -> ports.put(port.get("Label").asText(), port.get("Value").asInt()));
                }
                JsonNode dynamic = network.get("DynamicPorts");
                if (dynamic != null && !dynamic.isNull()) {
                    dynamic.forEach(port -> ports.put(port.get("Label").asText(), Ports.freePort()));
                }
            }
        }
        Allocation alloc = new Allocation(UUID.randomUUID().toString(), eval.get("ID").asText(), job.namespace, job.id,
                group.get("Name").asText(), allocIndex, node.id, node.spec.name(), job.current.deepCopy(), job.createIndex, ports, idx, nowNanos());
        if (deployment != null) {
            alloc.deploymentId = deployment.id;
        }
        if (previous != null) {
            alloc.previousAllocation = previous.id;
            previous.nextAllocation = alloc.id;
        }
        allocs.put(alloc.id, alloc);
        tableIndex.put("allocs", idx);
        log.info("alloc placed: alloc={} name={} nomad_node={} index={}", alloc.id, alloc.name(), node.spec.name(), idx);
        String id = alloc.id;
        pendingEffects.add(() -> driver.start(id));
    }

    private void stopAlloc(Allocation alloc, String description, boolean migrate)
    {
        if (alloc.serverTerminal()) {
            return;
        }
        alloc.desiredStatus = "stop";
        alloc.desiredDescription = description;
        alloc.migrate = migrate;
        alloc.allocModifyIndex = index;
        touch(alloc, index);
        log.info("alloc stopping: alloc={} name={} reason={}", alloc.id, alloc.name(), description);
        String id = alloc.id;
        pendingEffects.add(() -> driver.stop(id));
    }

    private void touch(Allocation alloc, long idx)
    {
        alloc.modifyIndex = idx;
        alloc.modifyTime = nowNanos();
        tableIndex.put("allocs", idx);
    }

    private void updateJobStatus(JobEntry job)
    {
        if (job.current == null) {
            return;
        }
        boolean anyLive = false;
        boolean anyAlloc = false;
        for (Allocation alloc : allocs.values()) {
            if (alloc.jobId.equals(job.id) && alloc.jobCreateIndex == job.createIndex) {
                anyAlloc = true;
                anyLive |= !alloc.clientTerminal();
            }
        }
        String status;
        if (anyLive) {
            status = "running";
        }
        else if (job.current.get("Stop").asBoolean() || (anyAlloc && !job.type().equals("service") && !job.type().equals("system"))) {
            status = "dead";
        }
        else {
            status = "pending";
        }
        if (!status.equals(job.current.get("Status").asText())) {
            long idx = bump("jobs", "job_summary");
            job.current.put("Status", status);
            job.current.put("ModifyIndex", idx);
        }
    }

    // ---------------------------------------------------------------- allocations

    Allocation alloc(String id)
    {
        return allocs.get(id);
    }

    List<Allocation> allocs()
    {
        return List.copyOf(allocs.values());
    }

    /** Updates an allocation from its runner (client side): task states, then client status and health. */
    void updateAlloc(String allocId, Consumer<Allocation> mutation)
    {
        write(() -> {
            Allocation alloc = allocs.get(allocId);
            if (alloc == null) {
                return null;
            }
            String before = alloc.clientStatus;
            boolean wasRunning = alloc.allTasksRunning();
            mutation.accept(alloc);
            alloc.recomputeClientStatus();
            long idx = bump("allocs", "job_summary");
            touch(alloc, idx);
            if (!before.equals(alloc.clientStatus)) {
                log.info("alloc status: alloc={} name={} client_status={}", alloc.id, alloc.name(), alloc.clientStatus);
            }
            if (!wasRunning && alloc.allTasksRunning() && alloc.healthy == null && !alloc.deploymentId.isEmpty()) {
                scheduleHealthCheck(alloc);
            }
            if (alloc.clientStatus.equals("failed") && alloc.healthy == null && !alloc.deploymentId.isEmpty()) {
                alloc.healthy = false;
                alloc.healthTimestamp = nowNanos();
                alloc.deploymentStatusIndex = idx;
            }
            Deployment deployment = deployments.get(alloc.deploymentId);
            if (deployment != null) {
                recomputeDeployment(deployment);
            }
            JobEntry job = jobs.get(key(alloc.namespace, alloc.jobId));
            if (job != null && job.createIndex == alloc.jobCreateIndex) {
                updateJobStatus(job);
            }
            checkDrainsComplete();
            return null;
        });
    }

    /**
     * Deployment health: all tasks running without a restart and, with {@code health_check =
     * "checks"}, the checks passing, both without a break for MinHealthyTime; polled, so a check that
     * fails in between starts the time again.
     */
    private void scheduleHealthCheck(Allocation alloc)
    {
        long generation = ++alloc.healthCheckGeneration;
        long restarts = alloc.taskStates.values().stream().mapToLong(s -> s.restarts).sum();
        JsonNode update = alloc.groupSpec().get("Update");
        long minHealthyNanos = minHealthyTimeOverride.map(Duration::toNanos)
                .orElse(update == null || update.isNull() ? 10 * JobSpec.SECOND : update.get("MinHealthyTime").asLong());
        boolean checks = update == null || update.isNull() || !update.get("HealthCheck").asText().equals("task_states");
        String id = alloc.id;
        pendingEffects.add(() -> timers.execute(() -> probeHealth(id, generation, restarts, minHealthyNanos, checks, -1)));
    }

    private void probeHealth(String id, long generation, long restarts, long minHealthyNanos, boolean checks, long passingSince)
    {
        boolean passing = !checks || driver.checksPassing(id);
        write(() -> {
            Allocation current = allocs.get(id);
            if (current == null || current.healthCheckGeneration != generation || current.healthy != null || current.serverTerminal()) {
                return null;
            }
            long nowRestarts = current.taskStates.values().stream().mapToLong(s -> s.restarts).sum();
            if (!current.allTasksRunning() || nowRestarts != restarts) {
                return null;
            }
            long now = nowNanos();
            long since = passing ? (passingSince < 0 ? now : passingSince) : -1;
            if (since >= 0 && now - since >= minHealthyNanos) {
                long idx = bump("allocs", "deployment");
                current.healthy = true;
                current.healthTimestamp = now;
                current.deploymentStatusIndex = idx;
                touch(current, idx);
                log.info("alloc healthy: alloc={} name={}", current.id, current.name());
                deploymentHealthChanged(current);
                return null;
            }
            long remaining = since < 0 ? HEALTH_POLL_NANOS : Math.max(0, minHealthyNanos - (now - since));
            long delay = checks ? Math.min(remaining, HEALTH_POLL_NANOS) : remaining;
            long nextSince = since;
            pendingEffects.add(() -> timers.schedule(() -> probeHealth(id, generation, restarts, minHealthyNanos, checks, nextSince), delay, TimeUnit.NANOSECONDS));
            return null;
        });
    }

    /** Stops one allocation as {@code POST /v1/allocation/:id/stop} does: stop and replace. */
    ObjectNode stopAllocation(String allocId)
    {
        return write(() -> {
            Allocation alloc = allocs.get(allocId);
            if (alloc == null) {
                throw new NomadApiException(404, "alloc not found");
            }
            long idx = bump("allocs", "evals");
            JobEntry job = jobs.get(key(alloc.namespace, alloc.jobId));
            stopAlloc(alloc, "alloc was stopped by user", true);
            ObjectNode out = Json.object();
            if (job != null && job.createIndex == alloc.jobCreateIndex) {
                ObjectNode eval = createEval(job, "alloc-stop", "", idx);
                alloc.migrate = true;
                reconcileReplacing(job, eval, alloc);
                out.put("EvalID", eval.get("ID").asText());
            }
            else {
                out.put("EvalID", "");
            }
            out.put("Index", idx);
            return out;
        });
    }

    private void reconcileReplacing(JobEntry job, ObjectNode eval, Allocation stopped)
    {
        JsonNode group = job.group(stopped.group);
        if (group != null && !job.current.get("Stop").asBoolean() && stopped.index < group.get("Count").asInt()) {
            Optional<VirtualNode> node = pickNode(job);
            if (node.isPresent()) {
                place(job, group, stopped.index, node.get(), eval, null, stopped, index);
            }
        }
        reconcile(job, eval, false);
    }

    // ---------------------------------------------------------------- deployments

    static final class Deployment
    {
        final String id;
        final String namespace;
        final String jobId;
        final long jobVersion;
        final long jobModifyIndex;
        final long jobCreateIndex;
        final Map<String, long[]> groups = new LinkedHashMap<>();
        final Map<String, ObjectNode> groupMeta = new LinkedHashMap<>();
        final Map<String, Long> requireProgressBy = new HashMap<>();
        String status = "running";
        String statusDescription = "Deployment is running";
        final long createIndex;
        long modifyIndex;
        final long createTime;
        long modifyTime;

        Deployment(String id, String namespace, String jobId, long jobVersion, long jobModifyIndex, long jobCreateIndex, long createIndex, long createTime)
        {
            this.id = id;
            this.namespace = namespace;
            this.jobId = jobId;
            this.jobVersion = jobVersion;
            this.jobModifyIndex = jobModifyIndex;
            this.jobCreateIndex = jobCreateIndex;
            this.createIndex = createIndex;
            this.modifyIndex = createIndex;
            this.createTime = createTime;
            this.modifyTime = createTime;
        }

        boolean active()
        {
            return status.equals("running") || status.equals("paused") || status.equals("pending") || status.equals("blocked") || status.equals("unblocking");
        }

        ObjectNode toJson()
        {
            ObjectNode out = Json.object();
            out.put("ID", id);
            out.put("Namespace", namespace);
            out.put("JobID", jobId);
            out.put("JobVersion", jobVersion);
            out.put("JobModifyIndex", jobModifyIndex);
            out.put("JobSpecModifyIndex", jobModifyIndex);
            out.put("JobCreateIndex", jobCreateIndex);
            out.put("IsMultiregion", false);
            ObjectNode groupsJson = Json.object();
            groups.forEach((name, counts) -> {
                ObjectNode state = groupMeta.get(name).deepCopy();
                state.put("DesiredTotal", counts[0]);
                state.put("PlacedAllocs", counts[1]);
                state.put("HealthyAllocs", counts[2]);
                state.put("UnhealthyAllocs", counts[3]);
                groupsJson.set(name, state);
            });
            out.set("TaskGroups", groupsJson);
            out.put("Status", status);
            out.put("StatusDescription", statusDescription);
            out.put("CreateIndex", createIndex);
            out.put("ModifyIndex", modifyIndex);
            out.put("CreateTime", createTime);
            out.put("ModifyTime", modifyTime);
            return out;
        }
    }

    private Deployment activeDeployment(JobEntry job)
    {
        Deployment latest = latestDeployment(job);
        return latest != null && latest.active() && latest.jobCreateIndex == job.createIndex
                && latest.jobVersion == job.current.get("Version").asLong() ? latest : null;
    }

    private Deployment startDeployment(JobEntry job, List<JsonNode> groups, long idx)
    {
        for (Deployment old : deployments.values()) {
            if (old.jobId.equals(job.id) && old.namespace.equals(job.namespace) && old.active()) {
                old.status = "cancelled";
                old.statusDescription = "Cancelled due to newer version of job";
                old.modifyIndex = idx;
                old.modifyTime = nowNanos();
            }
        }
        Deployment deployment = new Deployment(UUID.randomUUID().toString(), job.namespace, job.id, job.current.get("Version").asLong(),
                job.jobModifyIndex(), job.createIndex, idx, nowNanos());
        for (JsonNode group : groups) {
            JsonNode update = group.get("Update");
            ObjectNode meta = Json.object();
            meta.putNull("PlacedCanaries");
            meta.put("AutoRevert", update != null && !update.isNull() && update.get("AutoRevert").asBoolean());
            long progressDeadline = update == null || update.isNull() ? 10 * JobSpec.MINUTE : update.get("ProgressDeadline").asLong();
            meta.put("ProgressDeadline", progressDeadline);
            meta.put("RequireProgressBy", Json.time(nowNanos() + progressDeadline));
            meta.put("Promoted", false);
            meta.put("DesiredCanaries", 0);
            String groupName = group.get("Name").asText();
            deployment.groupMeta.put(groupName, meta);
            deployment.groups.put(groupName, new long[] {group.get("Count").asLong(), 0, 0, 0});
            if (progressDeadline > 0) {
                scheduleProgressDeadline(deployment.id, groupName, progressDeadline, nowNanos() + progressDeadline);
            }
        }
        deployments.put(deployment.id, deployment);
        tableIndex.put("deployment", idx);
        log.info("deployment started: deployment={} job={} version={} groups={}", deployment.id, job.id, deployment.jobVersion, deployment.groups.keySet());
        return deployment;
    }

    /**
     * A group must make progress (an allocation turning healthy) by its RequireProgressBy, which
     * every healthy allocation pushes to ProgressDeadline later; else the deployment fails.
     */
    private void scheduleProgressDeadline(String deploymentId, String group, long progressDeadline, long requireBy)
    {
        pendingEffects.add(() -> timers.schedule(() -> write(() -> {
            Deployment current = deployments.get(deploymentId);
            if (current == null || !current.status.equals("running")) {
                return null;
            }
            long[] counts = current.groups.get(group);
            if (counts[2] >= counts[0]) {
                return null;
            }
            long latest = current.requireProgressBy.getOrDefault(group, requireBy);
            if (latest > requireBy) {
                scheduleProgressDeadline(deploymentId, group, progressDeadline, latest);
                return null;
            }
            finishDeployment(current, "failed", "Failed due to progress deadline");
            return null;
        }), Math.max(0, requireBy - nowNanos()), TimeUnit.NANOSECONDS));
    }

    /**
     * The client starts watching a placed allocation's health once it may start (the allocation it
     * replaces has terminated): from then on its HealthyDeadline runs.
     */
    void healthWatchStarted(String allocId)
    {
        write(() -> {
            Allocation alloc = allocs.get(allocId);
            if (alloc != null && !alloc.deploymentId.isEmpty() && alloc.healthy == null && !alloc.serverTerminal()) {
                scheduleHealthDeadline(alloc);
            }
            return null;
        });
    }

    /** An allocation of a deployment that is not healthy within its group's HealthyDeadline turns unhealthy. */
    private void scheduleHealthDeadline(Allocation alloc)
    {
        JsonNode update = alloc.groupSpec().get("Update");
        long deadline = update == null || update.isNull() ? 5 * JobSpec.MINUTE : update.get("HealthyDeadline").asLong();
        if (deadline <= 0) {
            return;
        }
        String id = alloc.id;
        String deploymentId = alloc.deploymentId;
        pendingEffects.add(() -> timers.schedule(() -> write(() -> {
            Allocation current = allocs.get(id);
            if (current == null || current.healthy != null || current.serverTerminal() || !current.deploymentId.equals(deploymentId)) {
                return null;
            }
            long idx = bump("allocs", "deployment");
            current.healthy = false;
            current.healthTimestamp = nowNanos();
            current.deploymentStatusIndex = idx;
            touch(current, idx);
            log.info("alloc unhealthy: alloc={} name={} reason=healthy deadline", current.id, current.name());
            deploymentHealthChanged(current);
            return null;
        }), deadline, TimeUnit.NANOSECONDS));
    }

    /** After an allocation's health changed: recount its deployment and let the job's rollout go on (Nomad's deployment watcher). */
    private void deploymentHealthChanged(Allocation alloc)
    {
        Deployment deployment = deployments.get(alloc.deploymentId);
        if (deployment == null) {
            return;
        }
        if (Boolean.TRUE.equals(alloc.healthy) && deployment.groupMeta.containsKey(alloc.group)) {
            long requireBy = nowNanos() + deployment.groupMeta.get(alloc.group).get("ProgressDeadline").asLong();
            deployment.requireProgressBy.put(alloc.group, requireBy);
            deployment.groupMeta.get(alloc.group).put("RequireProgressBy", Json.time(requireBy));
        }
        recomputeDeployment(deployment);
        JobEntry job = jobs.get(key(alloc.namespace, alloc.jobId));
        if (job != null && job.createIndex == alloc.jobCreateIndex && deployment.status.equals("running")
                && job.current.get("Version").asLong() == deployment.jobVersion) {
            reconcile(job, createEval(job, "deployment-watcher", "", index), false);
        }
    }

    private void recomputeDeployment(Deployment deployment)
    {
        for (Map.Entry<String, long[]> group : deployment.groups.entrySet()) {
            long[] counts = group.getValue();
            counts[1] = 0;
            counts[2] = 0;
            counts[3] = 0;
            for (Allocation alloc : allocs.values()) {
                if (alloc.deploymentId.equals(deployment.id) && alloc.group.equals(group.getKey())) {
                    counts[1]++;
                    if (Boolean.TRUE.equals(alloc.healthy)) {
                        counts[2]++;
                    }
                    else if (Boolean.FALSE.equals(alloc.healthy)) {
                        counts[3]++;
                    }
                }
            }
        }
        long idx = bump("deployment");
        deployment.modifyIndex = idx;
        deployment.modifyTime = nowNanos();
        if (!deployment.status.equals("running")) {
            return;
        }
        if (deployment.groups.values().stream().anyMatch(counts -> counts[3] > 0)) {
            finishDeployment(deployment, "failed", "Failed due to unhealthy allocations");
        }
        else if (deployment.groups.values().stream().allMatch(counts -> counts[2] >= counts[0])) {
            finishDeployment(deployment, "successful", "Deployment completed successfully");
        }
    }

    private void finishDeployment(Deployment deployment, String status, String description)
    {
        long idx = bump("deployment", "jobs");
        deployment.status = status;
        deployment.statusDescription = description;
        deployment.modifyIndex = idx;
        deployment.modifyTime = nowNanos();
        log.info("deployment finished: deployment={} job={} status={}", deployment.id, deployment.jobId, status);
        if (status.equals("successful")) {
            JobEntry job = jobs.get(key(deployment.namespace, deployment.jobId));
            if (job != null && job.current.get("Version").asLong() == deployment.jobVersion) {
                job.current.put("Stable", true);
                job.current.put("ModifyIndex", idx);
                if (!job.versions.isEmpty()) {
                    job.versions.get(0).put("Stable", true);
                }
            }
        }
    }

    Deployment latestDeployment(JobEntry job)
    {
        Deployment latest = null;
        for (Deployment deployment : deployments.values()) {
            if (deployment.jobId.equals(job.id) && deployment.namespace.equals(job.namespace)
                    && (latest == null || deployment.createIndex >= latest.createIndex)) {
                latest = deployment;
            }
        }
        return latest;
    }

    Deployment deployment(String id)
    {
        return deployments.get(id);
    }

    List<Deployment> deployments()
    {
        return List.copyOf(deployments.values());
    }

    // ---------------------------------------------------------------- nodes

    VirtualNode node(String id)
    {
        return nodes.get(id);
    }

    List<VirtualNode> nodes()
    {
        return List.copyOf(nodes.values());
    }

    ObjectNode drain(String nodeId, JsonNode drainSpec, boolean markEligible, JsonNode meta)
    {
        return write(() -> {
            VirtualNode node = nodes.get(nodeId);
            if (node == null) {
                throw new NomadApiException(404, "node not found");
            }
            long idx = bump("nodes");
            long now = nowNanos();
            ArrayNode evalIds = Json.array();
            if (drainSpec == null) {
                if (node.drainStrategy != null) {
                    node.drainStrategy = null;
                    node.lastDrain.put("Status", "canceled");
                    node.lastDrain.put("UpdatedAt", Json.time(now));
                }
                if (markEligible) {
                    node.eligibility = "eligible";
                }
                node.addEvent("Drain", "Node drain strategy cancelled", now, idx);
                node.modifyIndex = idx;
                log.info("node drain cancelled: nomad_node={}", node.spec.name());
                for (JobEntry job : jobs.values()) {
                    if (job.blocked) {
                        ObjectNode eval = createEval(job, "node-update", nodeId, idx);
                        evalIds.add(eval.get("ID").asText());
                        reconcile(job, eval, false);
                    }
                }
            }
            else {
                long deadline = Json.number(drainSpec, "Deadline", 0);
                ObjectNode strategy = Json.object();
                strategy.put("Deadline", deadline);
                strategy.put("IgnoreSystemJobs", Json.bool(drainSpec, "IgnoreSystemJobs", false));
                strategy.put("ForceDeadline", deadline > 0 ? Json.time(now + deadline) : deadline < 0 ? Json.time(now) : Json.ZERO_TIME);
                strategy.put("StartedAt", Json.time(now));
                node.drainStrategy = strategy;
                node.eligibility = "ineligible";
                ObjectNode lastDrain = Json.object();
                lastDrain.put("StartedAt", Json.time(now));
                lastDrain.put("UpdatedAt", Json.time(now));
                lastDrain.put("Status", "draining");
                lastDrain.put("AccessorID", "");
                lastDrain.set("Meta", meta == null ? null : meta.deepCopy());
                node.lastDrain = lastDrain;
                node.addEvent("Drain", "Node drain strategy set", now, idx);
                node.modifyIndex = idx;
                log.info("node draining: nomad_node={} instance_id={} deadline_ns={}", node.spec.name(), node.instanceId, deadline);
                Set<JobEntry> affected = new java.util.LinkedHashSet<>();
                for (Allocation alloc : allocs.values()) {
                    if (alloc.nodeId.equals(nodeId) && !alloc.terminal()) {
                        JobEntry job = jobs.get(key(alloc.namespace, alloc.jobId));
                        if (job != null && !(strategy.get("IgnoreSystemJobs").asBoolean() && job.type().equals("system"))) {
                            affected.add(job);
                        }
                    }
                }
                for (JobEntry job : affected) {
                    ObjectNode eval = createEval(job, "node-drain", nodeId, idx);
                    evalIds.add(eval.get("ID").asText());
                    reconcile(job, eval, false);
                }
                if (deadline != 0) {
                    long delay = Math.max(0, deadline);
                    pendingEffects.add(() -> timers.schedule(() -> forceDrainDeadline(nodeId, strategy), delay, TimeUnit.NANOSECONDS));
                }
                checkDrainsComplete();
            }
            ObjectNode out = Json.object();
            out.put("NodeModifyIndex", idx);
            out.set("EvalIDs", evalIds.isEmpty() ? null : evalIds);
            out.put("EvalCreateIndex", evalIds.isEmpty() ? 0 : idx);
            out.put("Index", idx);
            out.put("LastIndex", idx);
            out.put("RequestTime", 0);
            return out;
        });
    }

    private void forceDrainDeadline(String nodeId, ObjectNode strategy)
    {
        List<String> toKill = read(() -> {
            VirtualNode node = nodes.get(nodeId);
            List<String> ids = new ArrayList<>();
            if (node == null || node.drainStrategy != strategy) {
                return ids;
            }
            for (Allocation alloc : allocs.values()) {
                if (alloc.nodeId.equals(nodeId) && !alloc.clientTerminal()) {
                    ids.add(alloc.id);
                }
            }
            return ids;
        });
        if (!toKill.isEmpty()) {
            log.info("drain deadline reached, force-killing allocations: nomad_node={} allocs={}", nodeId, toKill);
        }
        toKill.forEach(driver::forceKill);
    }

    private void checkDrainsComplete()
    {
        for (VirtualNode node : nodes.values()) {
            if (node.drainStrategy == null) {
                continue;
            }
            boolean ignoreSystem = node.drainStrategy.get("IgnoreSystemJobs").asBoolean();
            boolean remaining = allocs.values().stream().anyMatch(alloc -> alloc.nodeId.equals(node.id) && !alloc.clientTerminal()
                    && !(ignoreSystem && "system".equals(alloc.job.get("Type").asText())));
            if (!remaining) {
                long idx = bump("nodes");
                long now = nowNanos();
                node.drainStrategy = null;
                node.lastDrain.put("Status", "complete");
                node.lastDrain.put("UpdatedAt", Json.time(now));
                node.addEvent("Drain", "Node drain complete", now, idx);
                node.modifyIndex = idx;
                log.info("node drain complete: nomad_node={} instance_id={}", node.spec.name(), node.instanceId);
            }
        }
    }

    ObjectNode eligibility(String nodeId, String eligibility)
    {
        return write(() -> {
            VirtualNode node = nodes.get(nodeId);
            if (node == null) {
                throw new NomadApiException(404, "node not found");
            }
            if (!eligibility.equals("eligible") && !eligibility.equals("ineligible")) {
                throw new NomadApiException(400, "invalid scheduling eligibility \"" + eligibility + "\"");
            }
            if (eligibility.equals("eligible") && node.drainStrategy != null) {
                throw new NomadApiException(500, "can not set node's scheduling eligibility to eligible while it is draining");
            }
            long idx = bump("nodes");
            node.eligibility = eligibility;
            node.modifyIndex = idx;
            node.addEvent("Cluster", eligibility.equals("eligible") ? "Node marked as eligible for scheduling" : "Node marked as ineligible for scheduling", nowNanos(), idx);
            log.info("node eligibility: nomad_node={} eligibility={}", node.spec.name(), eligibility);
            ArrayNode evalIds = Json.array();
            if (eligibility.equals("eligible")) {
                for (JobEntry job : jobs.values()) {
                    if (job.blocked) {
                        ObjectNode eval = createEval(job, "node-update", nodeId, idx);
                        evalIds.add(eval.get("ID").asText());
                        reconcile(job, eval, false);
                    }
                }
            }
            ObjectNode out = Json.object();
            out.put("NodeModifyIndex", idx);
            out.set("EvalIDs", evalIds.isEmpty() ? null : evalIds);
            out.put("EvalCreateIndex", evalIds.isEmpty() ? 0 : idx);
            out.put("Index", idx);
            return out;
        });
    }

    // ---------------------------------------------------------------- scaling policies

    List<PolicyEntry> policies()
    {
        return List.copyOf(policies.values());
    }

    // ---------------------------------------------------------------- variables

    static final class VarEntry
    {
        final String namespace;
        final String path;
        final long createIndex;
        final long createTime;
        long modifyIndex;
        long modifyTime;
        ObjectNode items;

        VarEntry(String namespace, String path, long createIndex, long createTime)
        {
            this.namespace = namespace;
            this.path = path;
            this.createIndex = createIndex;
            this.createTime = createTime;
        }

        ObjectNode toJson(boolean withItems)
        {
            ObjectNode out = Json.object();
            out.put("Namespace", namespace);
            out.put("Path", path);
            out.put("CreateIndex", createIndex);
            out.put("ModifyIndex", modifyIndex);
            out.put("CreateTime", createTime);
            out.put("ModifyTime", modifyTime);
            if (withItems) {
                out.set("Items", items.deepCopy());
            }
            return out;
        }
    }

    VarEntry variable(String namespace, String path)
    {
        return vars.get(key(namespace, path));
    }

    List<VarEntry> variables()
    {
        return List.copyOf(vars.values());
    }

    /** Returns the stored variable, or throws a 409 carrying the conflicting one. */
    ObjectNode putVariable(String namespace, String path, ObjectNode items, Long cas)
    {
        return write(() -> {
            VarEntry existing = vars.get(key(namespace, path));
            if (cas != null) {
                long current = existing == null ? 0 : existing.modifyIndex;
                if (current != cas) {
                    throw new VariableConflict(existing == null ? emptyVariable(namespace, path) : existing.toJson(false), current);
                }
            }
            long idx = bump("vars");
            long now = nowNanos();
            VarEntry entry = existing == null ? new VarEntry(namespace, path, idx, now) : existing;
            entry.items = items.deepCopy();
            entry.modifyIndex = idx;
            entry.modifyTime = now;
            vars.put(key(namespace, path), entry);
            log.info("variable written: path={} index={}", path, idx);
            return entry.toJson(true);
        });
    }

    long deleteVariable(String namespace, String path, Long cas)
    {
        return write(() -> {
            VarEntry existing = vars.get(key(namespace, path));
            if (cas != null) {
                long current = existing == null ? 0 : existing.modifyIndex;
                if (current != cas) {
                    throw new VariableConflict(existing == null ? emptyVariable(namespace, path) : existing.toJson(false), current);
                }
            }
            long idx = bump("vars");
            vars.remove(key(namespace, path));
            return idx;
        });
    }

    private static ObjectNode emptyVariable(String namespace, String path)
    {
        ObjectNode out = Json.object();
        out.put("Namespace", namespace);
        out.put("Path", path);
        out.put("CreateIndex", 0);
        out.put("ModifyIndex", 0);
        out.put("CreateTime", 0);
        out.put("ModifyTime", 0);
        return out;
    }

    static final class VariableConflict
            extends RuntimeException
    {
        final transient ObjectNode current;
        final long index;

        VariableConflict(ObjectNode current, long index)
        {
            super("cas error: variable modify index mismatch", null, false, false);
            this.current = current;
            this.index = index;
        }
    }

    static String key(String namespace, String id)
    {
        return namespace + "\u0000" + id;
    }

    static String newInstanceId()
    {
        StringBuilder id = new StringBuilder("i-");
        for (int i = 0; i < 17; i++) {
            id.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
        }
        return id.toString();
    }
}
