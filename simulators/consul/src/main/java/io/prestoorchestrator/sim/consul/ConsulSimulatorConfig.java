package io.prestoorchestrator.sim.consul;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Settings of one simulator. {@code port} 0 binds an ephemeral port.
 *
 * @param aclToken when present, ACLs are enabled with default policy "deny" and this token is the
 *        (only) management token
 * @param sessionTtlMin Consul's {@code session_ttl_min} (default 10s)
 * @param checkReapInterval how often services whose check stayed critical are reaped (Consul: 30s)
 * @param checkDeregisterIntervalMin the smallest effective DeregisterCriticalServiceAfter (Consul: 1m)
 */
public record ConsulSimulatorConfig(
        String bindAddress,
        int port,
        Optional<String> aclToken,
        String nodeName,
        String datacenter,
        Duration sessionTtlMin,
        Duration checkReapInterval,
        Duration checkDeregisterIntervalMin)
{
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 8500;
    public static final String DEFAULT_DATACENTER = "dc1";
    public static final Duration DEFAULT_SESSION_TTL_MIN = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CHECK_REAP_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CHECK_DEREGISTER_INTERVAL_MIN = Duration.ofMinutes(1);

    public ConsulSimulatorConfig
    {
        requireNonNull(bindAddress, "bindAddress is null");
        requireNonNull(aclToken, "aclToken is null");
        requireNonNull(nodeName, "nodeName is null");
        requireNonNull(datacenter, "datacenter is null");
        requireNonNull(sessionTtlMin, "sessionTtlMin is null");
        requireNonNull(checkReapInterval, "checkReapInterval is null");
        requireNonNull(checkDeregisterIntervalMin, "checkDeregisterIntervalMin is null");
        if (bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress is blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        if (aclToken.isPresent() && aclToken.get().isBlank()) {
            throw new IllegalArgumentException("aclToken is blank");
        }
        if (nodeName.isBlank()) {
            throw new IllegalArgumentException("nodeName is blank");
        }
        if (!datacenter.matches("[a-zA-Z0-9_-]+")) {
            throw new IllegalArgumentException("datacenter must match [a-zA-Z0-9_-]+: " + datacenter);
        }
        if (sessionTtlMin.isNegative() || checkDeregisterIntervalMin.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (checkReapInterval.isZero() || checkReapInterval.isNegative()) {
            throw new IllegalArgumentException("checkReapInterval must be positive");
        }
    }

    public static ConsulSimulatorConfig defaults()
    {
        return new ConsulSimulatorConfig(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, Optional.empty(), defaultNodeName(), DEFAULT_DATACENTER,
                DEFAULT_SESSION_TTL_MIN, DEFAULT_CHECK_REAP_INTERVAL, DEFAULT_CHECK_DEREGISTER_INTERVAL_MIN);
    }

    /**
     * Consul names the node after the host.
     */
    static String defaultNodeName()
    {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            return host.isBlank() ? "consul-simulator" : host;
        }
        catch (UnknownHostException e) {
            return "consul-simulator";
        }
    }

    /**
     * The address the node advertises: the bind address, or loopback when bound to all interfaces.
     */
    public String advertiseAddress()
    {
        return bindAddress.equals("0.0.0.0") || bindAddress.equals("::") ? "127.0.0.1" : bindAddress;
    }
}
