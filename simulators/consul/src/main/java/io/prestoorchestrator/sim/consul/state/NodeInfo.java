package io.prestoorchestrator.sim.consul.state;

import static java.util.Objects.requireNonNull;

/**
 * The one node (and datacenter) this simulated agent represents.
 */
public record NodeInfo(String name, String id, String address, String datacenter)
{
    public NodeInfo
    {
        requireNonNull(name, "name is null");
        requireNonNull(id, "id is null");
        requireNonNull(address, "address is null");
        requireNonNull(datacenter, "datacenter is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("node name is blank");
        }
        if (datacenter.isBlank()) {
            throw new IllegalArgumentException("datacenter is blank");
        }
    }
}
