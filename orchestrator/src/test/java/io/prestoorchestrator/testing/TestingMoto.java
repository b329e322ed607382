package io.prestoorchestrator.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real moto server ({@code MOTO_SERVER_BIN}) on a free 127.0.0.1 port, with the test credentials
 * the AWS SDK picks up from system properties, and a way to put SSM parameters into it.
 */
public final class TestingMoto
        implements AutoCloseable
{
    private final Process process;
    private final URI endpoint;

    private TestingMoto(Process process, URI endpoint)
    {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static TestingMoto start()
            throws IOException
    {
        String binary = System.getenv("MOTO_SERVER_BIN");
        if (binary == null) {
            throw new IllegalStateException("MOTO_SERVER_BIN is not set: run scripts/setup.sh and source ~/.cache/presto-orchestrator/env.sh");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Process process = new ProcessBuilder(binary, "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        return new TestingMoto(process, endpoint);
    }

    public URI endpoint()
    {
        return endpoint;
    }

    public void putSecureParameter(String name, String value)
    {
        putParameter(name, value, true);
    }

    /** Writes a SecureString or a String parameter, overwriting one already there (its next version). */
    public void putParameter(String name, String value, boolean secure)
    {
        try (SsmClient ssm = SsmClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            ssm.putParameter(PutParameterRequest.builder().name(name).value(value).type(secure ? ParameterType.SECURE_STRING : ParameterType.STRING).overwrite(true).build());
        }
    }

    @Override
    public void close()
            throws InterruptedException
    {
        process.destroy();
        process.waitFor(20, TimeUnit.SECONDS);
    }
}
