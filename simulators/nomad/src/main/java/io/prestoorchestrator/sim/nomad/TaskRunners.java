package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The client side: one runner per allocation. The raw_exec driver really runs the task's command
 * in a Nomad-like task directory; other drivers are accepted but their tasks stay pending.
 * Stopping follows Nomad: deregister services, wait shutdown_delay, send kill_signal to the task
 * process, wait kill_timeout, then SIGKILL its process group. All blocking work runs on the
 * named task pool, never on a Vert.x event loop.
 */
final class TaskRunners
        implements ClusterState.AllocDriver
{
    private static final Logger log = LoggerFactory.getLogger(TaskRunners.class);
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([^}]+)}");
    /** Nomad registers a script check as a TTL check of its interval plus this buffer (client/serviceregistration). */
    private static final long SCRIPT_TTL_BUFFER_NANOS = TimeUnit.SECONDS.toNanos(31);
    private static final int SCRIPT_OUTPUT_LIMIT = 4096;
    private static final boolean HAVE_SETSID = new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute();

    private final ClusterState state;
    private final ExecutorService pool;
    private final Path dataDir;
    private final Optional<ConsulServices> consul;
    private final Map<String, AllocRunner> runners = new ConcurrentHashMap<>();
    /** The threads of the script checks that run now, with the allocation of each. */
    private final Map<Thread, String> checkThreads = new ConcurrentHashMap<>();
    private volatile boolean closed;

    TaskRunners(ClusterState state, ExecutorService pool, Path dataDir, Optional<ConsulServices> consul)
    {
        this.state = requireNonNull(state, "state is null");
        this.pool = requireNonNull(pool, "pool is null");
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.consul = requireNonNull(consul, "consul is null");
    }

    @Override
    public void start(String allocId)
    {
        if (closed) {
            return;
        }
        AllocRunner runner = new AllocRunner(allocId);
        runners.put(allocId, runner);
        pool.execute(runner::run);
    }

    @Override
    public void stop(String allocId)
    {
        AllocRunner runner = runners.get(allocId);
        if (runner != null) {
            pool.execute(() -> runner.stop(false));
        }
    }

    @Override
    public void forceKill(String allocId)
    {
        AllocRunner runner = runners.get(allocId);
        if (runner != null) {
            pool.execute(() -> runner.stop(true));
        }
    }

    /**
     * Deployment health with {@code health_check = "checks"}: the allocation's Consul checks pass,
     * except those with {@code on_update = "ignore"} ({@code ignore_warnings} accepts warning). An
     * allocation whose services are not registered yet is not passing; one without checks is.
     */
    @Override
    public boolean checksPassing(String allocId)
    {
        AllocRunner runner = runners.get(allocId);
        if (runner == null || consul.isEmpty()) {
            return true;
        }
        Map<String, String> checks;
        synchronized (runner) {
            if (!runner.servicesRegistered && runner.hasConsulServices()) {
                return false;
            }
            checks = Map.copyOf(runner.healthChecks);
        }
        if (checks.values().stream().allMatch("ignore"::equals)) {
            return true;
        }
        Optional<Map<String, String>> statuses = consul.get().checkStatuses();
        if (statuses.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, String> check : checks.entrySet()) {
            String status = statuses.get().getOrDefault(check.getKey(), "critical");
            boolean ok = switch (check.getValue()) {
                case "ignore" -> true;
                case "ignore_warnings" -> status.equals("passing") || status.equals("warning");
                default -> status.equals("passing");
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Stops every allocation through the kill-signal path and waits for them. */
    void closeAll(long timeoutMillis)
    {
        closed = true;
        List<AllocRunner> all = new ArrayList<>(runners.values());
        List<Thread> stoppers = new ArrayList<>();
        for (AllocRunner runner : all) {
            Thread thread = new Thread(() -> runner.stop(false), "nomad-sim-shutdown-" + runner.allocId.substring(0, 8));
            thread.start();
            stoppers.add(thread);
        }
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (Thread thread : stoppers) {
            try {
                thread.join(Math.max(1, deadline - System.currentTimeMillis()));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (AllocRunner runner : all) {
            runner.killNow();
        }
    }

    /** How many script checks of an allocation still run (a stopped one's thread has ended: it sends no more updates). */
    int scriptChecksRunning(String allocId)
    {
        return (int) checkThreads.values().stream().filter(allocId::equals).count();
    }

    /** Process ids of the running tasks of an allocation (tests use them to prove a process is gone). */
    Map<String, Long> pids(String allocId)
    {
        AllocRunner runner = runners.get(allocId);
        Map<String, Long> pids = new LinkedHashMap<>();
        if (runner != null) {
            runner.tasks.forEach((name, task) -> {
                Process process = task.process;
                if (process != null) {
                    pids.put(name, process.pid());
                }
            });
        }
        return pids;
    }

    private final class AllocRunner
    {
        final String allocId;
        final Map<String, TaskRunner> tasks = new LinkedHashMap<>();
        final List<String> serviceIds = new ArrayList<>();
        final List<ScriptCheck> scriptChecks = new ArrayList<>();
        /** Consul check id -> its on_update ({@code require_healthy}, {@code ignore_warnings}, {@code ignore}). */
        final Map<String, String> healthChecks = new ConcurrentHashMap<>();
        final CountDownLatch stopped = new CountDownLatch(1);
        volatile boolean stopping;
        volatile boolean force;
        private boolean stopStarted;
        private boolean servicesRegistered;
        Path allocDir;
        JsonNode group;
        Allocation snapshot;
        Map<String, String> nodeAttributes;
        Map<String, String> nodeMeta;
        String nodeDatacenter;
        String nodeClass;
        String nodePool;

        AllocRunner(String allocId)
        {
            this.allocId = allocId;
        }

        /**
         * As Nomad's client: a replacement starts its tasks only once the allocation it replaces
         * (on this node or another) has terminated, so a rolling update stops, then starts, each one.
         */
        private boolean awaitPreviousAllocation(String previousId)
        {
            if (previousId.isEmpty()) {
                return true;
            }
            while (true) {
                boolean terminated = state.read(() -> {
                    Allocation previous = state.alloc(previousId);
                    return previous == null || previous.clientTerminal();
                });
                if (terminated) {
                    return true;
                }
                synchronized (this) {
                    if (stopping) {
                        return false;
                    }
                    try {
                        wait(100);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
        }

        void run()
        {
            boolean ok = state.read(() -> {
                Allocation alloc = state.alloc(allocId);
                if (alloc == null) {
                    return false;
                }
                snapshot = alloc;
                group = alloc.groupSpec().deepCopy();
                VirtualNode node = state.node(alloc.nodeId);
                nodeAttributes = node.attributes;
                nodeMeta = node.spec.meta();
                nodeDatacenter = node.spec.datacenter();
                nodeClass = node.spec.nodeClass();
                nodePool = node.spec.nodePool();
                return true;
            });
            if (!ok || !awaitPreviousAllocation(snapshot.previousAllocation)) {
                return;
            }
            state.healthWatchStarted(allocId);
            allocDir = dataDir.resolve("alloc").resolve(allocId);
            try {
                Files.createDirectories(allocDir.resolve("alloc").resolve("logs"));
                Files.createDirectories(allocDir.resolve("alloc").resolve("data"));
                Files.createDirectories(allocDir.resolve("alloc").resolve("tmp"));
            }
            catch (IOException e) {
                log.warn("cannot create alloc dir {}", allocDir, e);
            }
            List<Thread> threads = new ArrayList<>();
            synchronized (this) {
                if (stopping) {
                    return;
                }
                for (JsonNode task : group.get("Tasks")) {
                    TaskRunner runner = new TaskRunner(this, task);
                    tasks.put(runner.name, runner);
                }
            }
            for (TaskRunner runner : tasks.values()) {
                Thread thread = new Thread(runner::run, "nomad-sim-task-" + allocId.substring(0, 8) + "-" + runner.name);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                try {
                    thread.join();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            deregisterServices();
        }

        boolean hasConsulServices()
        {
            if (group == null) {
                return true;
            }
            List<JsonNode> services = new ArrayList<>();
            Optional.ofNullable(group.get("Services")).filter(JsonNode::isArray).ifPresent(list -> list.forEach(services::add));
            for (JsonNode task : group.get("Tasks")) {
                Optional.ofNullable(task.get("Services")).filter(JsonNode::isArray).ifPresent(list -> list.forEach(services::add));
            }
            return services.stream().anyMatch(service -> service.get("Provider").asText().equals("consul"));
        }

        synchronized void taskStarted()
        {
            if (servicesRegistered || stopping || consul.isEmpty()) {
                return;
            }
            boolean allRunning = tasks.values().stream().allMatch(t -> t.process != null || !t.runs);
            if (!allRunning) {
                return;
            }
            servicesRegistered = true;
            registerServices(group.get("Services"), "group-" + group.get("Name").asText());
            for (JsonNode task : group.get("Tasks")) {
                registerServices(task.get("Services"), task.get("Name").asText());
            }
        }

        private void registerServices(JsonNode services, String owner)
        {
            if (services == null || services.isNull()) {
                return;
            }
            for (JsonNode service : services) {
                if (!service.get("Provider").asText().equals("consul")) {
                    continue;
                }
                String portLabel = service.get("PortLabel").asText();
                String name = interpolate(service.get("Name").asText(), baseEnv(null));
                String serviceId = "_nomad-task-" + allocId + "-" + owner + "-" + name + "-" + portLabel;
                ObjectNode body = Json.object();
                body.put("ID", serviceId);
                body.put("Name", name);
                ArrayNode tags = Json.array();
                JsonNode inTags = service.get("Tags");
                if (inTags != null && !inTags.isNull()) {
                    inTags.forEach(tag -> tags.add(interpolate(tag.asText(), baseEnv(null))));
                }
                body.set("Tags", tags);
                ObjectNode meta = Json.object();
                JsonNode inMeta = service.get("Meta");
                if (inMeta != null && !inMeta.isNull()) {
                    inMeta.fields().forEachRemaining(e -> meta.put(e.getKey(), interpolate(e.getValue().asText(), baseEnv(null))));
                }
                meta.put("external-source", "nomad");
                body.set("Meta", meta);
                int port = resolvePort(portLabel);
                body.put("Port", port);
                body.put("Address", "127.0.0.1");
                ArrayNode checks = Json.array();
                JsonNode inChecks = service.get("Checks");
                if (inChecks != null && !inChecks.isNull()) {
                    for (JsonNode check : inChecks) {
                        String checkLabel = check.get("PortLabel").asText();
                        int checkPort = checkLabel.isEmpty() ? port : resolvePort(checkLabel);
                        String checkName = check.get("Name").asText().isEmpty() ? "service: \"" + name + "\" check" : check.get("Name").asText();
                        ObjectNode out = Json.object();
                        out.put("CheckID", "_nomad-check-" + sha1(serviceId + checkName));
                        out.put("Name", checkName);
                        out.put("Interval", GoDuration.format(check.get("Interval").asLong()));
                        out.put("Timeout", GoDuration.format(check.get("Timeout").asLong() == 0 ? 2_000_000_000L : check.get("Timeout").asLong()));
                        String type = check.get("Type").asText();
                        if (type.equals("http")) {
                            String protocol = check.get("Protocol").asText().isEmpty() ? "http" : check.get("Protocol").asText();
                            out.put("HTTP", protocol + "://127.0.0.1:" + checkPort + check.get("Path").asText());
                            if (!check.get("Method").asText().isEmpty()) {
                                out.put("Method", check.get("Method").asText());
                            }
                        }
                        else if (type.equals("tcp")) {
                            out.put("TCP", "127.0.0.1:" + checkPort);
                        }
                        else if (type.equals("script")) {
                            // as Nomad: a TTL check in Consul that the client feeds with the script's result
                            String taskName = owner.startsWith("group-") ? check.get("TaskName").asText() : owner;
                            out.remove("Timeout");
                            out.put("TTL", GoDuration.format(check.get("Interval").asLong() + SCRIPT_TTL_BUFFER_NANOS));
                            scriptChecks.add(new ScriptCheck(out.get("CheckID").asText(), checkName, taskName, check));
                        }
                        else {
                            continue;
                        }
                        if (!check.get("InitialStatus").asText().isEmpty()) {
                            out.put("Status", check.get("InitialStatus").asText());
                        }
                        healthChecks.put(out.get("CheckID").asText(), check.get("OnUpdate").asText("require_healthy"));
                        checks.add(out);
                    }
                }
                body.set("Checks", checks);
                consul.get().register(body);
                serviceIds.add(serviceId);
            }
            startScriptChecks();
        }

        private void startScriptChecks()
        {
            for (ScriptCheck check : scriptChecks) {
                if (check.thread != null) {
                    continue;
                }
                TaskRunner runner = tasks.get(check.taskName);
                if (runner == null) {
                    log.warn("script check {} names task {}, which is not in group {}", check.name, check.taskName, group.get("Name").asText());
                    continue;
                }
                Thread thread = new Thread(() -> {
                    try {
                        check.loop(this, runner);
                    }
                    finally {
                        checkThreads.remove(Thread.currentThread());
                    }
                }, "nomad-sim-check-" + allocId.substring(0, 8) + "-" + check.checkId.substring(13, 21));
                thread.setDaemon(true);
                check.thread = thread;
                checkThreads.put(thread, allocId);
                thread.start();
            }
        }

        private int resolvePort(String label)
        {
            if (label.isEmpty()) {
                return 0;
            }
            if (label.chars().allMatch(Character::isDigit)) {
                return Integer.parseInt(label);
            }
            return snapshot.ports.getOrDefault(label, 0);
        }

        synchronized void deregisterServices()
        {
            scriptChecks.forEach(ScriptCheck::stop);
            scriptChecks.clear();
            if (consul.isEmpty()) {
                return;
            }
            for (String id : serviceIds) {
                consul.get().deregister(id);
            }
            serviceIds.clear();
        }

        void stop(boolean forceNow)
        {
            synchronized (this) {
                if (forceNow) {
                    force = true;
                    notifyAll();
                }
                stopping = true;
                if (stopStarted) {
                    if (forceNow) {
                        tasks.values().forEach(TaskRunner::wake);
                    }
                    return;
                }
                stopStarted = true;
            }
            deregisterServices();
            long shutdownDelay = 0;
            if (group != null) {
                JsonNode groupDelay = group.get("ShutdownDelay");
                if (groupDelay != null && !groupDelay.isNull()) {
                    shutdownDelay = groupDelay.asLong();
                }
                for (JsonNode task : group.get("Tasks")) {
                    shutdownDelay = Math.max(shutdownDelay, task.get("ShutdownDelay").asLong());
                }
            }
            if (shutdownDelay > 0 && !force) {
                synchronized (this) {
                    long until = System.nanoTime() + shutdownDelay;
                    while (!force && System.nanoTime() < until) {
                        try {
                            TimeUnit.NANOSECONDS.timedWait(this, until - System.nanoTime());
                        }
                        catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
            }
            List<TaskRunner> all;
            synchronized (this) {
                all = new ArrayList<>(tasks.values());
            }
            if (all.isEmpty()) {
                // never started (no runner threads): mark the tasks dead directly
                state.updateAlloc(allocId, alloc -> alloc.taskStates.values().forEach(taskState -> {
                    if (!taskState.state.equals("dead")) {
                        taskState.state = "dead";
                        taskState.finishedAt = state.nowNanos();
                        taskState.events.add(event("Killed", "Task successfully killed", Map.of()));
                    }
                }));
                return;
            }
            List<Thread> killers = new ArrayList<>();
            for (TaskRunner task : all) {
                Thread thread = new Thread(task::kill, "nomad-sim-kill-" + allocId.substring(0, 8) + "-" + task.name);
                thread.setDaemon(true);
                thread.start();
                killers.add(thread);
            }
            for (Thread thread : killers) {
                try {
                    thread.join();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void killNow()
        {
            force = true;
            stopping = true;
            tasks.values().forEach(TaskRunner::killProcessGroup);
        }

        Map<String, String> baseEnv(JsonNode task)
        {
            Map<String, String> env = new LinkedHashMap<>();
            String groupName = group.get("Name").asText();
            env.put("NOMAD_ALLOC_DIR", allocDir.resolve("alloc").toString());
            env.put("NOMAD_ALLOC_ID", allocId);
            env.put("NOMAD_SHORT_ALLOC_ID", allocId.substring(0, 8));
            env.put("NOMAD_ALLOC_INDEX", Integer.toString(snapshot.index));
            env.put("NOMAD_ALLOC_NAME", snapshot.name());
            env.put("NOMAD_JOB_ID", snapshot.jobId);
            env.put("NOMAD_JOB_NAME", snapshot.job.get("Name").asText());
            env.put("NOMAD_JOB_PARENT_ID", "");
            env.put("NOMAD_GROUP_NAME", groupName);
            env.put("NOMAD_NAMESPACE", snapshot.namespace);
            env.put("NOMAD_DC", nodeDatacenter);
            env.put("NOMAD_REGION", snapshot.job.get("Region").asText());
            env.put("NOMAD_NODE_ID", snapshot.nodeId);
            env.put("NOMAD_NODE_NAME", snapshot.nodeName);
            snapshot.ports.forEach((label, port) -> {
                String key = label.replaceAll("[^A-Za-z0-9_]", "_");
                env.put("NOMAD_PORT_" + key, Integer.toString(port));
                env.put("NOMAD_HOST_PORT_" + key, Integer.toString(port));
                env.put("NOMAD_ALLOC_PORT_" + key, Integer.toString(port));
                env.put("NOMAD_IP_" + key, "127.0.0.1");
                env.put("NOMAD_HOST_IP_" + key, "127.0.0.1");
                env.put("NOMAD_ADDR_" + key, "127.0.0.1:" + port);
                env.put("NOMAD_HOST_ADDR_" + key, "127.0.0.1:" + port);
                env.put("NOMAD_ALLOC_IP_" + key, "127.0.0.1");
                env.put("NOMAD_ALLOC_ADDR_" + key, "127.0.0.1:" + port);
            });
            putMeta(env, snapshot.job.get("Meta"));
            putMeta(env, group.get("Meta"));
            if (task != null) {
                Path taskDir = allocDir.resolve(task.get("Name").asText());
                env.put("NOMAD_TASK_NAME", task.get("Name").asText());
                env.put("NOMAD_TASK_DIR", taskDir.resolve("local").toString());
                env.put("NOMAD_SECRETS_DIR", taskDir.resolve("secrets").toString());
                env.put("NOMAD_CPU_LIMIT", task.get("Resources").get("CPU").asText());
                env.put("NOMAD_MEMORY_LIMIT", task.get("Resources").get("MemoryMB").asText());
                putMeta(env, task.get("Meta"));
            }
            return env;
        }

        private void putMeta(Map<String, String> env, JsonNode meta)
        {
            if (meta != null && !meta.isNull()) {
                meta.fields().forEachRemaining(e -> {
                    env.put("NOMAD_META_" + e.getKey(), e.getValue().asText());
                    env.put("NOMAD_META_" + e.getKey().replaceAll("[^A-Za-z0-9_]", "_").toUpperCase(java.util.Locale.ROOT), e.getValue().asText());
                });
            }
        }

        /** Nomad's ${...} interpolation for the common cases: NOMAD_* env, env, attr.*, meta.*, node.*. */
        String interpolate(String text, Map<String, String> env)
        {
            Matcher matcher = INTERPOLATION.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String key = matcher.group(1).trim();
                String value = null;
                if (key.startsWith("attr.")) {
                    value = nodeAttributes.get(key.substring(5));
                }
                else if (key.startsWith("meta.")) {
                    value = nodeMeta.get(key.substring(5));
                }
                else if (key.startsWith("node.")) {
                    value = switch (key) {
                        case "node.unique.id" -> snapshot.nodeId;
                        case "node.unique.name" -> snapshot.nodeName;
                        case "node.datacenter" -> nodeDatacenter;
                        case "node.class" -> nodeClass;
                        case "node.pool" -> nodePool;
                        case "node.region" -> snapshot.job.get("Region").asText();
                        default -> null;
                    };
                }
                else if (key.startsWith("env.")) {
                    value = env.get(key.substring(4));
                }
                else {
                    value = env.get(key);
                }
                matcher.appendReplacement(out, Matcher.quoteReplacement(value == null ? matcher.group() : value));
            }
            matcher.appendTail(out);
            return out.toString();
        }
    }

    private final class TaskRunner
    {
        final AllocRunner alloc;
        final JsonNode task;
        final String name;
        final boolean runs;
        volatile Process process;
        /** The environment the task was last launched with: script checks run in it. */
        volatile Map<String, String> environment;
        private volatile boolean killed;
        private volatile boolean finished;
        private final Object monitor = new Object();

        TaskRunner(AllocRunner alloc, JsonNode task)
        {
            this.alloc = alloc;
            this.task = task;
            this.name = task.get("Name").asText();
            this.runs = task.get("Driver").asText().equals("raw_exec");
        }

        void wake()
        {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }

        void run()
        {
            addEvent("Received", "Task received by client", Map.of(), null);
            Path taskDir = alloc.allocDir.resolve(name);
            addEvent("Task Setup", "Building Task Directory", Map.of("message", "Building Task Directory"), null);
            try {
                Files.createDirectories(taskDir.resolve("local"));
                Files.createDirectories(taskDir.resolve("secrets"));
                Files.createDirectories(taskDir.resolve("tmp"));
            }
            catch (IOException e) {
                fail("Setup Failure", "failed to build task directory: " + e.getMessage());
                return;
            }
            if (!runs) {
                addEvent("Driver", "nomad-simulator does not run the \"" + task.get("Driver").asText() + "\" driver; the task stays pending",
                        Map.of("driver", task.get("Driver").asText()), null);
                waitUntilStopped();
                markDead(false, "Killed", "Task successfully killed");
                return;
            }
            JsonNode restartPolicy = task.get("RestartPolicy");
            int attempts = restartPolicy.get("Attempts").asInt();
            long interval = restartPolicy.get("Interval").asLong();
            long delay = restartPolicy.get("Delay").asLong();
            String mode = restartPolicy.get("Mode").asText();
            List<Long> restartTimes = new ArrayList<>();
            boolean batch = !alloc.snapshot.job.get("Type").asText().equals("service") && !alloc.snapshot.job.get("Type").asText().equals("system");
            boolean missingReported = false;
            while (!alloc.stopping) {
                Map<String, String> env;
                try {
                    env = prepareEnvironment(taskDir);
                }
                catch (TemplateRenderer.MissingVariable e) {
                    if (!missingReported) {
                        addEvent("Template", e.getMessage(), Map.of(), null);
                        missingReported = true;
                    }
                    sleepUnlessStopped(500_000_000L);
                    continue;
                }
                catch (RuntimeException | IOException e) {
                    fail("Failed Validation", "template render failed: " + e.getMessage());
                    return;
                }
                Integer exitCode = null;
                String failure = null;
                synchronized (monitor) {
                    if (alloc.stopping) {
                        break;
                    }
                    try {
                        process = launch(taskDir, env);
                        environment = Map.copyOf(env);
                    }
                    catch (IOException e) {
                        failure = e.getMessage();
                    }
                }
                if (failure == null) {
                    long pid = process.pid();
                    state.updateAlloc(alloc.allocId, a -> {
                        Allocation.TaskState taskState = a.taskStates.get(name);
                        taskState.state = "running";
                        if (taskState.startedAt == 0) {
                            taskState.startedAt = state.nowNanos();
                        }
                        taskState.events.add(event("Started", "Task started by client", Map.of()));
                    });
                    log.info("task started: alloc={} task={} pid={}", alloc.allocId, name, pid);
                    alloc.taskStarted();
                    try {
                        exitCode = process.waitFor();
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (killed || alloc.stopping) {
                    // the kill path records the outcome
                    synchronized (monitor) {
                        finished = true;
                        monitor.notifyAll();
                    }
                    return;
                }
                Map<String, String> details = new LinkedHashMap<>();
                String message;
                int signal = 0;
                if (failure != null) {
                    message = "failed to launch command with executor: " + failure;
                    addEvent("Driver Failure", message, Map.of("driver_error", message), e -> e.put("DriverError", message));
                }
                else {
                    int code = exitCode;
                    if (code > 128 && code < 160) {
                        signal = code - 128;
                        code = 0;
                    }
                    details.put("exit_code", Integer.toString(code));
                    details.put("signal", Integer.toString(signal));
                    details.put("oom_killed", "false");
                    message = "Exit Code: " + code + (signal != 0 ? ", Signal: " + signal : "");
                    int finalCode = code;
                    int finalSignal = signal;
                    addEvent("Terminated", message, details, e -> {
                        e.put("ExitCode", finalCode);
                        e.put("Signal", finalSignal);
                    });
                    log.info("task exited: alloc={} task={} exit_code={}", alloc.allocId, name, exitCode);
                    if (batch && code == 0 && signal == 0) {
                        markDead(false, null, null);
                        return;
                    }
                }
                long now = System.nanoTime();
                restartTimes.removeIf(t -> now - t > interval);
                if (restartTimes.size() >= attempts) {
                    if (mode.equals("fail")) {
                        String reason = "Exceeded allowed attempts " + attempts + " in interval " + GoDuration.format(interval) + " and mode is \"fail\"";
                        addEvent("Not Restarting", reason, Map.of("restart_reason", reason, "fails_task", "true"), e -> {
                            e.put("FailsTask", true);
                            e.put("RestartReason", reason);
                        });
                        markDead(true, null, null);
                        return;
                    }
                    long wait = interval - (now - restartTimes.get(0));
                    String reason = "Exceeded allowed attempts " + attempts + " in interval " + GoDuration.format(interval) + " and mode is \"delay\"";
                    addRestarting(reason, Math.max(wait, delay));
                    if (!sleepUnlessStopped(Math.max(wait, delay))) {
                        break;
                    }
                    restartTimes.clear();
                }
                else {
                    addRestarting("Restart within policy", delay);
                    if (!sleepUnlessStopped(delay)) {
                        break;
                    }
                }
                restartTimes.add(System.nanoTime());
                state.updateAlloc(alloc.allocId, a -> {
                    Allocation.TaskState taskState = a.taskStates.get(name);
                    taskState.restarts++;
                    taskState.lastRestart = state.nowNanos();
                });
            }
            synchronized (monitor) {
                finished = true;
                monitor.notifyAll();
            }
            if (!killed) {
                markDead(false, "Killed", "Task successfully killed");
            }
        }

        private void addRestarting(String reason, long delay)
        {
            addEvent("Restarting", "Task restarting in " + GoDuration.format(delay), Map.of("restart_reason", reason, "start_delay", Long.toString(delay)), e -> {
                e.put("RestartReason", reason);
                e.put("StartDelay", delay);
            });
            state.updateAlloc(alloc.allocId, a -> a.taskStates.get(name).state = "pending");
        }

        private Map<String, String> prepareEnvironment(Path taskDir)
                throws IOException
        {
            Map<String, String> env = new LinkedHashMap<>(System.getenv());
            Map<String, String> nomadEnv = alloc.baseEnv(task);
            env.putAll(nomadEnv);
            JsonNode taskEnv = task.get("Env");
            if (taskEnv != null && !taskEnv.isNull()) {
                taskEnv.fields().forEachRemaining(e -> env.put(e.getKey(), alloc.interpolate(e.getValue().asText(), env)));
            }
            JsonNode templates = task.get("Templates");
            if (templates != null && !templates.isNull()) {
                TemplateRenderer renderer = new TemplateRenderer(env::get, path -> state.read(() -> {
                    ClusterState.VarEntry entry = state.variable(alloc.snapshot.namespace, path);
                    if (entry == null) {
                        return Optional.<Map<String, String>>empty();
                    }
                    Map<String, String> items = new LinkedHashMap<>();
                    entry.items.fields().forEachRemaining(e -> items.put(e.getKey(), e.getValue().asText()));
                    return Optional.of(items);
                }));
                for (JsonNode template : templates) {
                    String source = template.get("EmbeddedTmpl").asText();
                    if (source.isEmpty()) {
                        source = Files.readString(taskDir.resolve(alloc.interpolate(template.get("SourcePath").asText(), env)));
                    }
                    String rendered = renderer.render(source, template.get("LeftDelim").asText(), template.get("RightDelim").asText());
                    Path dest = taskDir.resolve(alloc.interpolate(template.get("DestPath").asText(), env)).normalize();
                    if (!dest.startsWith(alloc.allocDir)) {
                        throw new IOException("template destination " + dest + " escapes the allocation directory");
                    }
                    Files.createDirectories(dest.getParent());
                    Files.writeString(dest, rendered, StandardCharsets.UTF_8);
                    try {
                        Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString(perms(template.get("Perms").asText())));
                    }
                    catch (UnsupportedOperationException | IllegalArgumentException ignored) {
                        // non-POSIX file system or odd mode: keep the default
                    }
                    if (template.get("Envvars").asBoolean()) {
                        for (String line : rendered.split("\n")) {
                            String trimmed = line.trim();
                            if (trimmed.isEmpty() || trimmed.startsWith("#") || !trimmed.contains("=")) {
                                continue;
                            }
                            String key = trimmed.substring(0, trimmed.indexOf('=')).trim().replaceFirst("^export\\s+", "");
                            String value = trimmed.substring(trimmed.indexOf('=') + 1).trim();
                            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                                value = value.substring(1, value.length() - 1);
                            }
                            env.put(key, value);
                        }
                    }
                }
            }
            return env;
        }

        private String perms(String octal)
        {
            int mode = Integer.parseInt(octal, 8);
            StringBuilder out = new StringBuilder();
            String letters = "rwxrwxrwx";
            for (int i = 0; i < 9; i++) {
                out.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
            }
            return out.toString();
        }

        private Process launch(Path taskDir, Map<String, String> env)
                throws IOException
        {
            JsonNode config = task.get("Config");
            String command = config == null ? "" : alloc.interpolate(Json.text(config, "command", ""), env);
            if (command.isEmpty()) {
                throw new IOException("missing command in raw_exec config");
            }
            List<String> argv = new ArrayList<>();
            if (HAVE_SETSID) {
                argv.add("setsid");
            }
            argv.add(command);
            JsonNode args = Json.field(config, "args");
            if (args != null && args.isArray()) {
                args.forEach(arg -> argv.add(alloc.interpolate(arg.asText(), env)));
            }
            Path logs = alloc.allocDir.resolve("alloc").resolve("logs");
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(taskDir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".stdout.0").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".stderr.0").toFile()));
            builder.environment().clear();
            builder.environment().putAll(env);
            return builder.start();
        }

        /** The Nomad kill path for this task: kill_signal, wait kill_timeout, then SIGKILL. */
        void kill()
        {
            Process current;
            synchronized (monitor) {
                killed = true;
                current = process;
                monitor.notifyAll();
            }
            if (current == null || !current.isAlive()) {
                waitFinished();
                markDead(false, "Killed", "Task successfully killed");
                return;
            }
            String signal = task.get("KillSignal").asText().isEmpty() ? "SIGINT" : task.get("KillSignal").asText();
            long killTimeout = task.get("KillTimeout").asLong();
            String message = alloc.force ? "Sent SIGKILL: drain deadline reached"
                    : "Sent " + (signal.equals("SIGINT") ? "interrupt" : signal) + ". Waiting " + GoDuration.format(killTimeout) + " before force killing";
            addEvent("Killing", message, Map.of("kill_timeout", GoDuration.format(killTimeout)), e -> e.put("KillTimeout", killTimeout));
            if (!alloc.force) {
                sendSignal(current.pid(), signal, false);
                log.info("kill signal sent: alloc={} task={} pid={} signal={}", alloc.allocId, name, current.pid(), signal);
                long until = System.nanoTime() + killTimeout;
                while (current.isAlive() && !alloc.force && System.nanoTime() < until) {
                    try {
                        current.waitFor(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            if (current.isAlive()) {
                log.info("kill timeout reached, sending SIGKILL: alloc={} task={} pid={}", alloc.allocId, name, current.pid());
            }
            killProcessGroup();
            int exit;
            try {
                exit = current.waitFor();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            waitFinished();
            int code = exit;
            int sig = 0;
            if (code > 128 && code < 160) {
                sig = code - 128;
                code = 0;
            }
            int finalCode = code;
            int finalSig = sig;
            Map<String, String> details = new LinkedHashMap<>();
            details.put("exit_code", Integer.toString(code));
            details.put("signal", Integer.toString(sig));
            details.put("oom_killed", "false");
            addEvent("Terminated", "Exit Code: " + code + (sig != 0 ? ", Signal: " + sig : ""), details, e -> {
                e.put("ExitCode", finalCode);
                e.put("Signal", finalSig);
            });
            markDead(false, "Killed", "Task successfully killed");
        }

        private void waitFinished()
        {
            synchronized (monitor) {
                long until = System.currentTimeMillis() + 5000;
                while (!finished && process != null && System.currentTimeMillis() < until) {
                    try {
                        monitor.wait(100);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        void killProcessGroup()
        {
            Process current = process;
            if (current == null) {
                return;
            }
            if (HAVE_SETSID) {
                sendSignal(current.pid(), "SIGKILL", true);
            }
            current.descendants().forEach(ProcessHandle::destroyForcibly);
            current.destroyForcibly();
        }

        private void waitUntilStopped()
        {
            synchronized (monitor) {
                while (!alloc.stopping && !killed) {
                    try {
                        monitor.wait(200);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        private boolean sleepUnlessStopped(long nanos)
        {
            long until = System.nanoTime() + nanos;
            synchronized (monitor) {
                while (!alloc.stopping && System.nanoTime() < until) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(monitor, Math.min(until - System.nanoTime(), 200_000_000L));
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
            return !alloc.stopping;
        }

        private void fail(String type, String message)
        {
            addEvent(type, message, Map.of("message", message), e -> e.put("FailsTask", true));
            markDead(true, null, null);
        }

        private void markDead(boolean failed, String eventType, String message)
        {
            state.updateAlloc(alloc.allocId, a -> {
                Allocation.TaskState taskState = a.taskStates.get(name);
                if (taskState.state.equals("dead")) {
                    return;
                }
                if (eventType != null) {
                    taskState.events.add(event(eventType, message, Map.of()));
                }
                taskState.state = "dead";
                taskState.failed = failed;
                taskState.finishedAt = state.nowNanos();
            });
        }

        private void addEvent(String type, String message, Map<String, String> details, java.util.function.Consumer<ObjectNode> extra)
        {
            state.updateAlloc(alloc.allocId, a -> {
                ObjectNode event = event(type, message, details);
                if (extra != null) {
                    extra.accept(event);
                }
                a.taskStates.get(name).events.add(event);
            });
        }
    }

    private ObjectNode event(String type, String message, Map<String, String> details)
    {
        ObjectNode event = Json.object();
        event.put("Type", type);
        event.put("Time", state.nowNanos());
        event.put("DisplayMessage", message);
        ObjectNode detailsNode = Json.object();
        details.forEach(detailsNode::put);
        event.set("Details", detailsNode);
        event.put("Message", "");
        event.put("FailsTask", false);
        event.put("RestartReason", "");
        event.put("SetupError", "");
        event.put("DriverError", "");
        event.put("DriverMessage", "");
        event.put("ExitCode", 0);
        event.put("Signal", 0);
        event.put("KillReason", "");
        event.put("KillTimeout", 0);
        event.put("KillError", "");
        event.put("StartDelay", 0);
        event.put("DownloadError", "");
        event.put("ValidationError", "");
        event.put("DiskLimit", 0);
        event.put("DiskSize", 0);
        event.put("FailedSibling", "");
        event.put("VaultError", "");
        event.put("TaskSignalReason", "");
        event.put("TaskSignal", "");
        event.put("GenericSource", "");
        return event;
    }

    /** Sends a named signal with kill(1): Java's Process API can only send TERM and KILL. */
    static void sendSignal(long pid, String signal, boolean processGroup)
    {
        String name = signal.startsWith("SIG") ? signal.substring(3) : signal;
        List<String> command = new ArrayList<>(List.of("kill", "-s", name));
        if (processGroup) {
            command.add("--");
            command.add("-" + pid);
        }
        else {
            command.add(Long.toString(pid));
        }
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        }
        catch (IOException e) {
            log.warn("cannot send {} to {}: {}", signal, pid, e.toString());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String sha1(String text)
    {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A script check as the Nomad client runs it: every Interval, the command runs in the task's
     * environment and directory (raw_exec) with the check's Timeout; exit 0 is passing, 1 warning,
     * anything else (or a timeout) critical; the result and its output go to Consul as a TTL update.
     */
    private final class ScriptCheck
    {
        final String checkId;
        final String name;
        final String taskName;
        final JsonNode check;
        volatile Thread thread;
        private volatile boolean stopped;

        ScriptCheck(String checkId, String name, String taskName, JsonNode check)
        {
            this.checkId = checkId;
            this.name = name;
            this.taskName = taskName;
            this.check = check;
        }

        void stop()
        {
            stopped = true;
            Thread current = thread;
            if (current != null) {
                current.interrupt();
            }
        }

        void loop(AllocRunner alloc, TaskRunner task)
        {
            long interval = check.get("Interval").asLong();
            long timeout = check.get("Timeout").asLong() == 0 ? TimeUnit.SECONDS.toNanos(30) : check.get("Timeout").asLong();
            while (!stopped && !alloc.stopping) {
                Map<String, String> env = task.environment;
                if (env != null) {
                    Result result = run(alloc, task, env, timeout);
                    if (!stopped && !alloc.stopping) {
                        consul.ifPresent(client -> client.updateCheck(checkId, result.status(), result.output()));
                    }
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(interval);
                }
                catch (InterruptedException e) {
                    return;
                }
            }
        }

        private Result run(AllocRunner alloc, TaskRunner task, Map<String, String> env, long timeout)
        {
            List<String> argv = new ArrayList<>();
            argv.add(alloc.interpolate(check.get("Command").asText(), env));
            JsonNode args = check.get("Args");
            if (args != null && args.isArray()) {
                args.forEach(arg -> argv.add(alloc.interpolate(arg.asText(), env)));
            }
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(alloc.allocDir.resolve(task.name).toFile())
                    .redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(env);
            try {
                Process process = builder.start();
                byte[] output = process.getInputStream().readNBytes(SCRIPT_OUTPUT_LIMIT);
                if (!process.waitFor(timeout, TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly();
                    return new Result("critical", "check timed out after " + GoDuration.format(timeout));
                }
                String text = new String(output, StandardCharsets.UTF_8);
                return switch (process.exitValue()) {
                    case 0 -> new Result("passing", text);
                    case 1 -> new Result("warning", text);
                    default -> new Result("critical", text);
                };
            }
            catch (IOException e) {
                return new Result("critical", "failed to run " + argv.get(0) + ": " + e.getMessage());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result("critical", "interrupted");
            }
        }
    }

    private record Result(String status, String output) {}
}
