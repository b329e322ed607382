package io.prestoorchestrator.drain;

import io.prestoorchestrator.drain.DrainResult.Outcome;
import io.prestoorchestrator.testing.FakeTrinoWorker;
import io.prestoorchestrator.testing.TestingScheduler;
import io.prestoorchestrator.testing.TurnTaking;
import io.prestoorchestrator.trino.TrinoHttpWorkers;
import io.prestoorchestrator.time.Scheduler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WorkerDrainer} and {@link TrinoHttpWorkers} against a fake worker state API. The HTTP
 * exchanges are real; time is the test's: the drainer and the fake worker share a
 * {@link TestingScheduler}, and {@link TurnTaking#run} moves its clock by each pause the drainer asks for
 * once the drainer waits on it, so nothing sleeps and every duration below is test time.
 */
class TestWorkerDrainer
{
    private static final String USER = "presto-orchestrator";
    private static final Duration POLL = Duration.ofMillis(50);
    private static Vertx vertx;
    private static WebClient client;
    private TestingScheduler time;
    private TurnTaking turns;
    private WorkerDrainer drainer;
    private FakeTrinoWorker worker;
    private final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start()
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop()
    {
        client.close();
        await(vertx.close().toCompletionStage());
    }

    @BeforeEach
    void startWorker()
    {
        time = new TestingScheduler(Instant.parse("2026-03-01T10:00:00Z"));
        turns = new TurnTaking(time);
        drainer = new WorkerDrainer(new TrinoHttpWorkers(client, USER, Duration.ofSeconds(2)), time.clock(), POLL, drainerScheduler(), Duration.ofSeconds(1));
        worker = new FakeTrinoWorker(vertx, time);
        progress.clear();
    }

    private Scheduler drainerScheduler()
    {
        return turns.scheduler();
    }

    private <T> T run(CompletionStage<T> stage)
    {
        return turns.run(stage);
    }

    @AfterEach
    void stopWorker()
    {
        worker.close();
    }

    @Test
    void testDrainingThenDrained()
    {
        worker.drainTime(Optional.of(Duration.ofMillis(400)));

        DrainResult result = run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.DRAINED);
        assertThat(result.safeToStop()).isTrue();
        assertThat(result.lastState()).contains(WorkerState.DRAINED);
        assertThat(result.took()).isGreaterThanOrEqualTo(Duration.ofMillis(350));
        assertThat(worker.state()).isEqualTo(WorkerState.DRAINED);
        assertThat(worker.requests()).contains("PUT DRAINING as " + USER).doesNotContain("PUT SHUTTING_DOWN as " + USER);
        assertThat(progress).anyMatch(line -> line.startsWith("DRAINING requested")).anyMatch(line -> line.startsWith("DRAINED after"));
    }

    @Test
    void testAlreadyDrainedIsNotAskedAgain()
    {
        worker.state(WorkerState.DRAINED);

        DrainResult result = run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.DRAINED);
        assertThat(worker.requests()).containsExactly("GET");
    }

    @Test
    void testFallsBackToShuttingDownWithoutDraining()
    {
        worker.withoutDraining().exitAfter(Duration.ofMillis(300));

        DrainResult result = run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.SHUTTING_DOWN);
        assertThat(result.safeToStop()).isTrue();
        assertThat(result.lastState()).contains(WorkerState.SHUTTING_DOWN);
        assertThat(worker.isGone()).isTrue();
        assertThat(worker.requests()).containsSubsequence("PUT DRAINING as " + USER, "PUT SHUTTING_DOWN as " + USER);
        assertThat(progress).anyMatch(line -> line.contains("SHUTTING_DOWN requested instead"));
    }

    @Test
    void testRefusedByAccessControl()
    {
        worker.refusingWith(403);

        DrainResult result = run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(result.safeToStop()).isFalse();
        assertThat(result.detail()).contains("access control");
        assertThat(worker.state()).isEqualTo(WorkerState.ACTIVE);
    }

    @Test
    void testCoordinatorRefusal()
    {
        worker.refusingWith(500);

        assertThat(run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add)).outcome()).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void testGoneMidDrain()
    {
        worker.drainTime(Optional.empty());
        time.after(Duration.ofMillis(300)).thenRun(worker::gone);

        DrainResult result = run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.GONE);
        assertThat(result.lastState()).contains(WorkerState.DRAINING);
        assertThat(result.safeToStop()).isTrue();
    }

    @Test
    void testNothingAnswers()
            throws Exception
    {
        URI nowhere;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            nowhere = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        DrainResult result = run(drainer.drain(nowhere, Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.GONE);
        assertThat(result.lastState()).isEmpty();
    }

    @Test
    void testASlowWorkerIsNotTakenForGone()
    {
        WorkerDrainer impatient = impatientDrainer();
        worker.drainTime(Optional.of(Duration.ofMillis(300))).stalled(true);
        time.after(Duration.ofMillis(1200)).thenRun(() -> worker.stalled(false));

        DrainResult result = run(impatient.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.DRAINED);
        assertThat(result.took()).isGreaterThanOrEqualTo(Duration.ofMillis(1200));
        assertThat(worker.requests()).contains("PUT DRAINING as " + USER);
    }

    @Test
    void testAWorkerSilentMidDrainIsNotTakenForGoneTooSoon()
    {
        WorkerDrainer impatient = impatientDrainer();
        worker.drainTime(Optional.of(Duration.ofMillis(500)));
        time.after(Duration.ofMillis(100)).thenRun(() -> worker.stalled(true));
        time.after(Duration.ofMillis(1500)).thenRun(() -> worker.stalled(false));

        DrainResult result = run(impatient.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.DRAINED);
    }

    @Test
    void testTimesOutAtTheBound()
    {
        worker.drainTime(Optional.empty());

        DrainResult result = run(drainer.drain(worker.uri(), Duration.ofMillis(500), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.safeToStop()).isFalse();
        assertThat(result.lastState()).contains(WorkerState.DRAINING);
        assertThat(result.took()).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
        assertThat(result.detail()).contains("still DRAINING");
    }

    @Test
    void testDeadlineFromTheClusterQueries()
    {
        worker.drainTime(Optional.empty());
        List<String> asked = new CopyOnWriteArrayList<>();
        Instant queryEnds = time.clock().instant().plusMillis(200);
        WorkerDrainer derived = drainer((cluster, createdBy) -> {
            asked.add(cluster);
            return CompletableFuture.completedFuture(Optional.of(timeUntil(queryEnds)));
        }, Duration.ofMillis(300));

        DrainResult result = run(derived.drain(worker.uri(), "demo", Duration.ofSeconds(60), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.detail()).startsWith("still DRAINING when the deadline of ").endsWith(" from the cluster's queries (none left running, plus 0.3s to settle) passed");
        assertThat(result.took()).as("not the 60 s bound").isLessThan(Duration.ofSeconds(30));
        assertThat(asked).isNotEmpty().containsOnly("demo");
        assertThat(progress).anyMatch(line -> line.startsWith("deadline now the deadline of "));
    }

    @Test
    void testDeadlineMovesWithWhatTheClusterRuns()
    {
        worker.drainTime(Optional.of(Duration.ofMillis(2500)));
        AtomicInteger looks = new AtomicInteger();
        Instant queryEnds = time.clock().instant().plusSeconds(3);
        List<Instant> createdBy = new CopyOnWriteArrayList<>();
        // nothing runs at the first look (the deadline is the settle time), then a query that ends in 3 s appears
        WorkerDrainer derived = drainer((cluster, by) -> {
            createdBy.add(by);
            return CompletableFuture.completedFuture(Optional.of(looks.getAndIncrement() == 0 ? Duration.ZERO : timeUntil(queryEnds)));
        }, Duration.ofSeconds(1));

        Instant started = time.clock().instant();
        DrainResult result = run(derived.drain(worker.uri(), "demo", Duration.ofSeconds(60), progress::add));

        assertThat(result.outcome()).as("the deadline moved past the worker's 2.5 s drain: %s", progress).isEqualTo(Outcome.DRAINED);
        assertThat(looks.get()).isGreaterThan(1);
        assertThat(createdBy).as("queries created up to 30 s after the start count").allSatisfy(by -> assertThat(by).isBetween(started.plusSeconds(29), started.plusSeconds(31)));
    }

    private Duration timeUntil(Instant end)
    {
        Duration left = Duration.between(time.clock().instant(), end);
        return left.isNegative() ? Duration.ZERO : left;
    }

    @Test
    void testUnknownTimeLeftKeepsTheBound()
    {
        worker.drainTime(Optional.empty());
        WorkerDrainer failing = drainer((cluster, createdBy) -> CompletableFuture.failedFuture(new IllegalStateException("no coordinator")), Duration.ofMillis(100));
        WorkerDrainer unbounded = drainer((cluster, createdBy) -> CompletableFuture.completedFuture(Optional.empty()), Duration.ofMillis(100));

        DrainResult result = run(failing.drain(worker.uri(), "demo", Duration.ofMillis(700), progress::add));
        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.detail()).isEqualTo("still DRAINING when the bound of 0.7s passed");

        worker.state(WorkerState.ACTIVE);
        result = run(unbounded.drain(worker.uri(), "demo", Duration.ofMillis(700), progress::add));
        assertThat(result.detail()).isEqualTo("still DRAINING when the bound of 0.7s passed");
    }

    @Test
    void testTimeLeftBeyondTheBoundKeepsTheBound()
    {
        worker.drainTime(Optional.empty());
        WorkerDrainer derived = drainer((cluster, createdBy) -> CompletableFuture.completedFuture(Optional.of(Duration.ofDays(100))), Duration.ofMillis(100));

        DrainResult result = run(derived.drain(worker.uri(), "demo", Duration.ofMillis(700), progress::add));

        assertThat(result.detail()).isEqualTo("still DRAINING when the bound of 0.7s passed");
        assertThat(progress).noneMatch(line -> line.startsWith("deadline now"));
    }

    /**
     * Gives up on a request after 200 ms (real time: the HTTP client's timeout) and takes a worker for
     * gone after 3 misses in a row and 3 s without an answer; polls every 300 ms, so a stall of a
     * second or more is several misses in a row.
     */
    private WorkerDrainer impatientDrainer()
    {
        return new WorkerDrainer(new TrinoHttpWorkers(client, USER, Duration.ofMillis(200)), time.clock(), Duration.ofMillis(300), drainerScheduler(), Duration.ofSeconds(3));
    }

    private WorkerDrainer drainer(QueryTimeLeft timeLeft, Duration settle)
    {
        return new WorkerDrainer(new TrinoHttpWorkers(client, USER, Duration.ofSeconds(2)), time.clock(), POLL, drainerScheduler(), Duration.ofSeconds(1),
                timeLeft, Duration.ofMillis(100), settle);
    }

    @Test
    void testCancelledByOthersIsNotADrain()
    {
        worker.drainTime(Optional.empty());
        time.after(Duration.ofMillis(300)).thenRun(() -> worker.state(WorkerState.ACTIVE));

        DrainResult result = run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));

        assertThat(result.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(result.detail()).contains("back to ACTIVE");
    }

    @Test
    void testReactivateDrainingAndDrained()
    {
        worker.drainTime(Optional.empty()).state(WorkerState.DRAINING);
        assertThat(run(drainer.reactivate(worker.uri()))).isTrue();
        assertThat(worker.state()).isEqualTo(WorkerState.ACTIVE);

        worker.state(WorkerState.DRAINED);
        assertThat(run(drainer.reactivate(worker.uri()))).isTrue();
        assertThat(worker.state()).isEqualTo(WorkerState.ACTIVE);
        assertThat(worker.requests()).filteredOn(request -> request.startsWith("PUT")).containsExactly("PUT ACTIVE as " + USER, "PUT ACTIVE as " + USER);
    }

    @Test
    void testReactivateActiveAsksNothing()
    {
        assertThat(run(drainer.reactivate(worker.uri()))).isTrue();
        assertThat(worker.requests()).containsExactly("GET");
    }

    @Test
    void testShuttingDownCannotBeReactivated()
    {
        worker.state(WorkerState.SHUTTING_DOWN);
        assertThat(run(drainer.reactivate(worker.uri()))).isFalse();
        assertThat(worker.state()).isEqualTo(WorkerState.SHUTTING_DOWN);
    }

    @Test
    void testDrainCancelledByReactivateThenDrainedAgain()
    {
        worker.drainTime(Optional.of(Duration.ofMillis(300)));
        run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add));
        assertThat(run(drainer.reactivate(worker.uri()))).isTrue();
        assertThat(worker.state()).isEqualTo(WorkerState.ACTIVE);

        assertThat(run(drainer.drain(worker.uri(), Duration.ofSeconds(10), progress::add)).outcome()).isEqualTo(Outcome.DRAINED);
    }

    @Test
    void testParsesStates()
    {
        assertThat(WorkerState.parse("\"DRAINED\"")).contains(WorkerState.DRAINED);
        assertThat(WorkerState.parse(" \"SHUTTING_DOWN\"\n")).contains(WorkerState.SHUTTING_DOWN);
        assertThat(WorkerState.parse("\"INACTIVE\"")).isEmpty();
        assertThat(WorkerState.parse(null)).isEmpty();
    }
}
