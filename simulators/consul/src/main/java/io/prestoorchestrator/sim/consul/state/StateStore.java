package io.prestoorchestrator.sim.consul.state;

import io.prestoorchestrator.sim.consul.state.Session.Behavior;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The catalog, KV store and sessions of the single simulated node/datacenter.
 *
 * <p>Every read and write runs under this object's lock. Each write that changes something commits
 * with the next value of ONE monotonic raft-like index and records it as the index of every topic
 * (table) it touched; listeners (the blocking-query waiters) are told after the lock is released.
 * A write that changes nothing does not move any index, so blocking queries do not wake up for it.
 */
public final class StateStore
{
    public static final String SERF_HEALTH = "serfHealth";
    public static final String CONSUL_SERVICE = "consul";
    public static final Duration SESSION_TTL_MAX = Duration.ofHours(24);
    public static final int SESSION_TTL_MULTIPLIER = 2;

    private static final Logger log = LoggerFactory.getLogger(StateStore.class);

    private final NodeInfo node;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Duration sessionTtlMin;
    private final List<Consumer<ChangeSet>> listeners = new CopyOnWriteArrayList<>();

    // all guarded by this
    private long index;
    private final Map<String, Long> topicIndexes = new HashMap<>();
    private final long nodeCreateIndex;
    private final Map<String, ServiceInstance> services = new TreeMap<>();
    private final Map<String, HealthCheck> checks = new TreeMap<>();
    private final NavigableMap<String, KvEntry> kv = new TreeMap<>();
    private final NavigableMap<String, Long> kvTombstones = new TreeMap<>();
    private final Map<String, Instant> lockDelays = new HashMap<>();
    private final Map<String, Session> sessions = new TreeMap<>();
    private final Map<String, Scheduler.Cancellable> sessionTimers = new HashMap<>();

    public StateStore(NodeInfo node, Clock clock, Scheduler scheduler, Duration sessionTtlMin)
    {
        this.node = requireNonNull(node, "node is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.sessionTtlMin = requireNonNull(sessionTtlMin, "sessionTtlMin is null");
        if (sessionTtlMin.isNegative() || sessionTtlMin.compareTo(SESSION_TTL_MAX) > 0) {
            throw new IllegalArgumentException("sessionTtlMin must be between 0 and 24h");
        }
        // What a freshly elected dev agent holds: its node, its serfHealth check and the "consul" service.
        this.nodeCreateIndex = write(txn -> {
            txn.touch(Topics.NODES);
            checks.put(SERF_HEALTH, new HealthCheck(node.name(), SERF_HEALTH, "Serf Health Status", CheckStatus.PASSING, "", "Agent alive and reachable",
                    "", "", List.of(), Optional.empty(), Optional.empty(), txn.index, txn.index));
            txn.touch(Topics.CHECKS);
            services.put(CONSUL_SERVICE, new ServiceInstance("", CONSUL_SERVICE, CONSUL_SERVICE, List.of(), Map.of(), 8300, "",
                    Map.of(), ServiceInstance.Weights.DEFAULT, false, txn.index, txn.index));
            txn.touch(Topics.SERVICES);
            txn.touch(Topics.service(CONSUL_SERVICE));
            return txn.index;
        });
    }

    public NodeInfo node()
    {
        return node;
    }

    public long nodeCreateIndex()
    {
        return nodeCreateIndex;
    }

    public void addListener(Consumer<ChangeSet> listener)
    {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /**
     * Runs a read under the store lock so that an index and the data it describes are consistent.
     */
    public synchronized <T> T read(Supplier<T> reader)
    {
        return reader.get();
    }

    public synchronized long index()
    {
        return index;
    }

    /**
     * The index of the last write that touched the topic, 0 if none did.
     */
    public synchronized long topicIndex(String topic)
    {
        return topicIndexes.getOrDefault(topic, 0L);
    }

    // ---- catalog: services and checks ----

    public synchronized List<ServiceInstance> services()
    {
        return List.copyOf(services.values());
    }

    public synchronized Optional<ServiceInstance> service(String id)
    {
        return Optional.ofNullable(services.get(id));
    }

    public synchronized List<HealthCheck> checks()
    {
        return List.copyOf(checks.values());
    }

    public synchronized Optional<HealthCheck> check(String checkId)
    {
        return Optional.ofNullable(checks.get(checkId));
    }

    public synchronized List<HealthCheck> checksOfService(String serviceId)
    {
        return checks.values().stream().filter(check -> check.serviceId().equals(serviceId)).toList();
    }

    public synchronized List<HealthCheck> nodeChecks()
    {
        return checks.values().stream().filter(check -> !check.isServiceCheck()).toList();
    }

    /**
     * Registers or replaces a service together with checks that belong to it (all in one commit,
     * so a reader never sees half a registration). Existing checks of the service that are not
     * replaced are kept, as the Consul agent keeps them, unless {@code replaceExistingChecks}.
     */
    public void registerService(ServiceInstance service, List<HealthCheck> serviceChecks, boolean replaceExistingChecks)
    {
        requireNonNull(service, "service is null");
        requireNonNull(serviceChecks, "serviceChecks is null");
        write(txn -> {
            ServiceInstance existing = services.get(service.id());
            if (existing != null && !existing.name().equals(service.name())) {
                // renamed: the old name's instance list changed too
                txn.touch(Topics.service(existing.name()));
            }
            if (existing == null || !existing.sameDefinition(service)) {
                long createIndex = existing == null ? txn.index : existing.createIndex();
                services.put(service.id(), service.withIndexes(createIndex, txn.index));
                txn.touchService(service.name());
                // checks carry the service's tags
                for (HealthCheck check : List.copyOf(checks.values())) {
                    if (check.serviceId().equals(service.id()) && !check.serviceTags().equals(service.tags())) {
                        checks.put(check.checkId(), check.withServiceTags(service.tags(), txn.index));
                        txn.touch(Topics.CHECKS);
                    }
                }
            }
            Set<String> newCheckIds = new HashSet<>();
            for (HealthCheck check : serviceChecks) {
                newCheckIds.add(check.checkId());
                putCheck(txn, check);
            }
            if (replaceExistingChecks) {
                for (HealthCheck check : List.copyOf(checks.values())) {
                    if (check.serviceId().equals(service.id()) && !newCheckIds.contains(check.checkId())) {
                        removeCheck(txn, check.checkId());
                    }
                }
            }
            return null;
        });
    }

    public Optional<ServiceInstance> deregisterService(String serviceId)
    {
        requireNonNull(serviceId, "serviceId is null");
        return write(txn -> {
            ServiceInstance removed = services.remove(serviceId);
            if (removed == null) {
                return Optional.<ServiceInstance>empty();
            }
            txn.touchService(removed.name());
            for (HealthCheck check : List.copyOf(checks.values())) {
                if (check.serviceId().equals(serviceId)) {
                    removeCheck(txn, check.checkId());
                }
            }
            return Optional.of(removed);
        });
    }

    public void registerCheck(HealthCheck check)
    {
        requireNonNull(check, "check is null");
        write(txn -> {
            putCheck(txn, check);
            return null;
        });
    }

    public boolean deregisterCheck(String checkId)
    {
        requireNonNull(checkId, "checkId is null");
        return write(txn -> removeCheck(txn, checkId));
    }

    /**
     * Sets a check's status and output; a no-op (no index move) when neither changed, as the agent
     * only syncs changed checks. Returns false when the check does not exist.
     */
    public boolean updateCheck(String checkId, CheckStatus status, String output)
    {
        requireNonNull(checkId, "checkId is null");
        requireNonNull(status, "status is null");
        requireNonNull(output, "output is null");
        return write(txn -> {
            HealthCheck existing = checks.get(checkId);
            if (existing == null) {
                return false;
            }
            if (existing.status() == status && existing.output().equals(output)) {
                return true;
            }
            Optional<Instant> criticalSince = status != CheckStatus.CRITICAL
                    ? Optional.empty()
                    : existing.criticalSince().or(() -> Optional.of(clock.instant()));
            HealthCheck updated = existing.withStatus(status, output, criticalSince, txn.index);
            checks.put(checkId, updated);
            touchCheck(txn, updated);
            if (status == CheckStatus.CRITICAL && existing.status() != CheckStatus.CRITICAL) {
                invalidateSessionsUsingCheck(txn, checkId);
            }
            return true;
        });
    }

    private void putCheck(Txn txn, HealthCheck check)
    {
        HealthCheck existing = checks.get(check.checkId());
        long createIndex = existing == null ? txn.index : existing.createIndex();
        Optional<Instant> criticalSince = check.status() != CheckStatus.CRITICAL
                ? Optional.empty()
                : Optional.of(existing != null && existing.criticalSince().isPresent() ? existing.criticalSince().get() : clock.instant());
        HealthCheck stored = new HealthCheck(check.node(), check.checkId(), check.name(), check.status(), check.notes(), check.output(),
                check.serviceId(), check.serviceName(), check.serviceTags(), check.spec(), criticalSince, createIndex, txn.index);
        if (existing != null && existing.withIndexes(0, 0).equals(stored.withIndexes(0, 0))) {
            return;
        }
        if (existing != null && existing.isServiceCheck() && !existing.serviceName().equals(stored.serviceName())) {
            txn.touch(Topics.service(existing.serviceName()));
        }
        checks.put(check.checkId(), stored);
        touchCheck(txn, stored);
        if (stored.status() == CheckStatus.CRITICAL && (existing == null || existing.status() != CheckStatus.CRITICAL)) {
            invalidateSessionsUsingCheck(txn, stored.checkId());
        }
    }

    private boolean removeCheck(Txn txn, String checkId)
    {
        HealthCheck removed = checks.remove(checkId);
        if (removed == null) {
            return false;
        }
        touchCheck(txn, removed);
        invalidateSessionsUsingCheck(txn, checkId);
        return true;
    }

    private void touchCheck(Txn txn, HealthCheck check)
    {
        txn.touch(Topics.CHECKS);
        if (check.isServiceCheck()) {
            txn.touch(Topics.service(check.serviceName()));
        }
        else {
            // a node check changes the health of every service on the node
            services.values().forEach(service -> txn.touch(Topics.service(service.name())));
        }
    }

    // ---- KV ----

    public synchronized Optional<KvEntry> kvGet(String key)
    {
        return Optional.ofNullable(kv.get(key));
    }

    public synchronized List<KvEntry> kvList(String prefix)
    {
        return List.copyOf(kvRange(kv, prefix).values());
    }

    /**
     * Index for a list under {@code prefix}: the highest modify index of its entries and tombstones,
     * or the KV table index when that is 0 or the prefix is empty (as Consul computes it).
     */
    public synchronized long kvPrefixIndex(String prefix)
    {
        long tableIndex = topicIndexes.getOrDefault(Topics.KV, 0L);
        if (prefix.isEmpty()) {
            return tableIndex;
        }
        long max = 0;
        for (KvEntry entry : kvRange(kv, prefix).values()) {
            max = Math.max(max, entry.modifyIndex());
        }
        for (long tombstone : kvRange(kvTombstones, prefix).values()) {
            max = Math.max(max, tombstone);
        }
        return max != 0 ? max : tableIndex;
    }

    public boolean kvSet(String key, Optional<byte[]> value, long flags)
    {
        return write(txn -> {
            KvEntry existing = kv.get(key);
            putKv(txn, key, value, flags, existing == null ? Optional.empty() : existing.session(), existing);
            return true;
        });
    }

    /**
     * Check-and-set on ModifyIndex; {@code casIndex == 0} means "only if the key does not exist".
     */
    public boolean kvCas(String key, Optional<byte[]> value, long flags, long casIndex)
    {
        return write(txn -> {
            KvEntry existing = kv.get(key);
            if (casIndex == 0 ? existing != null : existing == null || existing.modifyIndex() != casIndex) {
                return false;
            }
            putKv(txn, key, value, flags, existing == null ? Optional.empty() : existing.session(), existing);
            return true;
        });
    }

    public boolean kvAcquire(String key, Optional<byte[]> value, long flags, String sessionId)
    {
        requireNonNull(sessionId, "sessionId is null");
        return write(txn -> {
            if (!sessions.containsKey(sessionId)) {
                throw new ConsulStateException("invalid session \"" + sessionId + "\"");
            }
            Instant delayedUntil = lockDelays.get(key);
            if (delayedUntil != null && delayedUntil.isAfter(clock.instant())) {
                return false;
            }
            KvEntry existing = kv.get(key);
            long lockIndex = 1;
            if (existing != null) {
                if (existing.session().isPresent() && !existing.session().get().equals(sessionId)) {
                    return false;
                }
                lockIndex = existing.session().isPresent() ? existing.lockIndex() : existing.lockIndex() + 1;
            }
            KvEntry entry = new KvEntry(key, value, flags, Optional.of(sessionId), lockIndex, existing == null ? txn.index : existing.createIndex(), txn.index);
            kv.put(key, entry);
            kvTombstones.remove(key);
            txn.touchKv(key);
            return true;
        });
    }

    public boolean kvRelease(String key, Optional<byte[]> value, long flags, String sessionId)
    {
        requireNonNull(sessionId, "sessionId is null");
        return write(txn -> {
            KvEntry existing = kv.get(key);
            if (existing == null || !existing.session().equals(Optional.of(sessionId))) {
                return false;
            }
            kv.put(key, new KvEntry(key, value, flags, Optional.empty(), existing.lockIndex(), existing.createIndex(), txn.index));
            txn.touchKv(key);
            return true;
        });
    }

    public void kvDelete(String key)
    {
        write(txn -> deleteKv(txn, key));
    }

    /**
     * Deletes only if ModifyIndex matches; deleting a key that does not exist succeeds (as in Consul).
     */
    public boolean kvDeleteCas(String key, long casIndex)
    {
        return write(txn -> {
            KvEntry existing = kv.get(key);
            if (existing == null) {
                return true;
            }
            if (existing.modifyIndex() != casIndex) {
                return false;
            }
            return deleteKv(txn, key);
        });
    }

    public void kvDeleteTree(String prefix)
    {
        write(txn -> {
            for (String key : List.copyOf(kvRange(kv, prefix).keySet())) {
                deleteKv(txn, key);
            }
            return null;
        });
    }

    private void putKv(Txn txn, String key, Optional<byte[]> value, long flags, Optional<String> session, KvEntry existing)
    {
        KvEntry entry = new KvEntry(key, value, flags, session,
                existing == null ? 0 : existing.lockIndex(),
                existing == null ? txn.index : existing.createIndex(),
                txn.index);
        kv.put(key, entry);
        kvTombstones.remove(key);
        txn.touchKv(key);
    }

    private boolean deleteKv(Txn txn, String key)
    {
        if (kv.remove(key) == null) {
            return false;
        }
        kvTombstones.put(key, txn.index);
        txn.touchKv(key);
        return true;
    }

    private static <V> NavigableMap<String, V> kvRange(NavigableMap<String, V> map, String prefix)
    {
        if (prefix.isEmpty()) {
            return map;
        }
        return map.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
    }

    // ---- sessions ----

    public synchronized List<Session> sessions()
    {
        return List.copyOf(sessions.values());
    }

    public synchronized Optional<Session> session(String id)
    {
        return Optional.ofNullable(sessions.get(id));
    }

    /**
     * Creates a session with Consul's validation; refusals are {@link ConsulStateException}s
     * (HTTP 500 in Consul, since they come from the server-side RPC).
     */
    public Session createSession(SessionRequest request)
    {
        requireNonNull(request, "request is null");
        Optional<Duration> ttl = validateTtl(request.ttl());
        Session created = write(txn -> {
            if (!request.node().equals(node.name())) {
                throw new ConsulStateException("Missing node registration");
            }
            List<String> allChecks = new ArrayList<>(request.nodeChecks());
            allChecks.addAll(request.serviceChecks());
            for (String checkId : allChecks) {
                HealthCheck check = checks.get(checkId);
                if (check == null) {
                    throw new ConsulStateException("Missing check '" + checkId + "' registration");
                }
                if (check.status() == CheckStatus.CRITICAL) {
                    throw new ConsulStateException("Check '" + checkId + "' is in critical state");
                }
            }
            String id;
            do {
                id = UUID.randomUUID().toString();
            }
            while (sessions.containsKey(id));
            Session session = new Session(id, request.name(), request.node(), request.lockDelay(), request.behavior(), request.ttl(), ttl,
                    request.nodeChecks(), request.serviceChecks(), txn.index, txn.index);
            sessions.put(id, session);
            txn.touch(Topics.SESSIONS);
            return session;
        });
        resetSessionTimer(created);
        log.info("Session created: id={} name={} ttl={} behavior={}", created.id(), created.name(), created.ttl(), created.behavior().wireName());
        return created;
    }

    private Optional<Duration> validateTtl(String ttlText)
    {
        if (ttlText.isEmpty()) {
            return Optional.empty();
        }
        Duration ttl;
        try {
            ttl = GoDuration.parse(ttlText);
        }
        catch (IllegalArgumentException e) {
            throw new ConsulStateException("Session TTL '" + ttlText + "' invalid: " + e.getMessage());
        }
        if (ttl.isZero()) {
            return Optional.empty();
        }
        if (ttl.compareTo(sessionTtlMin) < 0 || ttl.compareTo(SESSION_TTL_MAX) > 0) {
            throw new ConsulStateException("Invalid Session TTL '" + ttl.toNanos() + "', must be between ["
                    + GoDuration.format(sessionTtlMin) + "=" + GoDuration.format(SESSION_TTL_MAX) + "]");
        }
        return Optional.of(ttl);
    }

    /**
     * Renews a session's TTL; empty when the session does not exist (expired or destroyed).
     */
    public Optional<Session> renewSession(String id)
    {
        Optional<Session> session = session(id);
        session.ifPresent(this::resetSessionTimer);
        return session;
    }

    public void destroySession(String id)
    {
        write(txn -> {
            Session session = sessions.get(id);
            if (session != null) {
                invalidateSession(txn, session);
            }
            return null;
        });
    }

    private void expireSession(String id)
    {
        log.info("Session expired (TTL not renewed): id={}", id);
        destroySession(id);
    }

    private synchronized void resetSessionTimer(Session session)
    {
        Scheduler.Cancellable previous = sessionTimers.remove(session.id());
        if (previous != null) {
            previous.cancel();
        }
        session.ttlDuration().ifPresent(ttl -> sessionTimers.put(session.id(),
                scheduler.schedule(ttl.multipliedBy(SESSION_TTL_MULTIPLIER), () -> expireSession(session.id()))));
    }

    private void invalidateSessionsUsingCheck(Txn txn, String checkId)
    {
        for (Session session : List.copyOf(sessions.values())) {
            if (session.usesCheck(checkId)) {
                log.info("Session invalidated by check: id={} check={}", session.id(), checkId);
                invalidateSession(txn, session);
            }
        }
    }

    private void invalidateSession(Txn txn, Session session)
    {
        sessions.remove(session.id());
        txn.touch(Topics.SESSIONS);
        Scheduler.Cancellable timer = sessionTimers.remove(session.id());
        if (timer != null) {
            timer.cancel();
        }
        Instant now = clock.instant();
        for (KvEntry entry : List.copyOf(kv.values())) {
            if (!entry.session().equals(Optional.of(session.id()))) {
                continue;
            }
            if (session.behavior() == Behavior.DELETE) {
                deleteKv(txn, entry.key());
            }
            else {
                kv.put(entry.key(), new KvEntry(entry.key(), entry.value(), entry.flags(), Optional.empty(), entry.lockIndex(), entry.createIndex(), txn.index));
                txn.touchKv(entry.key());
            }
            if (!session.lockDelay().isZero()) {
                lockDelays.put(entry.key(), now.plus(session.lockDelay()));
            }
        }
    }

    // ---- commit machinery ----

    private <T> T write(Function<Txn, T> body)
    {
        T result;
        ChangeSet changes;
        synchronized (this) {
            Txn txn = new Txn(index + 1);
            result = body.apply(txn);
            if (txn.topics.isEmpty()) {
                return result;
            }
            index = txn.index;
            for (String topic : txn.topics) {
                topicIndexes.put(topic, index);
            }
            changes = new ChangeSet(index, txn.topics);
        }
        for (Consumer<ChangeSet> listener : listeners) {
            listener.accept(changes);
        }
        return result;
    }

    private static final class Txn
    {
        private final long index;
        private final Set<String> topics = new LinkedHashSet<>();

        private Txn(long index)
        {
            this.index = index;
        }

        private void touch(String topic)
        {
            topics.add(topic);
        }

        private void touchService(String name)
        {
            topics.add(Topics.SERVICES);
            topics.add(Topics.service(name));
        }

        private void touchKv(String key)
        {
            topics.add(Topics.KV);
            topics.add(Topics.kvKey(key));
        }
    }

    /**
     * A validated session-create request (defaults already applied by the HTTP layer).
     */
    public record SessionRequest(String name, String node, Duration lockDelay, Behavior behavior, String ttl, List<String> nodeChecks, List<String> serviceChecks)
    {
        public SessionRequest
        {
            requireNonNull(name, "name is null");
            requireNonNull(node, "node is null");
            requireNonNull(lockDelay, "lockDelay is null");
            requireNonNull(behavior, "behavior is null");
            requireNonNull(ttl, "ttl is null");
            nodeChecks = List.copyOf(requireNonNull(nodeChecks, "nodeChecks is null"));
            serviceChecks = List.copyOf(requireNonNull(serviceChecks, "serviceChecks is null"));
        }
    }
}
