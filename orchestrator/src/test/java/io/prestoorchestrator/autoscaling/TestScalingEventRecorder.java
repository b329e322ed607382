package io.prestoorchestrator.autoscaling;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterState;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.nomad.InMemoryNomadJobs;
import io.prestoorchestrator.nomad.ScalingEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

class TestScalingEventRecorder
{
    private static final String JOB = "trino-demo";
    private static final String SCALING_UP = "scaling up because metric is 3";

    private final InMemoryKvStore kv = new InMemoryKvStore();
    private final ClusterRepository repository = new ClusterRepository(kv);
    private final InMemoryNomadJobs nomad = new InMemoryNomadJobs();
    private final Map<String, ClusterRecord> records = new ConcurrentHashMap<>();
    private final Map<String, ClusterSignal> signals = new ConcurrentHashMap<>();
    private final AtomicBoolean leader = new AtomicBoolean(true);

    @BeforeEach
    void setUp()
    {
        ClusterSpec spec = TestingClusterSpecs.local();
        records.put(spec.name(), new ClusterRecord(spec, ClusterState.RUNNING, Optional.empty(), Optional.empty(), Optional.empty(), Instant.now(), Instant.now(), "test"));
        await(nomad.register(job(1), OptionalLong.of(0)));
        WorkersNeeded needed = ScalingSignal.compute(new SignalInputs(2, 4, 0, 0, 1, 0, 2, 1, 10));
        signals.put("demo", new ClusterSignal("demo", Instant.now(), Optional.of("http://10.0.0.5:8080"), Optional.of(needed), Optional.empty()));
    }

    @Test
    void testAutoscalerScaleIsRecordedOnceWithItsMessageAndTheSignal()
    {
        ScalingEventRecorder recorder = recorder();
        nomad.scaleExternally(JOB, "workers", OptionalLong.of(3), SCALING_UP, false, Map.of());
        await(recorder.recordAll());
        await(recorder.recordAll());

        List<ClusterEvent> events = await(repository.events("demo"));
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo("autoscaled");
            assertThat(event.actor()).isEqualTo("nomad-autoscaler");
            assertThat(event.message()).isEqualTo("Workers 1 -> 3 by nomad-autoscaler: " + SCALING_UP + "; signal: "
                    + signals.get("demo").computation().orElseThrow().reason());
            assertThat(event.at()).isEqualTo(latest().time());
            assertThat(event.operation()).isEmpty();
        });
        assertThat(kv.snapshot()).containsEntry("scaling-events/demo", Long.toString(latest().timeNanos()));

        nomad.scaleExternally(JOB, "workers", OptionalLong.of(1), "scaling down because metric is 1", false, Map.of());
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).extracting(ClusterEvent::message)
                .hasSize(2)
                .anySatisfy(message -> assertThat(message).startsWith("Workers 3 -> 1 by nomad-autoscaler: scaling down because metric is 1; signal: "));
    }

    @Test
    void testOrchestratorsOwnScaleIsNotRecordedAgain()
    {
        ScalingEventRecorder recorder = recorder();
        await(nomad.scale(JOB, "workers", 2, "presto-orchestrator: resize by ops"));
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).isEmpty();
        // but it moves the mark: the next outside scale is the only one recorded
        assertThat(kv.snapshot()).containsEntry("scaling-events/demo", Long.toString(latest().timeNanos()));

        nomad.scaleExternally(JOB, "workers", OptionalLong.of(4), "submitted using the Nomad CLI", false, Map.of());
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).singleElement().satisfies(event -> {
            assertThat(event.actor()).isEqualTo("nomad");
            assertThat(event.message()).startsWith("Workers 2 -> 4 through Nomad (not the orchestrator): submitted using the Nomad CLI; signal: ");
        });
    }

    @Test
    void testErrorEventIsScalingFailed()
    {
        signals.put("demo", new ClusterSignal("demo", Instant.now(), Optional.empty(), Optional.empty(), Optional.of("no coordinator is registered")));
        nomad.scaleExternally(JOB, "workers", OptionalLong.empty(), "failed to query source: prometheus down", true,
                Map.of("nomad_autoscaler.reason_history", "[]"));
        await(recorder().recordAll());
        assertThat(await(repository.events("demo"))).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo("scaling-failed");
            assertThat(event.actor()).isEqualTo("nomad-autoscaler");
            assertThat(event.message()).isEqualTo("Scaling workers failed by nomad-autoscaler: failed to query source: prometheus down; "
                    + "signal: unavailable (no coordinator is registered)");
        });
    }

    @Test
    void testRestartAndNewLeaderRecordNothingTwice()
    {
        nomad.scaleExternally(JOB, "workers", OptionalLong.of(3), SCALING_UP, false, Map.of());
        await(recorder().recordAll());
        assertThat(await(repository.events("demo"))).hasSize(1);

        // a restarted replica, or another one that becomes leader: a new recorder on the same KV store
        ScalingEventRecorder next = recorder();
        await(next.recordAll());
        assertThat(await(repository.events("demo"))).hasSize(1);

        nomad.scaleExternally(JOB, "workers", OptionalLong.of(5), "scaling up because metric is 5", false, Map.of());
        await(next.recordAll());
        assertThat(await(repository.events("demo"))).extracting(ClusterEvent::message)
                .hasSize(2)
                .anySatisfy(message -> assertThat(message).startsWith("Workers 3 -> 5 by nomad-autoscaler"));
    }

    @Test
    void testOnlyTheLeaderRecords()
    {
        leader.set(false);
        ScalingEventRecorder recorder = recorder();
        nomad.scaleExternally(JOB, "workers", OptionalLong.of(3), SCALING_UP, false, Map.of());
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).isEmpty();
        assertThat(kv.snapshot()).doesNotContainKey("scaling-events/demo");

        leader.set(true);
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).hasSize(1);
    }

    @Test
    void testFailedAppendIsRetriedWithoutRepeatingWhatWasRecorded()
    {
        AtomicBoolean failing = new AtomicBoolean();
        ScalingEventRecorder recorder = new ScalingEventRecorder(this::clusters, nomad, event -> {
            if (failing.get() && event.message().contains("metric is 5")) {
                return CompletableFuture.failedFuture(new IllegalStateException("consul down"));
            }
            return repository.appendEvent(event);
        }, kv, leader::get, cluster -> Optional.ofNullable(signals.get(cluster)));
        nomad.scaleExternally(JOB, "workers", OptionalLong.of(3), SCALING_UP, false, Map.of());
        nomad.scaleExternally(JOB, "workers", OptionalLong.of(5), "scaling up because metric is 5", false, Map.of());
        failing.set(true);
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).extracting(ClusterEvent::message).singleElement().asString().contains(SCALING_UP);

        failing.set(false);
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).extracting(ClusterEvent::message)
                .hasSize(2)
                .anySatisfy(message -> assertThat(message).contains("metric is 5"));
    }

    @Test
    void testDeletedClusterLosesItsMark()
    {
        ScalingEventRecorder recorder = recorder();
        nomad.scaleExternally(JOB, "workers", OptionalLong.of(3), SCALING_UP, false, Map.of());
        await(recorder.recordAll());
        assertThat(kv.snapshot()).containsKey("scaling-events/demo");

        records.clear();
        await(recorder.recordAll());
        assertThat(kv.snapshot()).doesNotContainKey("scaling-events/demo");
    }

    @Test
    void testNomadDownRecordsNothingAndLaterCatchesUp()
    {
        ScalingEventRecorder recorder = recorder();
        nomad.scaleExternally(JOB, "workers", OptionalLong.of(3), SCALING_UP, false, Map.of());
        nomad.setAvailable(false);
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).isEmpty();

        nomad.setAvailable(true);
        await(recorder.recordAll());
        assertThat(await(repository.events("demo"))).hasSize(1);
    }

    @Test
    void testActorFromMetaOrWording()
    {
        assertThat(ScalingEventRecorder.actor(event("anything", Map.of("nomad_autoscaler.count.capped", "true")))).isEqualTo("nomad-autoscaler");
        assertThat(ScalingEventRecorder.actor(event("scaling none because fixed value is 2", Map.of()))).isEqualTo("nomad-autoscaler");
        assertThat(ScalingEventRecorder.actor(event("submitted using the Nomad CLI", Map.of("by", "ops")))).isEqualTo("nomad");
    }

    private ScalingEvent latest()
    {
        return await(nomad.scalingEvents(JOB, "workers")).get(0);
    }

    private static ScalingEvent event(String message, Map<String, String> meta)
    {
        return new ScalingEvent(1, OptionalLong.of(2), 1, message, false, meta, Optional.empty());
    }

    private ScalingEventRecorder recorder()
    {
        return new ScalingEventRecorder(this::clusters, nomad, repository::appendEvent, kv, leader::get, cluster -> Optional.ofNullable(signals.get(cluster)));
    }

    private CompletionStage<List<ClusterRecord>> clusters()
    {
        return CompletableFuture.completedFuture(List.copyOf(records.values()));
    }

    private static ObjectNode job(int workers)
    {
        ObjectNode job = JsonNodeFactory.instance.objectNode();
        job.put("ID", JOB);
        job.put("Type", "service");
        ObjectNode group = job.putArray("TaskGroups").addObject();
        group.put("Name", "workers");
        group.put("Count", workers);
        group.putArray("Tasks").addObject().put("Name", "trino");
        return job;
    }
}
