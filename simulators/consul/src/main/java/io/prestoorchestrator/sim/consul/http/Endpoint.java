package io.prestoorchestrator.sim.consul.http;

/**
 * Handles one call; may answer later (blocking queries). Exceptions thrown synchronously are
 * mapped to Consul's error responses by {@link ConsulApi}.
 */
@FunctionalInterface
interface Endpoint
{
    void handle(Call call);
}
