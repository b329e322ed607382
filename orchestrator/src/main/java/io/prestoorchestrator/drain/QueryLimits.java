package io.prestoorchestrator.drain;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trino's time limits applied to a coordinator's query list ({@code GET /v1/query}, Trino 476):
 * a query fails once {@code query_max_run_time} has passed since it was created, or
 * {@code query_max_execution_time} since it started executing. Each limit is the query's session
 * property when set, else the cluster's {@code query.max-run-time} / {@code query.max-execution-time},
 * else Trino's default of 100 days.
 */
public final class QueryLimits
{
    static final String MAX_RUN_TIME = "query.max-run-time";
    static final String MAX_EXECUTION_TIME = "query.max-execution-time";
    static final Duration TRINO_DEFAULT_LIMIT = Duration.ofDays(100);
    private static final Set<String> DONE = Set.of("FINISHED", "FAILED");
    // Airlift's Duration as Trino prints and parses it: 2.08s, 34.91ms, 0.00ns, 30m, 100.00d
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h|d)");

    private QueryLimits() {}

    /**
     * The longest time an unfinished query of the list created before {@code createdBy} may still
     * run ({@link Duration#ZERO} when there is none); empty when the list or a limit cannot be read.
     * A query whose creation time cannot be read counts.
     */
    public static Optional<Duration> longestTimeLeft(JsonNode queries, Map<String, String> clusterProperties, Instant createdBy)
    {
        if (queries == null || !queries.isArray()) {
            return Optional.empty();
        }
        Optional<Duration> clusterRunTime = limit(clusterProperties.get(MAX_RUN_TIME));
        Optional<Duration> clusterExecutionTime = limit(clusterProperties.get(MAX_EXECUTION_TIME));
        if (clusterRunTime.isEmpty() || clusterExecutionTime.isEmpty()) {
            return Optional.empty();
        }
        Duration longest = Duration.ZERO;
        for (JsonNode query : queries) {
            if (DONE.contains(query.path("state").asText()) || createdAfter(query, createdBy)) {
                continue;
            }
            JsonNode session = query.path("session").path("systemProperties");
            Optional<Duration> runTime = session.hasNonNull("query_max_run_time") ? parse(session.get("query_max_run_time").asText()) : clusterRunTime;
            Optional<Duration> executionTime = session.hasNonNull("query_max_execution_time") ? parse(session.get("query_max_execution_time").asText()) : clusterExecutionTime;
            Optional<Duration> elapsed = parse(query.path("queryStats").path("elapsedTime").asText());
            // executionTime counts from the start of execution; a query still queued has not started
            Optional<Duration> executing = query.path("queryStats").has("executionTime") ? parse(query.path("queryStats").path("executionTime").asText()) : Optional.of(Duration.ZERO);
            if (runTime.isEmpty() || executionTime.isEmpty() || elapsed.isEmpty() || executing.isEmpty()) {
                return Optional.empty();
            }
            Duration left = min(runTime.get().minus(elapsed.get()), executionTime.get().minus(executing.get()));
            if (left.compareTo(longest) > 0) {
                longest = left;
            }
        }
        return Optional.of(longest);
    }

    private static boolean createdAfter(JsonNode query, Instant createdBy)
    {
        try {
            return Instant.parse(query.path("queryStats").path("createTime").asText()).isAfter(createdBy);
        }
        catch (DateTimeParseException e) {
            return false;
        }
    }

    private static Optional<Duration> limit(String configured)
    {
        return configured == null ? Optional.of(TRINO_DEFAULT_LIMIT) : parse(configured);
    }

    /** An Airlift duration ({@code 2.08s}, {@code 30m}); empty when it is not one. */
    static Optional<Duration> parse(String text)
    {
        Matcher matcher = DURATION.matcher(text == null ? "" : text.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        BigDecimal nanosPerUnit = BigDecimal.valueOf(switch (matcher.group(2)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> throw new IllegalStateException("unreachable");
        });
        return Optional.of(Duration.ofNanos(new BigDecimal(matcher.group(1)).multiply(nanosPerUnit).longValue()));
    }

    private static Duration min(Duration a, Duration b)
    {
        Duration smaller = a.compareTo(b) <= 0 ? a : b;
        return smaller.isNegative() ? Duration.ZERO : smaller;
    }
}
