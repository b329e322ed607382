package io.prestoorchestrator.nomad;

/**
 * Told about every change of a watched deployment (per group: desired, placed, healthy,
 * unhealthy). Called on the adapter's thread (an event loop for the Nomad adapter): must not block.
 */
@FunctionalInterface
public interface DeploymentListener
{
    DeploymentListener NONE = deployment -> {};

    void progress(Deployment deployment);
}
