package io.prestoorchestrator.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.time.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * {@link LeaderLock} on a Consul session and a KV lock key, as Consul's leader-election guide
 * describes: create a session ({@code PUT /v1/session/create}, TTL, {@code Behavior=release},
 * LockDelay), take the key with {@code PUT /v1/kv/:key?acquire=<session>}, watch the key with
 * blocking queries, renew the session every TTL/2 on a Vert.x timer.
 *
 * <p>A replica that loses leadership sits out one lock delay plus one TTL before it contends again,
 * so a healthy replica takes over instead of the one that just failed winning the lock straight back.
 *
 * <p>Leadership is lost when a renew answers 404 (session invalidated), when the watch shows the
 * key no longer held by this session, or when renewing has failed for as long as the session is
 * known to be safe: a leader that cannot reach Consul keeps leading, retrying the renew, until one
 * lock delay (less {@link #HOLD_MARGIN}) after the last request that proved its session valid was
 * sent. No other replica can hold the lock before then: Consul invalidates a session no earlier
 * than its TTL after the last renew (or at once, when the node's health check fails), and the
 * lock then stays free for the lock delay. So a Consul blip shorter than that costs no
 * leadership (and no lock delay plus TTL of sitting out), while a longer outage still steps the
 * leader down before anyone else can take over. With a lock delay of {@link #HOLD_MARGIN} or less a
 * failed renew steps down at once. {@link #close()}
 * releases the key and destroys the session, so another replica takes over without waiting for
 * the lock delay. All state lives on one Vert.x context.
 */
public final class ConsulLeaderLock
        implements LeaderLock
{
    private static final Logger log = LoggerFactory.getLogger(ConsulLeaderLock.class);
    /** Kept back from the lock delay for request latency and timer drift. */
    static final Duration HOLD_MARGIN = Duration.ofSeconds(1);

    private final Scheduler scheduler;
    private final Context context;
    private final DependencyHttp consul;
    private final String lockPath;
    private final LeaderLockOptions options;
    private final LeadershipListener listener;

    // confined to the context
    private String sessionId;
    private boolean started;
    private boolean closed;
    /** The scheduler's nanoTime when the last request that proved the session valid (a renew, an acquire) was sent. */
    private long confirmedAtNanos;
    private boolean renewRetryPending;
    private boolean renewFailing;
    private volatile boolean leader;
    /** After losing leadership, this replica does not contend until then (the scheduler's nanoTime). */
    private volatile long cooldownUntilNanos;

    /**
     * @param scheduler its timers (the renew, the retries, the cool-down) and its time ({@link Scheduler#nanoTime()}); the lock
     *         goes on on its own Vert.x context after each
     */
    public ConsulLeaderLock(Vertx vertx, Scheduler scheduler, DependencyHttp consul, String kvPrefix, LeaderLockOptions options, LeadershipListener listener)
    {
        requireNonNull(vertx, "vertx is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.consul = requireNonNull(consul, "consul is null");
        this.options = requireNonNull(options, "options is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.lockPath = "/v1/kv/" + ConsulKvStore.encodePath(KvKeys.checkKey(requireNonNull(kvPrefix, "kvPrefix is null")) + "/" + options.key());
        this.context = vertx.getOrCreateContext();
        this.cooldownUntilNanos = scheduler.nanoTime();
    }

    @Override
    public void start()
    {
        context.runOnContext(ignored -> {
            if (started || closed) {
                return;
            }
            started = true;
            renewEvery(Duration.ofMillis(Math.max(1, options.ttl().toMillis() / 2)));
            step(0);
        });
    }

    @Override
    public boolean isLeader()
    {
        return leader;
    }

    /** The Consul session this replica holds now, if any (for diagnostics and tests). */
    public Optional<String> sessionId()
    {
        return Optional.ofNullable(sessionId);
    }

    @Override
    public CompletionStage<Void> close()
    {
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            if (closed) {
                done.complete();
                return;
            }
            closed = true; // ends the renew loop and every pending retry
            String session = sessionId;
            sessionId = null;
            boolean wasLeader = leader;
            lose("this replica is shutting down");
            if (session == null) {
                done.complete();
                return;
            }
            Future<Void> released = wasLeader ? release(session) : Future.succeededFuture();
            released.recover(failure -> Future.succeededFuture())
                    .compose(nothing -> destroy(session))
                    .onComplete(result -> {
                        if (result.failed()) {
                            log.warn("could not destroy Consul session on close; Consul will expire it after its TTL: session={} error={}", session, result.cause().getMessage());
                        }
                        done.complete();
                    });
        });
        return done.future().toCompletionStage();
    }

    // ---------------------------------------------------------------- the election loop

    /** One step: make sure there is a session, read (or watch, from {@code index}) the key, act on who holds it. Exactly one chain of steps runs. */
    private void step(long index)
    {
        if (closed) {
            return;
        }
        if (sessionId == null) {
            createSession()
                    .onSuccess(id -> {
                        sessionId = id;
                        step(0);
                    })
                    .onFailure(failure -> retryLater("cannot create a Consul session", failure));
            return;
        }
        readLock(index)
                .onSuccess(this::onLock)
                .onFailure(failure -> {
                    if (leader) {
                        // the renew timer decides whether to step down; keep watching
                        log.warn("cannot watch the leader lock: key={} error={}", options.key(), failure.getMessage());
                    }
                    retryLater("cannot read the leader lock", failure);
                });
    }

    private void onLock(LockState lock)
    {
        if (closed) {
            return;
        }
        String mine = sessionId;
        if (mine == null) {
            step(0);
            return;
        }
        boolean held = lock.session().map(mine::equals).orElse(false);
        if (leader && !held) {
            lose("the lock is no longer held by this replica's Consul session (session invalidated)");
            sessionId = null;
            destroy(mine);
            step(0);
            return;
        }
        if (held) {
            gain();
            step(lock.index());
            return;
        }
        if (lock.session().isPresent()) {
            step(lock.index()); // someone else leads: wait for the key to change
            return;
        }
        long coolingMillis = (cooldownUntilNanos - scheduler.nanoTime()) / 1_000_000;
        if (coolingMillis > 0) {
            // this replica just lost leadership: let a healthy replica take over before contending again
            later(Duration.ofMillis(coolingMillis), () -> step(0));
            return;
        }
        long sent = scheduler.nanoTime();
        acquire(mine)
                .onSuccess(acquired -> {
                    if (closed) {
                        return;
                    }
                    if (acquired) {
                        confirmed(sent);
                        gain();
                        step(0);
                    }
                    else {
                        // free but refused: the lock delay of an invalidated holder is running
                        later(options.retryInterval(), () -> step(0));
                    }
                })
                .onFailure(failure -> retryLater("cannot take the leader lock", failure));
    }

    private void retryLater(String what, Throwable failure)
    {
        log.debug("{}; retrying in {}: {}", what, options.retryInterval(), failure.getMessage());
        later(options.retryInterval(), () -> step(0));
    }

    /** Renews the session every {@code interval} until the lock is closed. */
    private void renewEvery(Duration interval)
    {
        later(interval, () -> {
            renew();
            renewEvery(interval);
        });
    }

    /** Runs {@code action} on the lock's context once {@code delay} has passed, unless the lock is closed by then. */
    private void later(Duration delay, Runnable action)
    {
        scheduler.after(delay).thenRun(() -> context.runOnContext(ignored -> {
            if (!closed) {
                action.run();
            }
        }));
    }

    private void renew()
    {
        String session = sessionId;
        if (closed || session == null) {
            return;
        }
        long sent = scheduler.nanoTime();
        consul.send(consul.request(HttpMethod.PUT, "/v1/session/renew/" + session), Optional.empty(), Set.of(404))
                .onSuccess(response -> {
                    if (!session.equals(sessionId)) {
                        return;
                    }
                    if (response.statusCode() == 404) {
                        lose("this replica's Consul session was invalidated (renew answered 404)");
                        sessionId = null;
                        return;
                    }
                    confirmed(sent);
                })
                .onFailure(failure -> {
                    if (!leader || !session.equals(sessionId)) {
                        return;
                    }
                    RenewFailure next = afterFailedRenew(Duration.ofNanos(scheduler.nanoTime() - confirmedAtNanos), options);
                    if (next.stepDown()) {
                        lose("cannot renew this replica's Consul session (last confirmed %d ms ago, lock delay %s): %s".formatted(
                                next.sinceConfirmed().toMillis(), options.lockDelay(), failure.getMessage()));
                        return;
                    }
                    if (!renewRetryPending) {
                        renewRetryPending = true;
                        if (!renewFailing) {
                            // once per streak: the retries log at debug
                            renewFailing = true;
                            log.warn("cannot renew the Consul session; still leading for {} ms at most, retrying every {} ms: key={} error={}",
                                    next.leadingForAtMost().toMillis(), next.retryIn().toMillis(), options.key(), failure.getMessage());
                        }
                        else {
                            log.debug("renew retry failed; still leading for {} ms at most: {}", next.leadingForAtMost().toMillis(), failure.getMessage());
                        }
                        later(next.retryIn(), () -> {
                            renewRetryPending = false;
                            renew();
                        });
                    }
                });
    }

    /**
     * What a leader does after a renew of its session failed, {@code sinceConfirmed} after sending the last request that proved
     * the session valid: it keeps leading, and retries, until one lock delay less {@link #HOLD_MARGIN} has passed since then
     * (no other replica can hold the lock before: see the class comment), and steps down at that bound. It retries every
     * {@code retryInterval}, sooner when the bound comes sooner, so that the last retry falls on the bound.
     */
    static RenewFailure afterFailedRenew(Duration sinceConfirmed, LeaderLockOptions options)
    {
        Duration left = options.lockDelay().minus(HOLD_MARGIN).minus(sinceConfirmed);
        if (left.isNegative() || left.isZero()) {
            return new RenewFailure(true, sinceConfirmed, Duration.ZERO, Duration.ZERO);
        }
        Duration retryIn = left.compareTo(options.retryInterval()) < 0 ? left : options.retryInterval();
        return new RenewFailure(false, sinceConfirmed, left, retryIn.toMillis() < 1 ? Duration.ofMillis(1) : retryIn);
    }

    /**
     * @param stepDown whether to give up leadership now
     * @param sinceConfirmed how long ago the last request that proved the session valid was sent
     * @param leadingForAtMost how much longer this replica may lead without a renew that works (zero when it steps down)
     * @param retryIn when to renew again (zero when it steps down)
     */
    record RenewFailure(boolean stepDown, Duration sinceConfirmed, Duration leadingForAtMost, Duration retryIn) {}

    private void confirmed(long sentNanos)
    {
        if (sentNanos - confirmedAtNanos > 0) {
            confirmedAtNanos = sentNanos;
        }
        if (renewFailing) {
            renewFailing = false;
            log.info("Consul session renewed again: key={}", options.key());
        }
    }

    private void gain()
    {
        if (!leader && !closed) {
            leader = true;
            log.info("leadership gained: holder={} key={} session={}", options.holder(), options.key(), sessionId);
            try {
                listener.gained();
            }
            catch (RuntimeException e) {
                log.warn("leadership listener failed on gained", e);
            }
        }
    }

    private void lose(String reason)
    {
        if (leader) {
            leader = false;
            cooldownUntilNanos = scheduler.nanoTime() + options.lockDelay().plus(options.ttl()).toNanos();
            log.warn("leadership lost: holder={} key={} reason={}", options.holder(), options.key(), reason);
            try {
                listener.lost(reason);
            }
            catch (RuntimeException e) {
                log.warn("leadership listener failed on lost", e);
            }
        }
    }

    // ---------------------------------------------------------------- Consul calls

    private Future<String> createSession()
    {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("Name", "presto-orchestrator-leader " + options.holder());
        body.put("TTL", options.ttl().toSeconds() + "s");
        body.put("Behavior", "release");
        long delayMillis = options.lockDelay().toMillis();
        body.put("LockDelay", delayMillis % 1000 == 0 ? delayMillis / 1000 + "s" : delayMillis + "ms");
        return consul.send(consul.request(HttpMethod.PUT, "/v1/session/create"), Optional.of(body), Set.of())
                .map(response -> {
                    String id = consul.json(response).path("ID").asText("");
                    if (id.isEmpty()) {
                        throw new DependencyException(consul.dependency(), "Consul created a session without an ID", false, null);
                    }
                    log.debug("consul session created: session={} ttl={} lock_delay={}", id, options.ttl(), options.lockDelay());
                    return id;
                });
    }

    private Future<LockState> readLock(long index)
    {
        HttpRequest<Buffer> request = consul.blocking(consul.request(HttpMethod.GET, lockPath), index, options.watchWait());
        return consul.send(request, Optional.empty(), Set.of(404))
                .map(response -> {
                    OptionalLong header = DependencyHttp.index(response, "X-Consul-Index");
                    long next = header.isPresent() && header.getAsLong() >= index ? header.getAsLong() : 0;
                    if (response.statusCode() == 404) {
                        return new LockState(Optional.empty(), next);
                    }
                    JsonNode entry = consul.json(response).path(0);
                    String session = entry.path("Session").asText("");
                    return new LockState(session.isEmpty() ? Optional.empty() : Optional.of(session), next);
                });
    }

    private Future<Boolean> acquire(String session)
    {
        HttpRequest<Buffer> request = consul.request(HttpMethod.PUT, lockPath);
        request.addQueryParam("acquire", session);
        ObjectNode holder = JsonNodeFactory.instance.objectNode();
        holder.put("holder", options.holder());
        holder.put("since", Instant.now().toString());
        return consul.sendBuffer(request, Buffer.buffer(holder.toString().getBytes(StandardCharsets.UTF_8)), Set.of())
                .map(response -> consul.json(response).asBoolean(false));
    }

    private Future<Void> release(String session)
    {
        HttpRequest<Buffer> request = consul.request(HttpMethod.PUT, lockPath);
        request.addQueryParam("release", session);
        return consul.sendBuffer(request, Buffer.buffer(), Set.of()).mapEmpty();
    }

    private Future<Void> destroy(String session)
    {
        return consul.send(consul.request(HttpMethod.PUT, "/v1/session/destroy/" + session), Optional.empty(), Set.of(404)).mapEmpty();
    }

    private record LockState(Optional<String> session, long index) {}
}
