package io.prestoorchestrator.trino;

import io.prestoorchestrator.catalogs.TrinoCatalogAdmin;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * {@link TrinoCatalogAdmin} over Trino's client protocol: {@code POST /v1/statement}, then every
 * {@code nextUri} until there is none, as the orchestrator's Trino user ({@code X-Trino-User}). A
 * statement's text is what Trino records in its query history; the caller passes no secret value
 * ({@link io.prestoorchestrator.catalogs.CatalogStatements}).
 */
public final class TrinoHttpStatements
        implements TrinoCatalogAdmin
{
    static final String CATALOGS_SQL = "SELECT catalog_name FROM system.metadata.catalogs";
    static final String SOURCE = "presto-orchestrator";

    private final WebClient client;
    private final String user;
    private final Duration timeout;

    public TrinoHttpStatements(WebClient client, String user, Duration timeout)
    {
        this.client = requireNonNull(client, "client is null");
        this.user = requireNonNull(user, "user is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public CompletionStage<Set<String>> catalogs(String coordinatorUrl)
    {
        return query(coordinatorUrl, CATALOGS_SQL).map(rows -> {
            Set<String> names = new TreeSet<>();
            rows.forEach(row -> names.add(row.getString(0)));
            return names;
        }).toCompletionStage();
    }

    @Override
    public CompletionStage<Void> execute(String coordinatorUrl, String sql)
    {
        return query(coordinatorUrl, sql).<Void>map(rows -> null).toCompletionStage();
    }

    /** The statement's rows. */
    Future<List<JsonArray>> query(String coordinatorUrl, String sql)
    {
        List<JsonArray> rows = new ArrayList<>();
        return client.postAbs(coordinatorUrl + "/v1/statement")
                .putHeader("X-Trino-User", user)
                .putHeader("X-Trino-Source", SOURCE)
                .timeout(timeout.toMillis())
                .sendBuffer(Buffer.buffer(sql))
                .compose(response -> follow(response, rows, sql))
                .map(done -> rows);
    }

    private Future<Void> follow(HttpResponse<Buffer> response, List<JsonArray> rows, String sql)
    {
        if (response.statusCode() != 200) {
            String text = response.bodyAsString();
            String excerpt = text == null ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text).strip();
            return Future.failedFuture(new IllegalStateException("Trino answered HTTP " + response.statusCode() + " to " + describe(sql) + excerpt));
        }
        JsonObject body = response.bodyAsJsonObject();
        JsonArray data = body.getJsonArray("data");
        if (data != null) {
            data.forEach(row -> rows.add((JsonArray) row));
        }
        JsonObject error = body.getJsonObject("error");
        if (error != null) {
            return Future.failedFuture(new IllegalStateException("Trino refused " + describe(sql) + ": " + error.getString("errorName") + ": " + error.getString("message")));
        }
        String next = body.getString("nextUri");
        if (next == null) {
            return Future.succeededFuture();
        }
        return client.getAbs(next)
                .putHeader("X-Trino-User", user)
                .timeout(timeout.toMillis())
                .send()
                .compose(nextResponse -> follow(nextResponse, rows, sql));
    }

    /** The statement's first words, for an error: the text itself holds no secret, but it may be long. */
    private static String describe(String sql)
    {
        return "'" + (sql.length() > 80 ? sql.substring(0, 80) + "..." : sql) + "'";
    }
}
