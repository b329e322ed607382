package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of memory written the way Trino writes it: a whole number and a binary unit
 * ({@code 512MB}, {@code 4GB}; {@code B}, {@code kB}, {@code MB}, {@code GB}, {@code TB}, 1024-based).
 */
public record DataSize(long bytes)
{
    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,12})\\s*(B|kB|KB|MB|GB|TB)");
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    public DataSize
    {
        if (bytes < 0) {
            throw new IllegalArgumentException("size is negative: " + bytes);
        }
    }

    public static DataSize ofMegabytes(long megabytes)
    {
        return new DataSize(megabytes * 1024 * 1024);
    }

    /** Parses {@code 4GB}; fails with a message saying the expected form. */
    @JsonCreator
    public static DataSize valueOf(String text)
    {
        Matcher matcher = FORMAT.matcher(text == null ? "" : text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write a whole number and a unit, e.g. 512MB or 4GB");
        }
        long value = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2);
        int power = switch (unit) {
            case "B" -> 0;
            case "kB", "KB" -> 1;
            case "MB" -> 2;
            case "GB" -> 3;
            default -> 4;
        };
        return new DataSize(value << (10 * power));
    }

    public long megabytes()
    {
        return bytes / (1024 * 1024);
    }

    /** Ceiling in whole megabytes. */
    public long megabytesRoundedUp()
    {
        return (bytes + 1024 * 1024 - 1) / (1024 * 1024);
    }

    /** The largest unit that divides the size exactly: {@code 4GB}, {@code 1536MB}. */
    @JsonValue
    @Override
    public String toString()
    {
        int power = 0;
        long value = bytes;
        while (power < UNITS.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            power++;
        }
        return String.format(Locale.ROOT, "%d%s", value, UNITS[power]);
    }
}
