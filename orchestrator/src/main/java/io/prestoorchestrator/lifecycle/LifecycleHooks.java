package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.config.ConfigException;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.discovery.ConsulKvStore;
import io.prestoorchestrator.discovery.KvStore;
import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.trino.TrinoHttpWorkers;
import io.prestoorchestrator.drain.QueryTimeLeft;
import io.prestoorchestrator.drain.WorkerDrainer;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.time.Scheduler;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import static java.util.Objects.requireNonNull;

/** Drain path 1 wired together: the service, its SQS consumer (when a queue is configured) and its HTTP endpoint. */
public final class LifecycleHooks
        implements AutoCloseable
{
    private final LifecycleService service;
    private final Optional<SqsLifecycleConsumer> consumer;
    private final LifecycleEndpoint endpoint;

    private LifecycleHooks(LifecycleService service, Optional<SqsLifecycleConsumer> consumer, LifecycleEndpoint endpoint)
    {
        this.service = requireNonNull(service, "service is null");
        this.consumer = requireNonNull(consumer, "consumer is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
    }

    /** Empty when {@code lifecycle.enabled} is false. */
    public static Optional<LifecycleHooks> create(Vertx vertx, WebClient webClient, OrchestratorConfig config, Optional<AutoScalingClient> autoScaling, Optional<SqsClient> sqs, String replicaId,
            String trinoUser, QueryTimeLeft queryTimeLeft, Clock clock, Scheduler scheduler, Executor blocking)
    {
        if (!config.lifecycle().enabled()) {
            return Optional.empty();
        }
        if (autoScaling.isEmpty() || sqs.isEmpty()) {
            throw new ConfigException("lifecycle.enabled", "is true but aws.enabled is false: completing lifecycle actions needs AWS");
        }
        KvStore kv = new ConsulKvStore(DependencyHttp.consul(webClient, config.consul()), config.consul().kvPrefix());
        // a failed outside call (AWS, Nomad, Consul) is tried again after leader.retry-interval, doubling up to the
        // heartbeat interval: then a drain that keeps failing still heartbeats its lifecycle action about that often
        Backoff retries = new Backoff(config.leader().retryInterval(), max(config.leader().retryInterval(), config.lifecycle().heartbeatInterval()));
        WorkerDrainer drainer = new WorkerDrainer(new TrinoHttpWorkers(webClient, trinoUser, config.drain().requestTimeout()), clock, config.drain().pollInterval(), scheduler, queryTimeLeft);
        LifecycleService service = new LifecycleService(replicaId, kv, new ClusterRepository(kv),
                new NomadHttpNodes(DependencyHttp.nomad(webClient, config.nomad()), config.nomad().nodeInstanceId()),
                new AwsLifecycleActions(autoScaling.get(), blocking),
                config.drain().enabled() ? WorkerDrain.of(drainer) : WorkerDrain.disabled(),
                config.drain().enabled() ? CoordinatorWait.of(queryTimeLeft, clock, scheduler, config.lifecycle().coordinatorLookInterval()) : CoordinatorWait.disabled(),
                scheduler, clock, config.lifecycle(), config.lifecycle().nodePollInterval(), retries, config.leader().watchWait());
        Optional<SqsLifecycleConsumer> consumer = config.lifecycle().queueUrl().map(queue -> new SqsLifecycleConsumer(sqs.get(), queue, service,
                config.lifecycle().pollWait(), config.lifecycle().visibilityTimeout(), retries, config.lifecycle().tendInterval(), clock, scheduler));
        LifecycleEndpoint endpoint = new LifecycleEndpoint(service, config.lifecycle().httpSecret(), config.lifecycle().httpSecretHeader(),
                url -> confirm(webClient, url));
        return Optional.of(new LifecycleHooks(service, consumer, endpoint));
    }

    private static Duration max(Duration a, Duration b)
    {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The endpoint when lifecycle hooks are off: 404 naming the settings. */
    public static Handler<RoutingContext> disabledEndpoint()
    {
        return context -> context.fail(new io.prestoorchestrator.error.NotFoundException(
                "Lifecycle events over HTTP are not configured: set lifecycle.enabled and lifecycle.http-secret"));
    }

    private static CompletionStage<Void> confirm(WebClient webClient, URI url)
    {
        return webClient.getAbs(url.toString()).timeout(10_000).send()
                .<Void>compose(response -> response.statusCode() / 100 == 2
                        ? io.vertx.core.Future.succeededFuture()
                        : io.vertx.core.Future.failedFuture(new DependencyException("sns", "SNS answered the subscription confirmation with " + response.statusCode(), false, null)))
                .toCompletionStage();
    }

    public LifecycleService service()
    {
        return service;
    }

    public LifecycleEndpoint endpoint()
    {
        return endpoint;
    }

    /** {@code others}, then this service and its consumer, told of leadership changes. */
    public LeadershipListener leadership(LeadershipListener others)
    {
        requireNonNull(others, "others is null");
        return new LeadershipListener()
        {
            @Override
            public void gained()
            {
                others.gained();
                service.gained();
                consumer.ifPresent(SqsLifecycleConsumer::gained);
            }

            @Override
            public void lost(String reason)
            {
                consumer.ifPresent(sqs -> sqs.lost(reason));
                service.lost(reason);
                others.lost(reason);
            }
        };
    }

    @Override
    public void close()
    {
        consumer.ifPresent(SqsLifecycleConsumer::close);
    }
}
