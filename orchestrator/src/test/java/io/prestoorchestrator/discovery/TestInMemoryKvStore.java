package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

class TestInMemoryKvStore
        extends KvStoreContract
{
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-03-01T10:00:00Z"));
    private InMemoryKvStore store;

    @BeforeEach
    void setUp()
    {
        store = new InMemoryKvStore(time);
    }

    @Override
    protected KvStore store()
    {
        return store;
    }

    @Override
    protected void elapse(Duration duration)
    {
        time.advance(duration);
    }

    @Test
    void testDownNamesConsul()
    {
        InMemoryKvStore store = new InMemoryKvStore();
        store.setAvailable(false);
        assertThat(failure(store.get("a")))
                .isInstanceOfSatisfying(DependencyException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("consul");
                    assertThat(e.unavailable()).isTrue();
                });
    }
}
