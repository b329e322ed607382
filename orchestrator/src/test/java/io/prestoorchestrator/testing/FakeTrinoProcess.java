package io.prestoorchestrator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Trino process for tests that run Nomad (real or simulated) without Trino: {@link #install} writes a
 * {@code bin/launcher} that starts this class in its own JVM. It listens on the allocation's
 * {@code NOMAD_PORT_http} and answers {@code GET /v1/info} as a started node from the start, so the
 * allocation's Consul checks pass and Nomad's deployment becomes healthy as with a real Trino. Its
 * {@code /metrics} answers only once the test calls {@link #serveCoordinatorMetrics} (a fixed count)
 * or {@link #serveAnnouncedWorkers} (the workers that announce themselves ACTIVE): until then the
 * coordinator counts no worker, so the orchestrator's wait for Trino waits for the test.
 * <p>
 * A worker behaves as Trino 476's state API does (FACTS.md), in a simplified way that keeps what a
 * drain depends on: {@code PUT /v1/info/state "DRAINING"} makes it {@code DRAINED} once its simulated
 * queries have ended and {@link #DRAIN_SETTLE} has passed (Trino's grace periods), {@code "ACTIVE"}
 * cancels a drain, {@code "SHUTTING_DOWN"} exits the process (exit 0) once its queries have ended.
 * {@code POST /fake/query?seconds=N} runs a simulated query on it for N seconds. It announces its
 * state to the coordinator of its {@code discovery.uri} every 500 ms. Every process writes what
 * happens to it to {@code <trinoHome>/journal/<group>-<allocation>.log} ({@link Journal}): a query
 * on a worker that exits before the query ends is journaled {@code FAILED}, and so is a worker that
 * stops on a signal (Nomad's kill without a drain) or without having reached {@code DRAINED}: the
 * queries a real Trino worker would lose there.
 */
public final class FakeTrinoProcess
{
    private static final String METRICS_FILE = "active-workers";
    private static final String ANNOUNCED = "announced";
    /** How long a draining worker without queries takes to report DRAINED (Trino: two grace periods). */
    public static final Duration DRAIN_SETTLE = Duration.ofSeconds(2);
    private static final Duration ANNOUNCED_FOR = Duration.ofSeconds(2);

    private FakeTrinoProcess() {}

    /** Makes {@code trinoHome} a Trino installation whose launcher runs this fake. */
    public static void install(Path trinoHome)
            throws IOException
    {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path classes;
        try {
            classes = Path.of(FakeTrinoProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Path launcher = Files.createDirectories(trinoHome.resolve("bin")).resolve("launcher");
        Files.writeString(launcher, """
                #!/bin/sh
                exec '%s' -Xmx32m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '%s' %s '%s' "$@"
                """.formatted(java, classes, FakeTrinoProcess.class.getName(), trinoHome.resolve(METRICS_FILE)));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** From now on every fake coordinator under {@code trinoHome} counts {@code workers} active workers. */
    public static void serveCoordinatorMetrics(Path trinoHome, int workers)
            throws IOException
    {
        writeMetricsFile(trinoHome, Integer.toString(workers));
    }

    /** From now on every fake coordinator under {@code trinoHome} counts the workers that announced themselves ACTIVE in the last 2 s. */
    public static void serveAnnouncedWorkers(Path trinoHome)
            throws IOException
    {
        writeMetricsFile(trinoHome, ANNOUNCED);
    }

    private static void writeMetricsFile(Path trinoHome, String content)
            throws IOException
    {
        Path file = trinoHome.resolve(METRICS_FILE);
        Path temporary = Files.writeString(file.resolveSibling(METRICS_FILE + ".tmp"), content);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Where the processes under {@code trinoHome} journal what happens to them, one file each. */
    public static Path journalDir(Path trinoHome)
    {
        return trinoHome.resolve("journal");
    }

    public static void main(String[] args)
            throws IOException
    {
        Path metricsFile = Path.of(args[0]);
        String port = System.getenv("NOMAD_PORT_http");
        if (port == null) {
            throw new IllegalStateException("NOMAD_PORT_http is not set: the fake Trino runs in a Nomad allocation with an 'http' port");
        }
        Optional<Path> etcDir = etcDir(args);
        Properties config = new Properties();
        if (etcDir.isPresent() && Files.exists(etcDir.get().resolve("config.properties"))) {
            try (Reader reader = Files.newBufferedReader(etcDir.get().resolve("config.properties"))) {
                config.load(reader);
            }
        }
        boolean coordinator = Boolean.parseBoolean(config.getProperty("coordinator", "false"));
        String group = Optional.ofNullable(System.getenv("NOMAD_GROUP_NAME")).orElse(coordinator ? "coordinator" : "worker");
        String alloc = Optional.ofNullable(System.getenv("NOMAD_ALLOC_ID")).orElse("pid-" + ProcessHandle.current().pid());
        Journal journal = new Journal(journalDir(metricsFile.getParent()).resolve(group + "-" + alloc + ".log"));
        journal.write("start pid=" + ProcessHandle.current().pid() + " port=" + port + " coordinator=" + coordinator);
        Node node = new Node(alloc, coordinator, journal);
        Runtime.getRuntime().addShutdownHook(new Thread(node::shutdownHook, "fake-trino-shutdown"));

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/v1/info", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/v1/info")) {
                respond(exchange, 200, "{\"starting\":false,\"coordinator\":" + coordinator + "}");
            }
            else if (path.equals("/v1/info/state")) {
                node.state(exchange);
            }
            else {
                respond(exchange, 404, "");
            }
        });
        server.createContext("/v1/query", exchange -> respond(exchange, 200, "[]"));
        // the catalog statements of issue 18, as a coordinator with catalog.store=file: the catalogs of etc/catalog at start, then CREATE/DROP
        Set<String> catalogs = ConcurrentHashMap.newKeySet();
        catalogs.add("system");
        if (etcDir.isPresent() && Files.isDirectory(etcDir.get().resolve("catalog"))) {
            try (var files = Files.list(etcDir.get().resolve("catalog"))) {
                files.map(file -> file.getFileName().toString()).filter(file -> file.endsWith(".properties"))
                        .forEach(file -> catalogs.add(file.substring(0, file.length() - ".properties".length())));
            }
        }
        journal.write("catalogs " + new TreeSet<>(catalogs));
        server.createContext("/v1/statement", exchange -> {
            String sql = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).strip();
            journal.write("statement user=" + exchange.getRequestHeaders().getFirst("X-Trino-User") + " " + sql);
            java.util.regex.Matcher catalog = java.util.regex.Pattern.compile("(CREATE|DROP) CATALOG IF (NOT )?EXISTS \"([^\"]+)\".*").matcher(sql);
            if (sql.equals("SELECT catalog_name FROM system.metadata.catalogs")) {
                respond(exchange, 200, "{\"id\":\"fake\",\"data\":[" + new TreeSet<>(catalogs).stream().map(name -> "[\"" + name + "\"]")
                        .collect(java.util.stream.Collectors.joining(",")) + "]}");
            }
            else if (coordinator && catalog.matches()) {
                if (catalog.group(1).equals("CREATE")) {
                    catalogs.add(catalog.group(3));
                }
                else {
                    catalogs.remove(catalog.group(3));
                }
                respond(exchange, 200, "{\"id\":\"fake\",\"updateType\":\"" + catalog.group(1) + " CATALOG\"}");
            }
            else {
                respond(exchange, 200, "{\"id\":\"fake\",\"error\":{\"errorName\":\"NOT_SUPPORTED\",\"message\":\"the fake Trino runs no such statement\"}}");
            }
        });
        server.createContext("/fake/query", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            int seconds = Integer.parseInt(query == null ? "0" : query.replaceFirst("^seconds=", ""));
            respond(exchange, 200, node.runQuery(Duration.ofSeconds(seconds)));
        });
        server.createContext("/fake/announce", exchange -> {
            String[] announcement = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).strip().split(" ");
            node.announced(announcement[0], announcement[1]);
            respond(exchange, 200, "");
        });
        server.createContext("/metrics", exchange -> {
            if (!Files.exists(metricsFile)) {
                respond(exchange, 503, "");
                return;
            }
            String content = Files.readString(metricsFile).strip();
            int workers = content.equals(ANNOUNCED) ? node.activeWorkers() : Integer.parseInt(content);
            respond(exchange, 200, """
                    trino_execution_name_QueryManager_RunningQueries 0.0
                    trino_execution_name_QueryManager_QueuedQueries 0.0
                    trino_execution_name_QueryManager_FullyBlockedQueries 0.0
                    trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount %d.0
                    trino_metadata_name_DiscoveryNodeManager_DrainingNodeCount 0.0
                    trino_metadata_name_DiscoveryNodeManager_DrainedNodeCount 0.0
                    trino_metadata_name_DiscoveryNodeManager_ShuttingDownNodeCount 0.0
                    """.formatted(workers + 1));
        });
        server.start();
        String discovery = config.getProperty("discovery.uri");
        if (!coordinator && discovery != null) {
            node.announceTo(URI.create(discovery.strip() + "/fake/announce"));
        }
    }

    private static Optional<Path> etcDir(String[] args)
    {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--etc-dir") && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith("--etc-dir=")) {
                return Optional.of(Path.of(args[i].substring("--etc-dir=".length())));
            }
        }
        return Optional.empty();
    }

    /** One fake Trino node's state; every change under its lock, journaled. */
    private static final class Node
    {
        private final String id;
        private final boolean coordinator;
        private final Journal journal;
        private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fake-trino-timers");
            thread.setDaemon(true);
            return thread;
        });
        private final Map<String, String> announcements = new ConcurrentHashMap<>();
        private final Map<String, Long> announcedAt = new ConcurrentHashMap<>();
        private final Set<Integer> running = new TreeSet<>();
        private int queries;
        private String state = "ACTIVE";
        private long drainingSince;
        private boolean exiting;

        Node(String id, boolean coordinator, Journal journal)
        {
            this.id = id;
            this.coordinator = coordinator;
            this.journal = journal;
            timers.scheduleWithFixedDelay(this::tick, 100, 100, TimeUnit.MILLISECONDS);
        }

        void state(HttpExchange exchange)
                throws IOException
        {
            if (exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 200, "\"" + currentState() + "\"");
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).strip().replace("\"", "");
            if (exchange.getRequestHeaders().getFirst("X-Trino-User") == null) {
                respond(exchange, 401, "");
                return;
            }
            respond(exchange, change(body), "");
        }

        private synchronized String currentState()
        {
            return state;
        }

        private synchronized int change(String target)
        {
            if (coordinator && (target.equals("DRAINING") || target.equals("SHUTTING_DOWN"))) {
                return 500;
            }
            switch (target) {
                case "DRAINING" -> {
                    if (state.equals("SHUTTING_DOWN")) {
                        return 400;
                    }
                    if (state.equals("ACTIVE")) {
                        state = "DRAINING";
                        drainingSince = System.nanoTime();
                        journal.write("DRAINING (" + running.size() + " queries running)");
                    }
                    return 200;
                }
                case "ACTIVE" -> {
                    if (state.equals("SHUTTING_DOWN")) {
                        return 400;
                    }
                    if (!state.equals("ACTIVE")) {
                        journal.write("ACTIVE again (was " + state + ")");
                    }
                    state = "ACTIVE";
                    return 200;
                }
                case "SHUTTING_DOWN" -> {
                    if (!state.equals("SHUTTING_DOWN")) {
                        journal.write("SHUTTING_DOWN (was " + state + ", " + running.size() + " queries running)"
                                + (state.equals("DRAINED") ? "" : ": FAILED, shut down without a drain"));
                    }
                    state = "SHUTTING_DOWN";
                    return 200;
                }
                default -> {
                    return 400;
                }
            }
        }

        synchronized String runQuery(Duration length)
        {
            int query = ++queries;
            if (!state.equals("ACTIVE")) {
                journal.write("query " + query + " refused: the worker is " + state);
                return "refused";
            }
            running.add(query);
            journal.write("query " + query + " started (" + length.toSeconds() + " s)");
            timers.schedule(() -> finish(query), length.toMillis(), TimeUnit.MILLISECONDS);
            return Integer.toString(query);
        }

        private synchronized void finish(int query)
        {
            if (running.remove(query)) {
                journal.write("query " + query + " finished");
            }
        }

        private synchronized void tick()
        {
            if (state.equals("DRAINING") && running.isEmpty() && System.nanoTime() - drainingSince >= DRAIN_SETTLE.toNanos()) {
                state = "DRAINED";
                journal.write("DRAINED");
            }
            if (state.equals("SHUTTING_DOWN") && running.isEmpty() && !exiting) {
                exiting = true;
                journal.write("exit 0 after SHUTTING_DOWN");
                timers.schedule(() -> System.exit(0), 200, TimeUnit.MILLISECONDS);
            }
        }

        /** A signal (Nomad's kill signal passed on, or the JVM told to stop) rather than a shutdown through the state API. */
        private void shutdownHook()
        {
            synchronized (this) {
                if (exiting) {
                    return;
                }
                exiting = true;
                if (coordinator) {
                    journal.write("stopped by a signal (coordinator)");
                    return;
                }
                journal.write("stopped by a signal in state " + state + (state.equals("DRAINED") ? "" : ": FAILED, a worker gone without a drain"));
                for (int query : running) {
                    journal.write("query " + query + " FAILED: its worker stopped");
                }
            }
        }

        void announced(String worker, String workerState)
        {
            announcements.put(worker, workerState);
            announcedAt.put(worker, System.nanoTime());
        }

        int activeWorkers()
        {
            long now = System.nanoTime();
            return (int) announcements.entrySet().stream()
                    .filter(entry -> entry.getValue().equals("ACTIVE") && now - announcedAt.getOrDefault(entry.getKey(), 0L) < ANNOUNCED_FOR.toNanos())
                    .count();
        }

        void announceTo(URI coordinatorAnnounce)
        {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            timers.scheduleWithFixedDelay(() -> {
                try {
                    client.send(HttpRequest.newBuilder(coordinatorAnnounce).timeout(Duration.ofSeconds(1))
                            .POST(HttpRequest.BodyPublishers.ofString(id + " " + currentState())).build(), HttpResponse.BodyHandlers.discarding());
                }
                catch (IOException e) {
                    // the coordinator is not there (yet): announce again
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
        }
    }

    /** Appends timestamped lines ({@code <epoch millis> <event>}) to one file, flushed at once. */
    private static final class Journal
    {
        private final Path file;

        Journal(Path file)
                throws IOException
        {
            this.file = file;
            Files.createDirectories(file.getParent());
        }

        synchronized void write(String event)
        {
            try {
                Files.writeString(file, System.currentTimeMillis() + " " + event + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            catch (IOException e) {
                System.err.println("fake trino: cannot journal '" + event + "': " + e);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body)
            throws IOException
    {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
