package io.prestoorchestrator.lifecycle;

import io.prestoorchestrator.discovery.LeadershipListener;
import io.prestoorchestrator.error.Failures;
import io.prestoorchestrator.lifecycle.DrainRecord.State;
import io.prestoorchestrator.lifecycle.LifecycleMessage.Terminating;
import io.prestoorchestrator.lifecycle.LifecycleService.Disposition;
import io.prestoorchestrator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SqsException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * Long-polls the lifecycle hook's SQS queue while this replica leads. A terminating instance's
 * message stays in flight (its visibility extended) until the drain it started is done, then is
 * deleted, so a crash before the drain is recorded leaves it to be received again. Test
 * notifications, launching transitions, other events and malformed bodies are deleted at once.
 * The SDK's SQS client is blocking (the async one needs a Netty 4.1 client, see AwsClients), so it
 * runs on this consumer's own two threads: one polls, one tends the messages in flight. Its waits
 * (the tend interval, the backoff after a failed receive) go through the injected {@link Scheduler}.
 */
public final class SqsLifecycleConsumer
        implements LeadershipListener, AutoCloseable
{
    private static final Logger log = LoggerFactory.getLogger(SqsLifecycleConsumer.class);

    private final SqsClient sqs;
    private final String queueUrl;
    private final LifecycleService service;
    private final Duration pollWait;
    private final Duration visibilityTimeout;
    private final Backoff retries;
    private final AtomicInteger receiveFailures = new AtomicInteger();
    private final Duration tendInterval;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Executor threads;
    private final Optional<ExecutorService> ownThreads;
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    public SqsLifecycleConsumer(SqsClient sqs, String queueUrl, LifecycleService service, Duration pollWait, Duration visibilityTimeout,
            Backoff retries, Duration tendInterval, Clock clock, Scheduler scheduler)
    {
        this(sqs, queueUrl, service, pollWait, visibilityTimeout, retries, tendInterval, clock, scheduler, Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "lifecycle-sqs");
            thread.setDaemon(true);
            return thread;
        }));
    }

    /** @param threads where the blocking SQS calls run (the receive long-polls hold one for up to {@code pollWait}) */
    SqsLifecycleConsumer(SqsClient sqs, String queueUrl, LifecycleService service, Duration pollWait, Duration visibilityTimeout,
            Backoff retries, Duration tendInterval, Clock clock, Scheduler scheduler, Executor threads)
    {
        this.sqs = requireNonNull(sqs, "sqs is null");
        this.queueUrl = requireNonNull(queueUrl, "queueUrl is null");
        this.service = requireNonNull(service, "service is null");
        this.pollWait = requireNonNull(pollWait, "pollWait is null");
        this.visibilityTimeout = requireNonNull(visibilityTimeout, "visibilityTimeout is null");
        this.retries = requireNonNull(retries, "retries is null");
        this.tendInterval = requireNonNull(tendInterval, "tendInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.threads = requireNonNull(threads, "threads is null");
        this.ownThreads = threads instanceof ExecutorService pool ? Optional.of(pool) : Optional.empty();
        tendLater();
    }

    /** Tends the messages in flight every {@code tendInterval} until closed. */
    private void tendLater()
    {
        scheduler.after(tendInterval).thenRun(() -> {
            if (closed.get()) {
                return;
            }
            threads.execute(() -> {
                try {
                    tend();
                }
                finally {
                    tendLater();
                }
            });
        });
    }

    /** Messages received and not yet deleted: receipt handle to instance id. */
    public Map<String, String> inFlight()
    {
        Map<String, String> copy = new ConcurrentHashMap<>();
        inFlight.forEach((handle, message) -> copy.put(handle, message.instanceId()));
        return Map.copyOf(copy);
    }

    @Override
    public void gained()
    {
        leading.set(true);
        if (polling.compareAndSet(false, true)) {
            log.atInfo().addKeyValue("queue", queueUrl).log("Leader: consuming lifecycle hook messages from SQS");
            threads.execute(this::poll);
        }
    }

    @Override
    public void lost(String reason)
    {
        leading.set(false);
        // messages in flight become visible again and the next leader receives them (its drain record exists: it resumes)
        inFlight.clear();
    }

    private void poll()
    {
        if (!leading.get()) {
            polling.set(false);
            if (leading.get() && polling.compareAndSet(false, true)) {
                threads.execute(this::poll);
            }
            return;
        }
        try {
            List<Message> messages = sqs.receiveMessage(ReceiveMessageRequest.builder()
                    .queueUrl(queueUrl)
                    .maxNumberOfMessages(10)
                    .waitTimeSeconds((int) pollWait.toSeconds())
                    .visibilityTimeout((int) visibilityTimeout.toSeconds())
                    .build()).messages();
            receiveFailures.set(0);
            for (Message message : messages) {
                handle(message);
            }
            threads.execute(this::poll);
        }
        catch (RuntimeException e) {
            int failures = receiveFailures.incrementAndGet();
            Duration wait = retries.delay(failures);
            log.atWarn().addKeyValue("queue", queueUrl).addKeyValue("error", e.getMessage()).addKeyValue("attempt", failures).addKeyValue("retry_in", wait)
                    .log("Cannot receive lifecycle messages from SQS; retrying");
            scheduler.after(wait).thenRun(() -> threads.execute(this::poll));
        }
    }

    void handle(Message message)
    {
        LifecycleMessage parsed = LifecycleMessages.parse(message.body());
        Disposition disposition;
        try {
            disposition = service.accept(parsed).toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            // the KV store is down: leave the message to come back after its visibility timeout
            log.atWarn().addKeyValue("message", message.messageId()).addKeyValue("error", Failures.unwrap(e).getMessage())
                    .log("Cannot record a lifecycle message; it is received again later");
            return;
        }
        if (parsed instanceof Terminating terminating && (disposition == Disposition.ACCEPTED || disposition == Disposition.DUPLICATE)) {
            InFlight tracked = new InFlight(message.receiptHandle(), message.messageId(), terminating.action().instanceId(), clock.instant());
            if (disposition == Disposition.DUPLICATE && done(tracked.instanceId())) {
                delete(tracked.receiptHandle(), message.messageId(), "duplicate of a finished drain");
                return;
            }
            inFlight.put(message.receiptHandle(), tracked);
            return;
        }
        delete(message.receiptHandle(), message.messageId(), disposition.name().toLowerCase(java.util.Locale.ROOT));
    }

    private boolean done(String instanceId)
    {
        try {
            Optional<DrainRecord> record = service.record(instanceId).toCompletableFuture().get(30, TimeUnit.SECONDS);
            return record.isEmpty() || record.get().state() == State.DONE;
        }
        catch (Exception e) {
            return false;
        }
    }

    /** Deletes the messages whose drain is done; extends the visibility of the others before it runs out. */
    void tend()
    {
        for (InFlight message : List.copyOf(inFlight.values())) {
            try {
                if (done(message.instanceId())) {
                    if (inFlight.remove(message.receiptHandle()) != null) {
                        delete(message.receiptHandle(), message.messageId(), "drain done");
                    }
                    continue;
                }
                Instant now = clock.instant();
                if (Duration.between(message.extendedAt(), now).compareTo(visibilityTimeout.dividedBy(2)) >= 0) {
                    sqs.changeMessageVisibility(ChangeMessageVisibilityRequest.builder()
                            .queueUrl(queueUrl)
                            .receiptHandle(message.receiptHandle())
                            .visibilityTimeout((int) visibilityTimeout.toSeconds())
                            .build());
                    inFlight.replace(message.receiptHandle(), message, new InFlight(message.receiptHandle(), message.messageId(), message.instanceId(), now));
                }
            }
            catch (SqsException e) {
                log.atWarn().addKeyValue("message", message.messageId()).addKeyValue("error", e.getMessage()).log("Cannot extend a lifecycle message's visibility");
            }
            catch (RuntimeException e) {
                log.atWarn().addKeyValue("message", message.messageId()).addKeyValue("error", e.getMessage()).log("Cannot tend a lifecycle message");
            }
        }
    }

    private void delete(String receiptHandle, String messageId, String why)
    {
        try {
            sqs.deleteMessage(DeleteMessageRequest.builder().queueUrl(queueUrl).receiptHandle(receiptHandle).build());
            log.atInfo().addKeyValue("message", messageId).addKeyValue("why", why).log("Lifecycle message deleted");
        }
        catch (RuntimeException e) {
            log.atWarn().addKeyValue("message", messageId).addKeyValue("error", e.getMessage()).log("Cannot delete a lifecycle message; it comes back and is handled as a duplicate");
        }
    }

    @Override
    public void close()
    {
        closed.set(true);
        leading.set(false);
        ownThreads.ifPresent(ExecutorService::shutdownNow);
    }

    private record InFlight(String receiptHandle, String messageId, String instanceId, Instant extendedAt) {}
}
