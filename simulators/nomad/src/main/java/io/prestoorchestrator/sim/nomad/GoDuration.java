package io.prestoorchestrator.sim.nomad;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's time.ParseDuration for the units Nomad's API accepts ("300ms", "1.5h", "2m30s").
 */
final class GoDuration
{
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {}

    static Duration parse(String value)
    {
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(value);
        int position = 0;
        double nanos = 0;
        while (matcher.find() && matcher.start() == position) {
            double number = Double.parseDouble(matcher.group(1));
            nanos += number * switch (matcher.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            position = matcher.end();
        }
        if (position != value.length() || position == 0) {
            throw new IllegalArgumentException("time: invalid duration \"" + value + "\"");
        }
        return Duration.ofNanos((long) nanos);
    }

    /** Formats like Go's Duration.String() for whole seconds and above ("15s", "1m0s", "30m0s"). */
    static String format(long nanos)
    {
        if (nanos == 0) {
            return "0s";
        }
        if (nanos % 1_000_000_000L != 0) {
            if (nanos < 1_000_000_000L) {
                return nanos % 1_000_000L == 0 ? (nanos / 1_000_000L) + "ms" : nanos + "ns";
            }
            return String.format(java.util.Locale.ROOT, "%.3fs", nanos / 1e9).replaceAll("0+s$", "s");
        }
        long seconds = nanos / 1_000_000_000L;
        long hours = seconds / 3600;
        long minutes = (seconds % 3600) / 60;
        long secs = seconds % 60;
        if (hours > 0) {
            return hours + "h" + minutes + "m" + secs + "s";
        }
        if (minutes > 0) {
            return minutes + "m" + secs + "s";
        }
        return secs + "s";
    }
}
