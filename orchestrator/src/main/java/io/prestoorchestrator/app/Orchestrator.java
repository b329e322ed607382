package io.prestoorchestrator.app;

import com.fasterxml.jackson.core.JsonFactory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prestoorchestrator.api.BearerAuthHandler;
import io.prestoorchestrator.api.ApiRouters;
import io.prestoorchestrator.api.AutoscalingRoutes;
import io.prestoorchestrator.api.ClusterRoutes;
import io.prestoorchestrator.api.ConsoleRoutes;
import io.prestoorchestrator.api.HttpServers;
import io.prestoorchestrator.api.WorkerRoutes;
import io.prestoorchestrator.autoscaling.AutoscalingCollector;
import io.prestoorchestrator.autoscaling.ScaleFront;
import io.prestoorchestrator.autoscaling.ScalingEventRecorder;
import io.prestoorchestrator.operations.ClusterService;
import io.prestoorchestrator.config.Version;
import io.prestoorchestrator.discovery.LeaderLock;
import io.prestoorchestrator.aws.AwsClients;
import io.prestoorchestrator.config.AuthConfig.ApiToken;
import io.prestoorchestrator.config.AuthConfig.Role;
import io.prestoorchestrator.config.ConfigException;
import io.prestoorchestrator.config.ConfigLoader;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.ssm.ParameterStore;
import io.prestoorchestrator.config.ssm.SsmParameterStore;
import io.prestoorchestrator.health.ReadinessHandler;
import io.prestoorchestrator.lifecycle.LifecycleHooks;
import io.prestoorchestrator.time.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * The running service: owns Vert.x, the shared clients and the HTTP servers; {@link Wiring} builds
 * the adapters and services on them, and this class routes the API to those services. {@link #start}
 * brings it up and starts contending for leadership (the leader runs the operations; every replica
 * serves the API); {@link #stop} gives leadership up, stops accepting requests, lets in-flight ones
 * finish (bounded by {@code http.shutdown-timeout}), then closes every client.
 */
public final class Orchestrator
{
    private static final Logger log = LoggerFactory.getLogger(Orchestrator.class);
    static final String CONTRACT_RESOURCE = "openapi.yaml";
    static final String LIFECYCLE_OPERATION = "postLifecycleEvent";

    private final OrchestratorConfig config;
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    /** Metrics labelled with Trino user names: served behind auth only ({@code GET /v1/metrics/queries}). */
    private final PrometheusMeterRegistry userRegistry;
    private final WorkerExecutor blockingPool;
    private final WebClient webClient;
    private final Optional<AwsClients> aws;
    private final Optional<ParameterStore> parameters;
    private final Clock clock;
    /** Every wait of the service (drain polls, backoffs, heartbeats): Vert.x timers. */
    private final Scheduler scheduler;
    private final Map<String, String> environment;
    private final Instant startedAt;
    private final String replicaId;
    private HttpServer server;
    private HttpServer scaleFront;
    private Wiring wiring;
    private ClusterService clusters;
    private LeaderLock leaderLock;
    private AutoscalingCollector autoscaling;
    private ScalingEventRecorder scalingEvents;
    /** Set on stop: the autoscaling rounds are no longer scheduled. */
    private volatile boolean autoscalingStopped;

    private Orchestrator(OrchestratorConfig config, Clock clock, Map<String, String> environment)
    {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.startedAt = clock.instant();
        this.replicaId = config.leader().replicaId().orElseGet(() -> defaultReplicaId(this.environment));
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.userRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setJvmMetricsEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME));
        this.vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(metrics))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        this.scheduler = new VertxScheduler(vertx);
        this.blockingPool = vertx.createSharedWorkerExecutor("orchestrator-blocking", 8, config.aws().requestTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
        this.webClient = WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("presto-orchestrator/" + Version.current())
                .setConnectTimeout((int) config.nomad().requestTimeout().toMillis()),
                // deployment watches hold a connection for a whole blocking query
                new PoolOptions().setHttp1MaxSize(32));
        this.aws = config.aws().enabled() ? Optional.of(new AwsClients(config.aws())) : Optional.empty();
        this.parameters = aws.map(clients -> new SsmParameterStore(clients.ssm()));
    }

    public static Future<Orchestrator> start(OrchestratorConfig config)
    {
        return start(config, Clock.systemUTC());
    }

    public static Future<Orchestrator> start(OrchestratorConfig config, Clock clock)
    {
        return start(config, clock, System.getenv());
    }

    /** @param environment the process environment, for {@code ${env:NAME}} values in variable files */
    public static Future<Orchestrator> start(OrchestratorConfig config, Clock clock, Map<String, String> environment)
    {
        Orchestrator orchestrator = new Orchestrator(config, clock, environment);
        return orchestrator.listen()
                .map(orchestrator)
                .recover(failure -> {
                    // close on a non-Vert.x thread, for the reason given on stop()
                    new Thread(orchestrator::closeClients, "close-after-failed-start").start();
                    return Future.failedFuture(failure);
                });
    }

    public int port()
    {
        return server.actualPort();
    }

    /** The scale front's port: nomad-autoscaler's Nomad target for the Trino worker groups ({@link ScaleFront}). */
    public int scaleFrontPort()
    {
        return scaleFront.actualPort();
    }

    public Vertx vertx()
    {
        return vertx;
    }

    public String replicaId()
    {
        return replicaId;
    }

    /** Whether this replica holds the leader lock now, and so runs the operations. */
    public boolean isLeader()
    {
        return clusters != null && clusters.isLeader();
    }

    /** The host name (from {@code HOSTNAME}, else the JVM's) and a random suffix, so two replicas on one host differ. */
    static String defaultReplicaId(Map<String, String> environment)
    {
        String host = Optional.ofNullable(environment.get("HOSTNAME")).filter(name -> !name.isBlank()).orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getHostName();
            }
            catch (IOException e) {
                return "orchestrator";
            }
        });
        String safe = host.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
        safe = safe.isEmpty() ? "orchestrator" : safe.substring(0, Math.min(safe.length(), 100));
        return safe + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private Future<Void> listen()
    {
        return loadTokens()
                .compose(tokens -> loadContract().map(contract -> {
                    // every adapter and service, built once; a configuration they rule out fails the start here
                    wiring = new Wiring(config, webClient, aws, parameters, blockingPool, scheduler, clock, registry, userRegistry, replicaId, environment);
                    clusters = wiring.clusters();
                    autoscaling = wiring.autoscaling();
                    scalingEvents = wiring.scalingEvents();
                    return router(contract, tokens);
                }))
                .compose(router -> HttpServers.listen(vertx, config.http(), config.http().port(), router))
                .compose(server -> {
                    this.server = server;
                    ScaleFront front = new ScaleFront(vertx, webClient, config.nomad(), clusters, autoscaling::last);
                    // the agent's blocking queries are silent until Nomad answers: the idle timeout must outlast them
                    Duration idle = config.http().idleTimeout().compareTo(ScaleFront.RELAY_TIMEOUT) > 0 ? config.http().idleTimeout() : ScaleFront.RELAY_TIMEOUT;
                    return HttpServers.listen(vertx, config.http(), config.autoscaling().scaleFrontPort(), idle, front.router());
                })
                .onSuccess(front -> {
                    this.scaleFront = front;
                    log.atInfo().addKeyValue("host", config.http().host()).addKeyValue("port", server.actualPort()).addKeyValue("scale_front_port", front.actualPort())
                            .addKeyValue("version", Version.current()).addKeyValue("replica", replicaId).log("Orchestrator listening");
                    // every replica serves the cluster records from memory, followed with a blocking query
                    clusters.follow();
                    contendForLeadership();
                    autoscalingRound(Duration.ZERO);
                })
                .mapEmpty();
    }

    /** A Consul session lock on {@code <consul.kv-prefix>/leader}; its holder runs the operations. */
    private void contendForLeadership()
    {
        leaderLock = wiring.leaderLock(vertx);
        Gauge.builder("orchestrator.leader", clusters, service -> service.isLeader() ? 1 : 0)
                .description("1 while this replica holds the leader lock and runs the operations, else 0")
                .tag("replica", replicaId)
                .register(registry);
        leaderLock.start();
    }

    private Future<List<ApiToken>> loadTokens()
    {
        List<ApiToken> fromFile = config.auth().tokens();
        if (config.auth().ssmPath().isEmpty()) {
            return checkSomeTokens(fromFile);
        }
        String path = config.auth().ssmPath().get();
        if (aws.isEmpty()) {
            return Future.failedFuture(new ConfigException("auth.ssm-path", "is set but aws.enabled is false; enable AWS or configure auth.tokens"));
        }
        ParameterStore store = parameters.orElseThrow();
        return blockingPool.executeBlocking(() -> {
            List<ApiToken> tokens = new ArrayList<>(fromFile);
            for (ParameterStore.Parameter parameter : store.byPath(path)) {
                tokens.add(tokenFromParameter(path, parameter));
            }
            log.atInfo().addKeyValue("path", path).addKeyValue("count", tokens.size() - fromFile.size()).log("Loaded API tokens from SSM");
            return List.copyOf(tokens);
        }, false).compose(Orchestrator::checkSomeTokens);
    }

    /** SSM token parameters are named {@code <ssm-path>/<role>/<name>}; the value is the token. */
    static ApiToken tokenFromParameter(String path, ParameterStore.Parameter parameter)
    {
        String relative = parameter.name().substring(path.length()).replaceFirst("^/", "");
        String[] parts = relative.split("/");
        if (parts.length != 2) {
            throw new ConfigException("auth.ssm-path", "holds parameter " + parameter.name() + "; token parameters must be named " + path + "/<admin|viewer>/<name>");
        }
        Role role;
        try {
            role = Role.valueOf(parts[0].toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new ConfigException("auth.ssm-path", "holds parameter " + parameter.name() + " with unknown role '" + parts[0] + "' (use admin or viewer)");
        }
        return new ApiToken(parts[1], role, parameter.value());
    }

    private static Future<List<ApiToken>> checkSomeTokens(List<ApiToken> tokens)
    {
        if (tokens.isEmpty()) {
            return Future.failedFuture(new ConfigException("auth.tokens",
                    "is empty and no tokens were found under auth.ssm-path: configure at least one API token, or nobody can use the API"));
        }
        return Future.succeededFuture(tokens);
    }

    private Future<OpenAPIContract> loadContract()
    {
        return OpenAPIContract.from(vertx, contractForValidation());
    }

    static String contractText()
    {
        try (InputStream in = Orchestrator.class.getClassLoader().getResourceAsStream(CONTRACT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CONTRACT_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The contract as handed to Vert.x. vertx-openapi 5.0 refuses to load a contract whose responses
     * use media types it cannot validate (application/problem+json, application/yaml), though it only
     * validates requests for us. So response bodies are dropped from this copy; the contract served
     * at /openapi.yaml is the file itself, unchanged.
     */
    static JsonObject contractForValidation()
    {
        try {
            var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
            JsonObject contract = new JsonObject(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(yaml.readTree(contractText())));
            JsonObject paths = contract.getJsonObject("paths", new JsonObject());
            for (String path : paths.fieldNames()) {
                JsonObject operations = paths.getJsonObject(path);
                for (String method : operations.fieldNames()) {
                    Object operation = operations.getValue(method);
                    if (operation instanceof JsonObject op && op.getJsonObject("responses") != null) {
                        JsonObject responses = op.getJsonObject("responses");
                        for (String status : List.copyOf(responses.fieldNames())) {
                            responses.put(status, new JsonObject().put("description", "see /openapi.yaml"));
                        }
                    }
                }
            }
            JsonObject components = contract.getJsonObject("components");
            if (components != null) {
                components.remove("responses");
            }
            return contract;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The routes of the contract's operations onto the services {@link Wiring} built, and the console's files. */
    private Router router(OpenAPIContract contract, List<ApiToken> tokens)
    {
        Optional<LifecycleHooks> lifecycle = wiring.lifecycle();
        Handler<RoutingContext> lifecycleAuthentication = lifecycle.map(hooks -> hooks.endpoint().authentication()).orElseGet(LifecycleHooks::disabledEndpoint);
        Function<Operation, Handler<RoutingContext>> bearer = BearerAuthHandler.forTokens(tokens);
        // every operation's route authenticates as the contract says for that operation (security, x-required-role),
        // before its body is read; the lifecycle endpoint (security: []) checks its shared secret there instead
        RouterBuilder builder = ApiRouters.builder(vertx, contract, config.http().maxBodySize(),
                operation -> operation.getOperationId().equals(LIFECYCLE_OPERATION) ? lifecycleAuthentication : bearer.apply(operation));
        ReadinessHandler readiness = new ReadinessHandler(vertx, wiring.dependencyChecks(), config.nomad().requestTimeout().plus(Duration.ofSeconds(1)));
        String contractText = contractText();
        builder.getRoute("liveness").addHandler(context -> context.json(new JsonObject().put("status", "UP")));
        builder.getRoute("readiness").addHandler(readiness.handler());
        builder.getRoute("metrics").addHandler(PrometheusScrapingHandler.create(registry));
        builder.getRoute("getQueryMetrics").addHandler(PrometheusScrapingHandler.create(userRegistry));
        builder.getRoute("contract").addHandler(context -> context.response().putHeader("Content-Type", "application/yaml").end(contractText));
        builder.getRoute("getInfo").addHandler(context -> context.json(new JsonObject()
                .put("service", "presto-orchestrator")
                .put("version", Version.current())
                .put("startedAt", startedAt.toString())
                .put("uptimeSeconds", Duration.between(startedAt, clock.instant()).toSeconds())
                .put("principal", context.<String>get(BearerAuthHandler.PRINCIPAL))
                .put("replica", replicaId)
                .put("leader", isLeader())));
        new ClusterRoutes(clusters).register(builder);
        new WorkerRoutes(clusters, wiring.liveWorkers()).register(builder);
        new AutoscalingRoutes(autoscaling, wiring.coordinatorTargets()).register(builder);
        builder.getRoute(LIFECYCLE_OPERATION).addHandler(lifecycle.<Handler<RoutingContext>>map(LifecycleHooks::endpoint).orElseGet(LifecycleHooks::disabledEndpoint));
        builder.getRoute("getConfig").addHandler(context -> context.response()
                .putHeader("Content-Type", "application/json")
                .end(effectiveConfigJson()));
        Router router = ApiRouters.build(builder, contract);
        // the console's static files: no data in them, so no token; the page's data calls go to the /v1 routes above
        ConsoleRoutes.fromClasspath().register(router);
        return router;
    }

    private String effectiveConfigJson()
    {
        try {
            // the config mapper writes every Secret as "******"
            return ConfigLoader.mapper(new JsonFactory()).writeValueAsString(config);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Gives up leadership, stops accepting connections, waits for in-flight requests up to {@code http.shutdown-timeout},
     * then closes clients and Vert.x. Blocks: call it from a thread that is not Vert.x's (the
     * shutdown hook, a test), so that closing Vert.x does not complete a future on a stopped event loop.
     */
    /**
     * One tick of the {@code autoscaling.poll-interval} timer, which calls it: every coordinator
     * polled for the signal once, and nomad-autoscaler's scaling events recorded. Public so that a
     * test drives the rounds it needs instead of waiting for the timer. A round still running makes
     * this one a no-op.
     */
    public CompletionStage<Void> pollAutoscaling()
    {
        return autoscaling.pollAll().thenCombine(scalingEvents.recordAll(), (polled, recorded) -> null);
    }

    /**
     * The {@code autoscaling.poll-interval} timer on the Scheduler: a round at once, then one every
     * interval from the start of the last (a round still running makes the next a no-op).
     */
    private void autoscalingRound(Duration delay)
    {
        scheduler.after(delay).thenRun(() -> {
            if (autoscalingStopped) {
                return;
            }
            autoscalingRound(config.autoscaling().pollInterval());
            pollAutoscaling();
        });
    }

    public void stop()
            throws InterruptedException
    {
        long timeout = config.http().shutdownTimeout().toMillis();
        autoscalingStopped = true;
        if (leaderLock != null) {
            // first, so that another replica takes over the operations at once
            await(Future.fromCompletionStage(leaderLock.close()), 10_000);
        }
        log.atInfo().addKeyValue("timeout_ms", timeout).log("Shutting down: no new requests, finishing in-flight ones");
        if (scaleFront != null) {
            // the agent's next call fails and it tries again at its next evaluation, against another replica or this one restarted
            await(scaleFront.close(), 5_000);
        }
        if (server != null) {
            await(server.shutdown(timeout, TimeUnit.MILLISECONDS), timeout + 5_000);
        }
        if (clusters != null) {
            clusters.close();
        }
        await(closeClients(), 10_000);
        log.info("Shut down");
    }

    private static void await(Future<Void> future, long timeoutMillis)
            throws InterruptedException
    {
        try {
            future.toCompletionStage().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.atWarn().setCause(e).log("Shutdown step did not finish cleanly");
        }
    }

    private Future<Void> closeClients()
    {
        if (wiring != null) {
            wiring.lifecycle().ifPresent(LifecycleHooks::close);
        }
        webClient.close();
        aws.ifPresent(AwsClients::close);
        blockingPool.close();
        return vertx.close();
    }
}
