package io.prestoorchestrator.error;

/** The request clashes with the current state: a concurrent update, or an illegal state transition. */
public final class ConflictException
        extends OrchestratorException
{
    public ConflictException(String message)
    {
        super(message, null);
    }
}
