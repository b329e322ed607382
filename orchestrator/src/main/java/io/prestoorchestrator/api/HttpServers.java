package io.prestoorchestrator.api;

import io.prestoorchestrator.config.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The service's HTTP listeners (the API and the scale front), with the connection limits of
 * {@code http.*}: a connection on which nothing is read or written for {@code http.idle-timeout}
 * is closed (Vert.x's idle timeout), and so is one that has not sent a whole request head within
 * {@code http.header-timeout} of opening or of its previous answer (a slowly sent head, or a kept-alive
 * connection nobody uses). Vert.x has no timeout for the head itself: that is {@link HeaderDeadlines}.
 */
public final class HttpServers
{
    private static final Logger log = LoggerFactory.getLogger(HttpServers.class);

    private HttpServers() {}

    /** A listener on {@code http.host} with {@code http.idle-timeout}. */
    public static Future<HttpServer> listen(Vertx vertx, HttpConfig config, int port, Handler<HttpServerRequest> handler)
    {
        return listen(vertx, config, port, config.idleTimeout(), handler);
    }

    /** @param idleTimeout for a listener whose requests may stay silent longer than {@code http.idle-timeout} (blocking queries) */
    public static Future<HttpServer> listen(Vertx vertx, HttpConfig config, int port, Duration idleTimeout, Handler<HttpServerRequest> handler)
    {
        requireNonNull(handler, "handler is null");
        HeaderDeadlines deadlines = new HeaderDeadlines(vertx, config.headerTimeout().toMillis());
        return vertx.createHttpServer(options(config.host(), port, idleTimeout))
                .connectionHandler(deadlines::opened)
                .invalidRequestHandler(ProblemHandler::invalidRequest)
                .requestHandler(request -> {
                    deadlines.received(request);
                    handler.handle(request);
                })
                .listen();
    }

    private static HttpServerOptions options(String host, int port, Duration idleTimeout)
    {
        return new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setIdleTimeout((int) idleTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                // requests multiplexed on one connection would defeat the per-connection head deadline; clients speak HTTP/1.1
                .setHttp2ClearTextEnabled(false);
    }

    /** Closes a connection whose next request head has not arrived in time; one timer per connection, on its event loop. */
    private static final class HeaderDeadlines
    {
        private final Vertx vertx;
        private final long timeoutMillis;
        private final Map<HttpConnection, Long> timers = new ConcurrentHashMap<>();

        HeaderDeadlines(Vertx vertx, long timeoutMillis)
        {
            this.vertx = requireNonNull(vertx, "vertx is null");
            this.timeoutMillis = timeoutMillis;
        }

        void opened(HttpConnection connection)
        {
            connection.closeHandler(ignored -> cancel(connection));
            arm(connection);
        }

        void received(HttpServerRequest request)
        {
            HttpConnection connection = request.connection();
            cancel(connection);
            // the next request's head is due within the timeout of this answer
            request.response().bodyEndHandler(ignored -> arm(connection));
        }

        private void arm(HttpConnection connection)
        {
            long[] timer = new long[1];
            timer[0] = vertx.setTimer(timeoutMillis, ignored -> {
                if (timers.remove(connection, timer[0])) {
                    log.atDebug().addKeyValue("remote", connection.remoteAddress() == null ? null : connection.remoteAddress().hostAddress())
                            .addKeyValue("timeout_ms", timeoutMillis).log("Closing a connection that sent no whole request head in time");
                    connection.close();
                }
            });
            Long previous = timers.put(connection, timer[0]);
            if (previous != null) {
                vertx.cancelTimer(previous);
            }
        }

        private void cancel(HttpConnection connection)
        {
            Long timer = timers.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
        }
    }
}
