package io.prestoorchestrator.cli;

import io.prestoorchestrator.error.FieldError;

import java.util.List;

/**
 * A command cannot go on: the message (and the field errors, each with its field and what to
 * change) go to stderr as {@code error: ...}, and the command exits with {@link #exitCode()}.
 */
final class CliException
        extends RuntimeException
{
    static final int FAILED = 1;
    static final int BAD_INPUT = 2;

    private final int exitCode;
    private final List<FieldError> fieldErrors;
    private final List<String> hints;
    private final boolean unreachable;

    CliException(int exitCode, String message, List<FieldError> fieldErrors, List<String> hints)
    {
        this(exitCode, message, fieldErrors, hints, false);
    }

    private CliException(int exitCode, String message, List<FieldError> fieldErrors, List<String> hints, boolean unreachable)
    {
        super(message);
        this.exitCode = exitCode;
        this.fieldErrors = List.copyOf(fieldErrors);
        this.hints = List.copyOf(hints);
        this.unreachable = unreachable;
    }

    /** The orchestrator could not be reached at all (as opposed to answering with an error). */
    static CliException unreachable(String message, List<String> hints)
    {
        return new CliException(FAILED, message, List.of(), hints, true);
    }

    /** Bad input from the command line or a file it names (exit 2, like picocli's usage errors). */
    static CliException badInput(String message)
    {
        return new CliException(BAD_INPUT, message, List.of(), List.of());
    }

    static CliException failed(String message)
    {
        return new CliException(FAILED, message, List.of(), List.of());
    }

    int exitCode()
    {
        return exitCode;
    }

    List<FieldError> fieldErrors()
    {
        return fieldErrors;
    }

    List<String> hints()
    {
        return hints;
    }

    boolean unreachable()
    {
        return unreachable;
    }
}
