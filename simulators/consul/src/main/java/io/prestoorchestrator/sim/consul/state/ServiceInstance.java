package io.prestoorchestrator.sim.consul.state;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Collections.unmodifiableMap;
import static java.util.Objects.requireNonNull;

/**
 * A service registered on the simulated agent, as the catalog holds it.
 * Maps are kept sorted because Go renders map keys in sorted order.
 */
public record ServiceInstance(
        String kind,
        String id,
        String name,
        List<String> tags,
        Map<String, String> meta,
        int port,
        String address,
        Map<String, TaggedAddress> taggedAddresses,
        Weights weights,
        boolean enableTagOverride,
        long createIndex,
        long modifyIndex)
{
    public ServiceInstance
    {
        requireNonNull(kind, "kind is null");
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        tags = List.copyOf(requireNonNull(tags, "tags is null"));
        meta = unmodifiableMap(new TreeMap<>(requireNonNull(meta, "meta is null")));
        requireNonNull(address, "address is null");
        taggedAddresses = unmodifiableMap(new TreeMap<>(requireNonNull(taggedAddresses, "taggedAddresses is null")));
        requireNonNull(weights, "weights is null");
        if (id.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("service id and name must not be empty");
        }
    }

    ServiceInstance withIndexes(long newCreateIndex, long newModifyIndex)
    {
        return new ServiceInstance(kind, id, name, tags, meta, port, address, taggedAddresses, weights, enableTagOverride, newCreateIndex, newModifyIndex);
    }

    /**
     * Equal apart from the raft indexes: a re-registration that changes nothing must not move the index.
     */
    boolean sameDefinition(ServiceInstance other)
    {
        return withIndexes(0, 0).equals(other.withIndexes(0, 0));
    }

    public record TaggedAddress(String address, int port)
    {
        public TaggedAddress
        {
            requireNonNull(address, "address is null");
        }
    }

    public record Weights(int passing, int warning)
    {
        public static final Weights DEFAULT = new Weights(1, 1);

        public Weights
        {
            if (passing < 1) {
                throw new IllegalArgumentException("Passing must be greater than 0");
            }
            if (warning < 0) {
                throw new IllegalArgumentException("Warning must not be negative");
            }
        }
    }
}
