package io.prestoorchestrator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/** Captures every log event (message, structured fields, stack traces) while open. */
public final class CapturedLogs
        implements AutoCloseable
{
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public CapturedLogs()
    {
        appender.start();
        root.addAppender(appender);
    }

    /** Everything logged, as one string: formatted messages, key/value pairs and throwables. */
    public String text()
    {
        synchronized (appender.list) {
            return appender.list.stream().map(CapturedLogs::render).collect(Collectors.joining("\n"));
        }
    }

    public List<ILoggingEvent> events()
    {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    private static String render(ILoggingEvent event)
    {
        StringBuilder text = new StringBuilder(event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            event.getKeyValuePairs().forEach(pair -> text.append(' ').append(pair.key).append('=').append(pair.value));
        }
        if (event.getThrowableProxy() != null) {
            text.append(' ').append(event.getThrowableProxy().getMessage());
        }
        return text.toString();
    }

    @Override
    public void close()
    {
        root.detachAppender(appender);
    }
}
