package io.prestoorchestrator.sim.consul;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The Consul API contract against a real {@code consul agent -dev}, which keeps the simulator honest.
 * Consul binaries cannot be installed from the registries these machines reach, so this IT is not
 * in the default suite: {@code mvn verify -Preal-consul} runs it, and it fails, saying why, when no
 * {@code consul} is on PATH. {@link TestConsulSimulatorContract} runs the same contract against the
 * simulator in every build.
 */
class ConsulAgentContractIT
        extends ConsulApiContract
{
    private static Process agent;
    private static URI address;

    @BeforeAll
    static void startAgent()
            throws IOException
    {
        Optional<Path> consul = onPath("consul");
        if (consul.isEmpty()) {
            throw new IllegalStateException("-Preal-consul runs the Consul API contract against a real agent, but no `consul` binary is on PATH: "
                    + "install Consul 1.15 or newer (it cannot be installed from the package registries these machines reach)");
        }
        int http = freePort();
        Path dataLog = Files.createDirectories(Path.of("target", "consul-agent-it")).resolve("consul-" + ProcessHandle.current().pid() + ".log");
        agent = new ProcessBuilder(List.of(consul.get().toString(), "agent", "-dev",
                "-bind", "127.0.0.1", "-client", "127.0.0.1",
                "-http-port", Integer.toString(http),
                "-dns-port", "-1",
                "-grpc-port", "-1",
                "-serf-lan-port", Integer.toString(freePort()),
                "-serf-wan-port", Integer.toString(freePort()),
                "-server-port", Integer.toString(freePort())))
                .redirectErrorStream(true)
                .redirectOutput(dataLog.toFile())
                .start();
        address = URI.create("http://127.0.0.1:" + http);
        System.out.println("Running the Consul API contract against a real agent: pid=" + agent.pid() + " address=" + address + " log=" + dataLog);
        ConsulHttp client = new ConsulHttp(address);
        await("consul agent -dev elects itself").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    ConsulHttp.Response leader = client.get("/v1/status/leader");
                    return leader.status() == 200 && leader.body().length() > 2
                            && client.get("/v1/health/node/" + client.get("/v1/agent/self").json().getJsonObject("Config").getString("NodeName")).jsonArray().size() > 0;
                });
    }

    @AfterAll
    static void stopAgent()
            throws InterruptedException
    {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    protected URI consulAddress()
    {
        return address;
    }

    private static Optional<Path> onPath(String binary)
    {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(directory -> !directory.isEmpty())
                .map(directory -> Path.of(directory, binary))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
