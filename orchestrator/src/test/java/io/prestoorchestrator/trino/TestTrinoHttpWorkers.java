package io.prestoorchestrator.trino;

import io.prestoorchestrator.drain.TrinoWorkers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a worker's answer to a state change maps to the drain's outcomes (the HTTP exchange itself runs in TestWorkerDrainer against a fake worker). */
class TestTrinoHttpWorkers
{
    @Test
    void testClassifiesStatusCodes()
    {
        assertThat(TrinoHttpWorkers.classify(200)).isEqualTo(TrinoWorkers.StateChange.ACCEPTED);
        assertThat(TrinoHttpWorkers.classify(204)).isEqualTo(TrinoWorkers.StateChange.ACCEPTED);
        assertThat(TrinoHttpWorkers.classify(400)).isEqualTo(TrinoWorkers.StateChange.UNSUPPORTED);
        assertThat(TrinoHttpWorkers.classify(422)).isEqualTo(TrinoWorkers.StateChange.UNSUPPORTED);
        assertThat(TrinoHttpWorkers.classify(401)).isEqualTo(TrinoWorkers.StateChange.REFUSED);
        assertThat(TrinoHttpWorkers.classify(403)).isEqualTo(TrinoWorkers.StateChange.REFUSED);
        assertThat(TrinoHttpWorkers.classify(500)).isEqualTo(TrinoWorkers.StateChange.REFUSED);
        assertThat(TrinoHttpWorkers.classify(503)).isEqualTo(TrinoWorkers.StateChange.UNREACHABLE);
    }
}
