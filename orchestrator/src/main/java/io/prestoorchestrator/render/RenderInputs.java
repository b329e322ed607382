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
 *         (local: workers find the coordinator at 127.0.0.1:port)
 */
public record RenderInputs(
        List<CatalogDefinition> catalogs,
        List<ConfigParameter> config,
        List<SecretParameter> secrets,
        String orchestratorVersion,
        String deployedBy,
        Map<String, String> environment,
        Optional<Integer> coordinatorPort)
{
    public RenderInputs
    {
        catalogs = List.copyOf(requireNonNull(catalogs, "catalogs is null"));
        config = List.copyOf(requireNonNull(config, "config is null"));
        secrets = List.copyOf(requireNonNull(secrets, "secrets is null"));
        requireNonNull(orchestratorVersion, "orchestratorVersion is null");
        requireNonNull(deployedBy, "deployedBy is null");
        environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        requireNonNull(coordinatorPort, "coordinatorPort is null");
    }
}
