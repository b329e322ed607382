package io.prestoorchestrator.autoscaling;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The counts the signal reads from a Trino 476 coordinator's {@code /metrics} (OpenMetrics text).
 * {@code ActiveNodeCount} includes the coordinator itself.
 */
public record CoordinatorMetrics(int runningQueries, int queuedQueries, int fullyBlockedQueries, int activeNodes, int drainingNodes, int drainedNodes, int shuttingDownNodes)
{
    public static final String RUNNING = "trino_execution_name_QueryManager_RunningQueries";
    public static final String QUEUED = "trino_execution_name_QueryManager_QueuedQueries";
    public static final String FULLY_BLOCKED = "trino_execution_name_QueryManager_FullyBlockedQueries";
    public static final String ACTIVE = "trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount";
    public static final String DRAINING = "trino_metadata_name_DiscoveryNodeManager_DrainingNodeCount";
    public static final String DRAINED = "trino_metadata_name_DiscoveryNodeManager_DrainedNodeCount";
    public static final String SHUTTING_DOWN = "trino_metadata_name_DiscoveryNodeManager_ShuttingDownNodeCount";
    /** The metrics read, in the order of the record: a coordinator can be asked for only these ({@code /metrics?name[]=...}). */
    public static final List<String> NAMES = List.of(RUNNING, QUEUED, FULLY_BLOCKED, ACTIVE, DRAINING, DRAINED, SHUTTING_DOWN);

    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{[^}]*})?[ \\t]+(\\S+)");

    /** Workers the coordinator schedules on: its active nodes without itself. */
    public int activeWorkers()
    {
        return Math.max(0, activeNodes - 1);
    }

    /**
     * The workers a coordinator schedules on, from the text of its {@code /metrics} when only
     * {@link #ACTIVE} is wanted (the routing readiness probe): empty when the text lacks it or it is
     * not a count.
     */
    public static OptionalInt activeWorkers(String text)
    {
        String active = text == null ? null : firstSamples(text).get(ACTIVE);
        if (active == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Math.max(0, count(ACTIVE, active) - 1));
        }
        catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Parses the text of {@code /metrics}; fails with an IllegalArgumentException naming every
     * metric that is missing (another Trino version, or not a coordinator) or not a number.
     */
    public static CoordinatorMetrics parse(String text)
    {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the coordinator's /metrics answered with an empty body");
        }
        Map<String, Integer> values = new HashMap<>();
        firstSamples(text).forEach((name, value) -> values.put(name, count(name, value)));
        List<String> missing = NAMES.stream().filter(name -> !values.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the coordinator's /metrics lacks " + String.join(", ", missing) + " (is it a Trino 476 coordinator?)");
        }
        return new CoordinatorMetrics(values.get(RUNNING), values.get(QUEUED), values.get(FULLY_BLOCKED), values.get(ACTIVE), values.get(DRAINING), values.get(DRAINED), values.get(SHUTTING_DOWN));
    }

    /** The first sample's value of each of {@link #NAMES} in the text, in the order they appear. */
    private static Map<String, String> firstSamples(String text)
    {
        Map<String, String> samples = new LinkedHashMap<>();
        Matcher matcher = SAMPLE.matcher(text);
        while (matcher.find()) {
            if (NAMES.contains(matcher.group(1))) {
                samples.putIfAbsent(matcher.group(1), matcher.group(2));
            }
        }
        return samples;
    }

    private static int count(String name, String value)
    {
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("the coordinator's /metrics has " + name + " = '" + value + "', not a number");
        }
        if (Double.isNaN(parsed) || parsed < 0) {
            throw new IllegalArgumentException("the coordinator's /metrics has " + name + " = " + value + ", not a count");
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.round(parsed));
    }
}
