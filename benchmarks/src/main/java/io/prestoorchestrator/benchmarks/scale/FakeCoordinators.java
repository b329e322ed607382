package io.prestoorchestrator.benchmarks.scale;

import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Many Trino coordinators in one process: one HTTP port per cluster, each answering what the
 * orchestrator reads of a Trino 476 coordinator ({@code /v1/info}, {@code /v1/info/state},
 * {@code /metrics} in Trino's OpenMetrics names, {@code /v1/query}), with scripted load figures: the
 * running queries of cluster {@code i} step through 0, 2, 4, 6 every {@link #STEP_SECONDS}, offset
 * by {@code i}, with 2 queued at the top step, and 2 active workers. Every read of {@code /metrics}
 * that names the metrics it wants (the autoscaling collector's; the status route's probe reads the
 * whole page) is noted with its time, for the signal's age.
 */
final class FakeCoordinators
        implements AutoCloseable
{
    static final int STEP_SECONDS = 60;
    private static final String INFO = "{\"nodeId\":\"bench\",\"nodeVersion\":{\"version\":\"476\"},\"environment\":\"bench\",\"coordinator\":true,\"starting\":false,\"uptime\":\"1.00h\"}";

    private final Vertx vertx;
    private final List<HttpServer> servers = new ArrayList<>();
    private final int[] ports;
    private final long[][] scrapes;
    private final int[] scrapeCounts;

    private FakeCoordinators(Vertx vertx, int count)
    {
        this.vertx = requireNonNull(vertx, "vertx is null");
        this.ports = new int[count];
        this.scrapes = new long[count][64];
        this.scrapeCounts = new int[count];
    }

    /** Starts {@code count} coordinators on free ports of 127.0.0.1. */
    static FakeCoordinators start(Vertx vertx, int count)
    {
        FakeCoordinators fakes = new FakeCoordinators(vertx, count);
        List<Future<HttpServer>> listening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int cluster = i;
            listening.add(vertx.createHttpServer().requestHandler(request -> fakes.handle(cluster, request)).listen(0, "127.0.0.1"));
        }
        for (int i = 0; i < count; i++) {
            HttpServer server = listening.get(i).await();
            fakes.servers.add(server);
            fakes.ports[i] = server.actualPort();
        }
        return fakes;
    }

    int port(int cluster)
    {
        return ports[cluster];
    }

    int count()
    {
        return ports.length;
    }

    /** The times (epoch ms) of the collector's reads of cluster {@code cluster}'s metrics, oldest first. */
    synchronized long[] scrapes(int cluster)
    {
        return Arrays.copyOf(scrapes[cluster], scrapeCounts[cluster]);
    }

    /** How many clusters the collector has read at least {@code times} times. */
    synchronized int scrapedAtLeast(int times)
    {
        int count = 0;
        for (int scraped : scrapeCounts) {
            if (scraped >= times) {
                count++;
            }
        }
        return count;
    }

    private void handle(int cluster, HttpServerRequest request)
    {
        String path = request.path();
        switch (path) {
            case "/v1/info" -> request.response().putHeader("Content-Type", "application/json").end(INFO);
            case "/v1/info/state" -> request.response().putHeader("Content-Type", "application/json").end("\"ACTIVE\"");
            case "/v1/query" -> request.response().putHeader("Content-Type", "application/json").end("[]");
            case "/metrics" -> {
                if (request.query() != null && request.query().contains("name")) {
                    noteScrape(cluster, System.currentTimeMillis());
                }
                request.response().putHeader("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8").end(metrics(cluster, System.currentTimeMillis()));
            }
            default -> request.response().setStatusCode(404).end();
        }
    }

    private synchronized void noteScrape(int cluster, long at)
    {
        if (scrapeCounts[cluster] == scrapes[cluster].length) {
            scrapes[cluster] = Arrays.copyOf(scrapes[cluster], scrapes[cluster].length * 2);
        }
        scrapes[cluster][scrapeCounts[cluster]++] = at;
    }

    /** The scripted figures of cluster {@code cluster} at {@code nowMillis}. */
    static String metrics(int cluster, long nowMillis)
    {
        int step = (int) ((nowMillis / 1000 / STEP_SECONDS + cluster) % 4);
        int running = step * 2;
        int queued = step == 3 ? 2 : 0;
        StringBuilder text = new StringBuilder();
        gauge(text, CoordinatorMetrics.RUNNING, running);
        gauge(text, CoordinatorMetrics.QUEUED, queued);
        gauge(text, CoordinatorMetrics.FULLY_BLOCKED, 0);
        // the coordinator and 2 workers
        gauge(text, CoordinatorMetrics.ACTIVE, 3);
        gauge(text, CoordinatorMetrics.DRAINING, 0);
        gauge(text, CoordinatorMetrics.DRAINED, 0);
        gauge(text, CoordinatorMetrics.SHUTTING_DOWN, 0);
        return text.append("# EOF\n").toString();
    }

    private static void gauge(StringBuilder text, String name, int value)
    {
        text.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append(".0\n");
    }

    @Override
    public void close()
    {
        for (HttpServer server : servers) {
            server.close().await();
        }
    }
}
