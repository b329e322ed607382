package io.prestoorchestrator.sim.nomad;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The same contract against a real {@code nomad agent -dev}, when a {@code nomad} binary is on PATH.
 * When it is not (the usual case here: no registry these machines reach ships it), the run is
 * skipped with a printed line and a JUnit assumption saying why — never silently.
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
        Optional<Path> nomad = onPath("nomad");
        if (nomad.isEmpty()) {
            String reason = "real-agent contract run SKIPPED: no `nomad` binary on PATH (" + System.getenv("PATH")
                    + "); the Nomad API contract ran against the simulator only (TestNomadApiContract)";
            System.out.println(reason);
            Assumptions.assumeTrue(false, reason);
        }
        Path dataDir = Files.createTempDirectory("nomad-dev-");
        agent = new ProcessBuilder(nomad.get().toString(), "agent", "-dev", "-bind=127.0.0.1", "-data-dir=" + dataDir)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("agent.log").toFile())
                .start();
        // -dev listens on Nomad's default HTTP port
        address = URI.create("http://127.0.0.1:4646");
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(address.resolve("/v1/status/leader")).build(), HttpResponse.BodyHandlers.ofString()).body().contains(":"));
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

    private static Optional<Path> onPath(String name)
    {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
