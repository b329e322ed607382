package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class TestOperationKind
{
    /** The stored names are in Consul KV, the API and the event types: this table locks them. */
    @ParameterizedTest
    @CsvSource({
            "CREATE, create",
            "UPDATE, update",
            "UPDATE_SPEC, update-spec",
            "RESIZE, resize",
            "START, start",
            "RESTART, restart",
            "STOP, stop",
            "DELETE, delete",
    })
    void testStoredNames(OperationKind kind, String stored)
    {
        assertThat(kind.storedName()).isEqualTo(stored);
        assertThat(OperationKind.of(stored)).contains(kind);
        Operation operation = Operation.start("op-1", "demo", stored, "ops", Instant.EPOCH);
        assertThat(OperationKind.of(operation)).contains(kind);
        assertThat(kind.is(operation)).isTrue();
    }

    @Test
    void testEveryKindIsInTheTable()
    {
        assertThat(Arrays.stream(OperationKind.values()).map(OperationKind::storedName))
                .containsExactlyInAnyOrder("create", "update", "update-spec", "resize", "start", "restart", "stop", "delete");
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue-green", "RESIZE", "Resize", "update_spec", ""})
    void testUnknownNames(String stored)
    {
        assertThat(OperationKind.of(stored)).isEmpty();
        Operation operation = Operation.start("op-1", "demo", stored, "ops", Instant.EPOCH);
        assertThat(Arrays.stream(OperationKind.values()).filter(kind -> kind.is(operation))).isEmpty();
    }
}
