package io.prestoorchestrator.error;

/** No usable credentials were presented (401). The message never contains the credential. */
public final class AuthenticationException
        extends OrchestratorException
{
    private final boolean tokenPresented;

    public AuthenticationException(String message, boolean tokenPresented)
    {
        super(message, null);
        this.tokenPresented = tokenPresented;
    }

    /** Whether a token was sent but not recognised (RFC 6750 {@code invalid_token}). */
    public boolean tokenPresented()
    {
        return tokenPresented;
    }
}
