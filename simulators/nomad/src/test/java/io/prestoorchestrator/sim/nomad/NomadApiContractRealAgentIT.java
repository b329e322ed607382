package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The same contract against real Nomad v1.6.1 ({@code $NOMAD_BIN}, built by scripts/setup.sh): one
 * {@code nomad agent -dev} on ports of its own (so a local stack on 4646 is left alone). Without
 * {@code NOMAD_BIN} the run fails, naming what to do: it is never skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NomadApiContractRealAgentIT
        extends NomadApiContract
{
    private Process agent;
    private URI address;

    @BeforeAll
    void start()
            throws Exception
    {
        Path nomad = SetupEnvironment.requiredPath("NOMAD_BIN");
        Path dataDir = Files.createTempDirectory("nomad-dev-");
        int http = freePort();
        int rpc = freePort();
        int serf = freePort();
        Path config = dataDir.resolve("ports.hcl");
        Files.writeString(config, """
                ports {
                  http = %d
                  rpc  = %d
                  serf = %d
                }
                advertise {
                  http = "127.0.0.1:%d"
                  rpc  = "127.0.0.1:%d"
                  serf = "127.0.0.1:%d"
                }
                # no Consul here: the contract covers Nomad's own API
                consul {
                  client_auto_join = false
                  server_auto_join = false
                  auto_advertise   = false
                }
                client {
                  options = {
                    "driver.allowlist" = "raw_exec"
                  }
                }
                """.formatted(http, rpc, serf, http, rpc, serf));
        agent = new ProcessBuilder(nomad.toString(), "agent", "-dev", "-bind=127.0.0.1", "-data-dir=" + dataDir.resolve("data"), "-config=" + config)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("agent.log").toFile())
                .start();
        address = URI.create("http://127.0.0.1:" + http);
        HttpClient client = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() ->
                client.send(HttpRequest.newBuilder(address.resolve("/v1/status/leader")).build(), HttpResponse.BodyHandlers.ofString()).body().contains(":"));
        // a leader is elected before the dev agent's own client has registered its node (seen in CI: the node list
        // was still empty): the contract's node reads need that node, ready
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() ->
                client.send(HttpRequest.newBuilder(address.resolve("/v1/nodes")).build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"Status\":\"ready\""));
        String version = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(address.resolve("/v1/agent/self")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .path("config").path("Version").path("Version").asText();
        System.out.println("NomadApiContractRealAgentIT: the Nomad API contract against Nomad " + version + " (" + nomad + ")");
    }

    @AfterAll
    void stop()
            throws InterruptedException
    {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    @Override
    protected URI baseAddress()
    {
        return address;
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
