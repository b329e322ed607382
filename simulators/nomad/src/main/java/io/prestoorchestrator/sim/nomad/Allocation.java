package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mutable allocation state; every field is guarded by the {@link ClusterState} lock.
 */
final class Allocation
{
    final String id;
    final String evalId;
    final String namespace;
    final String jobId;
    final String group;
    final int index;
    final String nodeId;
    final String nodeName;
    final long jobCreateIndex;
    final Map<String, Integer> ports;
    final long createIndex;
    final long createTime;
    ObjectNode job;
    String desiredStatus = "run";
    String desiredDescription = "";
    boolean migrate;
    String clientStatus = "pending";
    String clientDescription = "No tasks have started";
    final Map<String, TaskState> taskStates = new LinkedHashMap<>();
    String deploymentId = "";
    Boolean healthy;
    long healthTimestamp;
    long deploymentStatusIndex;
    String previousAllocation = "";
    String nextAllocation = "";
    long modifyIndex;
    long allocModifyIndex;
    long modifyTime;
    long healthCheckGeneration;

    Allocation(String id, String evalId, String namespace, String jobId, String group, int index, String nodeId, String nodeName,
            ObjectNode job, long jobCreateIndex, Map<String, Integer> ports, long createIndex, long createTime)
    {
        this.id = id;
        this.evalId = evalId;
        this.namespace = namespace;
        this.jobId = jobId;
        this.group = group;
        this.index = index;
        this.nodeId = nodeId;
        this.nodeName = nodeName;
        this.job = job;
        this.jobCreateIndex = jobCreateIndex;
        this.ports = Map.copyOf(ports);
        this.createIndex = createIndex;
        this.createTime = createTime;
        this.modifyIndex = createIndex;
        this.allocModifyIndex = createIndex;
        this.modifyTime = createTime;
        for (JsonNode task : groupSpec().get("Tasks")) {
            taskStates.put(task.get("Name").asText(), new TaskState());
        }
    }

    String name()
    {
        return jobId + "." + group + "[" + index + "]";
    }

    long jobVersion()
    {
        return job.get("Version").asLong();
    }

    JsonNode groupSpec()
    {
        for (JsonNode g : job.get("TaskGroups")) {
            if (g.get("Name").asText().equals(group)) {
                return g;
            }
        }
        throw new IllegalStateException("group " + group + " missing from job of alloc " + id);
    }

    boolean clientTerminal()
    {
        return clientStatus.equals("complete") || clientStatus.equals("failed") || clientStatus.equals("lost");
    }

    boolean serverTerminal()
    {
        return desiredStatus.equals("stop") || desiredStatus.equals("evict");
    }

    boolean terminal()
    {
        return clientTerminal() || serverTerminal();
    }

    void recomputeClientStatus()
    {
        boolean anyFailed = false;
        boolean anyRunning = false;
        boolean anyPending = false;
        for (TaskState state : taskStates.values()) {
            anyFailed |= state.failed;
            anyRunning |= state.state.equals("running");
            anyPending |= state.state.equals("pending");
        }
        if (anyFailed) {
            clientStatus = "failed";
            clientDescription = "Failed tasks";
        }
        else if (anyRunning) {
            clientStatus = "running";
            clientDescription = "Tasks are running";
        }
        else if (anyPending) {
            clientStatus = "pending";
            clientDescription = "No tasks have started";
        }
        else {
            clientStatus = "complete";
            clientDescription = "All tasks have completed";
        }
    }

    boolean allTasksRunning()
    {
        return taskStates.values().stream().allMatch(state -> state.state.equals("running"));
    }

    ObjectNode deploymentStatusJson()
    {
        if (healthy == null && deploymentId.isEmpty()) {
            return null;
        }
        ObjectNode status = Json.object();
        if (healthy == null) {
            status.putNull("Healthy");
        }
        else {
            status.put("Healthy", healthy);
        }
        status.put("Timestamp", Json.time(healthTimestamp));
        status.put("Canary", false);
        status.put("ModifyIndex", deploymentStatusIndex);
        return status;
    }

    ObjectNode allocatedResources()
    {
        ObjectNode resources = Json.object();
        ObjectNode tasks = Json.object();
        for (JsonNode task : groupSpec().get("Tasks")) {
            ObjectNode taskResources = Json.object();
            ObjectNode cpu = Json.object();
            cpu.put("CpuShares", task.get("Resources").get("CPU").asLong());
            cpu.putNull("ReservedCores");
            taskResources.set("Cpu", cpu);
            ObjectNode memory = Json.object();
            memory.put("MemoryMB", task.get("Resources").get("MemoryMB").asLong());
            memory.put("MemoryMaxMB", task.get("Resources").get("MemoryMaxMB").asLong());
            taskResources.set("Memory", memory);
            taskResources.putNull("Networks");
            taskResources.putNull("Devices");
            tasks.set(task.get("Name").asText(), taskResources);
        }
        resources.set("Tasks", tasks);
        ObjectNode shared = Json.object();
        shared.put("DiskMB", groupSpec().get("EphemeralDisk").get("SizeMB").asLong());
        ArrayNode networks = Json.array();
        ArrayNode allocatedPorts = Json.array();
        JsonNode groupNetworks = groupSpec().get("Networks");
        if (groupNetworks != null && !groupNetworks.isNull()) {
            for (JsonNode network : groupNetworks) {
                ObjectNode out = Json.object();
                out.put("Mode", network.get("Mode").asText());
                out.put("Device", "");
                out.put("CIDR", "");
                out.put("IP", "127.0.0.1");
                out.put("MBits", 0);
                for (String kind : List.of("ReservedPorts", "DynamicPorts")) {
                    JsonNode ports = network.get(kind);
                    if (ports == null || ports.isNull()) {
                        out.putNull(kind);
                        continue;
                    }
                    ArrayNode outPorts = Json.array();
                    for (JsonNode port : ports) {
                        String label = port.get("Label").asText();
                        ObjectNode outPort = Json.object();
                        outPort.put("Label", label);
                        outPort.put("Value", this.ports.getOrDefault(label, 0));
                        outPort.put("To", port.get("To").asInt());
                        outPort.put("HostNetwork", port.get("HostNetwork").asText());
                        outPorts.add(outPort);
                        ObjectNode mapping = Json.object();
                        mapping.put("Label", label);
                        mapping.put("Value", this.ports.getOrDefault(label, 0));
                        mapping.put("To", port.get("To").asInt());
                        mapping.put("HostIP", "127.0.0.1");
                        allocatedPorts.add(mapping);
                    }
                    out.set(kind, outPorts);
                }
                networks.add(out);
            }
        }
        shared.set("Networks", networks.isEmpty() ? null : networks);
        shared.set("Ports", allocatedPorts.isEmpty() ? null : allocatedPorts);
        resources.set("Shared", shared);
        return resources;
    }

    ObjectNode taskStatesJson()
    {
        ObjectNode states = Json.object();
        taskStates.forEach((name, state) -> states.set(name, state.toJson()));
        return states;
    }

    ObjectNode stub(String jobType, boolean withResources, boolean withTaskStates)
    {
        ObjectNode out = Json.object();
        out.put("ID", id);
        out.put("EvalID", evalId);
        out.put("Name", name());
        out.put("Namespace", namespace);
        out.put("NodeID", nodeId);
        out.put("NodeName", nodeName);
        out.put("JobID", jobId);
        out.put("JobType", jobType);
        out.put("JobVersion", jobVersion());
        out.put("TaskGroup", group);
        if (withResources) {
            out.set("AllocatedResources", allocatedResources());
        }
        out.put("DesiredStatus", desiredStatus);
        out.put("DesiredDescription", desiredDescription);
        out.put("ClientStatus", clientStatus);
        out.put("ClientDescription", clientDescription);
        out.set("DesiredTransition", desiredTransition());
        out.set("TaskStates", withTaskStates ? taskStatesJson() : null);
        out.set("DeploymentStatus", deploymentStatusJson());
        out.put("FollowupEvalID", "");
        out.put("NextAllocation", nextAllocation);
        out.putNull("RescheduleTracker");
        out.putNull("PreemptedAllocations");
        out.put("PreemptedByAllocation", "");
        out.put("CreateIndex", createIndex);
        out.put("ModifyIndex", modifyIndex);
        out.put("CreateTime", createTime);
        out.put("ModifyTime", modifyTime);
        return out;
    }

    ObjectNode full()
    {
        ObjectNode out = Json.object();
        out.put("ID", id);
        out.put("Namespace", namespace);
        out.put("EvalID", evalId);
        out.put("Name", name());
        out.put("NodeID", nodeId);
        out.put("NodeName", nodeName);
        out.put("JobID", jobId);
        out.set("Job", job.deepCopy());
        out.put("TaskGroup", group);
        out.putNull("Resources");
        out.putNull("TaskResources");
        out.set("AllocatedResources", allocatedResources());
        out.putNull("Services");
        out.putNull("Metrics");
        out.put("DesiredStatus", desiredStatus);
        out.put("DesiredDescription", desiredDescription);
        out.set("DesiredTransition", desiredTransition());
        out.put("ClientStatus", clientStatus);
        out.put("ClientDescription", clientDescription);
        out.set("TaskStates", taskStatesJson());
        out.put("DeploymentID", deploymentId);
        out.set("DeploymentStatus", deploymentStatusJson());
        out.put("FollowupEvalID", "");
        out.put("PreviousAllocation", previousAllocation);
        out.put("NextAllocation", nextAllocation);
        out.putNull("RescheduleTracker");
        ObjectNode networkStatus = Json.object();
        networkStatus.put("InterfaceName", "");
        networkStatus.put("Address", "127.0.0.1");
        networkStatus.putNull("DNS");
        out.set("NetworkStatus", networkStatus);
        out.putNull("PreemptedAllocations");
        out.put("PreemptedByAllocation", "");
        out.put("CreateIndex", createIndex);
        out.put("ModifyIndex", modifyIndex);
        out.put("AllocModifyIndex", allocModifyIndex);
        out.put("CreateTime", createTime);
        out.put("ModifyTime", modifyTime);
        return out;
    }

    private ObjectNode desiredTransition()
    {
        ObjectNode transition = Json.object();
        if (migrate) {
            transition.put("Migrate", true);
        }
        else {
            transition.putNull("Migrate");
        }
        transition.putNull("Reschedule");
        transition.putNull("ForceReschedule");
        transition.putNull("NoShutdownDelay");
        return transition;
    }

    /**
     * One task's state as Nomad's TaskState.
     */
    static final class TaskState
    {
        String state = "pending";
        boolean failed;
        long restarts;
        long lastRestart;
        long startedAt;
        long finishedAt;
        final List<ObjectNode> events = new ArrayList<>();

        ObjectNode toJson()
        {
            ObjectNode out = Json.object();
            out.put("State", state);
            out.put("Failed", failed);
            out.put("Restarts", restarts);
            out.put("LastRestart", Json.time(lastRestart));
            out.put("StartedAt", Json.time(startedAt));
            out.put("FinishedAt", Json.time(finishedAt));
            ArrayNode array = Json.array();
            events.forEach(event -> array.add(event.deepCopy()));
            out.set("Events", array);
            return out;
        }
    }
}
