package io.prestoorchestrator.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 18's load on a cluster's public URL, as a client reaches it through Traefik: long queries ({@link SlowScan} or TPC-H Q1), a short
 * query every 0.5 s and a probe of {@code /v1/info} every 0.5 s (the public URL answers, and which side,
 * {@code X-Presto-Orchestrator-Side}). The statement runner is the caller's, so one load serves both flavours
 * ({@link TrinoStatements} for Trino; PrestoDB's own headers in PrestoDbClusterIT).
 *
 * @param <O> a statement's outcome
 */
public final class PublicUrlLoad<O>
{
    public static final String SIDE_HEADER = "X-Presto-Orchestrator-Side";
    public static final Duration INTERVAL = Duration.ofMillis(500);

    private final Function<String, O> statement;
    private final Predicate<O> succeeded;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Timed<O>> shortQueries = new CopyOnWriteArrayList<>();
    private final List<Timed<O>> longQueries = new CopyOnWriteArrayList<>();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Void>> running = new CopyOnWriteArrayList<>();
    /** Its own threads: every stream blocks (a statement, a sleep), which would starve a shared pool of a few. */
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "public-url-load");
        thread.setDaemon(true);
        return thread;
    });

    private PublicUrlLoad(Function<String, O> statement, Predicate<O> succeeded)
    {
        this.statement = statement;
        this.succeeded = succeeded;
    }

    /**
     * Starts the short query stream and the sampler on {@code publicUrl} through {@code client} (Traefik as its proxy).
     *
     * @param statement runs one statement to its end on the public URL
     */
    public static <O> PublicUrlLoad<O> start(HttpClient client, String publicUrl, String shortSql, Function<String, O> statement, Predicate<O> succeeded)
    {
        PublicUrlLoad<O> load = new PublicUrlLoad<>(statement, succeeded);
        load.repeat(() -> load.shortQueries.add(load.timed(shortSql)));
        load.repeat(() -> load.samples.add(probe(client, publicUrl)));
        return load;
    }

    /** The load on a Trino cluster: {@link QueryLoad#SHORT} every 0.5 s, statements by {@link TrinoStatements} as {@code user}. */
    public static PublicUrlLoad<TrinoStatements.Outcome> trino(HttpClient client, String publicUrl, String user)
    {
        return start(client, publicUrl, QueryLoad.SHORT, sql -> SlowScan.run(client, publicUrl, user, sql), TrinoStatements.Outcome::succeeded);
    }

    /** Starts {@code count} runs of {@code sql}, {@code apart} from each other (they overlap when a run takes longer). */
    public PublicUrlLoad<O> spaced(String sql, int count, Duration apart)
    {
        running.add(CompletableFuture.runAsync(() -> {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (int i = 0; i < count && !stopping.get(); i++) {
                started.add(CompletableFuture.runAsync(() -> longQueries.add(timed(sql)), threads));
                for (long waited = 0; waited < apart.toMillis() && !stopping.get(); waited += INTERVAL.toMillis()) {
                    QueryLoad.sleep(INTERVAL.toMillis());
                }
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
        }, threads));
        return this;
    }

    /** Runs {@code sql} again as soon as it ends, until {@link #stop}: one is running at every moment. */
    public PublicUrlLoad<O> backToBack(String sql)
    {
        running.add(CompletableFuture.runAsync(() -> {
            while (!stopping.get()) {
                longQueries.add(timed(sql));
            }
        }, threads));
        return this;
    }

    /** Waits {@code tail} (samples after the change), stops every stream and waits for the long queries running. */
    public Result<O> stop(Duration tail)
            throws InterruptedException, ExecutionException
    {
        QueryLoad.sleep(tail.toMillis());
        stopping.set(true);
        try {
            for (CompletableFuture<Void> stream : running) {
                stream.get();
            }
        }
        finally {
            threads.shutdown();
        }
        return new Result<>(List.copyOf(shortQueries), List.copyOf(longQueries), List.copyOf(samples), succeeded);
    }

    /**
     * Lets the load run for {@code lead} (long queries under way), runs {@code change} (say, request an operation and
     * wait for its end), then stops the load 3 s later ({@link #stop}), also when the change failed.
     */
    public <T> Around<O, T> around(Duration lead, Callable<T> change)
            throws Exception
    {
        QueryLoad.sleep(lead.toMillis());
        long startedNanos = System.nanoTime();
        Instant startedAt = Instant.now();
        T value;
        long endedNanos;
        Result<O> load;
        try {
            value = change.call();
            endedNanos = System.nanoTime();
        }
        finally {
            load = stop(Duration.ofSeconds(3));
        }
        return new Around<>(value, load, startedNanos, endedNanos, startedAt);
    }

    /** What {@link #around} saw: the change's answer, the load, and when the change ran. */
    public record Around<O, T>(T value, Result<O> load, long startedNanos, long endedNanos, Instant startedAt)
    {
        public double seconds()
        {
            return (endedNanos - startedNanos) / 1e9;
        }

        /** A wall-clock time during the change (an event's {@code at}) on the load's clock ({@link System#nanoTime()}). */
        public long nanosAt(Instant at)
        {
            return startedNanos + Duration.between(startedAt, at).toNanos();
        }
    }

    /** The public URL answers 200 to {@code /v1/info} (waits up to a minute); then {@code warmUps} short queries must succeed. */
    public static <O> void awaitAnswering(HttpClient client, String publicUrl, int warmUps, Function<String, O> statement, Predicate<O> succeeded, String shortSql)
    {
        await("the public URL answers").atMost(Duration.ofMinutes(1)).pollInterval(INTERVAL).until(() -> probe(client, publicUrl).status() == 200);
        for (int i = 0; i < warmUps; i++) {
            O outcome = statement.apply(shortSql);
            if (!succeeded.test(outcome)) {
                throw new AssertionError("warm-up query through Traefik failed: " + outcome);
            }
        }
    }

    private void repeat(Runnable each)
    {
        running.add(CompletableFuture.runAsync(() -> {
            while (!stopping.get()) {
                each.run();
                QueryLoad.sleep(INTERVAL.toMillis());
            }
        }, threads));
    }

    private Timed<O> timed(String sql)
    {
        long started = System.nanoTime();
        O outcome = statement.apply(sql);
        return new Timed<>(outcome, started, System.nanoTime());
    }

    /** One look at the public URL: when, the status (-1: no answer), and which side answered. */
    public record Sample(long nanos, int status, String side) {}

    /** A statement's outcome with when it started and ended ({@link System#nanoTime()}). */
    public record Timed<O>(O outcome, long startedNanos, long endedNanos)
    {
        public double seconds()
        {
            return (endedNanos - startedNanos) / 1e9;
        }

        /** Whether it was running at some moment between {@code fromNanos} and {@code toNanos}. */
        public boolean overlaps(long fromNanos, long toNanos)
        {
            return startedNanos < toNanos && endedNanos > fromNanos;
        }
    }

    public static Sample probe(HttpClient client, String publicUrl)
    {
        long now = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(publicUrl + "/v1/info")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Sample(now, response.statusCode(), response.headers().firstValue(SIDE_HEADER).orElse("none"));
        }
        catch (IOException e) {
            return new Sample(now, -1, "error: " + e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sample(now, -1, "interrupted");
        }
    }

    public record Result<O>(List<Timed<O>> shortQueries, List<Timed<O>> longQueries, List<Sample> samples, Predicate<O> succeeded)
    {
        public List<O> failed()
        {
            List<O> failed = new ArrayList<>();
            shortQueries.stream().map(Timed::outcome).filter(succeeded.negate()).forEach(failed::add);
            longQueries.stream().map(Timed::outcome).filter(succeeded.negate()).forEach(failed::add);
            return failed;
        }

        public long unanswered()
        {
            return samples.stream().filter(sample -> sample.status() != 200).count();
        }

        /** Issue 18's promise: every query succeeded and the public URL answered at every sample. */
        public void assertNothingLost(String during)
        {
            assertThat(failed()).as("queries that failed during the " + during).isEmpty();
            assertThat(unanswered()).as("public URL samples that got no 200 during the " + during + " (of " + samples.size() + ")").isZero();
        }

        /** The sides that answered the public URL, in the order first seen. */
        public List<String> sides()
        {
            return samples.stream().map(Sample::side).distinct().toList();
        }

        /** The part of the load between {@code fromNanos} and {@code toNanos}: queries that ran then, samples taken then. */
        public Result<O> during(long fromNanos, long toNanos)
        {
            return new Result<>(shortQueries.stream().filter(query -> query.overlaps(fromNanos, toNanos)).toList(),
                    longQueries.stream().filter(query -> query.overlaps(fromNanos, toNanos)).toList(),
                    samples.stream().filter(sample -> sample.nanos() >= fromNanos && sample.nanos() <= toNanos).toList(), succeeded);
        }

        /** One line of figures: queries (short and long), failed, samples, unanswered, sides. */
        public String figures(String longName)
        {
            return String.format("%d short and %d %s queries through Traefik, %d failed; %d public URL samples, %d not answered; sides seen in order %s",
                    shortQueries.size(), longQueries.size(), longName, failed().size(), samples.size(), unanswered(), sides());
        }
    }
}
