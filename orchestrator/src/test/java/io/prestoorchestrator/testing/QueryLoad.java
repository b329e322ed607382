package io.prestoorchestrator.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/**
 * The load the drain tests keep on a cluster while a worker goes: a long query that runs on every
 * worker during the removal ({@link #LONG}, or TPC-H Q1 on sf10, 30-60 s on these machines) and a short
 * query every {@code interval}, each over Trino's client protocol.
 */
public final class QueryLoad
{
    public static final String Q1 = """
            SELECT returnflag, linestatus, sum(quantity) AS sum_qty, sum(extendedprice) AS sum_base_price,
                   sum(extendedprice * (1 - discount)) AS sum_disc_price, sum(extendedprice * (1 - discount) * (1 + tax)) AS sum_charge,
                   avg(quantity) AS avg_qty, avg(extendedprice) AS avg_price, avg(discount) AS avg_disc, count(*) AS count_order
            FROM tpch.sf10.lineitem
            WHERE shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
            GROUP BY returnflag, linestatus
            ORDER BY returnflag, linestatus""";
    /**
     * The short query: TPC-H's connector gives every table, {@code nation}'s 25 rows too, the same splits on every worker,
     * so it has a task on each, as the lag a drain must cover needs. 0.14 CPU-s on a warm single Trino 476 against 0.27 for
     * {@code tiny.lineitem}'s count (2026-12-07); the drain tests run two a second through most of their run.
     */
    public static final String SHORT = "SELECT count(*) FROM tpch.tiny.nation";
    /** The drain tests' long query: 40 s on every worker at almost no CPU ({@link SlowScan}; the cluster needs its catalog). */
    public static final String LONG = SlowScan.query(Duration.ofSeconds(40));

    private final String coordinator;
    private final String user;
    private final List<TrinoStatements.Outcome> shortQueries = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<TrinoStatements.Outcome>> longQueries = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> stream;

    private QueryLoad(String coordinator, String user, Duration interval)
    {
        this.coordinator = coordinator;
        this.user = user;
        this.stream = CompletableFuture.runAsync(() -> {
            while (!stopping.get()) {
                shortQueries.add(TrinoStatements.run(coordinator, user, SHORT));
                sleep(interval.toMillis());
            }
        });
    }

    /** Starts the stream of short queries, one every {@code interval}. */
    public static QueryLoad start(String coordinator, String user, Duration interval)
    {
        return new QueryLoad(coordinator, user, interval);
    }

    /** Starts {@code sql} ({@link #LONG} or Q1) in the background ({@link SlowScan#run}: a slow scan makes its table where it is missing). */
    public CompletableFuture<TrinoStatements.Outcome> longQuery(String sql)
    {
        CompletableFuture<TrinoStatements.Outcome> query = CompletableFuture.supplyAsync(() -> SlowScan.run(coordinator, user, sql));
        longQueries.add(query);
        return query;
    }

    /** How many short queries have ended so far (for progress lines). */
    public int shortQueriesSoFar()
    {
        return shortQueries.size();
    }

    /** Waits for every long query, stops the stream, and answers every outcome. */
    public Result stop()
            throws InterruptedException, ExecutionException
    {
        List<TrinoStatements.Outcome> longOutcomes = new ArrayList<>();
        for (CompletableFuture<TrinoStatements.Outcome> query : longQueries) {
            longOutcomes.add(query.get());
        }
        stopping.set(true);
        stream.get();
        return new Result(List.copyOf(longOutcomes), List.copyOf(shortQueries));
    }

    public record Result(List<TrinoStatements.Outcome> longQueries, List<TrinoStatements.Outcome> shortQueries)
    {
        public List<TrinoStatements.Outcome> failures()
        {
            List<TrinoStatements.Outcome> failed = new ArrayList<>(shortQueries.stream().filter(outcome -> !outcome.succeeded()).toList());
            longQueries.stream().filter(outcome -> !outcome.succeeded()).forEach(failed::add);
            return failed;
        }

        public String summary()
        {
            return longQueries.stream().map(outcome -> (outcome.succeeded() ? "long query succeeded" : "long query FAILED") + String.format(" in %.1f s", seconds(outcome)))
                    .reduce((a, b) -> a + ", " + b).orElse("no long query")
                    + ", " + shortQueries.size() + " short queries (" + shortQueries.stream().filter(outcome -> !outcome.succeeded()).count() + " failed)";
        }
    }

    /**
     * Waits (up to 2 minutes) until three short queries in a row succeed: the cluster serves before a
     * test removes anything. A query failing here is no drain's doing, so each failure is printed and
     * tried again rather than counted.
     */
    public static void awaitServing(String coordinator, String user, String label)
    {
        int[] streak = new int[1];
        await("three short queries in a row succeed").atMost(Duration.ofMinutes(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1)).until(() -> {
            TrinoStatements.Outcome outcome = TrinoStatements.run(coordinator, user, SHORT);
            if (!outcome.succeeded()) {
                System.out.printf("%s: warm-up query failed: %s%n", label, outcome.error().orElseThrow());
            }
            streak[0] = outcome.succeeded() ? streak[0] + 1 : 0;
            return streak[0] >= 3;
        });
    }

    public static double seconds(TrinoStatements.Outcome outcome)
    {
        return (outcome.endedNanos() - outcome.startedNanos()) / 1e9;
    }

    public static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }
}
