package io.prestoorchestrator.sim.consul;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runnable jar: one line once listening, answers Consul requests, exits 0 on SIGTERM.
 */
class ConsulSimulatorMainIT
{
    @Test
    void runsStandaloneAndStopsOnSigterm()
            throws Exception
    {
        Path jar = Path.of("target", "consul-simulator.jar");
        assertThat(jar).as("the shaded jar is built in the package phase").exists();
        int port = freePort();
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "--port", Integer.toString(port), "--node-name", "main-it", "--acl-token", "it-token"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return stdout.readLine();
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            assertThat(line).isEqualTo("Consul simulator listening on http://127.0.0.1:" + port + " (datacenter dc1, node main-it, ACLs enabled)");

            ConsulHttp consul = new ConsulHttp(URI.create("http://127.0.0.1:" + port));
            assertThat(consul.get("/v1/status/leader").status()).isEqualTo(200);
            assertThat(consul.get("/v1/agent/self").status()).isEqualTo(403);
            assertThat(consul.withToken("it-token").get("/v1/agent/self").json().getJsonObject("Config").getString("NodeName")).isEqualTo("main-it");

            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
            assertThat(process.exitValue()).as("exit code after SIGTERM").isZero();
        }
        finally {
            process.destroyForcibly();
        }
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
