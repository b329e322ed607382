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
 */
public record HttpConfig(String host, int port, Duration shutdownTimeout, long maxBodySize)
{
    public static final HttpConfig DEFAULTS = new HttpConfig("0.0.0.0", 8070, Duration.ofSeconds(30), 1024 * 1024);

    public HttpConfig
    {
        checkText("http.host", host);
        checkPort("http.port", port);
        checkPositive("http.shutdown-timeout", shutdownTimeout);
        if (maxBodySize < 1024) {
            throw new ConfigException("http.max-body-size", "must be at least 1024 bytes, got " + maxBodySize);
        }
    }
}
