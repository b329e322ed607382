package io.prestoorchestrator.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.prestoorchestrator.autoscaling.AutoscalingCollector;
import io.prestoorchestrator.autoscaling.CoordinatorTargets;
import io.prestoorchestrator.autoscaling.ScalingEventRecorder;
import io.prestoorchestrator.aws.AwsClients;
import io.prestoorchestrator.catalogs.LiveCatalogs;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.operations.ClusterService;
import io.prestoorchestrator.operations.ClusterStatuses;
import io.prestoorchestrator.config.ConfigException;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Version;
import io.prestoorchestrator.config.ssm.ParameterStore;
import io.prestoorchestrator.discovery.ConsulKvStore;
import io.prestoorchestrator.discovery.ConsulLeaderLock;
import io.prestoorchestrator.discovery.ConsulServiceHealth;
import io.prestoorchestrator.discovery.LeaderLock;
import io.prestoorchestrator.discovery.LeaderLockOptions;
import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.drain.ClusterWorkers;
import io.prestoorchestrator.drain.CoordinatorQueryTimeLeft;
import io.prestoorchestrator.drain.DrainMetrics;
import io.prestoorchestrator.drain.LiveWorkers;
import io.prestoorchestrator.drain.QueryTimeLeft;
import io.prestoorchestrator.drain.WorkerDrainer;
import io.prestoorchestrator.drain.WorkerPool;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.health.BlockingCheck;
import io.prestoorchestrator.health.DependencyCheck;
import io.prestoorchestrator.health.HttpLeaderCheck;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.lifecycle.AwsLifecycleActions;
import io.prestoorchestrator.lifecycle.Backoff;
import io.prestoorchestrator.lifecycle.CoordinatorWait;
import io.prestoorchestrator.lifecycle.LifecycleEndpoint;
import io.prestoorchestrator.lifecycle.LifecycleHooks;
import io.prestoorchestrator.lifecycle.LifecycleService;
import io.prestoorchestrator.lifecycle.NomadHttpNodes;
import io.prestoorchestrator.lifecycle.SqsLifecycleConsumer;
import io.prestoorchestrator.lifecycle.WorkerDrain;
import io.prestoorchestrator.nomad.NomadHttpJobs;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.time.Scheduler;
import io.prestoorchestrator.routing.PublicRoutes;
import io.prestoorchestrator.trino.TrinoHttpCoordinator;
import io.prestoorchestrator.trino.TrinoHttpProbe;
import io.prestoorchestrator.trino.TrinoHttpStatements;
import io.prestoorchestrator.trino.TrinoHttpWorkers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import static java.util.Objects.requireNonNull;

/**
 * The one place the service's parts are built: every adapter (Nomad, Consul, Trino, AWS) once, then
 * the services on top of them. {@link Orchestrator} owns the clients these adapters share (the Vert.x
 * web client, the AWS SDK clients, the blocking pool) and registers the services' routes.
 */
final class Wiring
{
    /** The Trino user the orchestrator acts as (metrics, worker state changes). */
    static final String TRINO_USER = "presto-orchestrator";

    private final OrchestratorConfig config;
    private final Optional<AwsClients> aws;
    private final WorkerExecutor blockingPool;
    private final String replicaId;
    private final Scheduler scheduler;

    // adapters, one of each
    private final DependencyHttp nomadHttp;
    private final DependencyHttp consulHttp;
    private final ConsulKvStore kv;
    private final ClusterRepository repository;
    private final NomadHttpJobs nomad;
    private final ConsulServiceHealth services;
    private final TrinoHttpWorkers trinoWorkers;
    private final TrinoHttpCoordinator trinoCoordinator;
    private final TrinoHttpProbe trinoProbe;

    // services
    private final QueryTimeLeft queryTimeLeft;
    private final ClusterService clusters;
    private final Optional<LifecycleHooks> lifecycle;
    private final LiveWorkers liveWorkers;
    private final CoordinatorTargets coordinatorTargets;
    private final AutoscalingCollector autoscaling;
    private final ScalingEventRecorder scalingEvents;

    /**
     * @param parameters the SSM parameter store, when {@code aws.enabled}
     * @param environment the process environment, for {@code ${env:NAME}} values in variable files
     * @throws ConfigException when the configuration asks for something the rest of it rules out
     */
    Wiring(OrchestratorConfig config, WebClient webClient, Optional<AwsClients> aws, Optional<ParameterStore> parameters, WorkerExecutor blockingPool,
            Scheduler scheduler, Clock clock, MeterRegistry registry, MeterRegistry userRegistry, String replicaId, Map<String, String> environment)
    {
        this.config = requireNonNull(config, "config is null");
        requireNonNull(webClient, "webClient is null");
        this.aws = requireNonNull(aws, "aws is null");
        requireNonNull(parameters, "parameters is null");
        this.blockingPool = requireNonNull(blockingPool, "blockingPool is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(registry, "registry is null");
        requireNonNull(userRegistry, "userRegistry is null");
        this.replicaId = requireNonNull(replicaId, "replicaId is null");
        requireNonNull(environment, "environment is null");
        Executor blocking = command -> blockingPool.executeBlocking(() -> {
            command.run();
            return null;
        }, false);

        this.nomadHttp = DependencyHttp.nomad(webClient, config.nomad());
        this.consulHttp = DependencyHttp.consul(webClient, config.consul());
        this.kv = new ConsulKvStore(consulHttp, config.consul().kvPrefix());
        this.repository = new ClusterRepository(kv);
        this.nomad = new NomadHttpJobs(nomadHttp, config.nomad(), config.leader().watchWait());
        this.services = new ConsulServiceHealth(consulHttp);
        this.trinoWorkers = new TrinoHttpWorkers(webClient, TRINO_USER, config.drain().requestTimeout());
        this.trinoCoordinator = new TrinoHttpCoordinator(webClient, TRINO_USER, config.autoscaling().requestTimeout());
        this.trinoProbe = new TrinoHttpProbe(webClient, TRINO_USER, config.autoscaling().requestTimeout());

        // how long each cluster's queries may still run, from its coordinator: what both drain paths' deadlines are derived from
        this.queryTimeLeft = new CoordinatorQueryTimeLeft(services, trinoCoordinator,
                cluster -> repository.cluster(cluster).thenApply(record -> record.map(found -> found.value().spec().properties())));
        this.lifecycle = lifecycleHooks(webClient, scheduler, clock, blocking);
        this.clusters = new ClusterService(
                repository,
                nomad,
                new JobRenderer(Path.of(config.clusters().templatesDir())),
                parameters,
                config.aws().ssmPrefix(),
                trinoProbe,
                services,
                blocking,
                scheduler,
                clock,
                Wiring::freeLocalPort,
                environment,
                Version.current(),
                config.clusters(),
                replicaId,
                config.leader().watchWait(),
                config.leader().retryInterval(),
                workerPool(scheduler, clock, registry));
        // issue 18: CREATE/DROP CATALOG on Trino coordinators as the orchestrator's Trino user
        clusters.useLiveCatalogs(new LiveCatalogs(new TrinoHttpStatements(webClient, TRINO_USER, Duration.ofSeconds(30))));
        PublicRoutes publicRoutes = new PublicRoutes(new ConsulKvStore(consulHttp, config.consul().traefikRootKey()));
        clusters.useBlueGreen(publicRoutes, trinoCoordinator);
        this.liveWorkers = new LiveWorkers(nomad, services, trinoWorkers);
        this.coordinatorTargets = new CoordinatorTargets(services, services);
        // every replica polls the coordinators for the scaling signal and the query counts; the leader persists what it counted
        this.autoscaling = new AutoscalingCollector(
                () -> clusters.list(Integer.MAX_VALUE, Optional.empty()),
                services,
                trinoCoordinator,
                kv,
                clusters::isLeader,
                registry,
                userRegistry,
                config.autoscaling(),
                clock);
        // issue 23: the status GET /v1/clusters/{name} shows, kept from batched blocking queries and the collector's last poll
        clusters.useStatusModel(new ClusterStatuses(nomad, nomad, services, Optional.of(publicRoutes), autoscaling::last, config.autoscaling().pollInterval().multipliedBy(2),
                blocking, scheduler.completingOn(blocking), clock, config.leader().watchWait(), config.leader().retryInterval()));
        // the leader records the scaling actions nomad-autoscaler (or anyone) took through Nomad in the clusters' events
        this.scalingEvents = new ScalingEventRecorder(
                () -> clusters.list(Integer.MAX_VALUE, Optional.empty()),
                nomad,
                repository::appendEvent,
                kv,
                clusters::isLeader,
                autoscaling::last);
    }

    ClusterService clusters()
    {
        return clusters;
    }

    Optional<LifecycleHooks> lifecycle()
    {
        return lifecycle;
    }

    LiveWorkers liveWorkers()
    {
        return liveWorkers;
    }

    CoordinatorTargets coordinatorTargets()
    {
        return coordinatorTargets;
    }

    AutoscalingCollector autoscaling()
    {
        return autoscaling;
    }

    ScalingEventRecorder scalingEvents()
    {
        return scalingEvents;
    }

    /** A Consul session lock on {@code <consul.kv-prefix>/leader}; its holder runs the operations (and the lifecycle drains). */
    LeaderLock leaderLock(Vertx vertx)
    {
        LeaderLockOptions options = new LeaderLockOptions("leader", replicaId, config.leader().sessionTtl(), config.leader().lockDelay(),
                config.leader().retryInterval(), config.leader().watchWait());
        LeadershipListener listener = lifecycle.map(hooks -> hooks.leadership(clusters.leadership())).orElse(clusters.leadership());
        return new ConsulLeaderLock(vertx, scheduler, consulHttp, config.consul().kvPrefix(), options, listener);
    }

    /** Drains before the orchestrator removes workers (issue 6); empty when {@code drain.enabled} is false. */
    private Optional<WorkerPool> workerPool(Scheduler scheduler, Clock clock, MeterRegistry registry)
    {
        if (!config.drain().enabled()) {
            return Optional.empty();
        }
        return Optional.of(new WorkerPool(new ClusterWorkers(nomad, services), trinoWorkers, workerDrainer(scheduler, clock), config.drain(), new DrainMetrics(registry)));
    }

    /** The one drain loop both drain paths use (an operation's scale-in, a terminating instance's workers). */
    private WorkerDrainer workerDrainer(Scheduler scheduler, Clock clock)
    {
        return new WorkerDrainer(trinoWorkers, clock, config.drain().pollInterval(), scheduler, config.drain().goneAfter(), queryTimeLeft,
                config.drain().queryLookInterval(), WorkerDrainer.DEFAULT_SETTLE);
    }

    /** Drain path 1: the lifecycle service, its SQS consumer (when a queue is configured) and its HTTP endpoint; empty when {@code lifecycle.enabled} is false. */
    private Optional<LifecycleHooks> lifecycleHooks(WebClient webClient, Scheduler scheduler, Clock clock, Executor blocking)
    {
        if (!config.lifecycle().enabled()) {
            return Optional.empty();
        }
        if (aws.isEmpty()) {
            throw new ConfigException("lifecycle.enabled", "is true but aws.enabled is false: completing lifecycle actions needs AWS");
        }
        AwsClients clients = aws.get();
        // a failed outside call (AWS, Nomad, Consul) is tried again after leader.retry-interval, doubling up to the
        // heartbeat interval: then a drain that keeps failing still heartbeats its lifecycle action about that often
        Backoff retries = new Backoff(config.leader().retryInterval(), max(config.leader().retryInterval(), config.lifecycle().heartbeatInterval()));
        WorkerDrainer drainer = workerDrainer(scheduler, clock);
        LifecycleService service = new LifecycleService(replicaId, kv, repository,
                new NomadHttpNodes(nomadHttp, config.nomad().nodeInstanceId()),
                new AwsLifecycleActions(clients.autoScaling(), blocking),
                config.drain().enabled() ? WorkerDrain.of(drainer) : WorkerDrain.disabled(),
                config.drain().enabled() ? CoordinatorWait.of(queryTimeLeft, clock, scheduler, config.drain().queryLookInterval()) : CoordinatorWait.disabled(),
                scheduler, clock, config.lifecycle(), config.lifecycle().nodePollInterval(), retries, config.leader().watchWait());
        Optional<SqsLifecycleConsumer> consumer = config.lifecycle().queueUrl().map(queue -> new SqsLifecycleConsumer(clients.sqs(), queue, service,
                config.lifecycle().pollWait(), config.lifecycle().visibilityTimeout(), retries, config.lifecycle().tendInterval(), clock, scheduler));
        LifecycleEndpoint endpoint = new LifecycleEndpoint(service, config.lifecycle().httpSecret(), config.lifecycle().httpSecretHeader(),
                url -> confirmSubscription(webClient, url));
        return Optional.of(new LifecycleHooks(service, consumer, endpoint));
    }

    /** Confirms an SNS subscription by visiting its SubscribeURL. */
    private static CompletionStage<Void> confirmSubscription(WebClient webClient, URI url)
    {
        return webClient.getAbs(url.toString()).timeout(10_000).send()
                .<Void>compose(response -> response.statusCode() / 100 == 2
                        ? Future.succeededFuture()
                        : Future.failedFuture(new DependencyException("sns", "SNS answered the subscription confirmation with " + response.statusCode(), false, null)))
                .toCompletionStage();
    }

    /** What {@code /health/ready} checks: Nomad and Consul have a leader; with AWS, SSM and Auto Scaling answer and the lifecycle queue can be read. */
    List<DependencyCheck> dependencyChecks()
    {
        List<DependencyCheck> checks = new ArrayList<>();
        checks.add(new HttpLeaderCheck("nomad", nomadHttp::leader));
        checks.add(new HttpLeaderCheck("consul", consulHttp::leader));
        aws.ifPresent(clients -> {
            checks.add(new BlockingCheck("aws-ssm", blockingPool, () -> {
                int visible = clients.ssm().getParametersByPath(GetParametersByPathRequest.builder()
                        .path(config.aws().ssmPrefix()).maxResults(1).build()).parameters().size();
                return new JsonObject().put("path", config.aws().ssmPrefix()).put("readable", true).put("sample", visible);
            }));
            checks.add(new BlockingCheck("aws-autoscaling", blockingPool, () -> {
                clients.autoScaling().describeAutoScalingGroups(DescribeAutoScalingGroupsRequest.builder().maxRecords(1).build());
                return new JsonObject().put("reachable", true);
            }));
            // the lifecycle hook's queue: a replica that cannot read it misses terminating instances
            if (config.lifecycle().enabled()) {
                config.lifecycle().queueUrl().ifPresent(queue -> checks.add(new BlockingCheck("aws-sqs", blockingPool, () -> lifecycleQueue(clients, queue))));
            }
        });
        return List.copyOf(checks);
    }

    /** How many of the lifecycle queue's messages wait and how many are in flight; fails naming the queue when it cannot be read. */
    private static JsonObject lifecycleQueue(AwsClients clients, String queueUrl)
    {
        String queue = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        try {
            Map<QueueAttributeName, String> attributes = clients.sqs().getQueueAttributes(GetQueueAttributesRequest.builder()
                    .queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)
                    .build()).attributes();
            return new JsonObject().put("queue", queue)
                    .put("messages", Integer.parseInt(attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")))
                    .put("inFlight", Integer.parseInt(attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")));
        }
        catch (SdkException e) {
            throw new IllegalStateException("the lifecycle queue " + queue + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * A free port on 127.0.0.1 whose next port is free too, for a local cluster's coordinator (static
     * discovery): side blue listens on it, side green on the next (issue 18's blue-green switch).
     */
    private static int freeLocalPort()
    {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (port < 65535) {
                    try (ServerSocket next = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                        return port;
                    }
                }
            }
            catch (IOException e) {
                // the next port is taken: try another pair
            }
        }
        throw new UncheckedIOException(new IOException("no two free adjacent local ports for a coordinator's two sides"));
    }

    private static Duration max(Duration a, Duration b)
    {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
