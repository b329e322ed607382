package io.prestoorchestrator.config;

import java.time.Duration;
import java.util.Optional;

import static io.prestoorchestrator.config.ConfigChecks.checkPositive;
import static java.util.Objects.requireNonNull;

/**
 * Leader election among the replicas: a Consul session holds the key {@code <consul.kv-prefix>/leader};
 * the holder runs the background work (operations, reconciling), every replica serves the API.
 *
 * @param replicaId how this replica names itself in the lock, operations and events; empty: host name plus a random suffix
 * @param sessionTtl Consul session TTL (whole seconds, 10s..24h); renewed every ttl/2. A leader that
 *        dies without releasing the lock is replaced after at most this plus the lock delay
 * @param lockDelay after a leader's session is invalidated, how long Consul keeps the lock from
 *        being taken (0..60s), so the old leader has time to notice and stop
 * @param retryInterval how long to wait before trying Consul again after a failure
 * @param watchWait how long one blocking query (on the lock key, on the cluster records) may be held (at most 10m)
 */
public record LeaderConfig(Optional<String> replicaId, Duration sessionTtl, Duration lockDelay, Duration retryInterval, Duration watchWait)
{
    public static final LeaderConfig DEFAULTS = new LeaderConfig(Optional.empty(), Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(30));

    public LeaderConfig
    {
        requireNonNull(replicaId, "replicaId is null");
        if (replicaId.isPresent() && !replicaId.get().matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
            throw new ConfigException("leader.replica-id", "must be 1-128 letters, digits, '.', '_', ':' or '-' (such as the host name), got '" + replicaId.get() + "'");
        }
        checkPositive("leader.session-ttl", sessionTtl);
        if (sessionTtl.toMillis() % 1000 != 0 || sessionTtl.compareTo(Duration.ofSeconds(10)) < 0 || sessionTtl.compareTo(Duration.ofHours(24)) > 0) {
            throw new ConfigException("leader.session-ttl", "must be whole seconds between 10s and 24h (Consul's limits), got " + Durations.format(sessionTtl));
        }
        requireNonNull(lockDelay, "lockDelay is null");
        if (lockDelay.isNegative() || lockDelay.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new ConfigException("leader.lock-delay", "must be between 0s and 60s (Consul's limit), got " + Durations.format(lockDelay));
        }
        checkPositive("leader.retry-interval", retryInterval);
        checkPositive("leader.watch-wait", watchWait);
        if (watchWait.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigException("leader.watch-wait", "must be at most 10m (Consul's limit for a blocking query), got " + Durations.format(watchWait));
        }
    }
}
