package io.prestoorchestrator.config.ssm;

import io.prestoorchestrator.aws.AwsClients;
import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.testing.TestingMoto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link SsmParameterStore} held to the parameter-store contract on a real moto server, its SSM
 * client built as the orchestrator builds it ({@link AwsClients}); unreachable is the same client
 * pointed at a port nothing listens on.
 */
class SsmParameterStoreIT
        extends ParameterStoreContract
{
    private static TestingMoto moto;
    private static AwsClients clients;
    private static AwsClients closedPort;

    private final String root = "/contract-" + UUID.randomUUID();

    @BeforeAll
    static void startMoto()
            throws Exception
    {
        moto = TestingMoto.start();
        clients = new AwsClients(new AwsConfig(true, "us-east-1", Optional.of(moto.endpoint()), "/presto-orchestrator", Duration.ofSeconds(5)));
        closedPort = new AwsClients(new AwsConfig(true, "us-east-1", Optional.of(URI.create("http://127.0.0.1:" + freePort())), "/presto-orchestrator", Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stopMoto()
            throws Exception
    {
        if (closedPort != null) {
            closedPort.close();
        }
        if (clients != null) {
            clients.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Override
    protected ParameterStore store()
    {
        return new SsmParameterStore(clients.ssm());
    }

    @Override
    protected String root()
    {
        return root;
    }

    @Override
    protected void put(String name, String value, boolean secure)
    {
        moto.putParameter(name, value, secure);
    }

    @Override
    protected ParameterStore unreachable()
    {
        return new SsmParameterStore(closedPort.ssm());
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
