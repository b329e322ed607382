package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.cluster.ClusterEvent;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.lifecycle.DrainRecord.State;
import io.prestoorchestrator.lifecycle.LifecycleActions.Answer;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Malformed;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Terminating;
import io.prestoorchestrator.lifecycle.LifecycleService.Disposition;
import io.prestoorchestrator.lifecycle.NomadNodes.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.prestoorchestrator.testing.TestingScheduler;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

class TestLifecycleService
{
    private static final String INSTANCE = "i-0abc1234def567890";
    private static final URI WORKER = URI.create("http://127.0.0.1:28080");
    private static final URI OTHER_WORKER = URI.create("http://127.0.0.1:28081");
    private static final LifecycleConfig CONFIG = new LifecycleConfig(true, Optional.of("https://sqs.us-east-1.amazonaws.com/1/q"), Optional.empty(), "X-Lifecycle-Secret",
            Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMinutes(30), Duration.ofMinutes(5), Result.ABANDON,
            Duration.ofMillis(250), Duration.ofSeconds(1));

    /** The clock and every wait of the services under test: the test moves it, nothing sleeps. */
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-03-01T10:00:00Z"));
    private InMemoryKvStore kv;
    private ClusterRepository repository;
    private FakeNomadNodes nodes;
    private RecordingLifecycleActions actions;
    private GatedDrain drain;
    /** What the stand-in coordinator query list answers, one look after another (the last repeats); ZERO: none runs. */
    private final List<Optional<Duration>> coordinatorLooks = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(Optional.of(Duration.ZERO)));
    private final List<String> coordinatorLooked = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<LifecycleService> services = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        kv = new InMemoryKvStore();
        repository = new ClusterRepository(kv);
        nodes = new FakeNomadNodes();
        actions = new RecordingLifecycleActions();
        drain = new GatedDrain();
        Node node = nodes.addNode("worker-2", INSTANCE);
        nodes.addWorker(node, "adhoc", 1, WORKER);
        nodes.addWorker(node, "etl", 0, OTHER_WORKER);
        nodes.addSystemJob(node, "traefik");
        nodes.addNode("worker-3", "i-0fff000011112222a");
    }

    @AfterEach
    void tearDown()
    {
        services.forEach(service -> service.lost("test over"));
    }

    @Test
    void testDrainsTheNodeThenCompletesWithContinue()
    {
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();

        assertThat(await(service.accept(terminating(INSTANCE)))).isEqualTo(Disposition.ACCEPTED);
        DrainRecord done = awaitDone(service, INSTANCE);

        assertThat(done.result()).contains("CONTINUE");
        assertThat(done.nodeId()).contains("node-worker-2");
        assertThat(done.clusters()).containsExactly("adhoc", "etl");
        assertThat(done.runner()).contains("replica-a");
        assertThat(actions.completions).hasSize(1);
        assertThat(actions.completions.get(0).result()).isEqualTo(Result.CONTINUE);
        assertThat(actions.completions.get(0).action().token()).contains("token-1");
        assertThat(drain.calls).containsExactlyInAnyOrder(WORKER, OTHER_WORKER);
        // order: find, ineligible, (worker drains), node drain, complete
        assertThat(nodes.calls).containsExactly("find:" + INSTANCE, "ineligible:node-worker-2", "drain:node-worker-2:300s");
        assertThat(drain.startedAfterIneligible).isTrue();
        assertThat(eventTypes("adhoc")).containsExactly("lifecycle-drain-started", "lifecycle-worker-drained", "lifecycle-action-completed");
        assertThat(eventTypes("etl")).containsExactly("lifecycle-drain-started", "lifecycle-worker-drained", "lifecycle-action-completed");
        ClusterEvent completed = events("adhoc").get(2);
        assertThat(completed.actor()).isEqualTo("autoscaling:trino-workers");
        assertThat(completed.message()).contains(INSTANCE).contains("CONTINUE");
    }

    @Test
    void testWithDrainDisabledTheNodeIsDrainedWithoutTrinoDrains()
    {
        LifecycleService service = service("replica-a", WorkerDrain.disabled(), CONFIG);
        service.gained();

        await(service.accept(terminating(INSTANCE)));
        DrainRecord done = awaitDone(service, INSTANCE);

        assertThat(done.result()).contains("CONTINUE");
        assertThat(drain.calls).isEmpty();
        assertThat(nodes.calls).containsExactly("find:" + INSTANCE, "ineligible:node-worker-2", "drain:node-worker-2:300s");
        assertThat(eventTypes("adhoc")).containsExactly("lifecycle-drain-started", "lifecycle-worker-not-drained", "lifecycle-action-completed");
        assertThat(events("adhoc").get(1).message()).contains("drain.enabled is false");
    }

    @Test
    void testCoordinatorOnTheNodeStopsOnlyOnceItsQueriesEnded()
    {
        coordinatorLooks.clear();
        coordinatorLooks.addAll(List.of(Optional.of(Duration.ofSeconds(90)), Optional.empty(), Optional.of(Duration.ofSeconds(70)), Optional.of(Duration.ZERO)));

        DrainRecord done = terminateTheCoordinatorsInstance(CONFIG);

        assertThat(done.result()).contains("CONTINUE");
        assertThat(done.clusters()).containsExactly("adhoc");
        // looked four times, every time after the node was marked ineligible and before it was drained
        assertThat(coordinatorLooked).hasSize(4).allMatch(look -> look.equals("adhoc after [find:i-0c00000000000000c, ineligible:node-mixed-1]"));
        assertThat(nodes.calls).containsExactly("find:i-0c00000000000000c", "ineligible:node-mixed-1", "drain:node-mixed-1:300s");
        assertThat(eventTypes("adhoc")).containsExactly("lifecycle-drain-started", "lifecycle-coordinator-on-node", "lifecycle-coordinator-queries-ended",
                "lifecycle-action-completed");
        assertThat(events("adhoc").get(1).message()).contains("trino-adhoc.coordinator[0]").contains("cannot drain a coordinator").contains("1800 s");
        assertThat(events("adhoc").get(2).message()).contains("QUERIES_ENDED").contains("the node drain stops it now");
    }

    @Test
    void testCoordinatorWhoseQueriesOutlastTheBoundCompletesWithTheConfiguredResult()
    {
        coordinatorLooks.set(0, Optional.of(Duration.ofDays(100)));
        LifecycleConfig shortBound = new LifecycleConfig(true, CONFIG.queueUrl(), Optional.empty(), "X-Lifecycle-Secret", CONFIG.pollWait(), CONFIG.visibilityTimeout(),
                CONFIG.heartbeatInterval(), Duration.ofMillis(300), CONFIG.nodeDrainDeadline(), Result.ABANDON,
                Duration.ofMillis(250), Duration.ofSeconds(1));

        DrainRecord done = terminateTheCoordinatorsInstance(shortBound);

        assertThat(done.result()).contains("ABANDON");
        assertThat(coordinatorLooked.size()).as("looked until the bound").isGreaterThan(2);
        assertThat(eventTypes("adhoc")).containsSubsequence("lifecycle-coordinator-on-node", "lifecycle-coordinator-bound-reached", "lifecycle-bound-reached");
        assertThat(events("adhoc").stream().filter(event -> event.type().equals("lifecycle-coordinator-bound-reached")).findFirst().orElseThrow().message())
                .contains("still ran after 0 s").contains("the longest may run 8640000 s more");
    }

    @Test
    void testInstanceThatIsNotANomadNodeIsCompletedAtOnce()
    {
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();

        await(service.accept(terminating("i-0123456789abcdef0")));
        DrainRecord done = awaitDone(service, "i-0123456789abcdef0");

        assertThat(done.result()).contains("CONTINUE");
        assertThat(done.detail()).isEqualTo("not a Nomad node");
        assertThat(actions.completions).extracting(RecordingLifecycleActions.Completion::result).containsExactly(Result.CONTINUE);
        assertThat(nodes.calls).containsExactly("find:i-0123456789abcdef0");
        assertThat(drain.calls).isEmpty();
    }

    @Test
    void testDuplicatesAreIdempotent()
    {
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();
        drain.hold();

        assertThat(await(service.accept(terminating(INSTANCE)))).isEqualTo(Disposition.ACCEPTED);
        assertThat(await(service.accept(terminating(INSTANCE)))).isEqualTo(Disposition.DUPLICATE);
        assertThat(await(service.accept(new Terminating(action(INSTANCE), "eventbridge")))).isEqualTo(Disposition.DUPLICATE);
        drain.release();
        awaitDone(service, INSTANCE);
        assertThat(await(service.accept(terminating(INSTANCE)))).isEqualTo(Disposition.DUPLICATE);

        time.advance(Duration.ofMinutes(1));
        assertThat(actions.completions).hasSize(1);
        assertThat(drain.calls).hasSize(2);
        assertThat(nodes.calls.stream().filter(call -> call.startsWith("drain:")).count()).isEqualTo(1);
    }

    @Test
    void testOtherMessagesAreAcknowledgedWithoutActing()
    {
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();

        assertThat(await(service.accept(LifecycleMessages.parse(TestLifecycleMessages.resource("test-notification.json"))))).isEqualTo(Disposition.TEST);
        assertThat(await(service.accept(new LifecycleMessage.Ignored("launching")))).isEqualTo(Disposition.IGNORED);
        assertThat(await(service.accept(new Malformed("/", "not JSON")))).isEqualTo(Disposition.MALFORMED);
        time.advance(Duration.ofMinutes(1));
        assertThat(await(kv.list("lifecycle/"))).isEmpty();
        assertThat(nodes.calls).isEmpty();
        assertThat(actions.completions).isEmpty();
    }

    @Test
    void testOnlyTheLeaderActs()
    {
        LifecycleService follower = service("replica-b", drain, CONFIG);

        assertThat(await(follower.accept(terminating(INSTANCE)))).isEqualTo(Disposition.ACCEPTED);
        time.advance(Duration.ofMinutes(1));
        assertThat(await(follower.record(INSTANCE)).orElseThrow().state()).isEqualTo(State.RECEIVED);
        assertThat(nodes.calls).isEmpty();
        assertThat(actions.completions).isEmpty();

        // another replica leads: it finds the drain the follower recorded
        LifecycleService leader = service("replica-a", drain, CONFIG);
        leader.gained();
        DrainRecord done = awaitDone(leader, INSTANCE);
        assertThat(done.runner()).contains("replica-a");
        assertThat(actions.completions).hasSize(1);
        assertThat(follower.running()).isEmpty();
    }

    @Test
    void testNewLeaderResumesADrainInterruptedMidway()
    {
        GatedDrain stuck = new GatedDrain();
        stuck.hold();
        LifecycleService first = service("replica-a", stuck, CONFIG);
        first.gained();
        await(first.accept(terminating(INSTANCE)));
        advanceUntil(() -> stuck.calls.size() == 2);
        assertThat(await(first.record(INSTANCE)).orElseThrow().state()).isEqualTo(State.DRAINING_WORKERS);

        // the leader dies mid-drain (its process is gone: it writes nothing more)
        first.lost("session invalidated");

        LifecycleService second = service("replica-b", drain, CONFIG);
        second.gained();
        DrainRecord done = awaitDone(second, INSTANCE);
        assertThat(done.result()).contains("CONTINUE");
        assertThat(done.runner()).contains("replica-b");
        assertThat(actions.completions).hasSize(1);
        assertThat(eventTypes("adhoc")).contains("lifecycle-drain-resumed");
        assertThat(events("adhoc").stream().filter(event -> event.type().equals("lifecycle-drain-resumed")).findFirst().orElseThrow().message())
                .contains("replica-b").contains("draining_workers");

        // the old leader's drain finishing late changes nothing
        stuck.release();
        time.advance(Duration.ofMinutes(1));
        assertThat(actions.completions).hasSize(1);
        assertThat(await(second.record(INSTANCE)).orElseThrow().runner()).contains("replica-b");
    }

    @Test
    void testExpiredTokenIsLoggedAndClosed()
    {
        actions.answer = Answer.EXPIRED;
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();

        await(service.accept(terminating(INSTANCE)));
        DrainRecord done = awaitDone(service, INSTANCE);

        assertThat(done.result()).contains("EXPIRED");
        assertThat(eventTypes("adhoc")).contains("lifecycle-action-expired").doesNotContain("lifecycle-action-completed");
        time.advance(Duration.ofMinutes(1));
        assertThat(actions.completions).hasSize(1);
    }

    @Test
    void testBoundReachedCompletesWithTheConfiguredResult()
    {
        drain.outcome = new WorkerDrain.Result("TIMED_OUT", false, Duration.ofMinutes(30), "still DRAINING with 2 task(s)");
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();

        await(service.accept(terminating(INSTANCE)));
        DrainRecord done = awaitDone(service, INSTANCE);

        assertThat(done.result()).contains("ABANDON");
        assertThat(actions.completions).extracting(RecordingLifecycleActions.Completion::result).containsExactly(Result.ABANDON);
        assertThat(eventTypes("adhoc")).contains("lifecycle-worker-drain-timed_out", "lifecycle-bound-reached");
        assertThat(events("adhoc").stream().filter(event -> event.type().equals("lifecycle-bound-reached")).findFirst().orElseThrow().message())
                .contains("ABANDON").contains("lifecycle.result-at-bound");

        LifecycleConfig continueAtBound = new LifecycleConfig(true, CONFIG.queueUrl(), Optional.empty(), "X-Lifecycle-Secret", CONFIG.pollWait(), CONFIG.visibilityTimeout(),
                CONFIG.heartbeatInterval(), CONFIG.drainBound(), CONFIG.nodeDrainDeadline(), Result.CONTINUE,
                Duration.ofMillis(250), Duration.ofSeconds(1));
        LifecycleService other = service("replica-b", drain, continueAtBound);
        service.lost("handover");
        other.gained();
        await(other.accept(terminating("i-0fff000011112222a")));
        assertThat(awaitDone(other, "i-0fff000011112222a").result()).contains("CONTINUE");
    }

    @Test
    void testHeartbeatsWhileADrainIsSlow()
    {
        LifecycleConfig fastHeartbeats = new LifecycleConfig(true, CONFIG.queueUrl(), Optional.empty(), "X-Lifecycle-Secret", CONFIG.pollWait(), CONFIG.visibilityTimeout(),
                Duration.ofMillis(50), CONFIG.drainBound(), CONFIG.nodeDrainDeadline(), Result.CONTINUE,
                Duration.ofMillis(250), Duration.ofSeconds(1));
        LifecycleService service = service("replica-a", drain, fastHeartbeats);
        service.gained();
        drain.hold();

        await(service.accept(terminating(INSTANCE)));
        advanceUntil(() -> actions.heartbeats.size() >= 4);
        assertThat(actions.heartbeats).allMatch(action -> action.instanceId().equals(INSTANCE));
        assertThat(actions.completions).isEmpty();

        drain.release();
        awaitDone(service, INSTANCE);
        time.advance(Duration.ofMillis(150));
        int after = actions.heartbeats.size();
        time.advance(Duration.ofMillis(300));
        assertThat(actions.heartbeats).hasSize(after);
    }

    @Test
    void testFailedStepIsRetriedFromTheStart()
    {
        nodes.drainFailures.set(2);
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();

        await(service.accept(terminating(INSTANCE)));
        DrainRecord done = awaitDone(service, INSTANCE);

        assertThat(done.result()).contains("CONTINUE");
        assertThat(nodes.calls.stream().filter(call -> call.startsWith("drain-failed:")).count()).isEqualTo(2);
        assertThat(actions.completions).hasSize(1);
    }

    /**
     * CompleteLifecycleAction failing again and again (issue 20, finding 4): only the completion is
     * tried again, after waits that double up to the cap, and the timeline gets one event for it,
     * not one per try. The clock and the waits are the test's: nothing sleeps.
     */
    @Test
    void testACompletionThatKeepsFailingBacksOffWithOneEvent()
    {
        WorkerDrain drained = (worker, cluster, bound, progress) -> CompletableFuture.completedFuture(new WorkerDrain.Result("DRAINED", true, Duration.ZERO, ""));
        // jitter 0.5: each wait is three quarters of its step
        Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60), () -> 0.5);
        LifecycleService service = new LifecycleService("replica-a", kv, repository, nodes, actions, drained, CoordinatorWait.disabled(), time, time.clock(),
                CONFIG, Duration.ofMillis(20), backoff, Duration.ofSeconds(5));
        services.add(service);
        actions.failCompletions.set(8);
        service.gained();
        await(service.accept(terminating(INSTANCE)));
        assertThat(actions.completions).hasSize(1);

        List<Duration> waits = List.of(1500, 3000, 6000, 12000, 24000, 45000, 45000, 45000).stream().map(Duration::ofMillis).toList();
        for (int i = 0; i < waits.size(); i++) {
            assertThat(await(service.record(INSTANCE)).orElseThrow().state()).isEqualTo(State.COMPLETING);
            time.advance(waits.get(i).minusMillis(1));
            assertThat(actions.completions).as("no try before its wait is over").hasSize(i + 1);
            time.advance(Duration.ofMillis(1));
            assertThat(actions.completions).hasSize(i + 2);
        }

        DrainRecord done = await(service.record(INSTANCE)).orElseThrow();
        assertThat(done.state()).isEqualTo(State.DONE);
        assertThat(done.result()).contains("CONTINUE");
        assertThat(time.requested()).containsSubsequence(waits);
        assertThat(nodes.calls.stream().filter(call -> call.startsWith("drain:"))).as("the node was drained once, not per try").hasSize(1);
        List<String> types = await(repository.events("adhoc")).stream().map(ClusterEvent::type).toList();
        assertThat(types.stream().filter(type -> type.equals("lifecycle-drain-retrying"))).hasSize(1);
        assertThat(types.stream().filter(type -> type.equals("lifecycle-drain-started"))).hasSize(1);
        assertThat(types).doesNotContain("lifecycle-drain-resumed").endsWith("lifecycle-action-completed");
        assertThat(await(repository.events("adhoc")).stream().filter(event -> event.type().equals("lifecycle-drain-retrying")).findFirst().orElseThrow().message())
                .contains("failed to complete the lifecycle action").contains("Auto Scaling answered 500").contains("up to 60 s");
    }

    @Test
    void testKvDownFailsTheMessageSoItIsKept()
    {
        LifecycleService service = service("replica-a", drain, CONFIG);
        kv.setAvailable(false);
        assertThat(io.prestoorchestrator.testing.Await.failure(service.accept(terminating(INSTANCE)))).isNotNull();
        kv.setAvailable(true);
        assertThat(await(service.accept(terminating(INSTANCE)))).isEqualTo(Disposition.ACCEPTED);
    }

    /**
     * The orchestrator's own overhead between the node's workers reaching DRAINED and
     * CompleteLifecycleAction, with Nomad answering at once: KV writes, the node drain call and one
     * allocation check. Printed for the test log, never asserted on (a timing is a benchmark's figure).
     */
    @Test
    void testOverheadFromDrainedToComplete()
    {
        LifecycleService service = service("replica-a", drain, CONFIG);
        service.gained();
        List<Long> overheads = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String instance = String.format("i-%017x", 0x1000 + i);
            Node node = nodes.addNode("bench-" + i, instance);
            nodes.addWorker(node, "bench", i, URI.create("http://127.0.0.1:" + (30000 + i)));
            await(service.accept(terminating(instance)));
            awaitDone(service, instance);
            long drainedAt = drain.finishedNanos.get(URI.create("http://127.0.0.1:" + (30000 + i)));
            long completedAt = actions.completions.get(actions.completions.size() - 1).nanos();
            overheads.add(TimeUnit.NANOSECONDS.toMicros(completedAt - drainedAt));
        }
        Collections.sort(overheads);
        System.out.printf("lifecycle drain overhead (worker DRAINED -> CompleteLifecycleAction, fake Nomad/AWS, %d runs): min %.2f ms, median %.2f ms, max %.2f ms%n",
                overheads.size(), overheads.get(0) / 1000.0, overheads.get(overheads.size() / 2) / 1000.0, overheads.get(overheads.size() - 1) / 1000.0);
        assertThat(actions.completions).hasSize(25).allMatch(completion -> completion.result() == Result.CONTINUE);
        assertThat(overheads).as("every action completed after its worker drained").allMatch(overhead -> overhead >= 0);
    }

    /** Instance i-0c00000000000000c runs adhoc's coordinator and nothing else; its termination, drained to the end. */
    @Test
    void testWithDrainDisabledTheCoordinatorIsNotWaitedForAndTheEventSaysSo()
    {
        nodes.addCoordinator(nodes.addNode("mixed-1", "i-0c00000000000000c"), "adhoc");
        LifecycleService service = service("replica-a", WorkerDrain.disabled(), CoordinatorWait.disabled(), CONFIG);
        service.gained();
        await(service.accept(terminating("i-0c00000000000000c")));
        DrainRecord done = awaitDone(service, "i-0c00000000000000c");

        assertThat(done.result()).contains("CONTINUE");
        assertThat(coordinatorLooked).isEmpty();
        assertThat(eventTypes("adhoc")).containsExactly("lifecycle-drain-started", "lifecycle-coordinator-on-node", "lifecycle-coordinator-disabled",
                "lifecycle-action-completed");
        assertThat(events("adhoc").get(1).message()).contains("drain.enabled is false, so the node drain stops it now").doesNotContain("lifecycle.drain-bound");
    }

    private DrainRecord terminateTheCoordinatorsInstance(LifecycleConfig config)
    {
        nodes.addCoordinator(nodes.addNode("mixed-1", "i-0c00000000000000c"), "adhoc");
        LifecycleService service = service("replica-a", drain, config);
        service.gained();
        await(service.accept(terminating("i-0c00000000000000c")));
        return awaitDone(service, "i-0c00000000000000c");
    }

    private LifecycleService service(String replica, WorkerDrain workerDrain, LifecycleConfig config)
    {
        CoordinatorWait coordinatorWait = CoordinatorWait.of((cluster, createdBy) -> {
            coordinatorLooked.add(cluster + " after " + nodes.calls);
            Optional<Duration> answer = coordinatorLooks.size() > 1 ? coordinatorLooks.remove(0) : coordinatorLooks.get(0);
            return CompletableFuture.completedFuture(answer);
        }, time.clock(), time, Duration.ofMillis(20));
        return service(replica, workerDrain, coordinatorWait, config);
    }

    private LifecycleService service(String replica, WorkerDrain workerDrain, CoordinatorWait coordinatorWait, LifecycleConfig config)
    {
        LifecycleService service = new LifecycleService(replica, kv, repository, nodes, actions, workerDrain, coordinatorWait,
                time, time.clock(), config, Duration.ofMillis(20), new Backoff(Duration.ofMillis(50), Duration.ofMillis(50)), Duration.ofSeconds(5));
        services.add(service);
        return service;
    }

    private DrainRecord awaitDone(LifecycleService service, String instance)
    {
        advanceUntil(() -> await(service.record(instance)).map(record -> record.state() == State.DONE).orElse(false));
        return await(service.record(instance)).orElseThrow();
    }

    private List<ClusterEvent> events(String cluster)
    {
        return await(repository.events(cluster));
    }

    private List<String> eventTypes(String cluster)
    {
        return events(cluster).stream().map(ClusterEvent::type).toList();
    }

    private static Terminating terminating(String instance)
    {
        return new Terminating(action(instance), "sqs");
    }

    private static LifecycleAction action(String instance)
    {
        return new LifecycleAction("trino-workers", "trino-workers-drain", instance, Optional.of("token-1"), LifecycleAction.TERMINATING);
    }

    /**
     * Moves the test clock on in 10 ms steps until {@code condition} holds: every fake answers at
     * once on this thread, so each step runs what came due. Fails after an hour of test time.
     */
    private void advanceUntil(BooleanSupplier condition)
    {
        Duration step = Duration.ofMillis(10);
        for (Duration passed = Duration.ZERO; !condition.getAsBoolean(); passed = passed.plus(step)) {
            if (passed.compareTo(Duration.ofHours(1)) > 0) {
                throw new AssertionError("condition not reached within an hour of test time");
            }
            time.advance(step);
        }
    }

    /** A worker drain that answers DRAINED at once, or holds every drain until released. */
    private final class GatedDrain
            implements WorkerDrain
    {
        final List<URI> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<URI, Long> finishedNanos = new ConcurrentHashMap<>();
        volatile Result outcome = new Result("DRAINED", true, Duration.ofSeconds(10), "");
        volatile boolean startedAfterIneligible = true;
        private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

        void hold()
        {
            gate = new CompletableFuture<>();
        }

        void release()
        {
            gate.complete(null);
        }

        @Override
        public java.util.concurrent.CompletionStage<Result> drain(URI worker, String cluster, Duration bound, java.util.function.Consumer<String> progress)
        {
            calls.add(worker);
            if (nodes.calls.stream().noneMatch(call -> call.startsWith("ineligible:"))) {
                startedAfterIneligible = false;
            }
            return gate.thenApply(ignored -> {
                finishedNanos.put(worker, System.nanoTime());
                return outcome;
            });
        }
    }
}
