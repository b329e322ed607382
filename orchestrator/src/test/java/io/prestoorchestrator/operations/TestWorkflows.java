package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.config.ClustersConfig;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.nomad.InMemoryNomadJobs;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lookup from an operation's kind to the workflow that runs it. */
class TestWorkflows
{
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-07T08:00:00Z"), ZoneOffset.UTC);
    private final ClusterRepository repository = new ClusterRepository(new InMemoryKvStore());
    private final OperationSteps steps = new OperationSteps(repository, new InMemoryNomadJobs(), (flavour, coordinator) -> CompletableFuture.completedFuture(OptionalInt.empty()),
            service -> CompletableFuture.completedFuture(List.of()), new TestingScheduler(clock.instant()), clock, ClustersConfig.DEFAULTS);

    @Test
    void testEveryKindHasItsWorkflow()
    {
        Map<OperationKind, Workflow> given = new EnumMap<>(OperationKind.class);
        for (OperationKind kind : OperationKind.values()) {
            given.put(kind, (record, tracker, resumed) -> CompletableFuture.completedFuture(null));
        }
        Workflows workflows = new Workflows(repository, clock, "replica-1", steps, given);

        for (OperationKind kind : OperationKind.values()) {
            assertThat(workflows.of(kind)).as(kind.storedName()).isSameAs(given.get(kind));
        }
    }

    @Test
    void testAKindWithoutAWorkflowIsRefused()
    {
        Map<OperationKind, Workflow> given = new EnumMap<>(OperationKind.class);
        for (OperationKind kind : OperationKind.values()) {
            if (kind != OperationKind.RESIZE && kind != OperationKind.DELETE) {
                given.put(kind, (record, tracker, resumed) -> CompletableFuture.completedFuture(null));
            }
        }
        assertThatThrownBy(() -> new Workflows(repository, clock, "replica-1", steps, given))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no workflow for operation kind(s) [RESIZE, DELETE]");
        assertThatThrownBy(() -> new Workflows(repository, clock, "replica-1", steps, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no workflow for operation kind(s) [CREATE, UPDATE,");
    }
}
