package io.prestoorchestrator.benchmarks;

import io.prestoorchestrator.drain.DrainResult;
import io.prestoorchestrator.drain.WorkerDrainer;
import io.prestoorchestrator.time.Scheduler;
import io.prestoorchestrator.trino.TrinoHttpWorkers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The orchestrator's share of a drain (issue 6): from the moment a worker reaches DRAINED to the
 * moment {@link WorkerDrainer#drain} answers, so the caller can lower the count. Against a local
 * fake of Trino's {@code /v1/info/state} that turns DRAINED a fixed time after DRAINING; printed as
 * min/median/max over the runs, per poll interval. Run:
 * {@code java -cp benchmarks/target/benchmarks.jar io.prestoorchestrator.benchmarks.DrainOverheadBenchmark [runs] [poll-ms,...]}.
 */
public final class DrainOverheadBenchmark
{
    private DrainOverheadBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        List<Long> intervals = new ArrayList<>();
        for (String interval : (args.length > 1 ? args[1] : "100,250,1000").split(",")) {
            intervals.add(Long.parseLong(interval.strip()));
        }
        Vertx vertx = Vertx.vertx();
        WebClient client = WebClient.create(vertx);
        ExecutorService executor = Executors.newCachedThreadPool();
        FakeWorker worker = new FakeWorker(vertx);
        try {
            TrinoHttpWorkers trino = new TrinoHttpWorkers(client, "presto-orchestrator", Duration.ofSeconds(2));
            for (long interval : intervals) {
                WorkerDrainer drainer = new WorkerDrainer(trino, Clock.systemUTC(), Duration.ofMillis(interval), Scheduler.onExecutor(executor));
                List<Double> overheads = new ArrayList<>();
                for (int run = 0; run < runs; run++) {
                    worker.reset();
                    DrainResult result = drainer.drain(worker.uri(), Duration.ofMinutes(1), detail -> {}).toCompletableFuture().get(1, TimeUnit.MINUTES);
                    long answered = System.nanoTime();
                    if (result.outcome() != DrainResult.Outcome.DRAINED) {
                        throw new IllegalStateException("run " + run + " ended " + result);
                    }
                    overheads.add((answered - worker.drainedAtNanos()) / 1e6);
                }
                overheads.sort(null);
                System.out.printf(Locale.ROOT, "DrainOverheadBenchmark poll %4d ms, %d runs, DRAINED -> drain answered: min %.1f ms, median %.1f ms, max %.1f ms%n",
                        interval, runs, overheads.get(0), overheads.get(overheads.size() / 2), overheads.get(overheads.size() - 1));
            }
        }
        finally {
            worker.close();
            client.close();
            executor.shutdownNow();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Trino's state API: DRAINING turns DRAINED after a drain time varied per run, so it is not in step with the poll. */
    private static final class FakeWorker
    {
        private final Vertx vertx;
        private final HttpServer server;
        private volatile String state = "ACTIVE";
        private volatile long drainedAtNanos;
        private int run;

        FakeWorker(Vertx vertx)
                throws Exception
        {
            this.vertx = vertx;
            this.server = vertx.createHttpServer().requestHandler(request -> {
                if (request.method().name().equals("GET")) {
                    request.response().end("\"" + state + "\"");
                    return;
                }
                request.body().onSuccess(body -> {
                    if (body.toString().contains("DRAINING") && state.equals("ACTIVE")) {
                        state = "DRAINING";
                        vertx.setTimer(300 + (run * 137L) % 700, id -> {
                            drainedAtNanos = System.nanoTime();
                            state = "DRAINED";
                        });
                    }
                    request.response().setStatusCode(200).end();
                });
            });
            server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        void reset()
        {
            run++;
            state = "ACTIVE";
        }

        long drainedAtNanos()
        {
            return drainedAtNanos;
        }

        URI uri()
        {
            return URI.create("http://127.0.0.1:" + server.actualPort());
        }

        void close()
                throws Exception
        {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
