package io.prestoorchestrator.nomad;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.error.ConflictException;
import io.prestoorchestrator.error.NotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.prestoorchestrator.testing.Await.await;
import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link NomadJobs} does, run against the in-memory fake and against the Nomad
 * simulator (which runs the raw_exec tasks for real), so the fake cannot drift.
 */
public abstract class NomadJobsContract
{
    protected static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    protected abstract NomadJobs nomad();

    protected static String newJobId()
    {
        return "test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A service job whose one group runs {@code count} raw_exec {@code sleep} tasks. */
    protected static ObjectNode sleepJob(String id, int count)
    {
        return job(id, count, "/bin/sleep", List.of("300"));
    }

    /** A service job whose task exits 3 at once and is not restarted: its deployment fails. */
    protected static ObjectNode failingJob(String id)
    {
        return job(id, 1, "/bin/sh", List.of("-c", "echo boom >&2; exit 3"));
    }

    private static ObjectNode job(String id, int count, String command, List<String> args)
    {
        ObjectNode job = JSON.objectNode();
        job.put("ID", id);
        job.put("Name", id);
        job.put("Type", "service");
        job.putArray("Datacenters").add("dc1");
        ObjectNode group = job.putArray("TaskGroups").addObject();
        group.put("Name", "workers");
        group.put("Count", count);
        ObjectNode update = group.putObject("Update");
        update.put("MinHealthyTime", SECOND / 5);
        update.put("HealthyDeadline", 30 * SECOND);
        update.put("ProgressDeadline", 60 * SECOND);
        ObjectNode restart = group.putObject("RestartPolicy");
        restart.put("Attempts", 0);
        restart.put("Mode", "fail");
        restart.put("Interval", 60 * SECOND);
        restart.put("Delay", SECOND);
        ObjectNode task = group.putArray("Tasks").addObject();
        task.put("Name", "main");
        task.put("Driver", "raw_exec");
        task.put("KillTimeout", SECOND);
        ObjectNode config = task.putObject("Config");
        config.put("command", command);
        ArrayNode argsNode = config.putArray("args");
        args.forEach(argsNode::add);
        return job;
    }

    @Test
    void testRegisterWithEnforceIndex()
    {
        NomadJobs nomad = nomad();
        String id = newJobId();
        RegisterResult created = await(nomad.register(sleepJob(id, 1), OptionalLong.of(0)));
        assertThat(created.jobModifyIndex()).isPositive();

        NomadJob stored = await(nomad.job(id)).orElseThrow();
        assertThat(stored.id()).isEqualTo(id);
        assertThat(stored.version()).isZero();
        assertThat(stored.jobModifyIndex()).isEqualTo(created.jobModifyIndex());
        assertThat(stored.groupCount("workers")).isEqualTo(1);

        // create-only again: the job exists
        assertThat(failure(nomad.register(sleepJob(id, 2), OptionalLong.of(0))))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining(id);

        RegisterResult updated = await(nomad.register(sleepJob(id, 2), OptionalLong.of(created.jobModifyIndex())));
        assertThat(updated.jobModifyIndex()).isGreaterThan(created.jobModifyIndex());

        // a writer still holding the first index loses, and changes nothing
        assertThat(failure(nomad.register(sleepJob(id, 5), OptionalLong.of(created.jobModifyIndex()))))
                .isInstanceOf(ConflictException.class);
        NomadJob after = await(nomad.job(id)).orElseThrow();
        assertThat(after.version()).isEqualTo(1);
        assertThat(after.groupCount("workers")).isEqualTo(2);

        assertThat(await(nomad.versions(id))).extracting(NomadJob::version).containsExactly(1L, 0L);
        await(nomad.deregister(id, true));
    }

    @Test
    void testMissingJob()
    {
        NomadJobs nomad = nomad();
        String id = newJobId();
        assertThat(await(nomad.job(id))).isEmpty();
        assertThat(await(nomad.versions(id))).isEmpty();
        assertThat(await(nomad.allocations(id))).isEmpty();
        assertThat(await(nomad.latestDeployment(id))).isEmpty();
        assertThat(await(nomad.deregister(id, true))).isEmpty();
        assertThat(await(nomad.scalingEvents(id, "workers"))).isEmpty();
        assertThat(failure(nomad.scale(id, "workers", 2, "test"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void testPlanShowsDiffAndPlacementsWithoutDeploying()
    {
        NomadJobs nomad = nomad();
        String id = newJobId();
        JobPlan fresh = await(nomad.plan(sleepJob(id, 2)));
        assertThat(fresh.diffType()).isEqualTo("Added");
        assertThat(fresh.jobModifyIndex()).isZero();
        assertThat(fresh.groups().get("workers").place()).isEqualTo(2);
        assertThat(await(nomad.job(id))).isEmpty();

        RegisterResult registered = await(nomad.register(sleepJob(id, 2), OptionalLong.of(0)));
        watchLatest(nomad, id);

        JobPlan same = await(nomad.plan(sleepJob(id, 2)));
        assertThat(same.diffType()).isEqualTo("None");
        assertThat(same.changesNothing()).isTrue();
        assertThat(same.groups().get("workers").place()).isZero();
        assertThat(same.jobModifyIndex()).isEqualTo(registered.jobModifyIndex());

        JobPlan bigger = await(nomad.plan(sleepJob(id, 3)));
        assertThat(bigger.diffType()).isEqualTo("Edited");
        assertThat(bigger.groups().get("workers").place()).isEqualTo(1);
        assertThat(bigger.groups().get("workers").stop()).isZero();

        JobPlan smaller = await(nomad.plan(sleepJob(id, 1)));
        assertThat(smaller.groups().get("workers").stop()).isEqualTo(1);
        assertThat(await(nomad.job(id)).orElseThrow().groupCount("workers")).isEqualTo(2);
        await(nomad.deregister(id, true));
    }

    @Test
    void testWatchSuccessfulDeploymentReportsProgressAndAllocations()
    {
        NomadJobs nomad = nomad();
        String id = newJobId();
        await(nomad.register(sleepJob(id, 2), OptionalLong.of(0)));
        Deployment started = await(nomad.latestDeployment(id)).orElseThrow();
        assertThat(started.jobId()).isEqualTo(id);
        assertThat(started.jobVersion()).isZero();

        List<Deployment> seen = new CopyOnWriteArrayList<>();
        DeploymentOutcome outcome = await(nomad.watchDeployment(started.id(), seen::add));

        assertThat(outcome.successful()).isTrue();
        assertThat(outcome.failures()).isEmpty();
        assertThat(seen).isNotEmpty();
        Deployment last = seen.get(seen.size() - 1);
        assertThat(last.status()).isEqualTo("successful");
        assertThat(last.groups().get("workers")).isEqualTo(new GroupProgress(2, 2, 2, 0));

        List<AllocationStub> allocations = await(nomad.allocations(id));
        assertThat(allocations).hasSize(2)
                .allSatisfy(alloc -> {
                    assertThat(alloc.taskGroup()).isEqualTo("workers");
                    assertThat(alloc.clientStatus()).isEqualTo("running");
                    assertThat(alloc.desiredStatus()).isEqualTo("run");
                    assertThat(alloc.jobVersion()).isZero();
                    assertThat(alloc.healthy()).contains(true);
                    assertThat(alloc.nodeId()).isNotBlank();
                    assertThat(alloc.taskStates().get("main").state()).isEqualTo("running");
                    assertThat(alloc.taskStates().get("main").events()).extracting(TaskEvent::type).contains("Started");
                });
        assertThat(allocations).extracting(AllocationStub::name).containsExactlyInAnyOrder(id + ".workers[0]", id + ".workers[1]");
        assertThat(await(nomad.job(id)).orElseThrow().stable()).isTrue();
        await(nomad.deregister(id, true));
    }

    @Test
    void testWatchFailedDeploymentNamesTheFailingTaskAndItsEvents()
    {
        NomadJobs nomad = nomad();
        String id = newJobId();
        await(nomad.register(failingJob(id), OptionalLong.of(0)));
        Deployment started = await(nomad.latestDeployment(id)).orElseThrow();

        DeploymentOutcome outcome = await(nomad.watchDeployment(started.id(), DeploymentListener.NONE));

        assertThat(outcome.successful()).isFalse();
        assertThat(outcome.deployment().status()).isEqualTo("failed");
        assertThat(outcome.deployment().groups().get("workers").unhealthyAllocs()).isEqualTo(1);
        assertThat(outcome.failures()).hasSize(1);
        TaskFailure failure = outcome.failures().get(0);
        assertThat(failure.task()).isEqualTo("main");
        assertThat(failure.taskGroup()).isEqualTo("workers");
        assertThat(failure.allocName()).isEqualTo(id + ".workers[0]");
        assertThat(failure.state()).isEqualTo("dead");
        assertThat(failure.events()).extracting(TaskEvent::type).contains("Terminated", "Not Restarting");
        assertThat(failure.events()).filteredOn(event -> event.type().equals("Terminated")).first()
                .satisfies(event -> assertThat(event.toString()).contains("3"));
        await(nomad.deregister(id, true));
    }

    @Test
    void testScaleAndDeregister()
    {
        NomadJobs nomad = nomad();
        String id = newJobId();
        await(nomad.register(sleepJob(id, 1), OptionalLong.of(0)));
        watchLatest(nomad, id);

        assertThat(await(nomad.scalingEvents(id, "workers"))).isEmpty();
        RegisterResult scaled = await(nomad.scale(id, "workers", 3, "more workers for the test"));
        assertThat(scaled.jobModifyIndex()).isPositive();
        List<ScalingEvent> events = await(nomad.scalingEvents(id, "workers"));
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.count()).hasValue(3);
            assertThat(event.previousCount()).isEqualTo(1);
            assertThat(event.message()).isEqualTo("more workers for the test");
            assertThat(event.error()).isFalse();
            assertThat(event.evalId()).isPresent();
            assertThat(event.time()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        });
        assertThat(await(nomad.job(id)).orElseThrow().groupCount("workers")).isEqualTo(3);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(await(nomad.allocations(id))).filteredOn(alloc -> !alloc.terminal()).hasSize(3));
        watchLatest(nomad, id);

        await(nomad.scale(id, "workers", 3, "same count again"));
        List<ScalingEvent> newestFirst = await(nomad.scalingEvents(id, "workers"));
        assertThat(newestFirst).extracting(ScalingEvent::message).containsExactly("same count again", "more workers for the test");
        assertThat(newestFirst.get(0).timeNanos()).isGreaterThan(newestFirst.get(1).timeNanos());
        assertThat(newestFirst.get(0).previousCount()).isEqualTo(3);
        assertThat(await(nomad.scalingEvents(id, "no-such-group"))).isEmpty();

        assertThat(await(nomad.deregister(id, false))).isPresent();
        NomadJob stopped = await(nomad.job(id)).orElseThrow();
        assertThat(stopped.stop()).isTrue();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(await(nomad.allocations(id))).allSatisfy(alloc -> assertThat(alloc.desiredStatus()).isEqualTo("stop")));

        assertThat(await(nomad.deregister(id, true))).isPresent();
        assertThat(await(nomad.job(id))).isEmpty();
    }

    @Test
    void testVariablesWithCheckAndSet()
    {
        NomadJobs nomad = nomad();
        String path = "nomad/jobs/" + newJobId() + "/secrets";
        assertThat(await(nomad.variable(path))).isEmpty();

        StoredVariable created = await(nomad.putVariable(path, Map.of("password", "s3cret", "user", "trino"), OptionalLong.of(0)));
        assertThat(created.path()).isEqualTo(path);
        assertThat(created.items()).containsExactlyInAnyOrderEntriesOf(Map.of("password", "s3cret", "user", "trino"));
        assertThat(created.toString()).contains("password").doesNotContain("s3cret");
        assertThat(await(nomad.variable(path))).contains(created);

        assertThat(failure(nomad.putVariable(path, Map.of("password", "other"), OptionalLong.of(0)))).isInstanceOf(ConflictException.class);

        StoredVariable updated = await(nomad.putVariable(path, Map.of("password", "rotated"), OptionalLong.of(created.modifyIndex())));
        assertThat(updated.modifyIndex()).isGreaterThan(created.modifyIndex());
        assertThat(updated.items()).containsExactlyEntriesOf(Map.of("password", "rotated"));

        assertThat(failure(nomad.putVariable(path, Map.of("password", "lost"), OptionalLong.of(created.modifyIndex())))).isInstanceOf(ConflictException.class);
        assertThat(failure(nomad.deleteVariable(path, OptionalLong.of(created.modifyIndex())))).isInstanceOf(ConflictException.class);
        assertThat(await(nomad.variable(path)).orElseThrow().items()).containsEntry("password", "rotated");

        await(nomad.deleteVariable(path, OptionalLong.of(updated.modifyIndex())));
        assertThat(await(nomad.variable(path))).isEmpty();
        await(nomad.deleteVariable(path, OptionalLong.empty())); // already gone

        StoredVariable unconditional = await(nomad.putVariable(path, Map.of("k", "v"), OptionalLong.empty()));
        assertThat(unconditional.items()).containsEntry("k", "v");
        await(nomad.deleteVariable(path, OptionalLong.empty()));
    }

    private static DeploymentOutcome watchLatest(NomadJobs nomad, String id)
    {
        Deployment deployment = await(nomad.latestDeployment(id)).orElseThrow();
        DeploymentOutcome outcome = await(nomad.watchDeployment(deployment.id(), DeploymentListener.NONE));
        assertThat(outcome.successful()).as("deployment of %s: %s", id, outcome).isTrue();
        return outcome;
    }
}
