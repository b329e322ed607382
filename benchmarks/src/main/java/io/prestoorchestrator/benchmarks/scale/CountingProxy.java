package io.prestoorchestrator.benchmarks.scale;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import static java.util.Objects.requireNonNull;

/**
 * An HTTP proxy in front of Nomad or Consul that counts the requests the orchestrator makes, by
 * method and the API's path family ({@code GET /v1/health/service}, {@code PUT /v1/kv}, ...). It
 * relays bodies whole, and waits as long as the upstream holds a blocking query.
 */
final class CountingProxy
        implements AutoCloseable
{
    private final HttpClient client;
    private final HttpServer server;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private CountingProxy(HttpClient client, HttpServer server)
    {
        this.client = requireNonNull(client, "client is null");
        this.server = requireNonNull(server, "server is null");
    }

    static CountingProxy start(Vertx vertx, URI upstream)
    {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(upstream.getHost()).setDefaultPort(upstream.getPort()),
                new PoolOptions().setHttp1MaxSize(64));
        CountingProxy[] proxy = new CountingProxy[1];
        HttpServer server = vertx.createHttpServer().requestHandler(request -> proxy[0].relay(request)).listen(0, "127.0.0.1").await();
        proxy[0] = new CountingProxy(client, server);
        return proxy[0];
    }

    String address()
    {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** The requests counted since the last reset, by method and path family. */
    Map<String, Long> counts()
    {
        Map<String, Long> snapshot = new TreeMap<>();
        counts.forEach((family, count) -> snapshot.put(family, count.sum()));
        return snapshot;
    }

    long total()
    {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    void reset()
    {
        counts.clear();
    }

    private void relay(HttpServerRequest request)
    {
        counts.computeIfAbsent(request.method().name() + " " + family(request.path()), ignored -> new LongAdder()).increment();
        request.body().compose(body -> {
            RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri()).setIdleTimeout(0);
            request.headers().forEach((name, value) -> {
                if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("transfer-encoding")
                        && !name.equalsIgnoreCase("connection")) {
                    options.addHeader(name, value);
                }
            });
            return client.request(options).compose(upstream -> upstream.send(body)).compose(response -> response.body().map(answer -> {
                request.response().setStatusCode(response.statusCode());
                response.headers().forEach((name, value) -> {
                    if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("transfer-encoding") && !name.equalsIgnoreCase("connection")) {
                        request.response().headers().add(name, value);
                    }
                });
                return answer;
            }));
        }).onSuccess(answer -> request.response().end(answer)).onFailure(failure -> {
            if (!request.response().ended()) {
                request.response().setStatusCode(502).end("proxy: " + failure.getMessage());
            }
        });
    }

    /** {@code /v1/kv/presto-orchestrator/clusters/x} -> {@code /v1/kv}; {@code /v1/job/trino-x/allocations} -> {@code /v1/job/allocations}. */
    static String family(String path)
    {
        String[] parts = path.split("/");
        if (parts.length < 3) {
            return path;
        }
        String family = "/" + parts[1] + "/" + parts[2];
        if (parts[2].equals("health") || parts[2].equals("agent") || parts[2].equals("session") || parts[2].equals("catalog")) {
            return parts.length > 3 ? family + "/" + parts[3] : family;
        }
        if (parts[2].equals("job") && parts.length > 4) {
            return family + "/" + parts[4];
        }
        return family;
    }

    @Override
    public void close()
    {
        server.close().await();
        client.close().await();
    }
}
