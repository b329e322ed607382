package io.prestoorchestrator.trino;

import io.prestoorchestrator.autoscaling.ClusterStats;
import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.cluster.FlavourProfile;
import io.prestoorchestrator.cluster.TrinoProbe;
import io.vertx.ext.web.client.WebClient;

import java.net.URLEncoder;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * Reads a coordinator's {@code /metrics} (Trino 476 OpenMetrics; it needs a user, sent as
 * {@code X-Trino-User}) and returns {@code DiscoveryNodeManager ActiveNodeCount} minus the
 * coordinator itself: the workers Trino will schedule on right now ({@link CoordinatorMetrics#activeWorkers}).
 * It asks for that one metric ({@code ?name[]=...}): the whole page of a 476 coordinator is over
 * 1 MB, read on every status request and every second of a deploy's wait before (issue 23).
 * A PrestoDB coordinator has no {@code /metrics}: its {@code /v1/cluster} says {@code activeWorkers}
 * ({@link ClusterStats}); the flavour's {@link FlavourProfile#readiness()} chooses.
 */
public final class TrinoHttpProbe
        implements TrinoProbe
{
    static final String PATH = "/metrics?" + URLEncoder.encode("name[]", UTF_8) + "=" + CoordinatorMetrics.ACTIVE;

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
    public CompletionStage<OptionalInt> activeWorkers(Flavour flavour, String coordinatorUrl)
    {
        FlavourProfile profile = flavour.profile();
        boolean clusterStats = profile.readiness() == FlavourProfile.Readiness.CLUSTER_STATS;
        return client.getAbs(coordinatorUrl + (clusterStats ? ClusterStats.PATH : PATH))
                .putHeader(profile.userHeader(), user)
                .timeout(timeout.toMillis())
                .send()
                .map(response -> response.statusCode() != 200
                        ? OptionalInt.empty()
                        : clusterStats ? ClusterStats.activeWorkers(response.bodyAsString()) : CoordinatorMetrics.activeWorkers(response.bodyAsString()))
                .otherwise(OptionalInt.empty())
                .toCompletionStage();
    }
}
