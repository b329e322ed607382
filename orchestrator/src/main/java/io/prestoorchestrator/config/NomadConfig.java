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
 * @param nodeInstanceId where a Nomad node carries the EC2 instance id it runs on, written as in Nomad's
 *        interpolation: {@code attr.<attribute>} (default {@code attr.unique.platform.aws.instance-id}, what
 *        Nomad's AWS fingerprinter sets on EC2) or {@code meta.<key>} (a client's {@code meta} block, e.g.
 *        the local stack's {@code meta.instance_id}, where no instance metadata service exists)
 */
public record NomadConfig(URI address, Optional<Secret> token, String region, String namespace, Duration requestTimeout, String nodeInstanceId)
{
    public static final String AWS_INSTANCE_ID_ATTRIBUTE = "attr.unique.platform.aws.instance-id";
    public static final NomadConfig DEFAULTS = new NomadConfig(
            URI.create("http://127.0.0.1:4646"), Optional.empty(), "global", "default", Duration.ofSeconds(10), AWS_INSTANCE_ID_ATTRIBUTE);

    /** Without a node field: the default ({@value #AWS_INSTANCE_ID_ATTRIBUTE}). */
    public NomadConfig(URI address, Optional<Secret> token, String region, String namespace, Duration requestTimeout)
    {
        this(address, token, region, namespace, requestTimeout, AWS_INSTANCE_ID_ATTRIBUTE);
    }

    public NomadConfig
    {
        checkHttpUri("nomad.address", address);
        requireNonNull(token, "token is null");
        checkText("nomad.region", region);
        checkText("nomad.namespace", namespace);
        checkPositive("nomad.request-timeout", requestTimeout);
        checkText("nomad.node-instance-id", nodeInstanceId);
        if (!nodeInstanceId.matches("(attr|meta)\\.[A-Za-z0-9_.\\-]+")) {
            throw new ConfigException("nomad.node-instance-id", "must be attr.<node attribute> or meta.<node meta key> (e.g. " + AWS_INSTANCE_ID_ATTRIBUTE
                    + " or meta.instance_id), got '" + nodeInstanceId + "'");
        }
    }

    /** {@code withNodeInstanceId("meta.instance_id")}: the same Nomad, its nodes' instance id read elsewhere. */
    public NomadConfig withNodeInstanceId(String field)
    {
        return new NomadConfig(address, token, region, namespace, requestTimeout, field);
    }
}
