package io.prestoorchestrator.sim.consul.state;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Go's {@code time.ParseDuration} and {@code Duration.String()}: Consul takes and renders
 * durations ("10s", "1m30s", "1.5s", "500ms") in this format.
 */
public final class GoDuration
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private GoDuration() {}

    public static Duration parse(String text)
    {
        String quoted = "\"" + text + "\"";
        String rest = text;
        boolean negative = false;
        if (!rest.isEmpty() && (rest.charAt(0) == '-' || rest.charAt(0) == '+')) {
            negative = rest.charAt(0) == '-';
            rest = rest.substring(1);
        }
        if (rest.equals("0")) {
            return Duration.ZERO;
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("time: invalid duration " + quoted);
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        while (!rest.isEmpty()) {
            int i = 0;
            while (i < rest.length() && (Character.isDigit(rest.charAt(i)) || rest.charAt(i) == '.')) {
                i++;
            }
            String number = rest.substring(0, i);
            if (number.isEmpty() || number.equals(".") || number.chars().filter(c -> c == '.').count() > 1) {
                throw new IllegalArgumentException("time: invalid duration " + quoted);
            }
            rest = rest.substring(i);
            int j = 0;
            while (j < rest.length() && !Character.isDigit(rest.charAt(j)) && rest.charAt(j) != '.') {
                j++;
            }
            String unit = rest.substring(0, j);
            rest = rest.substring(j);
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("time: missing unit in duration " + quoted);
            }
            long unitNanos = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> NANOS_PER_SECOND;
                case "m" -> 60 * NANOS_PER_SECOND;
                case "h" -> 3600 * NANOS_PER_SECOND;
                default -> throw new IllegalArgumentException("time: unknown unit \"" + unit + "\" in duration " + quoted);
            };
            totalNanos = totalNanos.add(new BigDecimal(number.endsWith(".") ? number + "0" : number).multiply(BigDecimal.valueOf(unitNanos)));
        }
        if (totalNanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("time: invalid duration " + quoted);
        }
        long nanos = totalNanos.longValue();
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    public static String format(Duration duration)
    {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long value = Math.abs(nanos);
        if (value < NANOS_PER_SECOND) {
            if (value < 1_000) {
                return sign + value + "ns";
            }
            if (value < 1_000_000) {
                return sign + fraction(value, 1_000) + "µs";
            }
            return sign + fraction(value, 1_000_000) + "ms";
        }
        long hours = value / (3600 * NANOS_PER_SECOND);
        value -= hours * 3600 * NANOS_PER_SECOND;
        long minutes = value / (60 * NANOS_PER_SECOND);
        value -= minutes * 60 * NANOS_PER_SECOND;
        String seconds = fraction(value, NANOS_PER_SECOND) + "s";
        if (hours > 0) {
            return sign + hours + "h" + minutes + "m" + seconds;
        }
        if (minutes > 0) {
            return sign + minutes + "m" + seconds;
        }
        return sign + seconds;
    }

    private static String fraction(long value, long unit)
    {
        long whole = value / unit;
        long remainder = value % unit;
        if (remainder == 0) {
            return Long.toString(whole);
        }
        int digits = Long.toString(unit).length() - 1;
        String decimals = String.format("%0" + digits + "d", remainder).replaceAll("0+$", "");
        return whole + "." + decimals;
    }
}
