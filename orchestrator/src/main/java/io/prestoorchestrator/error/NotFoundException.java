package io.prestoorchestrator.error;

/** The named resource does not exist. */
public final class NotFoundException
        extends OrchestratorException
{
    public NotFoundException(String message)
    {
        super(message, null);
    }
}
