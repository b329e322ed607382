package io.prestoorchestrator.testing;

import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * A real Nomad v1.6.1 cluster on 127.0.0.1 for integration tests: one server and three client
 * agents started by {@code scripts/nomad-local.sh} (the same script as the local stack), each
 * client with a fake EC2 instance id in its node meta ({@code meta.instance_id}), registering
 * services and running checks in the given Consul simulator through a local agent of its own.
 * Needs {@code NOMAD_BIN} from setup's env.sh.
 */
public final class TestingNomad
        implements AutoCloseable
{
    /** The node meta key the local clients carry their EC2 instance id in. */
    public static final String INSTANCE_ID_META = "instance_id";
    /**
     * First port of the clients' dynamic port ranges (3 x 1000, below the kernel's ephemeral range),
     * one range per failsafe fork ({@code it.fork}, 1 to {@link #MAX_FORKS}: the pom runs IT classes
     * in several JVMs at once) so that two real Nomads never hand out the same port: fork 1 gets
     * 10000-12999, fork 2 13000-15999, fork 3 16000-18999. Nomad does not check whether a host port is
     * free, only whether its own allocations hold it. Kept clear of the agents' port blocks
     * (19000-20799, see {@link #freePortBlock}), the local stack's (run-local.sh: 4646-9090,
     * 21000-23999) and LocalStackIT's (21000-30090).
     */
    private static final int MAX_FORKS = 3;
    private static final int FORK = fork(Integer.getInteger("it.fork", 1));
    private static final int DYNAMIC_PORTS = 10000 + (FORK - 1) * 3000;
    private static final Path SCRIPT = Path.of("../scripts/nomad-local.sh").toAbsolutePath().normalize();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final Path dir;
    private final URI address;

    private TestingNomad(Path dir, URI address)
    {
        this.dir = requireNonNull(dir, "dir is null");
        this.address = requireNonNull(address, "address is null");
    }

    /**
     * Starts the agents (data below {@code dir}), the server registering in {@code consul}'s main
     * agent and each client in an agent of its own that the simulator adds; returns once 3 client
     * nodes are ready.
     */
    public static TestingNomad start(Path dir, ConsulSimulator consul)
            throws IOException, InterruptedException
    {
        TestingEnvironment.require("NOMAD_BIN");
        String name = dir.getParent().getFileName().toString();
        List<String> agents = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            URI agent = consul.startAgent(name + "-client-" + i, 0);
            agents.add(agent.getHost() + ":" + agent.getPort());
        }
        int base = freePortBlock(40);
        int httpPort = base + 39;
        run(List.of(SCRIPT.toString(), "start", "--dir", dir.toString(), "--nomad", System.getenv("NOMAD_BIN"),
                "--http-port", Integer.toString(httpPort), "--port-base", Integer.toString(base),
                "--dynamic-ports", Integer.toString(DYNAMIC_PORTS), "--consul", consul.hostAndPort(), "--consul-agents", String.join(",", agents), "--clients", "3"),
                dir.resolveSibling(dir.getFileName() + "-start.log"));
        return new TestingNomad(dir, URI.create("http://127.0.0.1:" + httpPort));
    }

    /** Nomad's HTTP API, e.g. {@code http://127.0.0.1:15039}. */
    public URI address()
    {
        return address;
    }

    /** Where the agents keep their data: every allocation directory, and so every task process, is below it. */
    public Path dir()
    {
        return dir;
    }

    /** A call to Nomad's HTTP API, as the Nomad UI or CLI would make it. */
    public HttpResponse<String> call(String method, String path, String body)
            throws IOException, InterruptedException
    {
        return call(http, address, method, path, body);
    }

    /** A call to the Nomad HTTP API at {@code address} (real or simulated), with no token. */
    static HttpResponse<String> call(HttpClient http, URI address, String method, String path, String body)
            throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(address.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The EC2 instance id of a node, as the local clients carry it ({@value #INSTANCE_ID_META} in the node meta). */
    public String instanceId(String nodeId)
            throws IOException, InterruptedException
    {
        JsonObject node = new JsonObject(call("GET", "/v1/node/" + nodeId, null).body());
        return requireNonNull(node.getJsonObject("Meta").getString(INSTANCE_ID_META), "node " + nodeId + " has no meta." + INSTANCE_ID_META);
    }

    /** Node id -> EC2 instance id of every client node. */
    public Map<String, String> instanceIds()
            throws IOException, InterruptedException
    {
        JsonArray nodes = new JsonArray(call("GET", "/v1/nodes", null).body());
        Map<String, String> ids = new TreeMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String id = nodes.getJsonObject(i).getString("ID");
            ids.put(id, instanceId(id));
        }
        return ids;
    }

    /** A file of an allocation, read through Nomad's client filesystem API (e.g. {@code alloc/logs/trino.stderr.0}). */
    public String allocationFile(String allocId, String path)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = call("GET", "/v1/client/fs/cat/" + allocId + "?path=" + URLEncoder.encode(path, UTF_8), null);
        if (response.statusCode() != 200) {
            throw new IOException("Nomad answered " + response.statusCode() + " for " + path + " of allocation " + allocId + ": " + response.body());
        }
        return response.body();
    }

    /**
     * Stops the server agent (SIGTERM, as a supervisor stops it; SIGKILL after 30 s) and returns
     * once it has exited: the API answers nothing, the clients keep their allocations running.
     */
    public void stopServer()
            throws IOException, InterruptedException
    {
        long pid = Long.parseLong(Files.readString(dir.resolve("pids/server.pid")).strip());
        ProcessHandle server = ProcessHandle.of(pid).orElseThrow(() -> new IOException("the Nomad server (pid " + pid + ") is not running"));
        server.destroy();
        try {
            server.onExit().get(30, TimeUnit.SECONDS);
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            server.destroyForcibly();
            server.onExit().join();
        }
    }

    /** Starts the server agent again with its configuration and data (as nomad-local.sh starts it); returns once it has a leader. */
    public void startServer()
            throws IOException, InterruptedException
    {
        TestingEnvironment.require("NOMAD_BIN");
        Path log = dir.resolve("logs/server.log");
        Process process = new ProcessBuilder("setsid", System.getenv("NOMAD_BIN"), "agent", "-config=" + dir.resolve("server.hcl"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        // setsid execs Nomad in the same process: the pid file names it, and nomad-local.sh stop stops it
        Files.writeString(dir.resolve("pids/server.pid"), process.pid() + "\n");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Nomad server exited at once; see " + log);
            }
            try {
                HttpResponse<String> leader = call("GET", "/v1/status/leader", null);
                if (leader.statusCode() == 200 && leader.body().contains(":")) {
                    return;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException("the restarted Nomad server has no leader after 1 min; see " + log);
    }

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        run(List.of(SCRIPT.toString(), "stop", "--dir", dir.toString()), dir.resolveSibling(dir.getFileName() + "-stop.log"));
    }

    private static void run(List<String> command, Path log)
            throws IOException, InterruptedException
    {
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command) + "; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n" + Files.readString(log, UTF_8));
        }
    }

    private static int fork(int fork)
    {
        if (fork < 1 || fork > MAX_FORKS) {
            throw new IllegalStateException("it.fork is " + fork + ": TestingNomad keeps the ports of at most " + MAX_FORKS + " parallel failsafe forks apart; set -Dit.forks=1 to " + MAX_FORKS);
        }
        return fork;
    }

    /** The first of {@code size} consecutive free ports on 127.0.0.1, below the kernel's ephemeral range. */
    private static int freePortBlock(int size)
    {
        for (int attempt = 0; attempt < 50; attempt++) {
            // each fork its own 600 ports (19000-19599, 19600-20199, 20200-20799): two forks never race for one block
            int base = 19000 + (FORK - 1) * 600 + ThreadLocalRandom.current().nextInt(6) * 100;
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int port = base; port < base + size; port++) {
                    held.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
                }
                return base;
            }
            catch (IOException taken) {
                // try another block
            }
            finally {
                for (ServerSocket socket : held) {
                    try {
                        socket.close();
                    }
                    catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        throw new IllegalStateException("no block of " + size + " free ports found between 19000 and 20800");
    }
}
