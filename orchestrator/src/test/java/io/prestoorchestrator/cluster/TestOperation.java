package io.prestoorchestrator.cluster;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TestOperation
{
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void testResumedByMarksTheRunningStepInterruptedAndNamesTheNewRunner()
    {
        Operation running = Operation.start("op-1", "demo", "restart", Map.of("restartStamp", "2026-01-01T00:00:00Z"), "ops", T0)
                .runBy("replica-a")
                .step("render", "rendering", T0.plusSeconds(1))
                .step("deploy", "waiting", T0.plusSeconds(2));
        Operation resumed = running.resumedBy("replica-b", "resumed by replica-b after leader change", T0.plusSeconds(3));

        assertThat(resumed.runner()).contains("replica-b");
        assertThat(resumed.inputs()).containsEntry("restartStamp", "2026-01-01T00:00:00Z");
        assertThat(resumed.steps()).extracting(Operation.Step::name, Operation.Step::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("render", Operation.StepState.DONE),
                org.assertj.core.groups.Tuple.tuple("deploy", Operation.StepState.INTERRUPTED),
                org.assertj.core.groups.Tuple.tuple("resume", Operation.StepState.RUNNING));
        assertThat(resumed.state()).isEqualTo(Operation.State.RUNNING);
        assertThat(resumed.succeeded(T0.plusSeconds(4)).runner()).contains("replica-b");
    }

    @Test
    void testRoundTripsThroughJson()
            throws Exception
    {
        Operation operation = Operation.start("op-1", "demo", "resize", Map.of("workersBefore", "2"), "ops", T0).runBy("replica-a").step("scale", "2 -> 3", T0);
        String json = ClusterRepository.write(operation);
        assertThat(ClusterRepository.read(json, Operation.class)).isEqualTo(operation);
    }

    @Test
    void testAnOperationStoredBeforeInputsAndRunnerExistedIsRead()
    {
        String stored = """
                {"id":"op-1","cluster":"demo","kind":"stop","state":"RUNNING","steps":[],"error":null,"requestedBy":"ops",
                 "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}
                """;
        Operation operation = ClusterRepository.read(stored, Operation.class);
        assertThat(operation.inputs()).isEmpty();
        assertThat(operation.runner()).isEmpty();
        assertThat(operation.kind()).isEqualTo("stop");
    }
}
