package io.prestoorchestrator.testing;

import io.prestoorchestrator.config.ConsulConfig;
import io.prestoorchestrator.config.NomadConfig;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.http.DependencyHttp;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Transports to the embedded simulators (or to nothing) for adapter tests. */
public final class TestingHashiCorp
{
    private TestingHashiCorp() {}

    public static DependencyHttp consul(WebClient client, URI address, Optional<String> token)
    {
        return DependencyHttp.consul(client, new ConsulConfig(address, token.map(Secret::of), "presto-orchestrator", Duration.ofSeconds(5)));
    }

    public static NomadConfig nomadConfig(URI address, Optional<String> token)
    {
        return new NomadConfig(address, token.map(Secret::of), "global", "default", Duration.ofSeconds(5));
    }

    /** An address where nothing listens (a port that was free a moment ago). */
    public static URI nothingListening()
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
