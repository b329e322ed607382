package io.prestoorchestrator.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigChecks.checkHttpUri;
import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static io.prestoorchestrator.config.ConfigChecks.checkText;
import static java.util.Objects.requireNonNull;

/**
 * AWS: SSM Parameter Store, Auto Scaling and SQS. Credentials come from the SDK's default chain
 * (instance role in production; environment variables against moto locally).
 *
 * @param enabled whether the orchestrator talks to AWS at all (off for a laptop without AWS)
 * @param region AWS region
 * @param endpoint one endpoint for every AWS service (moto locally); empty for the real regional endpoints
 * @param ssmPrefix chamber-style SSM path prefix the orchestrator reads, e.g. {@code /presto-orchestrator}
 * @param requestTimeout timeout of one AWS API call
 */
public record AwsConfig(boolean enabled, String region, Optional<URI> endpoint, String ssmPrefix, Duration requestTimeout)
{
    public static final AwsConfig DEFAULTS = new AwsConfig(false, "us-east-1", Optional.empty(), "/presto-orchestrator", Duration.ofSeconds(10));

    public AwsConfig
    {
        checkText("aws.region", region);
        requireNonNull(endpoint, "endpoint is null");
        endpoint.ifPresent(uri -> checkHttpUri("aws.endpoint", uri));
        checkText("aws.ssm-prefix", ssmPrefix);
        if (!ssmPrefix.startsWith("/") || (ssmPrefix.length() > 1 && ssmPrefix.endsWith("/"))) {
            throw new ConfigException("aws.ssm-prefix", "must start with '/' and not end with '/', got '" + ssmPrefix + "'");
        }
        checkPositive("aws.request-timeout", requestTimeout);
    }
}
