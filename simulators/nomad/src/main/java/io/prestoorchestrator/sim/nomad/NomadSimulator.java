package io.prestoorchestrator.sim.nomad;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * An embeddable Nomad agent simulator: HTTP API, scheduler-like placement over virtual nodes,
 * and a raw_exec driver that runs real processes. {@link #close()} stops every task it started.
 *
 * <pre>{@code
 * try (NomadSimulator nomad = new NomadSimulator(NomadSimulatorConfig.defaults(3, "dc1", dir))) {
 *     nomad.start();
 *     URI api = nomad.address(); // http://127.0.0.1:<port>
 * }
 * }</pre>
 */
public final class NomadSimulator
        implements AutoCloseable
{
    /** How long {@link #close()} lets tasks stop through their kill signal before killing them; below scripts/stop-local.sh's 40 s grace. */
    static final long SHUTDOWN_TASK_WAIT_MILLIS = 25_000;

    private static final Logger log = LoggerFactory.getLogger(NomadSimulator.class);

    private final NomadSimulatorConfig config;
    private final Vertx vertx;
    private final ScheduledExecutorService timers;
    private final ExecutorService taskPool;
    private final ClusterState state;
    private final TaskRunners runners;
    private final HttpApi api;
    private volatile HttpServer server;
    private volatile boolean closed;

    public NomadSimulator(NomadSimulatorConfig config)
    {
        this.config = requireNonNull(config, "config is null");
        try {
            Files.createDirectories(config.dataDir());
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot create data dir " + config.dataDir(), e);
        }
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
        this.timers = Executors.newScheduledThreadPool(1, named("nomad-sim-timer"));
        this.taskPool = Executors.newCachedThreadPool(named("nomad-sim-task"));
        this.state = new ClusterState(Clock.systemUTC(), timers, config.region(), config.nodes(),
                config.bindAddress() + ":" + config.port(), config.minHealthyTimeOverride());
        this.runners = new TaskRunners(state, taskPool, config.dataDir(), config.consulAddress().map(ConsulServices::new));
        this.state.setDriver(runners);
        this.api = new HttpApi(vertx, state, config, () -> config.bindAddress() + ":" + port());
    }

    private static ThreadFactory named(String prefix)
    {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Starts listening; returns this. */
    public NomadSimulator start()
    {
        HttpServer httpServer = vertx.createHttpServer(new HttpServerOptions().setHost(config.bindAddress()).setPort(config.port()));
        httpServer.requestHandler(api);
        try {
            server = httpServer.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on " + config.bindAddress() + ":" + config.port(), e);
        }
        log.info("nomad simulator listening: address={} nodes={} consul={} acl={}", address(), config.nodes().size(),
                config.consulAddress().map(Object::toString).orElse("none"), config.aclToken().isPresent());
        return this;
    }

    public int port()
    {
        HttpServer current = server;
        if (current == null) {
            throw new IllegalStateException("not started");
        }
        return current.actualPort();
    }

    /** The HTTP API address, e.g. {@code http://127.0.0.1:4646}. */
    public java.net.URI address()
    {
        String host = config.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : config.bindAddress();
        return java.net.URI.create("http://" + host + ":" + port());
    }

    public NomadSimulatorConfig config()
    {
        return config;
    }

    /** EC2 instance ids of the virtual nodes, by node name. */
    public Map<String, String> instanceIds()
    {
        return state.read(() -> {
            Map<String, String> ids = new java.util.LinkedHashMap<>();
            state.nodes().forEach(node -> ids.put(node.spec.name(), node.instanceId));
            return ids;
        });
    }

    /** Requests served so far by "METHOD /path" (query dropped): shows which endpoints a client used. */
    public Map<String, Long> requestCounts()
    {
        return api.requestCounts("");
    }

    /**
     * Blocking queries parked now (waiting for a change or their wait time); for tests that must
     * know a long poll has arrived before they write, as the Consul simulator's.
     */
    public int parkedQueries()
    {
        return api.parkedQueries();
    }

    /** Like {@link #requestCounts()}, only from clients whose User-Agent starts with the prefix (Go's is "Go-http-client"). */
    public Map<String, Long> requestCounts(String userAgentPrefix)
    {
        return api.requestCounts(userAgentPrefix);
    }

    /** Process ids of an allocation's running raw_exec tasks, by task name. */
    public Map<String, Long> taskPids(String allocId)
    {
        return runners.pids(allocId);
    }

    /** How many script checks of an allocation still run; 0 once its services are deregistered and their last update sent. */
    public int scriptChecksRunning(String allocId)
    {
        return runners.scriptChecksRunning(allocId);
    }

    /** Stops every task through the kill-signal path (bounded wait), then the HTTP server. */
    @Override
    public void close()
    {
        if (closed) {
            return;
        }
        closed = true;
        long maxKill = state.read(() -> state.allocs().stream()
                .flatMap(alloc -> {
                    List<Long> timeouts = new java.util.ArrayList<>();
                    alloc.groupSpec().get("Tasks").forEach(task -> timeouts.add(task.get("KillTimeout").asLong() + task.get("ShutdownDelay").asLong()));
                    return timeouts.stream();
                })
                .mapToLong(Long::longValue).max().orElse(0));
        // Tasks get the kill-signal path, but a simulator going away must not wait out a worker's
        // drain (kill_timeout can be minutes): whatever still runs after SHUTDOWN_TASK_WAIT is killed,
        // so no task process outlives the simulator (a real Nomad client would leave tasks running).
        runners.closeAll(Math.min(TimeUnit.NANOSECONDS.toMillis(maxKill) + 5_000, SHUTDOWN_TASK_WAIT_MILLIS));
        timers.shutdownNow();
        taskPool.shutdownNow();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            log.warn("vert.x did not close cleanly", e);
        }
        log.info("nomad simulator stopped");
    }

    Optional<ClusterState> state()
    {
        return Optional.of(state);
    }
}
