package io.prestoorchestrator.error;

import static java.util.Objects.requireNonNull;

/**
 * Every failure the orchestrator reports to a caller. The API's failure handler maps each kind,
 * once, to an {@code application/problem+json} response; nothing else decides status codes.
 */
public abstract sealed class OrchestratorException
        extends RuntimeException
        permits InvalidInputException, NotFoundException, ConflictException, DependencyException, AuthenticationException, ForbiddenException
{
    protected OrchestratorException(String message, Throwable cause)
    {
        super(requireNonNull(message, "message is null"), cause);
    }
}
