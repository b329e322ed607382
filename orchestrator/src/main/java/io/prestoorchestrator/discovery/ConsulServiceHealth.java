package io.prestoorchestrator.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.http.DependencyHttp;
import io.prestoorchestrator.follow.Indexed;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;

import java.net.URLEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * {@link ServiceCatalog} on Consul's {@code GET /v1/catalog/services} (service name to its tags),
 * {@link HealthStates} on {@code GET /v1/health/state/any} (every check: Node, ServiceID,
 * ServiceName, Name, Status, Output; a blocking query), and
 * {@link ServiceHealth} on {@code GET /v1/health/service/:service} (Consul 1.15+): one
 * entry per instance with {@code Node}, {@code Service} (ID, Address, Port, Tags, Meta) and
 * {@code Checks} (node and service checks with Status and Output). Without {@code ?passing} every
 * instance is listed, so a caller can say why one is not routable.
 */
public final class ConsulServiceHealth
        implements ServiceCatalog, ServiceHealth, HealthStates
{
    private final DependencyHttp consul;

    public ConsulServiceHealth(DependencyHttp consul)
    {
        this.consul = requireNonNull(consul, "consul is null");
    }

    @Override
    public CompletionStage<Map<String, List<String>>> services()
    {
        return consul.send(consul.request(HttpMethod.GET, "/v1/catalog/services"), Optional.empty(), Set.of())
                .map(response -> {
                    Map<String, List<String>> services = new TreeMap<>();
                    consul.json(response).properties().forEach(field -> {
                        List<String> tags = new ArrayList<>();
                        field.getValue().forEach(tag -> tags.add(tag.asText()));
                        services.put(field.getKey(), List.copyOf(tags));
                    });
                    return services;
                })
                .toCompletionStage();
    }

    @Override
    public CompletionStage<List<Instance>> instances(String service)
    {
        requireNonNull(service, "service is null");
        return consul.send(consul.request(HttpMethod.GET, "/v1/health/service/" + URLEncoder.encode(service, UTF_8).replace("+", "%20")), Optional.empty(), Set.of())
                .map(response -> parse(consul.json(response)))
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Indexed<List<CheckState>>> checks(long index, Duration wait)
    {
        HttpRequest<Buffer> request = consul.blocking(consul.request(HttpMethod.GET, "/v1/health/state/any"), index, wait);
        return consul.send(request, Optional.empty(), Set.of())
                .map(response -> {
                    OptionalLong next = DependencyHttp.index(response, "X-Consul-Index");
                    // Consul's rule: an index that is missing, not positive or going backwards (a restored snapshot) restarts from 0
                    return new Indexed<>(checks(consul.json(response)), next.isEmpty() || next.getAsLong() <= 0 || next.getAsLong() < index ? 0 : next.getAsLong());
                })
                .toCompletionStage();
    }

    static List<CheckState> checks(JsonNode body)
    {
        List<CheckState> checks = new ArrayList<>();
        for (JsonNode check : body) {
            checks.add(new CheckState(check.path("Node").asText(""), check.path("ServiceID").asText(""), check.path("ServiceName").asText(""),
                    check.path("Name").asText(""), check.path("Status").asText(""), check.path("Output").asText("")));
        }
        return List.copyOf(checks);
    }

    private static List<Instance> parse(JsonNode entries)
    {
        List<Instance> instances = new ArrayList<>();
        for (JsonNode entry : entries) {
            JsonNode node = entry.path("Node");
            JsonNode service = entry.path("Service");
            String address = service.path("Address").asText("");
            if (address.isEmpty()) {
                // Consul's rule: an instance without its own address is reached at its node's
                address = node.path("Address").asText("");
            }
            List<String> tags = new ArrayList<>();
            service.path("Tags").forEach(tag -> tags.add(tag.asText()));
            Map<String, String> meta = new TreeMap<>();
            service.path("Meta").properties().forEach(field -> meta.put(field.getKey(), field.getValue().asText()));
            List<Check> checks = new ArrayList<>();
            entry.path("Checks").forEach(check -> checks.add(new Check(check.path("Name").asText(""), check.path("Status").asText(""), check.path("Output").asText(""))));
            instances.add(new Instance(service.path("ID").asText(""), node.path("Node").asText(""), address, service.path("Port").asInt(), tags, meta, checks));
        }
        return instances;
    }
}
