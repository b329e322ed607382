package io.prestoorchestrator.discovery;

import java.time.Duration;

import static io.prestoorchestrator.discovery.KvKeys.checkKey;
import static java.util.Objects.requireNonNull;

/**
 * Settings of a {@link ConsulLeaderLock}.
 *
 * @param key the lock key, relative to {@code consul.kv-prefix}
 * @param holder who this replica is (host name, instance id): written into the lock key and the session name
 * @param ttl session TTL; the session is renewed every ttl/2. Consul accepts 10s..24h
 * @param lockDelay after the holder's session is invalidated, how long Consul keeps the lock from
 *        being taken (so a leader that lost its session has time to notice and stop)
 * @param retryInterval how often to retry creating a session or taking a free lock that Consul refused
 * @param watchWait how long one blocking query on the lock key may be held
 */
public record LeaderLockOptions(String key, String holder, Duration ttl, Duration lockDelay, Duration retryInterval, Duration watchWait)
{
    public LeaderLockOptions
    {
        checkKey(key);
        requireNonNull(holder, "holder is null");
        if (holder.isBlank()) {
            throw new IllegalArgumentException("holder is blank");
        }
        requireNonNull(ttl, "ttl is null");
        requireNonNull(lockDelay, "lockDelay is null");
        requireNonNull(retryInterval, "retryInterval is null");
        requireNonNull(watchWait, "watchWait is null");
        if (ttl.toMillis() < 1000 || ttl.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("ttl must be whole seconds, at least 1s: " + ttl);
        }
        if (lockDelay.isNegative() || retryInterval.isZero() || retryInterval.isNegative() || watchWait.isZero() || watchWait.isNegative()) {
            throw new IllegalArgumentException("lockDelay must not be negative; retryInterval and watchWait must be positive");
        }
    }

    /** Consul's defaults for locks: 15s TTL, 15s lock delay. */
    public static LeaderLockOptions defaults(String holder)
    {
        return new LeaderLockOptions("leader", holder, Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(30));
    }
}
