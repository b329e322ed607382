package io.prestoorchestrator.error;

/** The caller is known but may not do this (403). */
public final class ForbiddenException
        extends OrchestratorException
{
    public ForbiddenException(String message)
    {
        super(message, null);
    }
}
