package io.prestoorchestrator.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.http.DependencyHttp;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

import java.net.URI;
import java.net.URLEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/** {@link NomadNodes} over Nomad's HTTP API (documented API, Nomad 1.6+). */
public final class NomadHttpNodes
        implements NomadNodes
{
    private final DependencyHttp nomad;
    private final String instanceIdSection;
    private final String instanceIdKey;

    /** @param instanceIdField where a node carries its EC2 instance id: {@code attr.<attribute>} or {@code meta.<key>} (nomad.node-instance-id) */
    public NomadHttpNodes(DependencyHttp nomad, String instanceIdField)
    {
        this.nomad = requireNonNull(nomad, "nomad is null");
        requireNonNull(instanceIdField, "instanceIdField is null");
        int dot = instanceIdField.indexOf('.');
        String section = dot < 0 ? "" : instanceIdField.substring(0, dot);
        this.instanceIdSection = switch (section) {
            case "attr" -> "Attributes";
            case "meta" -> "Meta";
            default -> throw new IllegalArgumentException("instanceIdField must be attr.<attribute> or meta.<key>: " + instanceIdField);
        };
        this.instanceIdKey = instanceIdField.substring(dot + 1);
    }

    @Override
    public CompletionStage<Optional<Node>> findByInstanceId(String instanceId)
    {
        requireNonNull(instanceId, "instanceId is null");
        // node stubs carry no attributes; read each node (a pool has tens of nodes, and this runs once per termination)
        return nomad.send(nomad.request(HttpMethod.GET, "/v1/nodes"))
                .compose(response -> {
                    List<String> ids = new ArrayList<>();
                    nomad.json(response).forEach(stub -> ids.add(stub.path("ID").asText()));
                    return findAmong(ids, 0, instanceId);
                })
                .toCompletionStage();
    }

    private Future<Optional<Node>> findAmong(List<String> ids, int from, String instanceId)
    {
        if (from >= ids.size()) {
            return Future.succeededFuture(Optional.empty());
        }
        return nomad.send(nomad.request(HttpMethod.GET, "/v1/node/" + segment(ids.get(from))), Optional.empty(), Set.of(404))
                .compose(response -> {
                    if (response.statusCode() == 404) {
                        return findAmong(ids, from + 1, instanceId);
                    }
                    JsonNode node = nomad.json(response);
                    if (instanceId.equals(node.path(instanceIdSection).path(instanceIdKey).asText(null))) {
                        return Future.succeededFuture(Optional.of(new Node(node.path("ID").asText(), node.path("Name").asText(), instanceId)));
                    }
                    return findAmong(ids, from + 1, instanceId);
                });
    }

    @Override
    public CompletionStage<Void> markIneligible(String nodeId)
    {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("Eligibility", "ineligible");
        return nomad.send(nomad.request(HttpMethod.POST, "/v1/node/" + segment(nodeId) + "/eligibility"), Optional.of(body), Set.of())
                .<Void>mapEmpty()
                .toCompletionStage();
    }

    @Override
    public CompletionStage<Void> drain(String nodeId, Duration deadline)
    {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("DrainSpec").put("Deadline", deadline.toNanos()).put("IgnoreSystemJobs", true);
        body.put("MarkEligible", false);
        body.putObject("Meta").put("message", "Auto Scaling lifecycle hook: instance terminating (presto-orchestrator)");
        return nomad.send(nomad.request(HttpMethod.POST, "/v1/node/" + segment(nodeId) + "/drain"), Optional.of(body), Set.of())
                .<Void>mapEmpty()
                .toCompletionStage();
    }

    @Override
    public CompletionStage<List<NodeAllocation>> allocations(String nodeId)
    {
        return nomad.send(nomad.request(HttpMethod.GET, "/v1/node/" + segment(nodeId) + "/allocations"))
                .map(response -> {
                    List<NodeAllocation> allocations = new ArrayList<>();
                    nomad.json(response).forEach(alloc -> allocations.add(allocation(alloc)));
                    return List.copyOf(allocations);
                })
                .toCompletionStage();
    }

    static NodeAllocation allocation(JsonNode alloc)
    {
        JsonNode job = alloc.path("Job");
        Optional<String> cluster = Optional.ofNullable(job.path("Meta").path("orchestrator_cluster").asText(null)).filter(name -> !name.isBlank());
        Optional<URI> http = Optional.empty();
        for (JsonNode port : alloc.path("AllocatedResources").path("Shared").path("Ports")) {
            if ("http".equals(port.path("Label").asText()) && port.path("Value").asInt() > 0) {
                String host = port.path("HostIP").asText("");
                http = host.isBlank() ? Optional.empty() : Optional.of(URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port.path("Value").asInt()));
            }
        }
        String jobType = alloc.path("JobType").asText(job.path("Type").asText("service"));
        return new NodeAllocation(
                alloc.path("ID").asText(),
                alloc.path("Name").asText(""),
                alloc.path("JobID").asText(""),
                jobType.isEmpty() ? "service" : jobType,
                alloc.path("TaskGroup").asText(""),
                alloc.path("DesiredStatus").asText(""),
                alloc.path("ClientStatus").asText(""),
                cluster,
                http);
    }

    private static String segment(String id)
    {
        return URLEncoder.encode(id, UTF_8).replace("+", "%20");
    }
}
