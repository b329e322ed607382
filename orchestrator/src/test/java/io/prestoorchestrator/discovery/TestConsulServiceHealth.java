package io.prestoorchestrator.discovery;

import io.prestoorchestrator.error.DependencyException;
import io.prestoorchestrator.sim.consul.ConsulSimulator;
import io.prestoorchestrator.testing.TestingHashiCorp;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.prestoorchestrator.testing.Await.await;
import static io.prestoorchestrator.testing.Await.failure;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link ConsulServiceHealth} against the embedded Consul simulator, registering the way Nomad's client does. */
class TestConsulServiceHealth
{
    private static Vertx vertx;
    private static WebClient client;
    private static ConsulSimulator consul;
    private static ConsulServiceHealth health;

    @BeforeAll
    static void startConsul()
    {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        consul = ConsulSimulator.builder().port(0).build().startAndWait();
        health = new ConsulServiceHealth(TestingHashiCorp.consul(client, consul.baseUri(), Optional.empty()));
    }

    @AfterAll
    static void stopConsul()
            throws Exception
    {
        consul.close();
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void testListsEveryInstanceWithItsChecks()
            throws Exception
    {
        String name = "trino-" + UUID.randomUUID().toString().substring(0, 8);
        agent("/v1/agent/service/register", """
                {"ID":"%s-1","Name":"%s","Address":"127.0.0.1","Port":18080,"Tags":["routed","traefik.enable=true"],"Meta":{"public_url":"http://x.trino.localhost:8000"},
                 "Checks":[{"CheckID":"%s-gate","Name":"routing readiness gate","TTL":"33s"}]}""".formatted(name, name, name));

        List<ServiceHealth.Instance> instances = await(health.instances(name));
        assertThat(instances).hasSize(1);
        ServiceHealth.Instance instance = instances.get(0);
        assertThat(instance.serviceId()).isEqualTo(name + "-1");
        assertThat(instance.address()).isEqualTo("127.0.0.1");
        assertThat(instance.port()).isEqualTo(18080);
        assertThat(instance.tags()).containsExactly("routed", "traefik.enable=true");
        assertThat(instance.meta()).containsEntry("public_url", "http://x.trino.localhost:8000");
        assertThat(instance.checks()).extracting(ServiceHealth.Check::name).contains("routing readiness gate");
        assertThat(instance.passing()).as("a TTL check starts critical").isFalse();

        agent("/v1/agent/check/update/" + name + "-gate", "{\"Status\":\"passing\",\"Output\":\"ready: 1 worker\"}");
        ServiceHealth.Instance updated = await(health.instances(name)).get(0);
        assertThat(updated.checks()).filteredOn(check -> check.name().equals("routing readiness gate"))
                .singleElement().satisfies(check -> {
                    assertThat(check.status()).isEqualTo("passing");
                    assertThat(check.output()).isEqualTo("ready: 1 worker");
                });
        assertThat(updated.passing()).isTrue();
    }

    /** Issue 23: every check in one read, and a blocking query from its index answers once one changed. */
    @Test
    void testEveryCheckInOneBlockingRead()
            throws Exception
    {
        String name = "trino-" + UUID.randomUUID().toString().substring(0, 8);
        agent("/v1/agent/service/register", """
                {"ID":"%s-1","Name":"%s","Address":"127.0.0.1","Port":18083,"Checks":[{"CheckID":"%s-gate","Name":"routing readiness gate","TTL":"33s"}]}""".formatted(name, name, name));

        io.prestoorchestrator.follow.Indexed<List<HealthStates.CheckState>> first = await(health.checks(0, java.time.Duration.ofSeconds(5)));
        assertThat(first.index()).isPositive();
        assertThat(first.value()).filteredOn(check -> check.serviceName().equals(name)).singleElement().satisfies(check -> {
            assertThat(check.serviceId()).isEqualTo(name + "-1");
            assertThat(check.name()).isEqualTo("routing readiness gate");
            assertThat(check.status()).isEqualTo("critical");
            assertThat(check.node()).isNotEmpty();
        });

        agent("/v1/agent/check/update/" + name + "-gate", "{\"Status\":\"passing\",\"Output\":\"ready: 1 worker\"}");
        io.prestoorchestrator.follow.Indexed<List<HealthStates.CheckState>> next = await(health.checks(first.index(), java.time.Duration.ofSeconds(5)));
        assertThat(next.index()).isGreaterThan(first.index());
        assertThat(next.value()).filteredOn(check -> check.serviceName().equals(name)).singleElement()
                .satisfies(check -> assertThat(check.check()).isEqualTo(new ServiceHealth.Check("routing readiness gate", "passing", "ready: 1 worker")));
    }

    @Test
    void testServicesWithTheTagsOfAllTheirInstances()
            throws Exception
    {
        String name = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        agent("/v1/agent/service/register", """
                {"ID":"%s-1","Name":"%s","Address":"127.0.0.1","Port":18081,"Tags":["coordinator","cluster=a"]}""".formatted(name, name));
        agent("/v1/agent/service/register", """
                {"ID":"%s-2","Name":"%s","Address":"127.0.0.1","Port":18082,"Tags":["coordinator","extra"]}""".formatted(name, name));

        assertThat(await(health.services()))
                .containsKey("consul")
                .hasEntrySatisfying(name, tags -> assertThat(tags).containsExactlyInAnyOrder("coordinator", "cluster=a", "extra"));
        assertThat(failure(new ConsulServiceHealth(TestingHashiCorp.consul(client, TestingHashiCorp.nothingListening(), Optional.empty())).services()))
                .isInstanceOfSatisfying(DependencyException.class, e -> assertThat(e.dependency()).isEqualTo("consul"));
    }

    @Test
    void testUnknownServiceHasNoInstances()
    {
        assertThat(await(health.instances("never-registered-" + UUID.randomUUID()))).isEmpty();
    }

    @Test
    void testConsulDownIsUnavailableNamingConsul()
    {
        ConsulServiceHealth down = new ConsulServiceHealth(TestingHashiCorp.consul(client, TestingHashiCorp.nothingListening(), Optional.empty()));
        assertThat(failure(down.instances("x"))).isInstanceOfSatisfying(DependencyException.class, e -> {
            assertThat(e.dependency()).isEqualTo("consul");
            assertThat(e.unavailable()).isTrue();
        });
    }

    private static void agent(String path, String body)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(consul.baseUri().resolve(path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
