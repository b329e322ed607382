package io.prestoorchestrator.sim.consul.state;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Collections.unmodifiableMap;
import static java.util.Objects.requireNonNull;

/**
 * How a check is executed: the part of Consul's CheckType the simulator acts on.
 * The type is derived the way Consul derives it (http, tcp, ttl, grpc, ...).
 */
public record CheckSpec(
        String type,
        Optional<String> http,
        String method,
        Map<String, List<String>> header,
        Optional<String> body,
        Optional<String> tcp,
        boolean tlsSkipVerify,
        Optional<Duration> interval,
        Optional<Duration> timeout,
        Optional<Duration> ttl,
        Optional<Duration> deregisterCriticalServiceAfter,
        int successBeforePassing,
        int failuresBeforeWarning,
        int failuresBeforeCritical,
        int outputMaxSize)
{
    public static final int DEFAULT_OUTPUT_MAX_SIZE = 4096;

    public CheckSpec
    {
        requireNonNull(type, "type is null");
        requireNonNull(http, "http is null");
        requireNonNull(method, "method is null");
        header = unmodifiableMap(new TreeMap<>(requireNonNull(header, "header is null")));
        requireNonNull(body, "body is null");
        requireNonNull(tcp, "tcp is null");
        requireNonNull(interval, "interval is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(ttl, "ttl is null");
        requireNonNull(deregisterCriticalServiceAfter, "deregisterCriticalServiceAfter is null");
        if (successBeforePassing < 0 || failuresBeforeWarning < 0 || failuresBeforeCritical < 0) {
            throw new IllegalArgumentException("check thresholds must not be negative");
        }
        if (outputMaxSize <= 0) {
            throw new IllegalArgumentException("outputMaxSize must be positive");
        }
    }
}
