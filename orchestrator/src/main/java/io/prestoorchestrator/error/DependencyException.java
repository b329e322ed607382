package io.prestoorchestrator.error;

import static java.util.Objects.requireNonNull;

/**
 * A system the orchestrator depends on (Nomad, Consul, AWS) failed or could not be reached.
 * {@code unavailable} means it could not be reached at all (503); otherwise it answered with an error (502).
 */
public final class DependencyException
        extends OrchestratorException
{
    private final String dependency;
    private final boolean unavailable;

    public DependencyException(String dependency, String message, boolean unavailable, Throwable cause)
    {
        super(message, cause);
        this.dependency = requireNonNull(dependency, "dependency is null");
        this.unavailable = unavailable;
    }

    public String dependency()
    {
        return dependency;
    }

    public boolean unavailable()
    {
        return unavailable;
    }
}
