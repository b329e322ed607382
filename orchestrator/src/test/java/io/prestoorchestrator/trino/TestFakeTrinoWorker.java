package io.prestoorchestrator.trino;

import io.prestoorchestrator.drain.TrinoWorkers;
import io.prestoorchestrator.testing.FakeTrinoWorker;
import io.prestoorchestrator.testing.TestingScheduler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fake Trino worker the drain's unit tests use, held to Trino 476's state API through the real client; its delays on a test clock. */
class TestFakeTrinoWorker
        extends TrinoWorkersContract
{
    private final Vertx vertx = Vertx.vertx();
    private final WebClient client = WebClient.create(vertx);
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T10:00:00Z"));
    private final TrinoHttpWorkers workers = new TrinoHttpWorkers(client, "presto-orchestrator", Duration.ofSeconds(5));
    private final List<FakeTrinoWorker> started = new ArrayList<>();

    @AfterEach
    void tearDown()
            throws Exception
    {
        started.forEach(FakeTrinoWorker::close);
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Override
    protected TrinoWorkers workers()
    {
        return workers;
    }

    @Override
    protected URI worker()
    {
        FakeTrinoWorker worker = new FakeTrinoWorker(vertx, time);
        started.add(worker);
        return worker.uri();
    }

    @Override
    protected void elapse(Duration duration)
    {
        time.advance(duration);
    }

    @Override
    protected void eventually(Runnable check)
    {
        time.advance(settle());
        check.run();
    }

    @Override
    protected Duration settle()
    {
        return Duration.ofSeconds(30);
    }

    @Override
    protected Duration hold()
    {
        return settle();
    }

    @Test
    void testCheckAllRunsEveryCheckInOrderWithTheStopLast()
    {
        checkAll();

        assertThat(started).as("one worker per check").hasSize(TrinoWorkersContract.checks().size()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(started.get(started.size() - 1).isGone()).as("the last check stops its worker").isTrue();
        assertThat(started.subList(0, started.size() - 1)).as("no earlier check stops its worker").noneMatch(FakeTrinoWorker::isGone);
    }
}
