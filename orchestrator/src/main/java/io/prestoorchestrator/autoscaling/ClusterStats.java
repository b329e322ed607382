package io.prestoorchestrator.autoscaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A PrestoDB coordinator's {@code GET /v1/cluster} (0.287; no user needed): the counts the signal and the
 * readiness checks read. {@code activeWorkers} leaves the coordinator out when it schedules no work
 * ({@code node-scheduler.include-coordinator=false}, as the job renders it); a worker that was asked for
 * {@code SHUTTING_DOWN} stays counted until it is gone (seen on 0.287).
 */
public record ClusterStats(int runningQueries, int blockedQueries, int queuedQueries, int activeWorkers)
{
    public static final String PATH = "/v1/cluster";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> FIELDS = List.of("runningQueries", "blockedQueries", "queuedQueries", "activeWorkers");

    /** Parses the answer; fails with an IllegalArgumentException naming each field that is missing or not a count. */
    public static ClusterStats parse(String json)
    {
        JsonNode root;
        try {
            root = MAPPER.readTree(json == null ? "" : json);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the coordinator's " + PATH + " answered with something that is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the coordinator's " + PATH + " answered with " + (root == null ? "nothing" : root.getNodeType()) + ", not a JSON object");
        }
        List<String> bad = new ArrayList<>();
        int[] values = new int[FIELDS.size()];
        for (int i = 0; i < FIELDS.size(); i++) {
            JsonNode value = root.path(FIELDS.get(i));
            if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
                bad.add(FIELDS.get(i));
            }
            else {
                values[i] = value.asInt();
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("the coordinator's " + PATH + " lacks a count for " + String.join(", ", bad) + " (is it a PrestoDB coordinator?)");
        }
        return new ClusterStats(values[0], values[1], values[2], values[3]);
    }

    /** The workers the coordinator schedules on; empty when the text is not a {@code /v1/cluster} answer. */
    public static OptionalInt activeWorkers(String json)
    {
        try {
            return OptionalInt.of(parse(json).activeWorkers());
        }
        catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The same counts as a Trino coordinator's metrics: blocked queries are PrestoDB's fully blocked ones; the
     * active nodes add the coordinator back; PrestoDB has no draining or drained nodes, and does not count
     * the ones shutting down apart from the active ones.
     */
    public CoordinatorMetrics asCoordinatorMetrics()
    {
        return new CoordinatorMetrics(runningQueries, queuedQueries, blockedQueries, activeWorkers + 1, 0, 0, 0);
    }
}
