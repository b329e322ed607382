package io.prestoorchestrator.benchmarks.scale;

import io.prestoorchestrator.autoscaling.CoordinatorMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Many Trino coordinators in one process: one HTTP port per cluster, each answering what the
 * orchestrator reads of a Trino 476 coordinator ({@code /v1/info}, {@code /v1/info/state},
 * {@code /metrics} in Trino's OpenMetrics names, {@code /v1/query}), with scripted load figures: the
 * running queries of cluster {@code i} step through 0, 2, 4, 6 every {@link #STEP_SECONDS}, offset
 * by {@code i}, with 2 queued at the top step, and 2 active workers. {@code /metrics} answers the
 * series named by {@code name[]} parameters, as Trino does, or the whole page, about 1 MB as a
 * Trino 476 coordinator's is. Every read of the running queries (the autoscaling collector's) is
 * noted with its time, for the signal's age.
 */
final class FakeCoordinators
        implements AutoCloseable
{
    static final int STEP_SECONDS = 60;
    private static final String INFO = "{\"nodeId\":\"bench\",\"nodeVersion\":{\"version\":\"476\"},\"environment\":\"bench\",\"coordinator\":true,\"starting\":false,\"uptime\":\"1.00h\"}";

    /** Series a coordinator has besides those the orchestrator reads, to make the whole page about 1 MB. */
    private static final String OTHER_SERIES = otherSeries(1 << 20);

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
                List<String> names = request.params().getAll("name[]");
                if (names.contains(CoordinatorMetrics.RUNNING)) {
                    noteScrape(cluster, System.currentTimeMillis());
                }
                String page = metrics(cluster, System.currentTimeMillis(), names);
                request.response().putHeader("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8").end(page);
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

    /** The scripted figures of cluster {@code cluster} at {@code nowMillis}: the series in {@code names}, or every series when it is empty. */
    static String metrics(int cluster, long nowMillis, List<String> names)
    {
        int step = (int) ((nowMillis / 1000 / STEP_SECONDS + cluster) % 4);
        Map<String, Integer> values = new LinkedHashMap<>();
        values.put(CoordinatorMetrics.RUNNING, step * 2);
        values.put(CoordinatorMetrics.QUEUED, step == 3 ? 2 : 0);
        values.put(CoordinatorMetrics.FULLY_BLOCKED, 0);
        // the coordinator and 2 workers
        values.put(CoordinatorMetrics.ACTIVE, 3);
        values.put(CoordinatorMetrics.DRAINING, 0);
        values.put(CoordinatorMetrics.DRAINED, 0);
        values.put(CoordinatorMetrics.SHUTTING_DOWN, 0);
        StringBuilder text = new StringBuilder();
        values.forEach((name, value) -> {
            if (names.isEmpty() || names.contains(name)) {
                gauge(text, name, value);
            }
        });
        if (names.isEmpty()) {
            text.append(OTHER_SERIES);
        }
        return text.append("# EOF\n").toString();
    }

    private static String otherSeries(int size)
    {
        StringBuilder text = new StringBuilder(size + 100);
        for (int i = 0; text.length() < size; i++) {
            gauge(text, "trino_execution_executor_name_TaskExecutor_Series" + i, i % 7);
        }
        return text.toString();
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
