package io.prestoorchestrator.drain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prestoorchestrator.testing.TrinoFixtures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Trino's query time limits over a coordinator's query list, as a drain's deadline reads them. */
class TestQueryLimits
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** After every query of the fixtures was created. */
    private static final Instant LATER = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void testParsesDurationsAsTrinoPrintsThem()
    {
        assertThat(QueryLimits.parse("2.08s")).contains(Duration.ofMillis(2080));
        assertThat(QueryLimits.parse("34.91ms")).contains(Duration.ofNanos(34_910_000));
        assertThat(QueryLimits.parse("0.00ns")).contains(Duration.ZERO);
        assertThat(QueryLimits.parse("100.00d")).contains(Duration.ofDays(100));
        assertThat(QueryLimits.parse("30m")).contains(Duration.ofMinutes(30));
        assertThat(QueryLimits.parse("1.5h")).contains(Duration.ofMinutes(90));
        assertThat(QueryLimits.parse("250us")).contains(Duration.ofNanos(250_000));
        assertThat(QueryLimits.parse("soon")).isEmpty();
        assertThat(QueryLimits.parse("5 fortnights")).isEmpty();
        assertThat(QueryLimits.parse(null)).isEmpty();
    }

    @Test
    void testClusterLimitsOverARealQueryList()
            throws Exception
    {
        // two RUNNING queries (elapsed 2.08s and 2.06s, executing 2.07s and 2.05s) and one QUEUED (elapsed 2.07s)
        JsonNode queries = MAPPER.readTree(TrinoFixtures.text("v1-query-during-load.json"));

        assertThat(QueryLimits.longestTimeLeft(queries, Map.of(), LATER)).as("Trino's defaults: 100 days").contains(Duration.ofDays(100).minus(Duration.ofMillis(2060)));
        assertThat(QueryLimits.longestTimeLeft(queries, Map.of("query.max-run-time", "1h"), LATER)).contains(Duration.ofHours(1).minus(Duration.ofMillis(2060)));
        assertThat(QueryLimits.longestTimeLeft(queries, Map.of("query.max-execution-time", "10m"), LATER))
                .as("the queued query has not started executing: its whole execution limit is left")
                .contains(Duration.ofMinutes(10));
        assertThat(QueryLimits.longestTimeLeft(queries, Map.of("query.max-run-time", "1m", "query.max-execution-time", "10m"), LATER))
                .as("the tighter of the two limits")
                .contains(Duration.ofMinutes(1).minus(Duration.ofMillis(2060)));
    }

    @Test
    void testSessionPropertiesOverrideTheCluster()
            throws Exception
    {
        JsonNode queries = MAPPER.readTree("""
                [{"state":"RUNNING","session":{"systemProperties":{"query_max_execution_time":"45m"}},"queryStats":{"elapsedTime":"1.00m","executionTime":"50.00s"}},
                 {"state":"RUNNING","session":{"systemProperties":{}},"queryStats":{"elapsedTime":"10.00s","executionTime":"10.00s"}},
                 {"state":"FINISHED","session":{"systemProperties":{"query_max_run_time":"10d"}},"queryStats":{"elapsedTime":"1.00s","executionTime":"1.00s"}}]
                """);

        assertThat(QueryLimits.longestTimeLeft(queries, Map.of("query.max-execution-time", "5m"), LATER))
                .as("the first query raised its own limit; the finished one does not count")
                .contains(Duration.ofMinutes(45).minus(Duration.ofSeconds(50)));
    }

    @Test
    void testQueriesCreatedOnceTheWorkerTakesNoMoreTasksDoNotCount()
            throws Exception
    {
        JsonNode queries = MAPPER.readTree("""
                [{"state":"RUNNING","session":{"systemProperties":{}},"queryStats":{"createTime":"2026-11-22T10:00:00.000Z","elapsedTime":"1.00m","executionTime":"1.00m"}},
                 {"state":"RUNNING","session":{"systemProperties":{}},"queryStats":{"createTime":"2026-11-22T10:00:40.000Z","elapsedTime":"20.00s","executionTime":"20.00s"}},
                 {"state":"QUEUED","session":{"systemProperties":{}},"queryStats":{"elapsedTime":"1.00s"}}]
                """);
        Map<String, String> limits = Map.of("query.max-run-time", "10m");

        assertThat(QueryLimits.longestTimeLeft(queries, limits, Instant.parse("2026-11-22T10:00:30Z")))
                .as("the second query came after; the third has no creation time and counts")
                .contains(Duration.ofMinutes(10).minus(Duration.ofSeconds(1)));
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree("[" + queries.get(0) + "," + queries.get(1) + "]"), limits, Instant.parse("2026-11-22T10:00:30Z")))
                .contains(Duration.ofMinutes(9));
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree("[" + queries.get(0) + "," + queries.get(1) + "]"), limits, LATER))
                .contains(Duration.ofMinutes(10).minus(Duration.ofSeconds(20)));
    }

    @Test
    void testNothingRunningAndWhatCannotBeRead()
            throws Exception
    {
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree(TrinoFixtures.text("v1-query-after-load.json")), Map.of("query.max-run-time", "1h"), LATER))
                .as("every query done")
                .contains(Duration.ZERO);
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree("[]"), Map.of(), LATER)).contains(Duration.ZERO);
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree("{}"), Map.of(), LATER)).isEmpty();
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree("[]"), Map.of("query.max-run-time", "a while"), LATER)).isEmpty();
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree("""
                [{"state":"RUNNING","session":{"systemProperties":{}},"queryStats":{"elapsedTime":"later"}}]"""), Map.of(), LATER)).isEqualTo(Optional.empty());
        assertThat(QueryLimits.longestTimeLeft(MAPPER.readTree("""
                [{"state":"RUNNING","session":{"systemProperties":{}},"queryStats":{"elapsedTime":"2.00h","executionTime":"2.00h"}}]"""), Map.of("query.max-run-time", "1h"), LATER))
                .as("past its limit (Trino is failing it): nothing left")
                .contains(Duration.ZERO);
    }
}
