package io.prestoorchestrator.sim.consul.agent;

import io.prestoorchestrator.sim.consul.state.HealthCheck;

import static java.util.Objects.requireNonNull;

/**
 * A check to register; {@code explicitStatus} tells whether the request set "Status" (otherwise the
 * check starts critical, or keeps the status it already had when it is re-registered).
 */
public record CheckRegistration(HealthCheck check, boolean explicitStatus)
{
    public CheckRegistration
    {
        requireNonNull(check, "check is null");
    }
}
