package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.DependencyException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

class TestInMemoryKvStore
        extends KvStoreContract
{
    private InMemoryKvStore store;

    @BeforeEach
    void setUp()
    {
        store = new InMemoryKvStore();
    }

    @Override
    protected KvStore store()
    {
        return store;
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
