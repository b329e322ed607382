package io.prestoorchestrator.sim.consul;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestBadInput
{
    private static ConsulSimulator simulator;
    private static ConsulHttp consul;

    @BeforeAll
    static void start()
    {
        simulator = ConsulSimulator.builder().port(0).build().startAndWait();
        consul = new ConsulHttp(simulator.baseUri());
    }

    @AfterAll
    static void stop()
    {
        simulator.close();
    }

    @AfterEach
    void nothingHalfRegistered()
    {
        assertThat(consul.get("/v1/agent/services").json().isEmpty()).isTrue();
        assertThat(consul.get("/v1/agent/checks").json().isEmpty()).isTrue();
        assertThat(consul.get("/v1/catalog/services").json().fieldNames()).containsExactly("consul");
    }

    @Test
    void malformedJson()
    {
        ConsulHttp.Response response = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", ");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).startsWith("Request decode failed: ");
        assertThat(response.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));

        ConsulHttp.Response empty = consul.put("/v1/agent/service/register", "");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body()).isEqualTo("Request decode failed: EOF");

        ConsulHttp.Response array = consul.put("/v1/agent/service/register", "[]");
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.body()).isEqualTo("Request decode failed: json: cannot unmarshal array into Go value of type structs.ServiceDefinition");
    }

    @Test
    void unknownFields()
    {
        ConsulHttp.Response topLevel = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Prot\": 80}");
        assertThat(topLevel.status()).isEqualTo(400);
        assertThat(topLevel.body()).isEqualTo("Request decode failed: json: unknown field \"Prot\"");

        ConsulHttp.Response nested = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Check\": {\"TTL\": \"10s\", \"Intervall\": \"5s\"}}");
        assertThat(nested.status()).isEqualTo(400);
        assertThat(nested.body()).isEqualTo("Request decode failed: json: unknown field \"Intervall\"");
    }

    @Test
    void goStyleFieldMatching()
    {
        // Go's decoder matches names case-insensitively; Consul also takes snake_case aliases
        ConsulHttp.Response response = consul.put("/v1/agent/service/register",
                "{\"name\": \"lower\", \"port\": 5, \"check\": {\"ttl\": \"10s\", \"deregister_critical_service_after\": \"90m\"}}");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(consul.get("/v1/agent/services").json().getJsonObject("lower").getInteger("Port")).isEqualTo(5);
        consul.put("/v1/agent/service/deregister/lower", null);
    }

    @Test
    void wrongTypes()
    {
        ConsulHttp.Response port = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": \"80\"}");
        assertThat(port.status()).isEqualTo(400);
        assertThat(port.body()).isEqualTo("Request decode failed: json: cannot unmarshal string into Go struct field structs.ServiceDefinition.Port of type int");

        ConsulHttp.Response tags = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Tags\": \"a,b\"}");
        assertThat(tags.status()).isEqualTo(400);
        assertThat(tags.body()).contains("structs.ServiceDefinition.Tags of type []string");

        ConsulHttp.Response interval = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Check\": {\"HTTP\": \"http://x/\", \"Interval\": \"often\"}}");
        assertThat(interval.status()).isEqualTo(400);
        assertThat(interval.body()).isEqualTo("Request decode failed: time: invalid duration \"often\"");
    }

    @Test
    void missingOrInvalidValues()
    {
        ConsulHttp.Response noName = consul.put("/v1/agent/service/register", "{\"Port\": 80}");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body()).isEqualTo("Missing service name");

        ConsulHttp.Response noInterval = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Checks\": [{\"TTL\": \"5s\"}, {\"HTTP\": \"http://127.0.0.1/\"}]}");
        assertThat(noInterval.status()).isEqualTo(400);
        assertThat(noInterval.body()).isEqualTo("Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks");

        ConsulHttp.Response noTtl = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Check\": {\"Notes\": \"nothing to run\"}}");
        assertThat(noTtl.status()).isEqualTo(400);
        assertThat(noTtl.body()).isEqualTo("Invalid check: TTL must be > 0 for TTL checks");

        ConsulHttp.Response badStatus = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Check\": {\"TTL\": \"5s\", \"Status\": \"fine\"}}");
        assertThat(badStatus.status()).isEqualTo(400);
        assertThat(badStatus.body()).isEqualTo("Status for checks must 'passing', 'warning', 'critical'");

        ConsulHttp.Response anyAddress = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Address\": \"0.0.0.0\"}");
        assertThat(anyAddress.status()).isEqualTo(400);
        assertThat(anyAddress.body()).isEqualTo("Invalid service address");

        ConsulHttp.Response reservedMeta = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Meta\": {\"consul-x\": \"1\"}}");
        assertThat(reservedMeta.status()).isEqualTo(400);
        assertThat(reservedMeta.body()).startsWith("Invalid Service Meta: ");

        ConsulHttp.Response weights = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Weights\": {\"Passing\": 0, \"Warning\": 1}}");
        assertThat(weights.status()).isEqualTo(400);
        assertThat(weights.body()).isEqualTo("Invalid Weights: Passing must be greater than 0");

        ConsulHttp.Response checkWithoutName = consul.put("/v1/agent/check/register", "{\"TTL\": \"5s\"}");
        assertThat(checkWithoutName.status()).isEqualTo(400);
        assertThat(checkWithoutName.body()).isEqualTo("Missing check name");
    }

    @Test
    void unknownEndpointsAndMethods()
    {
        ConsulHttp.Response unknown = consul.get("/v1/agent/nonsense");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("Invalid URL path: not a recognized HTTP API endpoint\n");

        ConsulHttp.Response notApi = consul.get("/agent/services");
        assertThat(notApi.status()).isEqualTo(404);
        assertThat(notApi.body()).contains("ensure the path starts with '/v1/'");

        ConsulHttp.Response wrongMethod = consul.get("/v1/agent/service/register");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.body()).isEqualTo("method GET not allowed");
        assertThat(wrongMethod.header("Allow")).contains("OPTIONS,PUT");

        ConsulHttp.Response options = consul.send("OPTIONS", "/v1/kv/x", null);
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("Allow")).contains("OPTIONS,GET,PUT,DELETE");
    }

    @Test
    void unsupportedParametersFailLoudly()
    {
        ConsulHttp.Response filter = consul.get("/v1/health/service/web?filter=" + java.net.URLEncoder.encode("Service.Port == 80", java.nio.charset.StandardCharsets.UTF_8));
        assertThat(filter.status()).isEqualTo(400);
        assertThat(filter.body()).contains("?filter");

        ConsulHttp.Response otherDc = consul.get("/v1/catalog/services?dc=dc9");
        assertThat(otherDc.status()).isEqualTo(500);
        assertThat(otherDc.body()).isEqualTo("No path to datacenter");

        ConsulHttp.Response namespace = consul.put("/v1/agent/service/register?ns=team", "{\"Name\": \"web\"}");
        assertThat(namespace.status()).isEqualTo(400);
        assertThat(namespace.body()).isEqualTo("Invalid query parameter: \"ns\" - Namespaces are a Consul Enterprise feature");

        ConsulHttp.Response connect = consul.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Connect\": {\"Native\": true}}");
        assertThat(connect.status()).isEqualTo(400);
        assertThat(connect.body()).contains("does not simulate Connect");
    }
}
