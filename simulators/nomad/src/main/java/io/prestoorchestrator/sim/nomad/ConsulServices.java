package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Registers allocation services with a Consul agent over its HTTP API, as Nomad's client does.
 * Called from task worker threads only (blocking I/O).
 */
final class ConsulServices
{
    private static final Logger log = LoggerFactory.getLogger(ConsulServices.class);

    private final URI address;
    private final HttpClient client;

    ConsulServices(URI address)
    {
        this.address = requireNonNull(address, "address is null");
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    void register(ObjectNode service)
    {
        send("PUT", "/v1/agent/service/register", Json.bytes(service));
        log.info("consul service registered: service_id={} name={}", service.get("ID").asText(), service.get("Name").asText());
    }

    void deregister(String serviceId)
    {
        send("PUT", "/v1/agent/service/deregister/" + serviceId, new byte[0]);
        log.info("consul service deregistered: service_id={}", serviceId);
    }

    /** As Nomad feeds a script check's TTL: PUT /v1/agent/check/update/:check_id with Status and Output. */
    void updateCheck(String checkId, String status, String output)
    {
        ObjectNode body = Json.object();
        body.put("Status", status);
        body.put("Output", output);
        send("PUT", "/v1/agent/check/update/" + checkId, Json.bytes(body));
    }

    /** Every check's status on the agent (GET /v1/agent/checks), by check id; empty when Consul does not answer. */
    Optional<Map<String, String>> checkStatuses()
    {
        HttpRequest request = HttpRequest.newBuilder(address.resolve("/v1/agent/checks")).timeout(Duration.ofSeconds(2)).GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                log.warn("consul GET /v1/agent/checks answered {}", response.statusCode());
                return Optional.empty();
            }
            Map<String, String> statuses = new HashMap<>();
            Json.parse(response.body()).fields().forEachRemaining(entry -> statuses.put(entry.getKey(), entry.getValue().path("Status").asText()));
            return Optional.of(statuses);
        }
        catch (IOException | RuntimeException e) {
            log.warn("consul GET /v1/agent/checks failed: {}", e.toString());
            return Optional.empty();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private void send(String method, String path, byte[] body)
    {
        HttpRequest request = HttpRequest.newBuilder(address.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                log.warn("consul {} {} answered {}: {}", method, path, response.statusCode(), response.body());
            }
        }
        catch (IOException e) {
            log.warn("consul {} {} failed: {}", method, path, e.toString());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
