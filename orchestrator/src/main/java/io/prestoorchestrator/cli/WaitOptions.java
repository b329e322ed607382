package io.prestoorchestrator.cli;

import io.prestoorchestrator.config.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/** Whether and how long a command that starts an operation follows it. */
public final class WaitOptions
{
    @Option(names = "--no-wait", description = "Return once the orchestrator accepted the change (202) instead of following the operation.")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "How long to follow the operation, e.g. 90s, 30m (default: ${DEFAULT-VALUE}); it goes on in the orchestrator afterwards.")
    Duration timeout;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class, hidden = true)
    Duration pollInterval;

    static final class DurationConverter
            implements ITypeConverter<Duration>
    {
        @Override
        public Duration convert(String value)
        {
            try {
                return Durations.parse(value);
            }
            catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
