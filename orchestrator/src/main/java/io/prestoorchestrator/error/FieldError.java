package io.prestoorchestrator.error;

import static java.util.Objects.requireNonNull;

/**
 * One problem with one input field.
 *
 * @param field where: a JSON pointer into the body ({@code /workers/max}) or a parameter name
 * @param message what is wrong and what to do about it
 */
public record FieldError(String field, String message)
{
    public FieldError
    {
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }
}
