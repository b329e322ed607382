package io.prestoorchestrator.trino;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TrinoHttpStatements} against a fake coordinator speaking Trino's client protocol. */
class TestTrinoHttpStatements
{
    private Vertx vertx;
    private WebClient client;
    private HttpServer server;
    private String base;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** What POST /v1/statement answers for a statement, by its text: pages served one per nextUri. */
    private volatile List<JsonObject> pages = List.of();

    @BeforeEach
    void start()
            throws Exception
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            requests.add(request.method() + " " + request.path() + " user=" + request.getHeader("X-Trino-User") + (body.length() > 0 ? " " + body : ""));
            int page = request.path().equals("/v1/statement") ? 0 : Integer.parseInt(request.path().substring(request.path().lastIndexOf('/') + 1));
            JsonObject answer = pages.get(page).copy();
            if (page + 1 < pages.size()) {
                answer.put("nextUri", base + "/v1/statement/queued/q1/" + (page + 1));
            }
            request.response().putHeader("Content-Type", "application/json").end(answer.encode());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
    }

    @AfterEach
    void stop()
            throws Exception
    {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TrinoHttpStatements statements()
    {
        return new TrinoHttpStatements(client, "presto-orchestrator", Duration.ofSeconds(5));
    }

    @Test
    void testFollowsEveryNextUriAndCollectsTheRows()
    {
        pages = List.of(
                new JsonObject().put("id", "q1").put("stats", new JsonObject().put("state", "QUEUED")),
                new JsonObject().put("id", "q1").put("data", new JsonArray().add(new JsonArray().add("system")).add(new JsonArray().add("tpch"))),
                new JsonObject().put("id", "q1").put("data", new JsonArray().add(new JsonArray().add("sales"))));
        assertThat(statements().catalogs(base).toCompletableFuture().join()).containsExactly("sales", "system", "tpch");
        assertThat(requests).containsExactly(
                "POST /v1/statement user=presto-orchestrator " + TrinoHttpStatements.CATALOGS_SQL,
                "GET /v1/statement/queued/q1/1 user=presto-orchestrator",
                "GET /v1/statement/queued/q1/2 user=presto-orchestrator");
    }

    @Test
    void testTrinosErrorFailsTheStatement()
    {
        pages = List.of(
                new JsonObject().put("id", "q2"),
                new JsonObject().put("id", "q2").put("error", new JsonObject().put("errorName", "PERMISSION_DENIED").put("message", "Access Denied: Cannot create catalog x")));
        assertThatThrownBy(() -> statements().execute(base, "CREATE CATALOG IF NOT EXISTS \"x\" USING tpch").toCompletableFuture().join())
                .hasRootCauseMessage("Trino refused 'CREATE CATALOG IF NOT EXISTS \"x\" USING tpch': PERMISSION_DENIED: Access Denied: Cannot create catalog x");
    }

    @Test
    void testStatementThatFinishesRunsToItsEnd()
    {
        pages = List.of(new JsonObject().put("id", "q3"), new JsonObject().put("id", "q3").put("updateType", "DROP CATALOG"));
        statements().execute(base, "DROP CATALOG IF EXISTS \"x\"").toCompletableFuture().join();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0)).isEqualTo("POST /v1/statement user=presto-orchestrator DROP CATALOG IF EXISTS \"x\"");
    }
}
