package io.prestoorchestrator.trino;

import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.prestoorchestrator.cluster.TrinoProbe;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * Reads a coordinator's {@code /metrics} (Trino 476 OpenMetrics; it needs a user, sent as
 * {@code X-Trino-User}) and returns {@code DiscoveryNodeManager ActiveNodeCount} minus the
 * coordinator itself: the workers Trino will schedule on right now ({@link CoordinatorMetrics#activeWorkers}).
 */
public final class TrinoHttpProbe
        implements TrinoProbe
{
    private final WebClient client;
    private final String user;
    private final Duration timeout;

    public TrinoHttpProbe(WebClient client, String user, Duration timeout)
    {
        this.client = requireNonNull(client, "client is null");
        this.user = requireNonNull(user, "user is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public CompletionStage<OptionalInt> activeWorkers(String coordinatorUrl)
    {
        return client.getAbs(coordinatorUrl + "/metrics")
                .putHeader("X-Trino-User", user)
                .timeout(timeout.toMillis())
                .send()
                .map(response -> response.statusCode() == 200 ? CoordinatorMetrics.activeWorkers(response.bodyAsString()) : OptionalInt.empty())
                .otherwise(OptionalInt.empty())
                .toCompletionStage();
    }
}
