package io.prestoorchestrator.render;

import io.prestoorchestrator.cluster.CatalogDefinition;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Everything besides the spec that a render needs. No secret values: secrets are named only.
 *
 * @param catalogs definitions of (at least) the catalogs the spec attaches
 * @param config non-secret parameters of the cluster
 * @param secrets secret parameters of the cluster and every SSM parameter a catalog refers to
 * @param orchestratorVersion recorded in the job meta
 * @param deployedBy who deploys the job (the operation's requester), recorded in the job meta
 * @param environment process environment for {@code ${env:NAME}} values in variable files
 * @param coordinatorPort a fixed coordinator port, for variable files that use static discovery
 *         (local: workers find the coordinator at 127.0.0.1:port; side {@code green} listens on port + 1)
 * @param side which of the cluster's two sides ({@code blue}, {@code green}) the rendered allocations are:
 *         it names their pinned Traefik host and router, and workers find the coordinator of their own side
 * @param canaries whether to render the blue-green update blocks (Nomad canaries) when the spec asks for
 *         that rollout; false for a deploy that must replace in place (a job from before issue 18 has no side)
 */
public record RenderInputs(
        List<CatalogDefinition> catalogs,
        List<ConfigParameter> config,
        List<SecretParameter> secrets,
        String orchestratorVersion,
        String deployedBy,
        Map<String, String> environment,
        Optional<Integer> coordinatorPort,
        String side,
        boolean canaries)
{
    /** The two sides a cluster's allocations alternate between across blue-green deploys. */
    public static final java.util.List<String> SIDES = java.util.List.of("blue", "green");

    /** Side blue, canaries as the spec's rollout asks (a create, an offline render). */
    public RenderInputs(List<CatalogDefinition> catalogs, List<ConfigParameter> config, List<SecretParameter> secrets, String orchestratorVersion, String deployedBy,
            Map<String, String> environment, Optional<Integer> coordinatorPort)
    {
        this(catalogs, config, secrets, orchestratorVersion, deployedBy, environment, coordinatorPort, "blue", true);
    }

    public RenderInputs
    {
        catalogs = List.copyOf(requireNonNull(catalogs, "catalogs is null"));
        config = List.copyOf(requireNonNull(config, "config is null"));
        secrets = List.copyOf(requireNonNull(secrets, "secrets is null"));
        requireNonNull(orchestratorVersion, "orchestratorVersion is null");
        requireNonNull(deployedBy, "deployedBy is null");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        requireNonNull(coordinatorPort, "coordinatorPort is null");
        requireSide(side);
    }

    /**
     * The port {@code side}'s coordinator listens on in a local cluster (static discovery), whose
     * blue coordinator listens on {@code bluePort}: green takes the next one, so both sides can run at
     * once during a blue-green switch (Wiring's freeLocalPort picks such pairs).
     */
    public static int localCoordinatorPort(int bluePort, String side)
    {
        requireSide(side);
        return bluePort + SIDES.indexOf(side);
    }

    private static void requireSide(String side)
    {
        if (!SIDES.contains(side)) {
            throw new IllegalArgumentException("side is " + side + ", expected one of " + SIDES);
        }
    }

    /** These inputs for {@code newSide}, with or without the blue-green update blocks. */
    public RenderInputs forSide(String newSide, boolean withCanaries)
    {
        return new RenderInputs(catalogs, config, secrets, orchestratorVersion, deployedBy, environment, coordinatorPort, newSide, withCanaries);
    }

    /** The other side: where a blue-green deploy from {@code side} starts the new allocations. */
    public static String otherSide(String side)
    {
        return side.equals("blue") ? "green" : "blue";
    }
}
