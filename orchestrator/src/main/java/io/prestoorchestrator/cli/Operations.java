package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.Optional;

/** What the commands that start an operation do with the 202 answer (or a PATCH's 200 that changed nothing), and how a cluster's operation is found. */
final class Operations
{
    private Operations() {}

    static int followOrReturn(OrchestratorClient client, PrintWriter out, WaitOptions wait, JsonNode operation)
            throws InterruptedException
    {
        if (operation.has("changed") && !operation.path("changed").asBoolean(true)) {
            out.println(operation.path("message").asText("The spec is unchanged: nothing to do"));
            out.flush();
            return 0;
        }
        String cluster = operation.path("cluster").asText();
        out.println("Operation " + operation.path("id").asText() + ": " + operation.path("kind").asText() + " of cluster " + cluster);
        out.flush();
        if (wait.noWait) {
            out.println("Not waiting for it (--no-wait): follow it with `operation " + operation.path("id").asText() + " --follow`");
            return 0;
        }
        return new OperationFollower(client, out, wait.pollInterval, wait.timeout).follow(operation);
    }

    /** The cluster's running operation ({@code GET /v1/clusters/{name}} as {@code cluster}), else the latest one its timeline names. */
    static Optional<JsonNode> latest(OrchestratorClient client, JsonNode cluster)
            throws InterruptedException
    {
        String clusterName = cluster.path("name").asText();
        Optional<String> id = Optional.ofNullable(cluster.get("activeOperation")).filter(JsonNode::isTextual).map(JsonNode::asText);
        if (id.isEmpty()) {
            OrchestratorClient.Response events = client.send("GET", "/v1/clusters/" + OrchestratorClient.segment(clusterName) + "/events", Optional.empty());
            if (events.ok()) {
                for (JsonNode event : events.body().path("events")) {
                    if (event.hasNonNull("operation")) {
                        id = Optional.of(event.get("operation").asText());
                    }
                }
            }
        }
        if (id.isEmpty()) {
            return Optional.empty();
        }
        OrchestratorClient.Response operation = client.send("GET", "/v1/operations/" + OrchestratorClient.segment(id.get()), Optional.empty());
        return operation.ok() ? Optional.of(operation.body()) : Optional.empty();
    }
}
