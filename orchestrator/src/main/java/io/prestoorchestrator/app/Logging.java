package io.prestoorchestrator.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.prestoorchestrator.config.LoggingConfig;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link LoggingConfig}: text for people, or one JSON object per line (Logstash layout)
 * with the structured fields ({@code cluster}, {@code dependency}, ...) as top-level keys.
 */
final class Logging
{
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} - %msg %kvp{NONE}%n";

    private Logging() {}

    static void configure(LoggingConfig config)
    {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder;
        if (config.format() == LoggingConfig.Format.JSON) {
            LogstashEncoder json = new LogstashEncoder();
            json.setContext(context);
            json.start();
            encoder = json;
        }
        else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setContext(context);
            text.setPattern(TEXT_PATTERN);
            text.start();
            encoder = text;
        }
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("console");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(Level.toLevel(config.level().name()));
        context.getLogger("io.netty").setLevel(Level.WARN);
        config.levels().forEach((name, level) -> context.getLogger(name).setLevel(Level.toLevel(level.name())));
    }

    static void flush()
    {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
