package io.prestoorchestrator.nomad;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** How a watched deployment ended; on failure, the tasks that failed it and their events. */
public record DeploymentOutcome(Deployment deployment, List<TaskFailure> failures)
{
    public DeploymentOutcome
    {
        requireNonNull(deployment, "deployment is null");
        failures = List.copyOf(requireNonNull(failures, "failures is null"));
        if (!deployment.terminal()) {
            throw new IllegalArgumentException("deployment " + deployment.id() + " has not ended: " + deployment.status());
        }
    }

    public boolean successful()
    {
        return deployment.successful();
    }
}
