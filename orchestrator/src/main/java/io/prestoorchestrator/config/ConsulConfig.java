package io.prestoorchestrator.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigChecks.checkHttpUri;
import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static io.prestoorchestrator.config.ConfigChecks.checkText;
import static java.util.Objects.requireNonNull;

/**
 * The Consul HTTP API: service discovery for Traefik, and the orchestrator's own state in KV.
 *
 * @param address base URL of a Consul agent, e.g. {@code http://127.0.0.1:8500}
 * @param token ACL token sent as {@code X-Consul-Token}; empty when ACLs are off
 * @param kvPrefix KV prefix under which cluster specs, operations and drains are stored
 * @param requestTimeout timeout of one request
 * @param traefikRootKey the root key of Traefik's Consul KV provider ({@code --providers.consul.rootKey}): each
 *         cluster's public host is a router the orchestrator writes there (issue 18)
 */
public record ConsulConfig(URI address, Optional<Secret> token, String kvPrefix, Duration requestTimeout, String traefikRootKey)
{
    public ConsulConfig(URI address, Optional<Secret> token, String kvPrefix, Duration requestTimeout)
    {
        this(address, token, kvPrefix, requestTimeout, "traefik");
    }

    public static final ConsulConfig DEFAULTS = new ConsulConfig(
            URI.create("http://127.0.0.1:8500"), Optional.empty(), "presto-orchestrator", Duration.ofSeconds(10));

    public ConsulConfig
    {
        checkHttpUri("consul.address", address);
        requireNonNull(token, "token is null");
        checkText("consul.kv-prefix", kvPrefix);
        if (kvPrefix.startsWith("/") || kvPrefix.endsWith("/")) {
            throw new ConfigException("consul.kv-prefix", "must not start or end with '/', got '" + kvPrefix + "'");
        }
        checkPositive("consul.request-timeout", requestTimeout);
        traefikRootKey = traefikRootKey == null ? "traefik" : traefikRootKey;
        checkText("consul.traefik-root-key", traefikRootKey);
        if (traefikRootKey.startsWith("/") || traefikRootKey.endsWith("/")) {
            throw new ConfigException("consul.traefik-root-key", "must not start or end with '/', got '" + traefikRootKey + "'");
        }
    }
}
