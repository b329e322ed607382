package io.prestoorchestrator.config;

import java.time.Duration;

import static io.prestoorchestrator.config.ConfigChecks.checkPort;
import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static io.prestoorchestrator.config.ConfigChecks.checkText;

/**
 * The REST API listener.
 *
 * @param host address to bind
 * @param port port to bind (0 picks a free port, for tests)
 * @param shutdownTimeout how long a SIGTERM waits for in-flight requests before closing connections
 * @param maxBodySize largest accepted request body in bytes
 * @param idleTimeout a connection on which nothing is read or written this long is closed; longer than any request takes to answer
 * @param headerTimeout a connection that has not sent a whole request head this long after it opened, or after its previous answer, is closed
 */
public record HttpConfig(String host, int port, Duration shutdownTimeout, long maxBodySize, Duration idleTimeout, Duration headerTimeout)
{
    public static final HttpConfig DEFAULTS = new HttpConfig("0.0.0.0", 8070, Duration.ofSeconds(30), 1024 * 1024, Duration.ofMinutes(2), Duration.ofSeconds(10));

    public HttpConfig
    {
        checkText("http.host", host);
        checkPort("http.port", port);
        checkPositive("http.shutdown-timeout", shutdownTimeout);
        if (maxBodySize < 1024) {
            throw new ConfigException("http.max-body-size", "must be at least 1024 bytes, got " + maxBodySize);
        }
        checkPositive("http.idle-timeout", idleTimeout);
        checkPositive("http.header-timeout", headerTimeout);
        if (headerTimeout.compareTo(idleTimeout) > 0) {
            throw new ConfigException("http.header-timeout", "must not be longer than http.idle-timeout (" + Durations.format(idleTimeout) + "), got " + Durations.format(headerTimeout));
        }
    }
}
