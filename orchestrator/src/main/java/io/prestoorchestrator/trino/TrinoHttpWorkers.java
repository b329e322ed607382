package io.prestoorchestrator.trino;

import io.prestoorchestrator.cluster.FlavourProfile;
import io.prestoorchestrator.drain.TrinoWorkers;
import io.prestoorchestrator.drain.WorkerState;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * {@link TrinoWorkers} over HTTP: {@code GET /v1/info/state} needs no user; {@code PUT} sends
 * {@code X-Trino-User} and a JSON string body. Trino refuses the change unless the worker's access
 * control grants it to this user (403), and a coordinator refuses it always (500). A worker's address
 * does not say which engine it runs, so the user goes in both engines' headers ({@code X-Presto-User}
 * too); PrestoDB 0.287 answers {@code DRAINING} with 400 ({@link StateChange#UNSUPPORTED}), after which
 * {@link io.prestoorchestrator.drain.WorkerDrainer} asks for {@code SHUTTING_DOWN}: the sequence of
 * {@link FlavourProfile#workerDrain()}.
 */
public final class TrinoHttpWorkers
        implements TrinoWorkers
{
    private static final String PATH = "/v1/info/state";

    private final WebClient client;
    private final String user;
    private final Duration timeout;

    public TrinoHttpWorkers(WebClient client, String user, Duration timeout)
    {
        this.client = requireNonNull(client, "client is null");
        this.user = requireNonNull(user, "user is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public CompletionStage<Optional<WorkerState>> state(URI worker)
    {
        return client.getAbs(url(worker))
                .timeout(timeout.toMillis())
                .send()
                .map(response -> response.statusCode() == 200 ? WorkerState.parse(response.bodyAsString()) : Optional.<WorkerState>empty())
                .otherwise(Optional.empty())
                .toCompletionStage();
    }

    @Override
    public CompletionStage<StateChange> request(URI worker, WorkerState target)
    {
        requireNonNull(target, "target is null");
        return client.putAbs(url(worker))
                .putHeader("Content-Type", "application/json")
                .putHeader(FlavourProfile.TRINO.userHeader(), user)
                .putHeader(FlavourProfile.PRESTODB.userHeader(), user)
                .timeout(timeout.toMillis())
                .sendBuffer(Buffer.buffer("\"" + target.name() + "\""))
                .map(response -> classify(response.statusCode()))
                .otherwise(StateChange.UNREACHABLE)
                .toCompletionStage();
    }

    static StateChange classify(int status)
    {
        if (status >= 200 && status < 300) {
            return StateChange.ACCEPTED;
        }
        return switch (status) {
            case 400, 404, 422 -> StateChange.UNSUPPORTED;
            case 502, 503, 504 -> StateChange.UNREACHABLE;
            default -> StateChange.REFUSED;
        };
    }

    private static String url(URI worker)
    {
        String base = requireNonNull(worker, "worker is null").toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH;
    }
}
