package io.prestoorchestrator.sim.nomad;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Configuration of one simulated Nomad agent (server + virtual clients).
 *
 * @param bindAddress address the HTTP API listens on
 * @param port HTTP port; 0 picks a free one
 * @param region Nomad region of the agent and of jobs that name none
 * @param nodes the virtual client nodes
 * @param consulAddress Consul agent HTTP address for service registration, or empty for none
 * @param aclToken management token; when present ACLs are enforced and every other token is denied
 * @param dataDir where allocation directories live
 * @param minHealthyTimeOverride replaces every group's Update.MinHealthyTime when present (tests)
 */
public record NomadSimulatorConfig(
        String bindAddress,
        int port,
        String region,
        List<NodeSpec> nodes,
        Optional<URI> consulAddress,
        Optional<String> aclToken,
        Path dataDir,
        Optional<Duration> minHealthyTimeOverride)
{
    public NomadSimulatorConfig
    {
        requireNonNull(bindAddress, "bindAddress is null");
        requireNonNull(region, "region is null");
        nodes = List.copyOf(requireNonNull(nodes, "nodes is null"));
        requireNonNull(consulAddress, "consulAddress is null");
        requireNonNull(aclToken, "aclToken is null");
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(minHealthyTimeOverride, "minHealthyTimeOverride is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (region.isBlank()) {
            throw new IllegalArgumentException("region is blank");
        }
        if (nodes.stream().map(NodeSpec::name).distinct().count() != nodes.size()) {
            throw new IllegalArgumentException("node names are not unique");
        }
        aclToken.ifPresent(token -> {
            if (token.isBlank()) {
                throw new IllegalArgumentException("aclToken is blank");
            }
        });
    }

    /** Defaults: loopback, free port, region "global", {@code count} nodes in {@code datacenter}, no Consul, no ACL. */
    public static NomadSimulatorConfig defaults(int count, String datacenter, Path dataDir)
    {
        return new NomadSimulatorConfig("127.0.0.1", 0, "global", NodeSpec.numbered(count, datacenter), Optional.empty(), Optional.empty(), dataDir, Optional.empty());
    }

    public NomadSimulatorConfig withPort(int port)
    {
        return new NomadSimulatorConfig(bindAddress, port, region, nodes, consulAddress, aclToken, dataDir, minHealthyTimeOverride);
    }

    public NomadSimulatorConfig withBindAddress(String bindAddress)
    {
        return new NomadSimulatorConfig(bindAddress, port, region, nodes, consulAddress, aclToken, dataDir, minHealthyTimeOverride);
    }

    public NomadSimulatorConfig withConsul(URI consulAddress)
    {
        return new NomadSimulatorConfig(bindAddress, port, region, nodes, Optional.of(consulAddress), aclToken, dataDir, minHealthyTimeOverride);
    }

    public NomadSimulatorConfig withAclToken(String aclToken)
    {
        return new NomadSimulatorConfig(bindAddress, port, region, nodes, consulAddress, Optional.of(aclToken), dataDir, minHealthyTimeOverride);
    }

    public NomadSimulatorConfig withMinHealthyTime(Duration minHealthyTime)
    {
        return new NomadSimulatorConfig(bindAddress, port, region, nodes, consulAddress, aclToken, dataDir, Optional.of(minHealthyTime));
    }

    public NomadSimulatorConfig withNodes(List<NodeSpec> nodes)
    {
        return new NomadSimulatorConfig(bindAddress, port, region, nodes, consulAddress, aclToken, dataDir, minHealthyTimeOverride);
    }

    /**
     * One virtual client node.
     */
    public record NodeSpec(String name, String datacenter, String nodeClass, String nodePool, java.util.Map<String, String> meta)
    {
        public NodeSpec
        {
            requireNonNull(name, "name is null");
            requireNonNull(datacenter, "datacenter is null");
            requireNonNull(nodeClass, "nodeClass is null");
            requireNonNull(nodePool, "nodePool is null");
            meta = java.util.Map.copyOf(requireNonNull(meta, "meta is null"));
        }

        public static List<NodeSpec> numbered(int count, String datacenter)
        {
            if (count < 0) {
                throw new IllegalArgumentException("node count is negative");
            }
            List<NodeSpec> nodes = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                nodes.add(new NodeSpec("sim-node-" + i, datacenter, "", "default", java.util.Map.of()));
            }
            return nodes;
        }
    }
}
