package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.config.LifecycleConfig;
import io.prestoorchestrator.config.LifecycleConfig.Result;
import io.prestoorchestrator.discovery.InMemoryKvStore;
import io.prestoorchestrator.lifecycle.NomadNodes.Node;
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

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static io.prestoorchestrator.lifecycle.TestLifecycleMessages.resource;
import static io.prestoorchestrator.lifecycle.TestLifecycleMessages.sns;
import static org.assertj.core.api.Assertions.assertThat;

class TestSqsLifecycleConsumer
{
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/trino-lifecycle";
    private static final LifecycleConfig CONFIG = new LifecycleConfig(true, Optional.of(QUEUE), Optional.empty(), "X-Lifecycle-Secret",
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(30), Duration.ofMinutes(5), Result.CONTINUE);

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
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
                delay -> CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, scheduler)),
                Clock.systemUTC(), CONFIG, Duration.ofMillis(20), new Backoff(Duration.ofMillis(50), Duration.ofMillis(50)), Duration.ofSeconds(5));
        // a visibility timeout of 10 s is extended every 5 s; the tend interval here is short so the test sees it soon
        consumer = new SqsLifecycleConsumer(sqs, QUEUE, service, CONFIG.pollWait(), Duration.ofMillis(200), new Backoff(Duration.ofMillis(50), Duration.ofMillis(50)), Duration.ofMillis(50), Clock.systemUTC());
    }

    @AfterEach
    void tearDown()
    {
        consumer.close();
        service.lost("test over");
        scheduler.shutdownNow();
    }

    @Test
    void testTerminatingMessageIsKeptInFlightUntilTheActionIsCompleted()
    {
        service.gained();
        consumer.gained();
        sqs.offer("m-1", resource("direct-terminating.json"));

        eventually(() -> consumer.inFlight().containsValue("i-0abc1234def567890"));
        eventually(() -> sqs.visibilityChanges.get() >= 2);
        assertThat(sqs.deleted).isEmpty();
        assertThat(actions.completions).isEmpty();

        drainGate.complete(null);
        eventually(() -> sqs.deleted.contains("receipt-m-1"));
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

        eventually(() -> sqs.deleted.size() == 5);
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
        eventually(() -> sqs.deleted.contains("receipt-first"));

        sqs.offer("again", resource("eventbridge-terminating.json"));
        eventually(() -> sqs.deleted.contains("receipt-again"));
        assertThat(actions.completions).hasSize(1);
    }

    @Test
    void testFollowerDoesNotPoll()
    {
        sqs.offer("m-1", resource("direct-terminating.json"));
        sleep(300);
        assertThat(sqs.receives.get()).isZero();

        consumer.gained();
        eventually(() -> sqs.receives.get() > 0);
        consumer.lost("lock taken");
        int receives = sqs.receives.get();
        sleep(CONFIG.pollWait().toMillis() + 500);
        assertThat(sqs.receives.get()).isLessThanOrEqualTo(receives + 1);
    }

    private static void eventually(BooleanSupplier condition)
    {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            sleep(10);
        }
    }

    private static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** An SQS queue in memory: receive hands out what was offered (once), long-polling briefly when empty. */
    private static final class FakeSqs
            implements SqsClient
    {
        final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
        final List<String> deleted = new CopyOnWriteArrayList<>();
        final AtomicInteger visibilityChanges = new AtomicInteger();
        final AtomicInteger receives = new AtomicInteger();

        void offer(String id, String body)
        {
            queue.add(Message.builder().messageId(id).receiptHandle("receipt-" + id).body(body).build());
        }

        @Override
        public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request)
        {
            receives.incrementAndGet();
            assertThat(request.queueUrl()).isEqualTo(QUEUE);
            Message message = queue.poll();
            if (message == null) {
                sleep(100);
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
