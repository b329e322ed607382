package io.prestoorchestrator.discovery;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/** The instances of a Consul service with the state of their checks, as routing sees them. */
public interface ServiceHealth
{
    /** Every instance of {@code service}, whatever the state of its checks; empty when none is registered. */
    CompletionStage<List<Instance>> instances(String service);

    /** One instance of {@code service}, a passing one if there is any; empty when none is registered. */
    default CompletionStage<Optional<Instance>> preferPassing(String service)
    {
        return instances(service).thenApply(instances -> instances.stream()
                .sorted((a, b) -> Boolean.compare(b.passing(), a.passing()))
                .findFirst());
    }

    record Instance(String serviceId, String node, String address, int port, List<String> tags, Map<String, String> meta, List<Check> checks)
    {
        public Instance
        {
            requireNonNull(serviceId, "serviceId is null");
            requireNonNull(node, "node is null");
            requireNonNull(address, "address is null");
            tags = List.copyOf(requireNonNull(tags, "tags is null"));
            meta = Map.copyOf(requireNonNull(meta, "meta is null"));
            checks = List.copyOf(requireNonNull(checks, "checks is null"));
        }

        /** {@code <address>:<port>}, the address in brackets when it is IPv6. */
        public String hostPort()
        {
            return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        }

        /** {@code http://<address>:<port>}, the address in brackets when it is IPv6. */
        public String httpUrl()
        {
            return "http://" + hostPort();
        }

        /** Passing as Traefik's Consul Catalog provider counts it with {@code strictChecks=passing}: every check, the node's included, passes. */
        public boolean passing()
        {
            return checks.stream().allMatch(check -> check.status().equals("passing"));
        }
    }

    /** @param status passing, warning or critical */
    record Check(String name, String status, String output)
    {
        public Check
        {
            requireNonNull(name, "name is null");
            requireNonNull(status, "status is null");
            requireNonNull(output, "output is null");
        }
    }
}
