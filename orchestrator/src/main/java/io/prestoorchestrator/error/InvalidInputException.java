package io.prestoorchestrator.error;

import java.util.List;

/**
 * The request cannot be carried out as given. {@code semantic} separates input that is well-formed
 * but contradicts itself or the current state of things (422) from malformed input (400).
 */
public final class InvalidInputException
        extends OrchestratorException
{
    private final List<FieldError> fieldErrors;
    private final boolean semantic;

    public InvalidInputException(String message, List<FieldError> fieldErrors, boolean semantic)
    {
        super(message, null);
        this.fieldErrors = List.copyOf(fieldErrors);
        this.semantic = semantic;
    }

    public static InvalidInputException malformed(String field, String message)
    {
        return new InvalidInputException(message, List.of(new FieldError(field, message)), false);
    }

    public static InvalidInputException unprocessable(String field, String message)
    {
        return new InvalidInputException(message, List.of(new FieldError(field, message)), true);
    }

    public List<FieldError> fieldErrors()
    {
        return fieldErrors;
    }

    public boolean semantic()
    {
        return semantic;
    }
}
