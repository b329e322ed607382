package io.prestoorchestrator.sim.consul.state;

import io.prestoorchestrator.sim.consul.state.Session.Behavior;
import io.prestoorchestrator.sim.consul.state.StateStore.SessionRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestStateStore
{
    private TestingScheduler time;
    private StateStore store;
    private final List<ChangeSet> changes = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        time = new TestingScheduler();
        store = new StateStore(new NodeInfo("node-1", "5d0c7c1e-0000-4000-8000-000000000001", "127.0.0.1", "dc1"), time, time, Duration.ofSeconds(10));
        store.addListener(changes::add);
    }

    @Test
    void startsLikeAFreshDevAgent()
    {
        assertThat(store.index()).isEqualTo(1);
        assertThat(store.services()).extracting(ServiceInstance::id).containsExactly("consul");
        assertThat(store.checks()).extracting(HealthCheck::checkId).containsExactly("serfHealth");
        assertThat(store.check("serfHealth").orElseThrow().status()).isEqualTo(CheckStatus.PASSING);
    }

    @Test
    void oneIndexPerCommitAndOnlyForRealChanges()
    {
        long start = store.index();
        store.registerService(service("web-1", "web", 80), List.of(ttlCheck("web-1-ttl", "web-1", "web")), false);
        assertThat(store.index()).isEqualTo(start + 1);
        assertThat(changes).last().satisfies(change -> assertThat(change.topics()).contains(Topics.SERVICES, Topics.CHECKS, Topics.service("web")));

        store.registerService(service("web-1", "web", 80), List.of(ttlCheck("web-1-ttl", "web-1", "web")), false);
        assertThat(store.index()).isEqualTo(start + 1);

        store.registerService(service("web-1", "web", 81), List.of(ttlCheck("web-1-ttl", "web-1", "web")), false);
        assertThat(store.index()).isEqualTo(start + 2);
        assertThat(store.service("web-1").orElseThrow().createIndex()).isEqualTo(start + 1);
        assertThat(store.service("web-1").orElseThrow().modifyIndex()).isEqualTo(start + 2);

        assertThat(store.updateCheck("web-1-ttl", CheckStatus.CRITICAL, "")).isTrue();
        assertThat(store.index()).isEqualTo(start + 2);
        store.updateCheck("web-1-ttl", CheckStatus.PASSING, "ok");
        assertThat(store.index()).isEqualTo(start + 3);
        assertThat(store.topicIndex(Topics.service("web"))).isEqualTo(start + 3);
        assertThat(store.topicIndex(Topics.SERVICES)).isEqualTo(start + 2);
    }

    @Test
    void deregistrationTakesChecksAlong()
    {
        store.registerService(service("web-1", "web", 80), List.of(ttlCheck("web-1-ttl", "web-1", "web")), false);
        assertThat(store.deregisterService("web-1")).isPresent();
        assertThat(store.check("web-1-ttl")).isEmpty();
        assertThat(store.deregisterService("web-1")).isEmpty();
    }

    @Test
    void kvCheckAndSet()
    {
        assertThat(store.kvCas("k", value("a"), 0, 0)).isTrue();
        assertThat(store.kvCas("k", value("b"), 0, 0)).isFalse();
        long modifyIndex = store.kvGet("k").orElseThrow().modifyIndex();
        assertThat(store.kvCas("k", value("c"), 7, modifyIndex + 1)).isFalse();
        assertThat(store.kvCas("k", value("c"), 7, modifyIndex)).isTrue();
        assertThat(store.kvGet("k").orElseThrow().flags()).isEqualTo(7);
        assertThat(store.kvDeleteCas("k", modifyIndex)).isFalse();
        assertThat(store.kvDeleteCas("k", store.kvGet("k").orElseThrow().modifyIndex())).isTrue();
        assertThat(store.kvDeleteCas("k", 12345)).isTrue();
    }

    @Test
    void prefixIndexCountsTombstones()
    {
        store.kvSet("app/a", value("1"), 0);
        store.kvSet("other", value("1"), 0);
        long afterWrites = store.kvPrefixIndex("app/");
        store.kvDelete("app/a");
        assertThat(store.kvPrefixIndex("app/")).isGreaterThan(afterWrites);
        long deleted = store.kvPrefixIndex("app/");
        store.kvSet("other", value("2"), 0);
        assertThat(store.kvPrefixIndex("app/")).isEqualTo(deleted);
    }

    @Test
    void sessionExpiresBetweenTtlAndTwiceTtlAndReleasesItsLocks()
    {
        Session session = store.createSession(new SessionRequest("s", "node-1", Duration.ZERO, Behavior.RELEASE, "10s", List.of("serfHealth"), List.of()));
        assertThat(store.kvAcquire("lock", value("me"), 0, session.id())).isTrue();

        time.advance(Duration.ofSeconds(19));
        assertThat(store.session(session.id())).isPresent();
        time.advance(Duration.ofSeconds(2));
        assertThat(store.session(session.id())).isEmpty();
        assertThat(store.kvGet("lock").orElseThrow().session()).isEmpty();
        assertThat(store.kvGet("lock").orElseThrow().lockIndex()).isEqualTo(1);
    }

    @Test
    void renewalPostponesExpiry()
    {
        Session session = store.createSession(new SessionRequest("s", "node-1", Duration.ZERO, Behavior.DELETE, "10s", List.of(), List.of()));
        time.advance(Duration.ofSeconds(15));
        assertThat(store.renewSession(session.id())).isPresent();
        time.advance(Duration.ofSeconds(15));
        assertThat(store.session(session.id())).isPresent();
        time.advance(Duration.ofSeconds(6));
        assertThat(store.session(session.id())).isEmpty();
        assertThat(time.pending()).isZero();
    }

    /** Renewed every 300 ms for longer than 2 x TTL (the latest it could expire without renewals), the session lives on (moved here from the HTTP test, which slept). */
    @Test
    void renewalsKeepASessionAlivePastTwiceItsTtl()
    {
        Session session = store.createSession(new SessionRequest("s", "node-1", Duration.ZERO, Behavior.RELEASE, "10s", List.of(), List.of()));
        for (Duration passed = Duration.ZERO; passed.compareTo(Duration.ofSeconds(25)) < 0; passed = passed.plusMillis(300)) {
            assertThat(store.renewSession(session.id())).isPresent();
            time.advance(Duration.ofMillis(300));
        }
        assertThat(store.session(session.id())).isPresent();
        time.advance(Duration.ofSeconds(21));
        assertThat(store.session(session.id())).as("gone once the renewals stop").isEmpty();
    }

    @Test
    void lockDelayAfterInvalidation()
    {
        Session holder = store.createSession(new SessionRequest("", "node-1", Duration.ofSeconds(15), Behavior.RELEASE, "", List.of(), List.of()));
        Session waiter = store.createSession(new SessionRequest("", "node-1", Duration.ZERO, Behavior.RELEASE, "", List.of(), List.of()));
        store.kvAcquire("lock", value("x"), 0, holder.id());
        store.destroySession(holder.id());

        assertThat(store.kvAcquire("lock", value("y"), 0, waiter.id())).isFalse();
        time.advance(Duration.ofSeconds(16));
        assertThat(store.kvAcquire("lock", value("y"), 0, waiter.id())).isTrue();
        assertThat(store.kvGet("lock").orElseThrow().lockIndex()).isEqualTo(2);
    }

    @Test
    void deleteBehaviorRemovesHeldKeys()
    {
        Session session = store.createSession(new SessionRequest("", "node-1", Duration.ZERO, Behavior.DELETE, "", List.of(), List.of()));
        store.kvAcquire("held", value("x"), 0, session.id());
        store.kvSet("free", value("x"), 0);
        store.destroySession(session.id());
        assertThat(store.kvGet("held")).isEmpty();
        assertThat(store.kvGet("free")).isPresent();
    }

    @Test
    void criticalCheckInvalidatesSessionsUsingIt()
    {
        store.registerService(service("db-1", "db", 5432), List.of(ttlCheck("db-ttl", "db-1", "db").withStatus(CheckStatus.PASSING, "", Optional.empty(), 0)), false);
        Session session = store.createSession(new SessionRequest("", "node-1", Duration.ZERO, Behavior.RELEASE, "", List.of("serfHealth"), List.of("db-ttl")));
        store.updateCheck("db-ttl", CheckStatus.CRITICAL, "down");
        assertThat(store.session(session.id())).isEmpty();

        assertThatThrownBy(() -> store.createSession(new SessionRequest("", "node-1", Duration.ZERO, Behavior.RELEASE, "", List.of(), List.of("db-ttl"))))
                .isInstanceOf(ConsulStateException.class)
                .hasMessage("Check 'db-ttl' is in critical state");
    }

    @Test
    void sessionValidation()
    {
        assertThatThrownBy(() -> store.createSession(new SessionRequest("", "node-1", Duration.ZERO, Behavior.RELEASE, "5s", List.of(), List.of())))
                .isInstanceOf(ConsulStateException.class)
                .hasMessage("Invalid Session TTL '5000000000', must be between [10s=24h0m0s]");
        assertThatThrownBy(() -> store.createSession(new SessionRequest("", "other-node", Duration.ZERO, Behavior.RELEASE, "", List.of(), List.of())))
                .hasMessage("Missing node registration");
        assertThatThrownBy(() -> store.kvAcquire("k", value("v"), 0, "no-such-session"))
                .hasMessage("invalid session \"no-such-session\"");
    }

    private static ServiceInstance service(String id, String name, int port)
    {
        return new ServiceInstance("", id, name, List.of("t"), Map.of(), port, "127.0.0.1", Map.of(), ServiceInstance.Weights.DEFAULT, false, 0, 0);
    }

    private static HealthCheck ttlCheck(String checkId, String serviceId, String serviceName)
    {
        CheckSpec spec = new CheckSpec("ttl", Optional.empty(), "GET", Map.of(), Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty(),
                Optional.of(Duration.ofSeconds(30)), Optional.empty(), 0, 0, 0, CheckSpec.DEFAULT_OUTPUT_MAX_SIZE);
        return new HealthCheck("node-1", checkId, "ttl", CheckStatus.CRITICAL, "", "", serviceId, serviceName, List.of("t"), Optional.of(spec), Optional.empty(), 0, 0);
    }

    private static Optional<byte[]> value(String text)
    {
        return Optional.of(text.getBytes(StandardCharsets.UTF_8));
    }
}
