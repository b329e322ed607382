package io.prestoorchestrator.config;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Log output.
 *
 * @param format {@code text} for people, {@code json} for log shippers (one JSON object per line)
 * @param level root log level
 * @param levels per-logger levels, e.g. {@code io.vertx: WARN}
 */
public record LoggingConfig(Format format, Level level, Map<String, Level> levels)
{
    public static final LoggingConfig DEFAULTS = new LoggingConfig(Format.TEXT, Level.INFO, Map.of());

    public LoggingConfig
    {
        if (format == null) {
            throw new ConfigException("logging.format", "is required (one of text, json)");
        }
        if (level == null) {
            throw new ConfigException("logging.level", "is required (one of error, warn, info, debug, trace)");
        }
        levels = Map.copyOf(requireNonNull(levels, "levels is null"));
    }

    public enum Format { TEXT, JSON }

    public enum Level { ERROR, WARN, INFO, DEBUG, TRACE }
}
