package io.prestoorchestrator.aws;

import io.prestoorchestrator.config.AwsConfig;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import static java.util.Objects.requireNonNull;

/**
 * The AWS SDK clients, all on the JDK's URL connection client (the SDK's Netty client is built for
 * Netty 4.1 and Vert.x 5 brings 4.2). Blocking: use them from a worker executor only.
 */
public final class AwsClients
        implements AutoCloseable
{
    private final SdkHttpClient http;
    private final SsmClient ssm;
    private final AutoScalingClient autoScaling;
    private final SqsClient sqs;

    public AwsClients(AwsConfig config)
    {
        requireNonNull(config, "config is null");
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(config.requestTimeout())
                .socketTimeout(config.requestTimeout())
                .build();
        ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder()
                .apiCallTimeout(config.requestTimeout().multipliedBy(3))
                .apiCallAttemptTimeout(config.requestTimeout())
                .build();
        Region region = Region.of(config.region());
        var ssmBuilder = SsmClient.builder().httpClient(http).region(region).overrideConfiguration(overrides);
        var autoScalingBuilder = AutoScalingClient.builder().httpClient(http).region(region).overrideConfiguration(overrides);
        // long polls hold a call for up to 20 s: no attempt timeout below that
        var sqsBuilder = SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.requestTimeout())
                        .socketTimeout(config.requestTimeout().plusSeconds(25)))
                .region(region)
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(config.requestTimeout().plusSeconds(30)).build());
        config.endpoint().ifPresent(endpoint -> {
            ssmBuilder.endpointOverride(endpoint);
            autoScalingBuilder.endpointOverride(endpoint);
            sqsBuilder.endpointOverride(endpoint);
        });
        this.ssm = ssmBuilder.build();
        this.autoScaling = autoScalingBuilder.build();
        this.sqs = sqsBuilder.build();
    }

    public SsmClient ssm()
    {
        return ssm;
    }

    public AutoScalingClient autoScaling()
    {
        return autoScaling;
    }

    public SqsClient sqs()
    {
        return sqs;
    }

    @Override
    public void close()
    {
        sqs.close();
        ssm.close();
        autoScaling.close();
        http.close();
    }
}
