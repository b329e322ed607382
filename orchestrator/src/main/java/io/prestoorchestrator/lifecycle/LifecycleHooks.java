package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.discovery.LeadershipListener;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Drain path 1 together: the service, its SQS consumer (when a queue is configured) and its HTTP endpoint, told of leadership as one. */
public final class LifecycleHooks
        implements AutoCloseable
{
    private final LifecycleService service;
    private final Optional<SqsLifecycleConsumer> consumer;
    private final LifecycleEndpoint endpoint;

    /** Built in {@code app/}, which constructs the adapters the service and the consumer use. */
    public LifecycleHooks(LifecycleService service, Optional<SqsLifecycleConsumer> consumer, LifecycleEndpoint endpoint)
    {
        this.service = requireNonNull(service, "service is null");
        this.consumer = requireNonNull(consumer, "consumer is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
    }

    /** The endpoint when lifecycle hooks are off: 404 naming the settings. */
    public static Handler<RoutingContext> disabledEndpoint()
    {
        return context -> context.fail(new io.prestoorchestrator.error.NotFoundException(
                "Lifecycle events over HTTP are not configured: set lifecycle.enabled and lifecycle.http-secret"));
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
