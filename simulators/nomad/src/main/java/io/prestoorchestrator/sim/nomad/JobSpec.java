package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.prestoorchestrator.sim.nomad.Json.field;

/**
 * Decodes a job in the /v1/jobs JSON format into its canonical form (the defaults Nomad fills in)
 * and validates it. Decoding type errors are 400 (as Go's JSON decoder reports them); validation
 * errors are 500 with a multierror text, as Nomad's Job.Register RPC answers them.
 */
final class JobSpec
{
    static final long SECOND = 1_000_000_000L;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;

    private static final Set<String> JOB_TYPES = Set.of("service", "batch", "system", "sysbatch");
    private static final Set<String> HEALTH_CHECKS = Set.of("checks", "task_states", "manual");
    private static final Set<String> KNOWN_JOB_FIELDS = Set.of("id", "name", "namespace", "region", "type", "priority", "datacenters",
            "nodepool", "allatonce", "stop", "meta", "update", "taskgroups", "constraints", "affinities", "spreads", "parentid",
            "periodic", "parameterizedjob", "reschedule", "migrate", "consulnamespace", "vaultnamespace", "status",
            "statusdescription", "stable", "version", "createindex", "modifyindex", "jobmodifyindex", "submittime",
            "nomadtokenid", "dispatched", "payload", "multiregion", "ui", "versiontag", "dispatchidempotencytoken", "consultoken", "vaulttoken");

    private JobSpec() {}

    /** Returns the canonical job; {@code unknownFields} collects field names Nomad would silently ignore. */
    static ObjectNode canonicalize(JsonNode in, String defaultRegion, List<String> unknownFields)
    {
        if (!in.isObject()) {
            throw NomadApiException.badRequest("json: cannot unmarshal " + kind(in) + " into Go struct field JobRegisterRequest.Job of type api.Job");
        }
        in.fieldNames().forEachRemaining(name -> {
            if (!KNOWN_JOB_FIELDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                unknownFields.add("Job." + name);
            }
        });
        ObjectNode job = Json.object();
        String id = str(in, "ID", "Job", null);
        job.put("ID", id);
        job.put("Name", str(in, "Name", "Job", id));
        job.put("Namespace", str(in, "Namespace", "Job", "default"));
        job.put("Region", str(in, "Region", "Job", defaultRegion));
        String type = str(in, "Type", "Job", "service");
        job.put("Type", type);
        job.put("Priority", integer(in, "Priority", "Job", 50));
        job.set("Datacenters", strings(in, "Datacenters", "Job", List.of("*")));
        job.put("NodePool", str(in, "NodePool", "Job", "default"));
        job.put("AllAtOnce", bool(in, "AllAtOnce", "Job", false));
        job.put("Stop", bool(in, "Stop", "Job", false));
        job.set("Meta", stringMap(in, "Meta", "Job"));
        job.set("Constraints", Json.nullable(field(in, "Constraints")));
        job.set("Affinities", Json.nullable(field(in, "Affinities")));
        job.set("Spreads", Json.nullable(field(in, "Spreads")));
        job.set("Periodic", Json.nullable(field(in, "Periodic")));
        job.set("ParameterizedJob", Json.nullable(field(in, "ParameterizedJob")));
        job.set("Multiregion", null);
        job.put("ParentID", str(in, "ParentID", "Job", ""));
        job.put("ConsulNamespace", str(in, "ConsulNamespace", "Job", ""));
        job.put("VaultNamespace", str(in, "VaultNamespace", "Job", ""));
        job.put("Dispatched", false);
        job.putNull("Payload");
        job.set("Reschedule", null);
        job.set("Migrate", null);
        job.set("UI", null);
        job.set("VersionTag", null);
        job.put("NomadTokenID", "");
        job.put("DispatchIdempotencyToken", "");

        JsonNode update = field(in, "Update");
        ObjectNode jobUpdate = null;
        if (update != null || type.equals("service")) {
            jobUpdate = updateStrategy(update, null, "Job.Update");
        }
        job.set("Update", jobUpdate == null ? zeroUpdate() : jobUpdate);

        ArrayNode groups = Json.array();
        JsonNode inGroups = field(in, "TaskGroups");
        if (inGroups != null) {
            if (!inGroups.isArray()) {
                throw typeError(inGroups, "Job.TaskGroups", "[]*api.TaskGroup");
            }
            for (JsonNode group : inGroups) {
                groups.add(group(group, type, jobUpdate, unknownFields));
            }
        }
        job.set("TaskGroups", groups);
        return job;
    }

    private static ObjectNode group(JsonNode in, String jobType, ObjectNode jobUpdate, List<String> unknownFields)
    {
        String path = "Job.TaskGroups";
        if (!in.isObject()) {
            throw typeError(in, path, "api.TaskGroup");
        }
        ObjectNode group = Json.object();
        group.put("Name", str(in, "Name", path, ""));
        JsonNode scaling = field(in, "Scaling");
        int count;
        JsonNode countNode = field(in, "Count");
        if (countNode != null) {
            count = integer(in, "Count", path, 1);
        }
        else if (scaling != null && field(scaling, "Min") != null) {
            count = (int) Json.number(scaling, "Min", 1);
        }
        else {
            count = 1;
        }
        group.put("Count", count);
        group.set("Constraints", Json.nullable(field(in, "Constraints")));
        group.set("Affinities", Json.nullable(field(in, "Affinities")));
        group.set("Spreads", Json.nullable(field(in, "Spreads")));
        group.set("Meta", stringMap(in, "Meta", path));
        boolean batch = jobType.equals("batch") || jobType.equals("sysbatch");
        ObjectNode restart = restartPolicy(field(in, "RestartPolicy"), batch, path + ".RestartPolicy");
        group.set("RestartPolicy", restart);
        group.set("ReschedulePolicy", reschedulePolicy(field(in, "ReschedulePolicy"), batch));
        ObjectNode disk = Json.object();
        JsonNode inDisk = field(in, "EphemeralDisk");
        disk.put("Migrate", Json.bool(inDisk, "Migrate", false));
        disk.put("SizeMB", Json.number(inDisk, "SizeMB", 300));
        disk.put("Sticky", Json.bool(inDisk, "Sticky", false));
        group.set("EphemeralDisk", disk);
        JsonNode groupUpdate = field(in, "Update");
        if (jobType.equals("service") || jobType.equals("system")) {
            group.set("Update", jobUpdate == null && groupUpdate == null ? null : updateStrategy(groupUpdate, jobUpdate, path + ".Update"));
        }
        else {
            group.putNull("Update");
        }
        group.set("Migrate", jobType.equals("service") ? migrate(field(in, "Migrate")) : null);
        group.set("Networks", networks(field(in, "Networks"), path + ".Networks"));
        group.set("Services", services(field(in, "Services"), path + ".Services"));
        group.set("Volumes", Json.nullable(field(in, "Volumes")));
        JsonNode shutdownDelay = field(in, "ShutdownDelay");
        group.set("ShutdownDelay", shutdownDelay == null ? null : Json.F.numberNode(longValue(shutdownDelay, path + ".ShutdownDelay")));
        group.set("Scaling", scaling == null ? null : scaling(scaling, count, path + ".Scaling"));
        group.set("Consul", Json.nullable(field(in, "Consul")));
        group.set("Disconnect", null);
        group.set("MaxClientDisconnect", null);
        group.set("StopAfterClientDisconnect", null);
        group.put("PreventRescheduleOnLost", false);
        ArrayNode tasks = Json.array();
        JsonNode inTasks = field(in, "Tasks");
        if (inTasks != null) {
            if (!inTasks.isArray()) {
                throw typeError(inTasks, path + ".Tasks", "[]*api.Task");
            }
            for (JsonNode task : inTasks) {
                tasks.add(task(task, restart, path + ".Tasks", unknownFields));
            }
        }
        group.set("Tasks", tasks);
        return group;
    }

    private static ObjectNode task(JsonNode in, ObjectNode groupRestart, String path, List<String> unknownFields)
    {
        if (!in.isObject()) {
            throw typeError(in, path, "api.Task");
        }
        Set<String> known = Set.of("name", "driver", "user", "lifecycle", "config", "constraints", "affinities", "env", "services",
                "resources", "restartpolicy", "meta", "killtimeout", "logconfig", "artifacts", "vault", "consul", "templates",
                "dispatchpayload", "volumemounts", "csipluginconfig", "leader", "shutdowndelay", "killsignal", "kind",
                "scalingpolicies", "identity", "identities", "actions", "schedule");
        in.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                unknownFields.add(path + "." + name);
            }
        });
        ObjectNode task = Json.object();
        task.put("Name", str(in, "Name", path, ""));
        task.put("Driver", str(in, "Driver", path, ""));
        task.put("User", str(in, "User", path, ""));
        JsonNode config = field(in, "Config");
        if (config != null && !config.isObject()) {
            throw typeError(config, path + ".Config", "map[string]interface {}");
        }
        task.set("Config", config == null ? null : config.deepCopy());
        task.set("Env", stringMap(in, "Env", path));
        task.set("Meta", stringMap(in, "Meta", path));
        task.set("Constraints", Json.nullable(field(in, "Constraints")));
        task.set("Affinities", Json.nullable(field(in, "Affinities")));
        task.set("Services", services(field(in, "Services"), path + ".Services"));
        JsonNode inResources = field(in, "Resources");
        ObjectNode resources = Json.object();
        resources.put("CPU", Json.number(inResources, "CPU", 100));
        resources.put("Cores", Json.number(inResources, "Cores", 0));
        resources.put("MemoryMB", Json.number(inResources, "MemoryMB", 300));
        resources.put("MemoryMaxMB", Json.number(inResources, "MemoryMaxMB", 0));
        resources.put("DiskMB", 0);
        resources.put("IOPS", 0);
        resources.set("Networks", Json.nullable(field(inResources, "Networks")));
        resources.set("Devices", null);
        resources.set("NUMA", null);
        resources.put("SecretsMB", 0);
        task.set("Resources", resources);
        JsonNode taskRestart = field(in, "RestartPolicy");
        task.set("RestartPolicy", taskRestart == null ? groupRestart.deepCopy() : mergeRestart(taskRestart, groupRestart, path + ".RestartPolicy"));
        JsonNode killTimeout = field(in, "KillTimeout");
        task.put("KillTimeout", killTimeout == null ? 5 * SECOND : longValue(killTimeout, path + ".KillTimeout"));
        task.put("KillSignal", str(in, "KillSignal", path, ""));
        JsonNode shutdownDelay = field(in, "ShutdownDelay");
        task.put("ShutdownDelay", shutdownDelay == null ? 0 : longValue(shutdownDelay, path + ".ShutdownDelay"));
        ObjectNode logConfig = Json.object();
        JsonNode inLog = field(in, "LogConfig");
        logConfig.put("Disabled", Json.bool(inLog, "Disabled", false));
        logConfig.putNull("Enabled");
        logConfig.put("MaxFileSizeMB", Json.number(inLog, "MaxFileSizeMB", 10));
        logConfig.put("MaxFiles", Json.number(inLog, "MaxFiles", 10));
        task.set("LogConfig", logConfig);
        task.set("Templates", templates(field(in, "Templates"), path + ".Templates"));
        task.set("Artifacts", Json.nullable(field(in, "Artifacts")));
        task.set("Vault", Json.nullable(field(in, "Vault")));
        task.set("Consul", Json.nullable(field(in, "Consul")));
        task.set("Lifecycle", Json.nullable(field(in, "Lifecycle")));
        task.set("VolumeMounts", Json.nullable(field(in, "VolumeMounts")));
        task.put("Leader", bool(in, "Leader", path, false));
        task.put("Kind", str(in, "Kind", path, ""));
        task.set("DispatchPayload", null);
        task.set("ScalingPolicies", null);
        task.set("Identities", null);
        task.set("Actions", null);
        task.set("Schedule", null);
        return task;
    }

    private static JsonNode templates(JsonNode in, String path)
    {
        if (in == null) {
            return null;
        }
        if (!in.isArray()) {
            throw typeError(in, path, "[]*api.Template");
        }
        ArrayNode out = Json.array();
        for (JsonNode t : in) {
            ObjectNode template = Json.object();
            template.put("SourcePath", str(t, "SourcePath", path, ""));
            template.put("DestPath", str(t, "DestPath", path, ""));
            template.put("EmbeddedTmpl", str(t, "EmbeddedTmpl", path, ""));
            template.put("ChangeMode", str(t, "ChangeMode", path, "restart"));
            template.put("ChangeSignal", str(t, "ChangeSignal", path, ""));
            template.set("ChangeScript", null);
            template.put("Splay", Json.number(t, "Splay", 5 * SECOND));
            template.put("Perms", str(t, "Perms", path, "0644"));
            template.set("Uid", null);
            template.set("Gid", null);
            template.put("LeftDelim", str(t, "LeftDelim", path, "{{"));
            template.put("RightDelim", str(t, "RightDelim", path, "}}"));
            template.put("Envvars", bool(t, "Envvars", path, false));
            template.put("VaultGrace", 0);
            template.set("Wait", null);
            template.put("ErrMissingKey", bool(t, "ErrMissingKey", path, false));
            out.add(template);
        }
        return out;
    }

    private static JsonNode networks(JsonNode in, String path)
    {
        if (in == null) {
            return null;
        }
        if (!in.isArray()) {
            throw typeError(in, path, "[]*api.NetworkResource");
        }
        ArrayNode out = Json.array();
        for (JsonNode n : in) {
            ObjectNode network = Json.object();
            network.put("Mode", str(n, "Mode", path, "host"));
            network.put("Device", "");
            network.put("CIDR", "");
            network.put("IP", "");
            network.put("Hostname", str(n, "Hostname", path, ""));
            network.put("MBits", 0);
            network.set("DNS", Json.nullable(field(n, "DNS")));
            network.set("ReservedPorts", ports(field(n, "ReservedPorts"), path + ".ReservedPorts"));
            network.set("DynamicPorts", ports(field(n, "DynamicPorts"), path + ".DynamicPorts"));
            out.add(network);
        }
        return out;
    }

    private static JsonNode ports(JsonNode in, String path)
    {
        if (in == null) {
            return null;
        }
        if (!in.isArray()) {
            throw typeError(in, path, "[]api.Port");
        }
        ArrayNode out = Json.array();
        for (JsonNode p : in) {
            ObjectNode port = Json.object();
            port.put("Label", str(p, "Label", path, ""));
            port.put("Value", integer(p, "Value", path, 0));
            port.put("To", integer(p, "To", path, 0));
            port.put("HostNetwork", str(p, "HostNetwork", path, "default"));
            out.add(port);
        }
        return out;
    }

    private static JsonNode services(JsonNode in, String path)
    {
        if (in == null) {
            return null;
        }
        if (!in.isArray()) {
            throw typeError(in, path, "[]*api.Service");
        }
        ArrayNode out = Json.array();
        for (JsonNode s : in) {
            ObjectNode service = Json.object();
            service.put("Name", str(s, "Name", path, ""));
            service.set("Tags", strings(s, "Tags", path, null));
            service.set("CanaryTags", strings(s, "CanaryTags", path, null));
            service.put("EnableTagOverride", bool(s, "EnableTagOverride", path, false));
            service.put("PortLabel", str(s, "PortLabel", path, ""));
            service.put("AddressMode", str(s, "AddressMode", path, "auto"));
            service.put("Address", str(s, "Address", path, ""));
            service.put("TaskName", str(s, "TaskName", path, ""));
            service.put("OnUpdate", str(s, "OnUpdate", path, "require_healthy"));
            service.put("Provider", str(s, "Provider", path, "consul"));
            service.put("Cluster", str(s, "Cluster", path, "default"));
            service.set("Meta", stringMap(s, "Meta", path));
            service.set("CanaryMeta", stringMap(s, "CanaryMeta", path));
            service.set("TaggedAddresses", stringMap(s, "TaggedAddresses", path));
            service.set("Connect", Json.nullable(field(s, "Connect")));
            service.set("Identity", null);
            service.set("Weights", null);
            JsonNode checks = field(s, "Checks");
            if (checks != null && !checks.isArray()) {
                throw typeError(checks, path + ".Checks", "[]api.ServiceCheck");
            }
            ArrayNode outChecks = null;
            if (checks != null) {
                outChecks = Json.array();
                for (JsonNode c : checks) {
                    ObjectNode check = Json.object();
                    check.put("Name", str(c, "Name", path, ""));
                    check.put("Type", str(c, "Type", path, ""));
                    check.put("Command", str(c, "Command", path, ""));
                    check.set("Args", strings(c, "Args", path, null));
                    check.put("Path", str(c, "Path", path, ""));
                    check.put("Protocol", str(c, "Protocol", path, ""));
                    check.put("PortLabel", str(c, "PortLabel", path, ""));
                    check.put("Method", str(c, "Method", path, ""));
                    check.set("Header", Json.nullable(field(c, "Header")));
                    check.put("Interval", Json.number(c, "Interval", 0));
                    check.put("Timeout", Json.number(c, "Timeout", 0));
                    check.put("InitialStatus", str(c, "InitialStatus", path, ""));
                    check.put("TaskName", str(c, "TaskName", path, ""));
                    check.put("TLSSkipVerify", bool(c, "TLSSkipVerify", path, false));
                    check.put("OnUpdate", str(c, "OnUpdate", path, "require_healthy"));
                    check.put("SuccessBeforePassing", Json.number(c, "SuccessBeforePassing", 0));
                    check.put("FailuresBeforeCritical", Json.number(c, "FailuresBeforeCritical", 0));
                    outChecks.add(check);
                }
            }
            service.set("Checks", outChecks);
            out.add(service);
        }
        return out;
    }

    private static ObjectNode scaling(JsonNode in, int count, String path)
    {
        ObjectNode scaling = Json.object();
        JsonNode min = field(in, "Min");
        scaling.put("Min", min == null ? count : longValue(min, path + ".Min"));
        JsonNode max = field(in, "Max");
        if (max == null) {
            scaling.putNull("Max");
        }
        else {
            scaling.put("Max", longValue(max, path + ".Max"));
        }
        JsonNode policy = field(in, "Policy");
        if (policy != null && !policy.isObject()) {
            throw typeError(policy, path + ".Policy", "map[string]interface {}");
        }
        scaling.set("Policy", policy == null ? null : policy.deepCopy());
        scaling.put("Enabled", bool(in, "Enabled", path, true));
        scaling.put("Type", str(in, "Type", path, "horizontal"));
        scaling.put("ID", "");
        scaling.put("Namespace", "");
        scaling.set("Target", null);
        scaling.put("CreateIndex", 0);
        scaling.put("ModifyIndex", 0);
        return scaling;
    }

    private static ObjectNode restartPolicy(JsonNode in, boolean batch, String path)
    {
        ObjectNode restart = Json.object();
        restart.put("Attempts", in == null || field(in, "Attempts") == null ? (batch ? 3 : 2) : integer(in, "Attempts", path, 0));
        restart.put("Delay", in == null || field(in, "Delay") == null ? 15 * SECOND : longValue(field(in, "Delay"), path + ".Delay"));
        restart.put("Interval", in == null || field(in, "Interval") == null ? (batch ? 24 * HOUR : 30 * MINUTE) : longValue(field(in, "Interval"), path + ".Interval"));
        restart.put("Mode", in == null ? "fail" : str(in, "Mode", path, "fail"));
        restart.put("RenderTemplates", in != null && bool(in, "RenderTemplates", path, false));
        return restart;
    }

    private static ObjectNode mergeRestart(JsonNode in, ObjectNode group, String path)
    {
        ObjectNode restart = group.deepCopy();
        if (field(in, "Attempts") != null) {
            restart.put("Attempts", integer(in, "Attempts", path, 0));
        }
        if (field(in, "Delay") != null) {
            restart.put("Delay", longValue(field(in, "Delay"), path + ".Delay"));
        }
        if (field(in, "Interval") != null) {
            restart.put("Interval", longValue(field(in, "Interval"), path + ".Interval"));
        }
        if (field(in, "Mode") != null) {
            restart.put("Mode", str(in, "Mode", path, "fail"));
        }
        return restart;
    }

    private static ObjectNode reschedulePolicy(JsonNode in, boolean batch)
    {
        ObjectNode policy = Json.object();
        policy.put("Attempts", Json.number(in, "Attempts", batch ? 1 : 0));
        policy.put("Interval", Json.number(in, "Interval", batch ? 24 * HOUR : 0));
        policy.put("Delay", Json.number(in, "Delay", batch ? 5 * SECOND : 30 * SECOND));
        policy.put("DelayFunction", Json.text(in, "DelayFunction", batch ? "constant" : "exponential"));
        policy.put("MaxDelay", Json.number(in, "MaxDelay", batch ? 0 : HOUR));
        policy.put("Unlimited", Json.bool(in, "Unlimited", !batch));
        return policy;
    }

    private static ObjectNode migrate(JsonNode in)
    {
        ObjectNode migrate = Json.object();
        migrate.put("MaxParallel", Json.number(in, "MaxParallel", 1));
        migrate.put("HealthCheck", Json.text(in, "HealthCheck", "checks"));
        migrate.put("MinHealthyTime", Json.number(in, "MinHealthyTime", 10 * SECOND));
        migrate.put("HealthyDeadline", Json.number(in, "HealthyDeadline", 5 * MINUTE));
        return migrate;
    }

    private static ObjectNode updateStrategy(JsonNode in, ObjectNode parent, String path)
    {
        ObjectNode update = Json.object();
        update.put("Stagger", updateValue(in, parent, "Stagger", 30 * SECOND, path));
        update.put("MaxParallel", updateValue(in, parent, "MaxParallel", 1, path));
        update.put("HealthCheck", in != null && field(in, "HealthCheck") != null ? Json.text(in, "HealthCheck", "checks")
                : parent != null ? parent.get("HealthCheck").asText() : "checks");
        if (update.get("HealthCheck").asText().equals("manual")) {
            throw NomadApiException.badRequest(path + ".HealthCheck \"manual\" is not supported by the Nomad simulator (it has no "
                    + "/v1/deployment/allocation-health to set health by hand): use \"checks\" or \"task_states\"");
        }
        update.put("MinHealthyTime", updateValue(in, parent, "MinHealthyTime", 10 * SECOND, path));
        update.put("HealthyDeadline", updateValue(in, parent, "HealthyDeadline", 5 * MINUTE, path));
        update.put("ProgressDeadline", updateValue(in, parent, "ProgressDeadline", 10 * MINUTE, path));
        update.put("Canary", updateValue(in, parent, "Canary", 0, path));
        update.put("AutoRevert", in != null && field(in, "AutoRevert") != null ? Json.bool(in, "AutoRevert", false)
                : parent != null && parent.get("AutoRevert").asBoolean());
        update.put("AutoPromote", in != null && field(in, "AutoPromote") != null ? Json.bool(in, "AutoPromote", false)
                : parent != null && parent.get("AutoPromote").asBoolean());
        return update;
    }

    private static long updateValue(JsonNode in, ObjectNode parent, String name, long defaultValue, String path)
    {
        JsonNode value = field(in, name);
        if (value != null) {
            return longValue(value, path + "." + name);
        }
        if (parent != null) {
            return parent.get(name).asLong();
        }
        return defaultValue;
    }

    private static ObjectNode zeroUpdate()
    {
        ObjectNode update = Json.object();
        update.put("Stagger", 0);
        update.put("MaxParallel", 0);
        update.put("HealthCheck", "");
        update.put("MinHealthyTime", 0);
        update.put("HealthyDeadline", 0);
        update.put("ProgressDeadline", 0);
        update.put("Canary", 0);
        update.put("AutoRevert", false);
        update.put("AutoPromote", false);
        return update;
    }

    /** Validation as Nomad's Job.Validate: every problem reported at once, nothing registered. */
    static void validate(ObjectNode job)
    {
        List<String> errors = new ArrayList<>();
        String id = job.get("ID").asText();
        if (id.isEmpty()) {
            errors.add("Missing job ID");
        }
        else if (id.contains(" ")) {
            errors.add("Job ID contains a space");
        }
        if (job.get("Name").asText().isEmpty()) {
            errors.add("Missing job name");
        }
        String type = job.get("Type").asText();
        if (!JOB_TYPES.contains(type)) {
            errors.add("Invalid job type: \"" + type + "\"");
        }
        int priority = job.get("Priority").asInt();
        if (priority < 1 || priority > 100) {
            errors.add("job priority must be between [1, 100]");
        }
        if (job.get("Datacenters").isEmpty()) {
            errors.add("Missing job datacenters");
        }
        ArrayNode groups = (ArrayNode) job.get("TaskGroups");
        if (groups.isEmpty()) {
            errors.add("Missing job task groups");
        }
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            JsonNode group = groups.get(i);
            String name = group.get("Name").asText();
            if (name.isEmpty()) {
                errors.add("Job task group " + (i + 1) + " missing name");
            }
            else if (seen.containsKey(name)) {
                errors.add("Job task group " + (i + 1) + " redefines '" + name + "' from group " + seen.get(name));
            }
            else {
                seen.put(name, i + 1);
            }
            List<String> groupErrors = validateGroup(group, type);
            if (!groupErrors.isEmpty()) {
                errors.add("Task group " + name + " validation failed: " + multi(groupErrors));
            }
        }
        if (!errors.isEmpty()) {
            throw NomadApiException.multiError(errors);
        }
    }

    private static List<String> validateGroup(JsonNode group, String jobType)
    {
        List<String> errors = new ArrayList<>();
        int count = group.get("Count").asInt();
        if (count < 0) {
            errors.add("Task group count can't be negative");
        }
        if (jobType.equals("system") && count > 1) {
            errors.add("Job task group " + group.get("Name").asText() + " has count " + count + ". Count cannot exceed 1 with system scheduler");
        }
        JsonNode update = group.get("Update");
        if (update != null && !update.isNull() && !HEALTH_CHECKS.contains(update.get("HealthCheck").asText())) {
            errors.add("Invalid health check given: \"" + update.get("HealthCheck").asText() + "\"");
        }
        JsonNode restart = group.get("RestartPolicy");
        String mode = restart.get("Mode").asText();
        if (!mode.equals("fail") && !mode.equals("delay")) {
            errors.add("Unsupported restart mode: \"" + mode + "\"");
        }
        JsonNode scaling = group.get("Scaling");
        if (scaling != null && !scaling.isNull()) {
            List<String> scalingErrors = new ArrayList<>();
            if (scaling.get("Max").isNull()) {
                scalingErrors.add("maximum count must be specified");
            }
            else {
                long min = scaling.get("Min").asLong();
                long max = scaling.get("Max").asLong();
                if (max < 0) {
                    scalingErrors.add("maximum count must not be negative");
                }
                if (min < 0) {
                    scalingErrors.add("minimum count must not be negative");
                }
                if (min > max) {
                    scalingErrors.add("maximum count must not be less than minimum count");
                }
                if (count < min) {
                    errors.add("Task group count must not be less than minimum count in scaling policy");
                }
                if (count > max) {
                    errors.add("Task group count must not be greater than maximum count in scaling policy");
                }
            }
            if (!scalingErrors.isEmpty()) {
                errors.add("Task group scaling policy validation failed: " + multi(scalingErrors));
            }
        }
        Set<String> portLabels = new HashSet<>();
        JsonNode networks = group.get("Networks");
        if (networks != null && !networks.isNull()) {
            for (JsonNode network : networks) {
                for (String kind : List.of("ReservedPorts", "DynamicPorts")) {
                    JsonNode ports = network.get(kind);
                    if (ports == null || ports.isNull()) {
                        continue;
                    }
                    for (JsonNode port : ports) {
                        String label = port.get("Label").asText();
                        if (label.isEmpty()) {
                            errors.add("Port label must be specified");
                        }
                        else if (!portLabels.add(label)) {
                            errors.add("Port label " + label + " already in use");
                        }
                        int value = port.get("Value").asInt();
                        if (kind.equals("ReservedPorts") && (value <= 0 || value > 65535)) {
                            errors.add("Port " + label + " (" + value + ") cannot be less than or equal to 0 or greater than 65535");
                        }
                    }
                }
            }
        }
        validateServices(group.get("Services"), portLabels, errors);
        JsonNode tasks = group.get("Tasks");
        validateGroupScriptChecks(group.get("Services"), tasks, errors);
        if (tasks.isEmpty()) {
            errors.add("Missing tasks for task group");
        }
        Set<String> taskNames = new HashSet<>();
        for (int i = 0; i < tasks.size(); i++) {
            JsonNode task = tasks.get(i);
            String name = task.get("Name").asText();
            if (name.isEmpty()) {
                errors.add("Task " + (i + 1) + " missing name");
            }
            else if (!taskNames.add(name)) {
                errors.add("Task " + (i + 1) + " redefines '" + name + "' from task " + (i + 1));
            }
            List<String> taskErrors = new ArrayList<>();
            if (task.get("Driver").asText().isEmpty()) {
                taskErrors.add("Missing task driver");
            }
            if (task.get("KillTimeout").asLong() < 0) {
                taskErrors.add("KillTimeout must be a positive value");
            }
            if (task.get("ShutdownDelay").asLong() < 0) {
                taskErrors.add("ShutdownDelay must be a positive value");
            }
            JsonNode templates = task.get("Templates");
            if (templates != null && !templates.isNull()) {
                for (JsonNode template : templates) {
                    if (template.get("DestPath").asText().isEmpty()) {
                        taskErrors.add("Template 1 validation failed: Must specify a destination for the template");
                    }
                    if (template.get("EmbeddedTmpl").asText().isEmpty() && template.get("SourcePath").asText().isEmpty()) {
                        taskErrors.add("Template 1 validation failed: Must specify a source path or have an embedded template");
                    }
                }
            }
            validateServices(task.get("Services"), portLabels, taskErrors);
            if (!taskErrors.isEmpty()) {
                errors.add("Task " + name + " validation failed: " + multi(taskErrors));
            }
        }
        return errors;
    }

    /** A script check in a group service runs inside one of the group's tasks, named by TaskName. */
    private static void validateGroupScriptChecks(JsonNode services, JsonNode tasks, List<String> errors)
    {
        if (services == null || services.isNull()) {
            return;
        }
        Set<String> taskNames = new HashSet<>();
        tasks.forEach(task -> taskNames.add(task.get("Name").asText()));
        for (JsonNode service : services) {
            JsonNode checks = service.get("Checks");
            if (checks == null || checks.isNull()) {
                continue;
            }
            for (JsonNode check : checks) {
                String taskName = check.get("TaskName").asText();
                if (check.get("Type").asText().equals("script") && taskName.isEmpty()) {
                    errors.add("Service " + service.get("Name").asText() + " check \"" + check.get("Name").asText() + "\" is invalid: script checks in a group service must name a task");
                }
                else if (!taskName.isEmpty() && !taskNames.contains(taskName)) {
                    errors.add("Service " + service.get("Name").asText() + " check \"" + check.get("Name").asText() + "\" refers to non-existent task " + taskName);
                }
            }
        }
    }

    private static void validateServices(JsonNode services, Set<String> portLabels, List<String> errors)
    {
        if (services == null || services.isNull()) {
            return;
        }
        for (JsonNode service : services) {
            String name = service.get("Name").asText();
            if (name.isEmpty()) {
                errors.add("Service must have a name");
            }
            String provider = service.get("Provider").asText();
            if (!provider.equals("consul") && !provider.equals("nomad")) {
                errors.add("Service " + name + " has invalid provider \"" + provider + "\"");
            }
            String label = service.get("PortLabel").asText();
            if (!label.isEmpty() && !label.chars().allMatch(Character::isDigit) && !portLabels.contains(label)) {
                errors.add("Service " + name + " port label \"" + label + "\" is not defined in the group network");
            }
            JsonNode checks = service.get("Checks");
            if (checks != null && !checks.isNull()) {
                for (JsonNode check : checks) {
                    String type = check.get("Type").asText();
                    if (!Set.of("http", "tcp", "script", "grpc").contains(type)) {
                        errors.add("Service " + name + " check has invalid type \"" + type + "\"");
                    }
                    if (check.get("Interval").asLong() <= 0) {
                        errors.add("Service " + name + " check \"" + check.get("Name").asText() + "\": interval (0) cannot be lower than 1s");
                    }
                    if (type.equals("script") && check.get("Command").asText().isEmpty()) {
                        errors.add("Service " + name + " check \"" + check.get("Name").asText() + "\": script type must have a valid script path");
                    }
                    if (type.equals("http") && check.get("Path").asText().isEmpty()) {
                        errors.add("Service " + name + " check \"" + check.get("Name").asText() + "\": http type must have http path");
                    }
                }
            }
        }
    }

    private static String multi(List<String> errors)
    {
        return NomadApiException.multiError(errors).getMessage();
    }

    // ---- typed field decoding, with Go-style decode errors ----

    private static String str(JsonNode in, String name, String path, String defaultValue)
    {
        JsonNode value = field(in, name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isTextual()) {
            throw typeError(value, path + "." + name, "string");
        }
        return value.asText();
    }

    private static int integer(JsonNode in, String name, String path, int defaultValue)
    {
        JsonNode value = field(in, name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw typeError(value, path + "." + name, "int");
        }
        return value.asInt();
    }

    private static long longValue(JsonNode value, String path)
    {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw typeError(value, path, "int64");
        }
        return value.asLong();
    }

    private static boolean bool(JsonNode in, String name, String path, boolean defaultValue)
    {
        JsonNode value = field(in, name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            throw typeError(value, path + "." + name, "bool");
        }
        return value.asBoolean();
    }

    private static JsonNode strings(JsonNode in, String name, String path, List<String> defaultValue)
    {
        JsonNode value = field(in, name);
        if (value == null) {
            if (defaultValue == null) {
                return null;
            }
            ArrayNode out = Json.array();
            defaultValue.forEach(out::add);
            return out;
        }
        if (!value.isArray()) {
            throw typeError(value, path + "." + name, "[]string");
        }
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw typeError(element, path + "." + name, "string");
            }
        }
        return value.deepCopy();
    }

    private static JsonNode stringMap(JsonNode in, String name, String path)
    {
        JsonNode value = field(in, name);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw typeError(value, path + "." + name, "map[string]string");
        }
        Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (!entry.getValue().isTextual()) {
                throw typeError(entry.getValue(), path + "." + name, "string");
            }
        }
        return value.deepCopy();
    }

    static NomadApiException typeError(JsonNode value, String path, String goType)
    {
        int dot = path.lastIndexOf('.');
        String field = dot < 0 ? path : path.substring(0, dot).replace("Job.TaskGroups.Tasks", "Task").replace("Job.TaskGroups", "TaskGroup") + path.substring(dot);
        return NomadApiException.badRequest("json: cannot unmarshal " + kind(value) + " into Go struct field " + field + " of type " + goType);
    }

    private static String kind(JsonNode value)
    {
        if (value.isTextual()) {
            return "string";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isBoolean()) {
            return "bool";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isObject()) {
            return "object";
        }
        return "null";
    }
}
