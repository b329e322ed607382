package io.prestoorchestrator.api;

import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.ClusterView;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestEncodedViews
{
    private static final Instant CREATED = Instant.parse("2026-12-07T10:00:00Z");
    private static final Instant POLLED = Instant.parse("2026-12-07T10:05:00Z");

    private final List<ClusterView> encoded = new ArrayList<>();
    private final EncodedViews views = new EncodedViews(view -> {
        encoded.add(view);
        return "{\"name\":\"" + view.record().name() + "\",\"observedAt\":\"" + view.status().observedAt() + "\",\"workers\":" + view.record().spec().workers().count() + "}";
    });

    @Test
    void testAnEqualViewIsAnsweredWithTheSameBody()
    {
        String first = views.json(view(record(CREATED), POLLED, 2));
        String second = views.json(view(record(CREATED), POLLED, 2));

        assertThat(second).isSameAs(first);
        assertThat(encoded).hasSize(1);
    }

    @Test
    void testAChangedStatusIsEncodedAnew()
    {
        views.json(view(record(CREATED), POLLED, 2));

        assertThat(views.json(view(record(CREATED), POLLED.plusSeconds(5), 2))).contains("\"observedAt\":\"2026-12-07T10:05:05Z\"");
        assertThat(views.json(view(record(CREATED), POLLED.plusSeconds(5), 3))).isNotSameAs(views.json(view(record(CREATED), POLLED.plusSeconds(5), 2)));
        assertThat(encoded).hasSize(4);
    }

    @Test
    void testAChangedRecordIsEncodedAnew()
    {
        views.json(view(record(CREATED), POLLED, 2));
        ClusterRecord stopped = new ClusterRecord(TestingClusterSpecs.local(), ClusterState.STOPPED, Optional.empty(), Optional.empty(), Optional.of(7L), CREATED, CREATED.plusSeconds(60), "alice");

        views.json(new ClusterView(stopped, status(POLLED, 2)));

        assertThat(encoded).hasSize(2);
        assertThat(encoded.get(1).record().state()).isEqualTo(ClusterState.STOPPED);
    }

    @Test
    void testEachClusterKeepsItsOwnBody()
    {
        ClusterRecord other = new ClusterRecord(TestingClusterSpecs.prod(), ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.of(9L), CREATED, CREATED, "alice");

        String demo = views.json(view(record(CREATED), POLLED, 2));
        String prod = views.json(new ClusterView(other, status(POLLED, 2)));

        assertThat(views.json(view(record(CREATED), POLLED, 2))).isSameAs(demo);
        assertThat(views.json(new ClusterView(other, status(POLLED, 2)))).isSameAs(prod);
        assertThat(demo).isNotEqualTo(prod);
        assertThat(encoded).hasSize(2);
    }

    private static ClusterRecord record(Instant updated)
    {
        return new ClusterRecord(TestingClusterSpecs.local(), ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.of(7L), CREATED, updated, "alice");
    }

    private static ClusterView view(ClusterRecord record, Instant observedAt, int activeWorkers)
    {
        return new ClusterView(record, status(observedAt, activeWorkers));
    }

    private static ClusterView.Status status(Instant observedAt, int activeWorkers)
    {
        // a fresh map each time: equal views, not the same objects
        return new ClusterView.Status(Optional.of(3L), Optional.of("running"), Map.of("workers", Map.of("running", activeWorkers)), Optional.of("http://127.0.0.1:8080"),
                Optional.of(activeWorkers), false, Optional.empty(), new ClusterView.Routing(Optional.of("http://demo.trino.localhost:8000"), true, "ready"), observedAt);
    }
}
