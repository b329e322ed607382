package io.prestoorchestrator.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigChecks.checkHttpUri;
import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static io.prestoorchestrator.config.ConfigChecks.checkText;
import static java.util.Objects.requireNonNull;

/**
 * The Nomad HTTP API (real Nomad 1.6+ in production, the simulator locally).
 *
 * @param address base URL of a Nomad agent, e.g. {@code http://127.0.0.1:4646}
 * @param token ACL token sent as {@code X-Nomad-Token}; empty when ACLs are off
 * @param region Nomad region the jobs are registered in
 * @param namespace Nomad namespace the jobs are registered in
 * @param requestTimeout timeout of one request (blocking queries add their wait time to it)
 */
public record NomadConfig(URI address, Optional<Secret> token, String region, String namespace, Duration requestTimeout)
{
    public static final NomadConfig DEFAULTS = new NomadConfig(
            URI.create("http://127.0.0.1:4646"), Optional.empty(), "global", "default", Duration.ofSeconds(10));

    public NomadConfig
    {
        checkHttpUri("nomad.address", address);
        requireNonNull(token, "token is null");
        checkText("nomad.region", region);
        checkText("nomad.namespace", namespace);
        checkPositive("nomad.request-timeout", requestTimeout);
    }
}
