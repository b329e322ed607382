package io.prestoorchestrator.autoscaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One query as a coordinator's {@code GET /v1/query} lists it (Trino 476): {@code queryId},
 * {@code state}, {@code session.user}, {@code errorType}, {@code errorCode.name} and
 * {@code queryStats.endTime}. A cancelled query is listed as {@code FAILED} with error
 * {@code USER_CANCELED}.
 */
public record QueryInfo(String queryId, String user, String state, Optional<String> errorType, Optional<String> errorName, Optional<Instant> endTime)
{
    /** The state of a query the coordinator holds until {@code query-manager.required-workers} workers are active. */
    public static final String WAITING_FOR_RESOURCES = "WAITING_FOR_RESOURCES";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public enum Outcome
    {
        FINISHED("finished"), FAILED("failed"), CANCELLED("cancelled");

        private final String label;

        Outcome(String label)
        {
            this.label = label;
        }

        public String label()
        {
            return label;
        }
    }

    public QueryInfo
    {
        requireNonNull(queryId, "queryId is null");
        requireNonNull(user, "user is null");
        requireNonNull(state, "state is null");
        requireNonNull(errorType, "errorType is null");
        requireNonNull(errorName, "errorName is null");
        requireNonNull(endTime, "endTime is null");
    }

    /** How the query ended; empty while it has not (QUEUED, PLANNING, STARTING, RUNNING, FINISHING, ...). */
    public Optional<Outcome> outcome()
    {
        return switch (state) {
            case "FINISHED" -> Optional.of(Outcome.FINISHED);
            case "FAILED" -> Optional.of(errorName.filter("USER_CANCELED"::equals).isPresent() ? Outcome.CANCELLED : Outcome.FAILED);
            default -> Optional.empty();
        };
    }

    /** Parses the JSON array {@code GET /v1/query} answers; fails with an IllegalArgumentException saying what is wrong. */
    public static List<QueryInfo> parseList(String json)
    {
        JsonNode root;
        try {
            root = MAPPER.readTree(json == null ? "" : json);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the coordinator's /v1/query answered with something that is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("the coordinator's /v1/query answered with " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)) + ", not a JSON array");
        }
        List<QueryInfo> queries = new ArrayList<>();
        for (JsonNode query : root) {
            String id = query.path("queryId").asText("");
            String state = query.path("state").asText("");
            if (id.isEmpty() || state.isEmpty()) {
                throw new IllegalArgumentException("the coordinator's /v1/query lists a query without queryId or state: " + abbreviate(query.toString()));
            }
            queries.add(new QueryInfo(
                    id,
                    query.path("session").path("user").asText(""),
                    state,
                    text(query.path("errorType")).or(() -> text(query.path("errorCode").path("type"))),
                    text(query.path("errorCode").path("name")),
                    text(query.path("queryStats").path("endTime")).map(time -> instant(id, time))));
        }
        return List.copyOf(queries);
    }

    private static Optional<String> text(JsonNode node)
    {
        return node.isTextual() && !node.asText().isEmpty() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static Instant instant(String queryId, String time)
    {
        try {
            return Instant.parse(time);
        }
        catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the coordinator's /v1/query has query " + queryId + " with endTime '" + time + "', not an ISO-8601 instant");
        }
    }

    private static String abbreviate(String text)
    {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
