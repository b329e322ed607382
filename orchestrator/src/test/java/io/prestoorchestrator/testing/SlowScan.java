package io.prestoorchestrator.testing;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The long query of the drain and zero-downtime integration tests: a scan of a Black Hole table whose
 * splits each hand out one page a second, grouped and ordered. Like TPC-H Q1 it has leaf tasks on every
 * worker and a hash-partitioned aggregation across them, so removing or replacing any worker or
 * coordinator while it runs meets running tasks; unlike Q1 on sf10 (55-64 CPU-s each, measured) it
 * uses almost no CPU and runs for as long as it is told on a loaded machine. The suite ran about
 * twenty Q1s on sf10 and was bound by the cores (issue 17). Real TPC-H Q1 still runs under a drain in
 * {@code LocalStackIT} (the README's stack, scaled in from the Nomad UI) and in the opt-in upgrade and
 * PrestoDB tests.
 * <p>
 * Black Hole keeps its tables in the coordinator's memory: a coordinator that started after the table
 * was made has none. {@link #run} therefore makes the table when a query meets a coordinator without it
 * (Trino answers {@code TABLE_NOT_FOUND} at analysis, before any task exists) and runs the query again
 * (the outcome is that second run's); every such case is counted and printed. Any other failure is the query's outcome.
 */
public final class SlowScan
{
    /** The catalog a cluster needs for {@link #query}: Trino's Black Hole connector. */
    public static final String CATALOG = "slow";
    public static final String CATALOG_JSON = "{\"name\":\"" + CATALOG + "\",\"connectorName\":\"blackhole\"}";
    /**
     * Splits per scan: every worker of the tests' clusters (1 to 3 workers) gets at least one, and no more than a worker
     * runs at once, so a scan takes about its length on 1 to 3 workers. With 12 splits a 40 s scan took 45-48 s on 3
     * workers but 81 s on 1, and a 60 s scan 180 s on 1 (2026-12-07): a worker ran 4 to 6 of one query's at once.
     */
    private static final int SPLITS = 4;
    /** A {@link #query}'s table, its length in seconds as group 1 ({@link #table}'s names). */
    private static final Pattern TABLE = Pattern.compile(Pattern.quote(CATALOG + ".default.pages_") + "(\\d+)s");
    private static final AtomicInteger TABLES_MADE = new AtomicInteger();

    private SlowScan() {}

    /** A query that runs about {@code length} (one page a second per split, all splits at once). */
    public static String query(Duration length)
    {
        return "SELECT k, count(*) AS pages FROM " + table(length.toSeconds()) + " GROUP BY k ORDER BY k";
    }

    private static String table(long seconds)
    {
        return CATALOG + ".default.pages_" + seconds + "s";
    }

    /** The statement that makes {@link #query}'s table for {@code length}, for a test that makes it before its load (as a user it does not count). */
    public static String create(Duration length)
    {
        return create(length.toSeconds());
    }

    /** The statement that makes the table of {@code seconds}; Black Hole answers every split with one 100-row page a second. */
    static String create(long seconds)
    {
        return "CREATE TABLE IF NOT EXISTS " + table(seconds) + " (k bigint) WITH (split_count = " + SPLITS + ", pages_per_split = " + seconds
                + ", rows_per_page = 100, page_processing_delay = '1s')";
    }

    /**
     * Runs {@code sql} as {@link TrinoStatements#run(HttpClient, String, String, String)} does; a {@link #query} that meets a
     * coordinator without its table makes the table there and runs again.
     */
    public static TrinoStatements.Outcome run(HttpClient client, String coordinator, String user, String sql)
    {
        return run(coordinator, sql, statement -> TrinoStatements.run(client, coordinator, user, statement));
    }

    /** As {@link #run(HttpClient, String, String, String)}, with {@link TrinoStatements}' own client. */
    public static TrinoStatements.Outcome run(String coordinator, String user, String sql)
    {
        return run(coordinator, sql, statement -> TrinoStatements.run(coordinator, user, statement));
    }

    static TrinoStatements.Outcome run(String coordinator, String sql, Function<String, TrinoStatements.Outcome> statements)
    {
        TrinoStatements.Outcome outcome = statements.apply(sql);
        // most statements succeed (a stream of short queries runs through here): look at the text only after a miss
        if (outcome.error().filter(error -> error.startsWith("TABLE_NOT_FOUND:")).isEmpty()) {
            return outcome;
        }
        Matcher table = TABLE.matcher(sql);
        if (!table.find() || !outcome.error().orElseThrow().contains(table.group())) {
            return outcome;
        }
        TrinoStatements.Outcome made;
        // clients that meet the same new coordinator at once make the table one after the other
        synchronized (TABLES_MADE) {
            made = statements.apply(create(Long.parseLong(table.group(1))));
        }
        if (!made.succeeded()) {
            return made;
        }
        System.out.printf("SlowScan: %s was missing on the coordinator behind %s, now made (%d time(s) so far: a coordinator keeps Black Hole tables in memory)%n",
                table.group(), coordinator, TABLES_MADE.incrementAndGet());
        return statements.apply(sql);
    }
}
