package io.prestoorchestrator.autoscaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which ended queries of one cluster have been counted, so that a query listed by
 * {@code /v1/query} in many polls, or again after a restart, is counted once.
 *
 * <p>A coordinator lists a finished query for at least {@code query.min-expire-age} (15m), so every
 * poll sees mostly queries counted before. The ledger keeps the id and end time of each counted
 * query for the retention, and a watermark: every query that ended at or before it was counted.
 * The persisted form ({@link #toJson}) keeps only the last {@link #PERSISTED_WINDOW} of ids (at most
 * {@link #MAX_PERSISTED_IDS}) and moves the watermark up to them, so it stays small enough for one
 * Consul KV value however busy the cluster. A query that ends is listed at once, so one that ended
 * more than that window before the newest counted one was seen in an earlier poll.
 */
public final class CountedQueries
{
    static final Duration PERSISTED_WINDOW = Duration.ofMinutes(2);
    static final int MAX_PERSISTED_IDS = 5_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Instant countedUntil;
    private final Map<String, Instant> counted = new HashMap<>();

    private CountedQueries(Instant countedUntil)
    {
        this.countedUntil = requireNonNull(countedUntil, "countedUntil is null");
    }

    /** A ledger that has counted nothing: every ended query it is shown is new. */
    public static CountedQueries empty()
    {
        return new CountedQueries(Instant.EPOCH);
    }

    /**
     * The ended queries of {@code listed} not counted before, now marked counted. A query listed as
     * ended without an end time is taken to have ended at {@code now}.
     */
    public synchronized List<QueryInfo> admit(List<QueryInfo> listed, Instant now)
    {
        List<QueryInfo> fresh = new ArrayList<>();
        for (QueryInfo query : listed) {
            if (query.outcome().isEmpty()) {
                continue;
            }
            Instant ended = query.endTime().orElse(now);
            if (!ended.isAfter(countedUntil) || counted.containsKey(query.queryId())) {
                continue;
            }
            counted.put(query.queryId(), ended);
            fresh.add(query);
        }
        return List.copyOf(fresh);
    }

    /** Forgets ids of queries that ended more than {@code retention} before {@code now}; the watermark moves up past them. */
    public synchronized void prune(Instant now, Duration retention)
    {
        Instant horizon = now.minus(retention);
        counted.entrySet().removeIf(entry -> {
            if (entry.getValue().isBefore(horizon)) {
                countedUntil = max(countedUntil, entry.getValue());
                return true;
            }
            return false;
        });
    }

    public synchronized Instant countedUntil()
    {
        return countedUntil;
    }

    public synchronized int size()
    {
        return counted.size();
    }

    /** The persisted form: the watermark and the ids of the last queries counted. */
    public synchronized String toJson()
    {
        Instant newest = counted.values().stream().max(Comparator.naturalOrder()).orElse(countedUntil);
        Instant window = max(countedUntil, newest.minus(PERSISTED_WINDOW));
        Instant watermark = window;
        List<Map.Entry<String, Instant>> recent = counted.entrySet().stream()
                .filter(entry -> entry.getValue().isAfter(window))
                .sorted(Map.Entry.<String, Instant>comparingByValue().reversed())
                .toList();
        if (recent.size() > MAX_PERSISTED_IDS) {
            watermark = max(watermark, recent.get(MAX_PERSISTED_IDS).getValue());
            Instant cut = watermark;
            recent = recent.stream().filter(entry -> entry.getValue().isAfter(cut)).toList();
        }
        ObjectNode root = MAPPER.createObjectNode();
        root.put("countedUntil", watermark.toString());
        ObjectNode ids = root.putObject("queries");
        recent.forEach(entry -> ids.put(entry.getKey(), entry.getValue().toString()));
        return root.toString();
    }

    /** Reads {@link #toJson()}'s form; fails with an IllegalArgumentException naming what is wrong. */
    public static CountedQueries fromJson(String json)
    {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || !root.isObject() || !root.path("countedUntil").isTextual() || !root.path("queries").isObject()) {
                throw new IllegalArgumentException("counted queries must be an object with countedUntil and queries: " + json);
            }
            CountedQueries ledger = new CountedQueries(Instant.parse(root.get("countedUntil").asText()));
            root.get("queries").properties().forEach(entry -> ledger.counted.put(entry.getKey(), Instant.parse(entry.getValue().asText())));
            return ledger;
        }
        catch (JsonProcessingException | DateTimeParseException e) {
            throw new IllegalArgumentException("counted queries are not readable: " + e.getMessage());
        }
    }

    /** Tries {@link #fromJson}; empty when the text is not readable. */
    public static Optional<CountedQueries> tryFromJson(String json)
    {
        try {
            return Optional.of(fromJson(json));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Instant max(Instant a, Instant b)
    {
        return a.isAfter(b) ? a : b;
    }
}
