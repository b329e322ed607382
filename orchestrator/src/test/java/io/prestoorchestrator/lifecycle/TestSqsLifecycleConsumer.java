package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.lifecycle.NomadNodes.Node;
import io.prestoorchestrator.testing.TestingScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static io.prestoorchestrator.lifecycle.TestLifecycleMessages.resource;
import static io.prestoorchestrator.lifecycle.TestLifecycleMessages.sns;
import static org.assertj.core.api.Assertions.assertThat;

class TestSqsLifecycleConsumer
{
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/trino-lifecycle";
    private static final LifecycleConfig CONFIG = new LifecycleConfig(true, Optional.of(QUEUE), Optional.empty(), "X-Lifecycle-Secret",
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(30), Duration.ofMinutes(5), Result.CONTINUE,
            Duration.ofMillis(250), Duration.ofSeconds(1));

    /** The clock and every wait; the consumer's "threads" run only when the test says: nothing sleeps. */
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-03-01T10:00:00Z"));
    private final QueuedExecutor threads = new QueuedExecutor();
    private final FakeSqs sqs = new FakeSqs();
    private final RecordingLifecycleActions actions = new RecordingLifecycleActions();
    private final CompletableFuture<Void> drainGate = new CompletableFuture<>();
    private LifecycleService service;
    private SqsLifecycleConsumer consumer;

    @BeforeEach
    void setUp()
    {
        InMemoryKvStore kv = new InMemoryKvStore();
        FakeNomadNodes nodes = new FakeNomadNodes();
        Node node = nodes.addNode("worker-2", "i-0abc1234def567890");
        nodes.addWorker(node, "adhoc", 1, URI.create("http://127.0.0.1:28080"));
        WorkerDrain drain = (worker, cluster, bound, progress) -> drainGate.thenApply(ignored -> new WorkerDrain.Result("DRAINED", true, Duration.ofSeconds(1), ""));
        service = new LifecycleService("replica-a", kv, new ClusterRepository(kv), nodes, actions, drain, CoordinatorWait.disabled(),
                time, time.clock(), CONFIG, Duration.ofMillis(20), new Backoff(Duration.ofMillis(50), Duration.ofMillis(50)), Duration.ofSeconds(5));
        // a visibility timeout of 10 s is extended every 5 s; the tend interval here is short so the test sees it soon
        // jitter 0.5: a failed receive is tried again after three quarters of 80 ms
        consumer = new SqsLifecycleConsumer(sqs, QUEUE, service, CONFIG.pollWait(), Duration.ofMillis(200), new Backoff(Duration.ofMillis(80), Duration.ofMillis(80), () -> 0.5),
                Duration.ofMillis(50), time.clock(), time, threads);
    }

    @AfterEach
    void tearDown()
    {
        consumer.close();
        service.lost("test over");
    }

    @Test
    void testTerminatingMessageIsKeptInFlightUntilTheActionIsCompleted()
    {
        service.gained();
        consumer.gained();
        sqs.offer("m-1", resource("direct-terminating.json"));

        runUntil(() -> consumer.inFlight().containsValue("i-0abc1234def567890"));
        runUntil(() -> sqs.visibilityChanges.get() >= 2);
        assertThat(sqs.deleted).isEmpty();
        assertThat(actions.completions).isEmpty();

        drainGate.complete(null);
        runUntil(() -> sqs.deleted.contains("receipt-m-1"));
        assertThat(actions.completions).hasSize(1);
        assertThat(consumer.inFlight()).isEmpty();
    }

    @Test
    void testEveryOtherKindIsDeletedAtOnce()
    {
        service.gained();
        consumer.gained();
        sqs.offer("test", resource("test-notification.json"));
        sqs.offer("sns-test", sns(resource("test-notification.json")));
        sqs.offer("garbage", "definitely not json {");
        sqs.offer("empty-object", "{}");
        sqs.offer("launching", resource("direct-terminating.json").replace("EC2_INSTANCE_TERMINATING", "EC2_INSTANCE_LAUNCHING"));

        runUntil(() -> sqs.deleted.size() == 5);
        assertThat(sqs.deleted).containsExactlyInAnyOrder("receipt-test", "receipt-sns-test", "receipt-garbage", "receipt-empty-object", "receipt-launching");
        assertThat(actions.completions).isEmpty();
        assertThat(consumer.inFlight()).isEmpty();
    }

    @Test
    void testDuplicateOfAFinishedDrainIsDeleted()
    {
        drainGate.complete(null);
        service.gained();
        consumer.gained();
        sqs.offer("first", resource("direct-terminating.json"));
        runUntil(() -> sqs.deleted.contains("receipt-first"));

        sqs.offer("again", resource("eventbridge-terminating.json"));
        runUntil(() -> sqs.deleted.contains("receipt-again"));
        assertThat(actions.completions).hasSize(1);
    }

    @Test
    void testFollowerDoesNotPoll()
    {
        sqs.offer("m-1", resource("direct-terminating.json"));
        run(Duration.ofMinutes(1));
        assertThat(sqs.receives.get()).isZero();

        consumer.gained();
        runUntil(() -> sqs.receives.get() > 0);
        consumer.lost("lock taken");
        int receives = sqs.receives.get();
        run(CONFIG.pollWait().plusMillis(500));
        assertThat(sqs.receives.get()).isLessThanOrEqualTo(receives + 1);
    }

    @Test
    void testFailedReceiveIsTriedAgainAfterTheBackoff()
    {
        sqs.failReceives.set(1);
        consumer.gained();
        threads.runQueued();
        assertThat(sqs.receives.get()).isOne();

        time.advance(Duration.ofMillis(59));
        threads.runQueued();
        assertThat(sqs.receives.get()).as("no receive before the backoff is over").isOne();
        time.advance(Duration.ofMillis(1));
        threads.runQueued();
        assertThat(sqs.receives.get()).isEqualTo(2);
    }

    /** Lets {@code duration} of test time pass in 10 ms steps, running what the consumer queued at each. */
    private void run(Duration duration)
    {
        Duration step = Duration.ofMillis(10);
        for (Duration passed = Duration.ZERO; passed.compareTo(duration) < 0; passed = passed.plus(step)) {
            threads.runQueued();
            time.advance(step);
        }
        threads.runQueued();
    }

    /** Runs the consumer's queued work and moves the test clock in 10 ms steps until {@code condition} holds; fails after an hour of test time. */
    private void runUntil(BooleanSupplier condition)
    {
        Duration step = Duration.ofMillis(10);
        for (Duration passed = Duration.ZERO; !condition.getAsBoolean(); passed = passed.plus(step)) {
            if (passed.compareTo(Duration.ofHours(1)) > 0) {
                throw new AssertionError("condition not reached within an hour of test time");
            }
            threads.runQueued();
            if (!condition.getAsBoolean()) {
                time.advance(step);
            }
        }
    }

    /** The consumer's threads, run by the test: each call runs what was queued before it (what those queue waits for the next call). */
    private static final class QueuedExecutor
            implements Executor
    {
        private final ConcurrentLinkedQueue<Runnable> queued = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable command)
        {
            queued.add(command);
        }

        void runQueued()
        {
            for (int count = queued.size(); count > 0; count--) {
                queued.remove().run();
            }
        }
    }

    /** An SQS queue in memory: receive hands out what was offered (once), answering at once when empty. */
    private static final class FakeSqs
            implements SqsClient
    {
        final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
        final List<String> deleted = new CopyOnWriteArrayList<>();
        final AtomicInteger visibilityChanges = new AtomicInteger();
        final AtomicInteger receives = new AtomicInteger();
        final AtomicInteger failReceives = new AtomicInteger();

        void offer(String id, String body)
        {
            queue.add(Message.builder().messageId(id).receiptHandle("receipt-" + id).body(body).build());
        }

        @Override
        public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request)
        {
            receives.incrementAndGet();
            assertThat(request.queueUrl()).isEqualTo(QUEUE);
            if (failReceives.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw SqsException.builder().message("Service Unavailable").statusCode(503).build();
            }
            Message message = queue.poll();
            if (message == null) {
                return ReceiveMessageResponse.builder().messages(List.of()).build();
            }
            return ReceiveMessageResponse.builder().messages(message).build();
        }

        @Override
        public DeleteMessageResponse deleteMessage(DeleteMessageRequest request)
        {
            deleted.add(request.receiptHandle());
            return DeleteMessageResponse.builder().build();
        }

        @Override
        public ChangeMessageVisibilityResponse changeMessageVisibility(ChangeMessageVisibilityRequest request)
        {
            visibilityChanges.incrementAndGet();
            return ChangeMessageVisibilityResponse.builder().build();
        }

        @Override
        public String serviceName()
        {
            return "sqs";
        }

        @Override
        public void close() {}
    }
}
