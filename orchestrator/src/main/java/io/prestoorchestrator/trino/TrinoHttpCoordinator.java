package io.prestoorchestrator.trino;

import io.prestoorchestrator.autoscaling.ClusterStats;
import io.prestoorchestrator.autoscaling.CoordinatorClient;
import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.prestoorchestrator.autoscaling.QueryInfo;
import io.prestoorchestrator.cluster.FlavourProfile;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.net.URLEncoder;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * {@link CoordinatorClient} over HTTP as the orchestrator's user, in both engines' headers ({@code X-Trino-User},
 * {@code X-Presto-User}: the URL does not say which engine answers, and each ignores the other's header).
 * {@code /metrics} is asked only for the metrics the signal reads ({@code ?name[]=...}): the whole
 * page of a Trino 476 coordinator is over 1 MB.
 */
public final class TrinoHttpCoordinator
        implements CoordinatorClient
{
    static final String METRICS_PATH = "/metrics?" + CoordinatorMetrics.NAMES.stream()
            .map(name -> URLEncoder.encode("name[]", UTF_8) + "=" + name)
            .collect(Collectors.joining("&"));

    private final WebClient client;
    private final String user;
    private final Duration timeout;

    public TrinoHttpCoordinator(WebClient client, String user, Duration timeout)
    {
        this.client = requireNonNull(client, "client is null");
        this.user = requireNonNull(user, "user is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public CompletionStage<String> metrics(String coordinatorUrl)
    {
        return get(coordinatorUrl, METRICS_PATH);
    }

    @Override
    public CompletionStage<String> clusterStats(String coordinatorUrl)
    {
        return get(coordinatorUrl, ClusterStats.PATH);
    }

    @Override
    public CompletionStage<String> queries(String coordinatorUrl)
    {
        return get(coordinatorUrl, "/v1/query");
    }

    @Override
    public CompletionStage<String> waitingQueries(String coordinatorUrl)
    {
        return get(coordinatorUrl, "/v1/query?state=" + QueryInfo.WAITING_FOR_RESOURCES);
    }

    private CompletionStage<String> get(String coordinatorUrl, String path)
    {
        return client.getAbs(coordinatorUrl + path)
                .putHeader(FlavourProfile.TRINO.userHeader(), user)
                .putHeader(FlavourProfile.PRESTODB.userHeader(), user)
                .timeout(timeout.toMillis())
                .send()
                .compose(TrinoHttpCoordinator::body)
                .toCompletionStage();
    }

    private static Future<String> body(HttpResponse<Buffer> response)
    {
        if (response.statusCode() != 200) {
            String text = response.bodyAsString();
            String excerpt = text == null ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text).strip();
            return Future.failedFuture(new IllegalStateException("HTTP " + response.statusCode() + excerpt));
        }
        return Future.succeededFuture(response.bodyAsString());
    }
}
