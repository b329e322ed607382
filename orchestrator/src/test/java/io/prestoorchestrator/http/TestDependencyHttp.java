package io.prestoorchestrator.http;

import io.prestoorchestrator.error.DependencyException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that closes the first connection a request arrives on without answering (a keep-alive connection it closed
 * as the request went out: a restart, its idle timeout) and answers on every later one.
 */
class TestDependencyHttp
{
    private Vertx vertx;
    private WebClient client;
    private NetServer server;
    private final AtomicInteger connections = new AtomicInteger();
    /** How many connections, from the first, are closed at their request. */
    private volatile int closing = 1;
    private DependencyHttp consul;

    @BeforeEach
    void start()
            throws Exception
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        server = vertx.createNetServer().connectHandler(socket -> {
            int connection = connections.incrementAndGet();
            Buffer received = Buffer.buffer();
            socket.handler(bytes -> {
                received.appendBuffer(bytes);
                if (!received.toString(UTF_8).contains("\r\n\r\n")) {
                    return;
                }
                if (connection <= closing) {
                    socket.close();
                }
                else {
                    socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n\"127.0.0.1:8300\"");
                }
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        consul = new DependencyHttp(client, "consul", "Consul", URI.create("http://127.0.0.1:" + server.actualPort()), "X-Consul-Token", Optional.empty(), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop()
            throws Exception
    {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void testReadOnAClosedConnectionGoesOnceMoreOnANewOne()
            throws Exception
    {
        String leader = consul.leader().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(leader).isEqualTo("127.0.0.1:8300");
        assertThat(connections).hasValue(2);
    }

    @Test
    void testWriteOnAClosedConnectionIsNotSentAgain()
    {
        // the server may have acted on a write before the connection went: it is for the caller to decide
        assertThatThrownBy(() -> consul.send(consul.request(HttpMethod.PUT, "/v1/kv/key"), Optional.empty(), Set.of()).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DependencyException.class).hasMessageContaining("Consul at http://127.0.0.1:").hasMessageContaining("Connection was closed");
        assertThat(connections).hasValue(1);
    }

    @Test
    void testReadTwiceClosedFails()
    {
        // every connection closed: the second attempt's failure is the answer
        closing = Integer.MAX_VALUE;
        assertThatThrownBy(() -> consul.leader().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DependencyException.class).hasMessageContaining("Connection was closed");
        assertThat(connections).hasValue(2);
    }
}
