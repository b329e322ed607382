package io.prestoorchestrator.flavour;

import io.prestoorchestrator.cluster.Flavour;
import io.prestoorchestrator.drain.WorkerState;
import io.prestoorchestrator.testing.FakeEngine;
import io.prestoorchestrator.testing.FakeTrinoWorker;
import io.prestoorchestrator.testing.TestingScheduler;
import io.prestoorchestrator.trino.TrinoHttpWorkers;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.prestoorchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a cluster's life needs of its engine, held for each flavour through the orchestrator's own clients: a
 * coordinator not started yet counts no worker (a deploy waits, the readiness gate holds the route); a started one
 * counts its workers and not itself; a worker that shut down stops being counted once it is gone; and the queries a
 * coordinator runs are seen until they end (a graceful stop and a blue-green switch wait for them). A subclass names
 * the flavour; the engine is a {@link FakeEngine} speaking its protocol. On real processes the same checks
 * ({@link FlavourChecks}) run in {@code PrestoDbClusterIT} (create, resize) and {@code ClusterLifecycleIT} (create).
 */
public abstract class LifecycleContract
{
    private final Vertx vertx = Vertx.vertx();
    private final TestingScheduler time = new TestingScheduler(Instant.parse("2026-12-07T14:00:00Z"));
    private FakeEngine engine;

    protected abstract Flavour flavour();

    @BeforeEach
    void startEngine()
    {
        engine = new FakeEngine(vertx, time, flavour());
    }

    @AfterEach
    void stopEngine()
    {
        engine.close();
        vertx.close().await();
    }

    private String coordinator()
    {
        return engine.coordinator().toString();
    }

    @Test
    void testContractACoordinatorNotStartedCountsNoWorker()
    {
        engine.addWorker();
        engine.starting(true);
        assertThat(FlavourChecks.activeWorkers(flavour(), coordinator())).isEmpty();

        engine.starting(false);
        FlavourChecks.assertCountsActiveWorkers(flavour(), coordinator(), 1);
    }

    @Test
    void testContractACoordinatorCountsItsWorkersNotItself()
    {
        FlavourChecks.assertCountsActiveWorkers(flavour(), coordinator(), 0);
        engine.addWorker();
        engine.addWorker();
        FlavourChecks.assertCountsActiveWorkers(flavour(), coordinator(), 2);
        assertThat(engine.coordinatorRequests()).as("the coordinator is read with the flavour's user header")
                .allSatisfy(request -> assertThat(request).endsWith(" as " + FlavourChecks.USER));
    }

    @Test
    void testContractAWorkerShutDownIsNotCountedOnceGone()
    {
        engine.addWorker();
        FakeTrinoWorker leaving = engine.addWorker().runningTaskFor(Duration.ofSeconds(20));
        WebClient client = WebClient.create(vertx);
        TrinoHttpWorkers workers = new TrinoHttpWorkers(client, FlavourChecks.USER, Duration.ofSeconds(5));

        assertThat(await(workers.request(leaving.uri(), WorkerState.SHUTTING_DOWN))).isEqualTo(io.prestoorchestrator.drain.TrinoWorkers.StateChange.ACCEPTED);

        time.advance(Duration.ofSeconds(20));
        assertThat(await(workers.state(leaving.uri()))).as("gone").isEmpty();
        FlavourChecks.assertCountsActiveWorkers(flavour(), coordinator(), 1);
        client.close();
    }

    @Test
    void testContractRunningQueriesAreSeenUntilTheyEnd()
    {
        engine.addWorker();
        String first = engine.run("alice");
        String second = engine.run("bob");
        assertThat(FlavourChecks.unfinishedQueries(coordinator())).isEqualTo(2);

        engine.finish(first, "FINISHED", null, null);
        engine.finish(second, "FAILED", "USER_ERROR", "SYNTAX_ERROR");
        assertThat(FlavourChecks.unfinishedQueries(coordinator())).as("ended queries stay listed, and are not waited for").isZero();
    }
}
