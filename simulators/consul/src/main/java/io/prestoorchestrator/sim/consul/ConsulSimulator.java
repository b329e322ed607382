package io.prestoorchestrator.sim.consul;

import io.prestoorchestrator.sim.consul.acl.Acl;
import io.prestoorchestrator.sim.consul.agent.CheckClients;
import io.prestoorchestrator.sim.consul.agent.LocalAgent;
import io.prestoorchestrator.sim.consul.blocking.BlockingQueries;
import io.prestoorchestrator.sim.consul.http.AgentScope;
import io.prestoorchestrator.sim.consul.http.ConsulApi;
import io.prestoorchestrator.sim.consul.http.RequestJournal;
import io.prestoorchestrator.sim.consul.state.NodeInfo;
import io.prestoorchestrator.sim.consul.state.Scheduler;
import io.prestoorchestrator.sim.consul.state.StateStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * A Consul HTTP-API simulator (single node, single datacenter, always the leader; {@link #startAgent}
 * adds local agents that share its catalog, one per Nomad client) that tests can
 * embed:
 * <pre>{@code
 * try (ConsulSimulator consul = ConsulSimulator.builder().port(0).build().startAndWait()) {
 *     URI api = consul.baseUri(); // http://127.0.0.1:<port>
 * }
 * }</pre>
 * All state lives on one Vert.x event-loop context; no request blocks it.
 */
public final class ConsulSimulator
        implements AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(ConsulSimulator.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final ConsulSimulatorConfig config;
    private final Vertx vertx;
    private final boolean ownsVertx;
    private final String nodeId = UUID.randomUUID().toString();
    private final RequestJournal journal = new RequestJournal();

    private volatile SimulatorVerticle verticle;
    private volatile String deploymentId;
    private volatile boolean closed;

    private ConsulSimulator(ConsulSimulatorConfig config, Optional<Vertx> vertx)
    {
        this.config = requireNonNull(config, "config is null");
        this.ownsVertx = vertx.isEmpty();
        this.vertx = vertx.orElseGet(() -> Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)));
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public ConsulSimulatorConfig config()
    {
        return config;
    }

    /**
     * Binds the HTTP port; completes once the simulator answers requests.
     */
    public synchronized Future<ConsulSimulator> start()
    {
        if (closed) {
            return Future.failedFuture(new IllegalStateException("simulator is closed"));
        }
        if (verticle != null) {
            return Future.failedFuture(new IllegalStateException("simulator already started"));
        }
        SimulatorVerticle newVerticle = new SimulatorVerticle();
        verticle = newVerticle;
        return vertx.deployVerticle(newVerticle)
                .map(id -> {
                    deploymentId = id;
                    log.info("Consul simulator listening: address={} datacenter={} node={} acl={}",
                            baseUri(), config.datacenter(), config.nodeName(), config.aclToken().isPresent() ? "enabled (default deny)" : "disabled");
                    return this;
                });
    }

    /**
     * {@link #start()} and wait for it; must not be called on a Vert.x event loop.
     */
    public ConsulSimulator startAndWait()
    {
        try {
            return start().toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Consul simulator", e);
        }
        catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Consul simulator did not start on " + config.bindAddress() + ":" + config.port() + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * The bound port (the real one when configured with port 0).
     */
    public int port()
    {
        SimulatorVerticle current = verticle;
        if (current == null || current.server == null) {
            throw new IllegalStateException("simulator is not started");
        }
        return current.server.actualPort();
    }

    /**
     * host:port, the form Consul clients and Traefik's endpoint.address take.
     */
    public String hostAndPort()
    {
        return config.advertiseAddress() + ":" + port();
    }

    public URI baseUri()
    {
        return URI.create("http://" + hostAndPort());
    }

    /**
     * Starts another local agent sharing this simulator's catalog, KV and sessions, listening on
     * {@code port} (0: ephemeral) of the bind address, and returns its base URI. Its /v1/agent
     * endpoints see only what was registered through it, as a Consul client agent on another node
     * would (see {@link AgentScope}); every Nomad client of a local Nomad cluster gets one.
     * Must not be called on a Vert.x event loop.
     */
    public URI startAgent(String name, int port)
    {
        SimulatorVerticle current = verticle;
        if (current == null || current.server == null) {
            throw new IllegalStateException("simulator is not started");
        }
        try {
            HttpServer server = current.startAgent(name, port).toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Consul simulator agent listening: agent={} address=http://{}:{}", name, config.advertiseAddress(), server.actualPort());
            return URI.create("http://" + config.advertiseAddress() + ":" + server.actualPort());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting agent " + name, e);
        }
        catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("agent " + name + " did not start on " + config.bindAddress() + ":" + port + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * Restarts the simulator as a Consul server restart that keeps its data (Raft) looks to its
     * clients: every listener (the main one and each local agent's) closes, which cuts every open
     * connection and parked blocking query; after {@code down} they listen again on the same ports,
     * with the catalog, KV and sessions as they were, and every session's TTL timer reset, as
     * Consul resets them when a leader is elected. Returns once listening again. Must not be called
     * on a Vert.x event loop.
     */
    public void restart(Duration down)
    {
        SimulatorVerticle current = verticle;
        if (current == null || current.server == null) {
            throw new IllegalStateException("simulator is not started");
        }
        try {
            current.restart(down).toCompletionStage().toCompletableFuture().get(down.plus(START_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
            log.info("Consul simulator restarted: address={} down={}ms", baseUri(), down.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting the Consul simulator", e);
        }
        catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Consul simulator did not restart: " + cause.getMessage(), cause);
        }
    }

    /**
     * Blocking queries currently parked (waiting for a change or their wait time); for tests that
     * must know a long poll has arrived before they write.
     */
    public int parkedQueries()
    {
        SimulatorVerticle current = verticle;
        return current == null || current.blockingQueries == null ? 0 : current.blockingQueries.parkedQueries();
    }

    /**
     * The endpoints clients have called so far, and calls to endpoints that are not simulated.
     */
    public RequestJournal requests()
    {
        return journal;
    }

    /**
     * Stops the server, the check runners and timers (and the owned Vert.x instance) and waits for
     * that; idempotent. Must not be called on a Vert.x event loop.
     */
    @Override
    public void close()
    {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (deploymentId != null) {
                await(vertx.undeploy(deploymentId));
            }
            if (ownsVertx) {
                await(vertx.close());
            }
            log.info("Consul simulator stopped");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (ExecutionException | TimeoutException e) {
            log.warn("Consul simulator did not stop cleanly: {}", e.toString());
        }
    }

    private static void await(Future<?> future)
            throws InterruptedException, ExecutionException, TimeoutException
    {
        future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private final class SimulatorVerticle
            extends VerticleBase
    {
        private volatile HttpServer server;
        private final List<HttpServer> agentServers = new ArrayList<>();
        private final List<ConsulApi> agentApis = new ArrayList<>();
        private ConsulApi api;
        private StateStore store;
        private Acl acl;
        private AgentScope scope;
        private LocalAgent agent;
        private volatile BlockingQueries blockingQueries;
        private CheckClients checkClients;

        @Override
        public Future<?> start()
        {
            Scheduler scheduler = contextScheduler(vertx, context);
            NodeInfo node = new NodeInfo(config.nodeName(), nodeId, config.advertiseAddress(), config.datacenter());
            store = new StateStore(node, Clock.systemUTC(), scheduler, config.sessionTtlMin());
            blockingQueries = new BlockingQueries(scheduler);
            store.addListener(blockingQueries);
            checkClients = CheckClients.create(vertx);
            agent = new LocalAgent(store, scheduler, checkClients, Clock.systemUTC(), config.checkReapInterval(), config.checkDeregisterIntervalMin());
            agent.start();
            acl = new Acl(config.aclToken());
            scope = AgentScope.main();
            api = new ConsulApi(store, agent, acl, blockingQueries, journal, scope);
            return vertx.createHttpServer(new HttpServerOptions().setHost(config.bindAddress()).setPort(config.port()).setCompressionSupported(true))
                    .requestHandler(api)
                    .listen()
                    .onSuccess(bound -> server = bound);
        }

        /** On the verticle's context, so the agent's requests run where all state lives. */
        Future<HttpServer> startAgent(String name, int port)
        {
            Promise<HttpServer> started = Promise.promise();
            context.runOnContext(ignored -> {
                ConsulApi api = new ConsulApi(store, agent, acl, blockingQueries, journal, scope.forAgent(name));
                vertx.createHttpServer(new HttpServerOptions().setHost(config.bindAddress()).setPort(port).setCompressionSupported(true))
                        .requestHandler(api)
                        .listen()
                        .onSuccess(bound -> {
                            agentServers.add(bound);
                            agentApis.add(api);
                        })
                        .onComplete(started);
            });
            return started.future();
        }

        /** Closes every listener, and after {@code down} listens again on the same ports; on the verticle's context. */
        Future<Void> restart(Duration down)
        {
            Promise<Void> restarted = Promise.promise();
            context.runOnContext(ignored -> {
                int mainPort = server.actualPort();
                List<Integer> agentPorts = agentServers.stream().map(HttpServer::actualPort).toList();
                List<Future<Void>> closed = new ArrayList<>();
                closed.add(server.close());
                agentServers.forEach(agentServer -> closed.add(agentServer.close()));
                Future.join(closed).onComplete(down1 -> {
                    // their connections are gone: nothing reaches the clients, the waiters are dropped
                    blockingQueries.releaseAll();
                }).onComplete(down1 -> vertx.setTimer(Math.max(1, down.toMillis()), timer -> context.runOnContext(nothing -> {
                    List<Future<HttpServer>> listening = new ArrayList<>();
                    listening.add(listen(api, mainPort).onSuccess(bound -> server = bound));
                    List<HttpServer> newAgentServers = new ArrayList<>();
                    for (int i = 0; i < agentPorts.size(); i++) {
                        listening.add(listen(agentApis.get(i), agentPorts.get(i)).onSuccess(newAgentServers::add));
                    }
                    Future.join(listening).onComplete(done -> {
                        agentServers.clear();
                        agentServers.addAll(newAgentServers);
                        store.sessions().forEach(session -> store.renewSession(session.id()));
                    }).<Void>mapEmpty().onComplete(restarted);
                })));
            });
            return restarted.future();
        }

        private Future<HttpServer> listen(ConsulApi handler, int port)
        {
            return vertx.createHttpServer(new HttpServerOptions().setHost(config.bindAddress()).setPort(port).setCompressionSupported(true))
                    .requestHandler(handler)
                    .listen();
        }

        @Override
        public Future<?> stop()
        {
            agent.close();
            blockingQueries.releaseAll();
            List<Future<Void>> closed = new ArrayList<>();
            closed.add(server == null ? Future.succeededFuture() : server.close());
            agentServers.forEach(agentServer -> closed.add(agentServer.close()));
            return Future.join(closed).transform(ignored -> checkClients.close());
        }
    }

    /**
     * Timers whose tasks always run on the simulator's context, whichever thread scheduled them.
     */
    private static Scheduler contextScheduler(Vertx vertx, Context context)
    {
        return (delay, task) -> {
            long id = vertx.setTimer(Math.max(1, delay.toMillis()), ignored -> context.runOnContext(nothing -> task.run()));
            return () -> vertx.cancelTimer(id);
        };
    }

    public static final class Builder
    {
        private ConsulSimulatorConfig config = ConsulSimulatorConfig.defaults();
        private Optional<Vertx> vertx = Optional.empty();

        private Builder() {}

        public Builder config(ConsulSimulatorConfig config)
        {
            this.config = requireNonNull(config, "config is null");
            return this;
        }

        public Builder bindAddress(String bindAddress)
        {
            return config(new ConsulSimulatorConfig(bindAddress, config.port(), config.aclToken(), config.nodeName(), config.datacenter(),
                    config.sessionTtlMin(), config.checkReapInterval(), config.checkDeregisterIntervalMin()));
        }

        /**
         * 0 for an ephemeral port (read it back with {@link ConsulSimulator#port()}).
         */
        public Builder port(int port)
        {
            return config(new ConsulSimulatorConfig(config.bindAddress(), port, config.aclToken(), config.nodeName(), config.datacenter(),
                    config.sessionTtlMin(), config.checkReapInterval(), config.checkDeregisterIntervalMin()));
        }

        /**
         * Enables ACLs (default deny) with this management token.
         */
        public Builder aclToken(String aclToken)
        {
            return config(new ConsulSimulatorConfig(config.bindAddress(), config.port(), Optional.of(aclToken), config.nodeName(), config.datacenter(),
                    config.sessionTtlMin(), config.checkReapInterval(), config.checkDeregisterIntervalMin()));
        }

        public Builder nodeName(String nodeName)
        {
            return config(new ConsulSimulatorConfig(config.bindAddress(), config.port(), config.aclToken(), nodeName, config.datacenter(),
                    config.sessionTtlMin(), config.checkReapInterval(), config.checkDeregisterIntervalMin()));
        }

        public Builder datacenter(String datacenter)
        {
            return config(new ConsulSimulatorConfig(config.bindAddress(), config.port(), config.aclToken(), config.nodeName(), datacenter,
                    config.sessionTtlMin(), config.checkReapInterval(), config.checkDeregisterIntervalMin()));
        }

        public Builder sessionTtlMin(Duration sessionTtlMin)
        {
            return config(new ConsulSimulatorConfig(config.bindAddress(), config.port(), config.aclToken(), config.nodeName(), config.datacenter(),
                    sessionTtlMin, config.checkReapInterval(), config.checkDeregisterIntervalMin()));
        }

        /**
         * How fast DeregisterCriticalServiceAfter acts: the reap interval and the minimum timeout
         * (Consul's agent uses 30s and 1m; tests may shorten both).
         */
        public Builder checkReaping(Duration reapInterval, Duration deregisterIntervalMin)
        {
            return config(new ConsulSimulatorConfig(config.bindAddress(), config.port(), config.aclToken(), config.nodeName(), config.datacenter(),
                    config.sessionTtlMin(), reapInterval, deregisterIntervalMin));
        }

        /**
         * Runs on the caller's Vert.x instance (not closed by the simulator) instead of an own one.
         */
        public Builder vertx(Vertx vertx)
        {
            this.vertx = Optional.of(requireNonNull(vertx, "vertx is null"));
            return this;
        }

        public ConsulSimulator build()
        {
            return new ConsulSimulator(config, vertx);
        }
    }
}
