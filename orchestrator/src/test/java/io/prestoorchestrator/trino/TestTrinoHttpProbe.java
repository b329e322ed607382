package io.prestoorchestrator.trino;

import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

public class TestTrinoHttpProbe
{
    private final Vertx vertx = Vertx.vertx();
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @AfterEach
    public void tearDown()
    {
        vertx.close().await();
    }

    /** Only the one metric it reads: a 476 coordinator's whole page is over 1 MB. */
    @Test
    public void asksForActiveNodeCountOnly()
    {
        HttpServer coordinator = vertx.createHttpServer().requestHandler(request -> {
            asked.add(request.uri() + " as " + request.getHeader("X-Trino-User"));
            List<String> names = request.params().getAll("name[]");
            String page = names.equals(List.of(CoordinatorMetrics.ACTIVE))
                    ? "# TYPE " + CoordinatorMetrics.ACTIVE + " gauge\n" + CoordinatorMetrics.ACTIVE + " 3.0\n# EOF\n"
                    : "# the whole page\n# EOF\n";
            request.response().end(page);
        }).listen(0, "127.0.0.1").await();
        TrinoHttpProbe probe = new TrinoHttpProbe(WebClient.create(vertx), "presto-orchestrator", Duration.ofSeconds(5));

        OptionalInt workers = probe.activeWorkers(io.prestoorchestrator.cluster.Flavour.TRINO, "http://127.0.0.1:" + coordinator.actualPort()).toCompletableFuture().join();

        assertThat(workers).hasValue(2);
        assertThat(asked).containsExactly("/metrics?name%5B%5D=" + CoordinatorMetrics.ACTIVE + " as presto-orchestrator");
    }

    /** PrestoDB 0.287 has no /metrics: /v1/cluster's activeWorkers (recorded from a running 0.287), coordinator left out. */
    @Test
    public void asksPrestoDbForClusterStats()
            throws Exception
    {
        String recorded = new String(getClass().getResourceAsStream("/prestodb-0.287/cluster-running.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        HttpServer coordinator = vertx.createHttpServer().requestHandler(request -> {
            asked.add(request.uri() + " as " + request.getHeader("X-Presto-User"));
            request.response().setStatusCode(request.path().equals("/v1/cluster") ? 200 : 404).end(request.path().equals("/v1/cluster") ? recorded : "");
        }).listen(0, "127.0.0.1").await();
        TrinoHttpProbe probe = new TrinoHttpProbe(WebClient.create(vertx), "presto-orchestrator", Duration.ofSeconds(5));

        OptionalInt workers = probe.activeWorkers(io.prestoorchestrator.cluster.Flavour.PRESTODB, "http://127.0.0.1:" + coordinator.actualPort()).toCompletableFuture().join();

        assertThat(workers).hasValue(1);
        assertThat(asked).containsExactly("/v1/cluster as presto-orchestrator");
    }

    @Test
    public void anUnansweredCoordinatorCountsNoWorkers()
    {
        HttpServer coordinator = vertx.createHttpServer().requestHandler(request -> request.response().setStatusCode(503).end("starting")).listen(0, "127.0.0.1").await();
        TrinoHttpProbe probe = new TrinoHttpProbe(WebClient.create(vertx), "presto-orchestrator", Duration.ofSeconds(5));

        assertThat(probe.activeWorkers(io.prestoorchestrator.cluster.Flavour.TRINO, "http://127.0.0.1:" + coordinator.actualPort()).toCompletableFuture().join()).isEmpty();
    }
}
