package io.prestoorchestrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.cluster.ClusterSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code GET /v1/clusters/{name}} (or every cluster) as a compact summary: what was asked and what runs. */
@Command(name = "status",
        description = "Show a cluster (or, without NAME, every cluster): state, workers active/desired, coordinator, public URL and routability, job version, drift, last operation.",
        sortOptions = false)
public final class StatusCommand
        implements Callable<Integer>
{
    private static final int PAGE = 500;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Cluster name; every cluster when left out.")
    String name;

    @Option(names = "--json", description = "Print the cluster(s) as the API answers (GET /v1/clusters/{name}).")
    boolean json;

    @Mixin
    ApiOptions api;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Override
    public Integer call()
    {
        return Console.run(spec, () -> {
            OrchestratorClient client = api.client();
            PrintWriter out = spec.commandLine().getOut();
            if (name != null) {
                JsonNode cluster = client.get(clusterPath(name));
                if (json) {
                    out.println(pretty(cluster));
                }
                else {
                    printOne(out, cluster, Operations.latest(client, cluster));
                }
                return 0;
            }
            List<JsonNode> clusters = new ArrayList<>();
            for (String each : names(client)) {
                OrchestratorClient.Response response = client.send("GET", clusterPath(each), Optional.empty());
                if (response.status() == 404) {
                    continue; // deleted since the listing
                }
                if (!response.ok()) {
                    throw response.failure(true);
                }
                clusters.add(response.body());
            }
            if (json) {
                ObjectNode body = ClusterJson.MAPPER.createObjectNode();
                ArrayNode items = body.putArray("clusters");
                clusters.forEach(items::add);
                out.println(pretty(body));
            }
            else if (clusters.isEmpty()) {
                out.println("No clusters at " + client.base() + ": create one with `deploy -f SPEC`");
            }
            else {
                printTable(out, client, clusters);
            }
            return 0;
        });
    }

    private static List<String> names(OrchestratorClient client)
            throws InterruptedException
    {
        List<String> names = new ArrayList<>();
        Optional<String> after = Optional.empty();
        while (true) {
            JsonNode page = client.get("/v1/clusters?limit=" + PAGE + after.map(cursor -> "&after=" + OrchestratorClient.segment(cursor)).orElse(""));
            page.path("clusters").forEach(cluster -> names.add(cluster.path("name").asText()));
            if (!page.hasNonNull("next")) {
                return names;
            }
            after = Optional.of(page.get("next").asText());
        }
    }

    private static void printOne(PrintWriter out, JsonNode cluster, Optional<JsonNode> operation)
    {
        JsonNode clusterSpec = cluster.path("spec");
        JsonNode status = cluster.path("status");
        JsonNode workers = clusterSpec.path("workers");
        row(out, "cluster", cluster.path("name").asText() + " (" + clusterSpec.path("flavour").asText() + " " + clusterSpec.path("version").asText()
                + ", environment " + clusterSpec.path("environment").asText() + ")");
        row(out, "state", cluster.path("state").asText());
        row(out, "workers", activeOfDesired(cluster) + " active (min " + workers.path("min").asText() + ", max " + workers.path("max").asText() + ")");
        row(out, "coordinator", text(status.get("coordinatorUrl")).orElse("-"));
        JsonNode routing = status.path("routing");
        if (!routing.isMissingNode()) {
            row(out, "url", text(routing.get("url")).orElse("-") + (routing.path("routable").asBoolean(false) ? " (routable)" : " (not routable)"));
            text(routing.get("reason")).ifPresent(reason -> row(out, "routing", reason.strip()));
        }
        row(out, "job", jobSummary(cluster) + text(status.get("jobStatus")).map(jobStatus -> " (" + jobStatus + ")").orElse(""));
        row(out, "allocations", allocations(status.path("allocations")));
        row(out, "drift", status.path("drift").asBoolean(false) ? "yes: " + text(status.get("driftReason")).orElse("the job differs from the orchestrator's last change") : "none");
        row(out, "operation", operation.map(StatusCommand::operationSummary).orElse("-"));
        operation.flatMap(op -> text(op.get("error"))).ifPresent(error -> row(out, "error", error));
        out.flush();
    }

    private static void printTable(PrintWriter out, OrchestratorClient client, List<JsonNode> clusters)
            throws InterruptedException
    {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "STATE", "WORKERS", "COORDINATOR", "JOB", "DRIFT", "LAST OPERATION"});
        for (JsonNode cluster : clusters) {
            JsonNode status = cluster.path("status");
            rows.add(new String[] {
                    cluster.path("name").asText(),
                    cluster.path("state").asText(),
                    activeOfDesired(cluster),
                    text(status.get("coordinatorUrl")).orElse("-"),
                    text(status.get("jobVersion")).map(version -> "v" + version).orElse("-"),
                    status.path("drift").asBoolean(false) ? "yes" : "no",
                    Operations.latest(client, cluster).map(op -> op.path("kind").asText() + " " + op.path("state").asText()).orElse("-")});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    private static String activeOfDesired(JsonNode cluster)
    {
        String active = text(cluster.path("status").get("activeWorkers")).orElse("?");
        return active + "/" + cluster.path("spec").path("workers").path("count").asText("?");
    }

    private static String jobSummary(JsonNode cluster)
    {
        String jobId = ClusterSpec.jobId(cluster.path("name").asText());
        return text(cluster.path("status").get("jobVersion")).map(version -> jobId + " version " + version).orElse(jobId + " not in Nomad");
    }

    private static String allocations(JsonNode groups)
    {
        List<String> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = groups.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> group = fields.next();
            List<String> counts = new ArrayList<>();
            group.getValue().fields().forEachRemaining(count -> counts.add(count.getValue().asText() + " " + count.getKey()));
            parts.add(group.getKey() + ": " + String.join(", ", counts));
        }
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    private static String operationSummary(JsonNode operation)
    {
        return operation.path("kind").asText() + " " + operation.path("state").asText() + " (" + operation.path("id").asText() + ", requested by "
                + operation.path("requestedBy").asText() + ", " + operation.path("updatedAt").asText() + ")";
    }

    private static void row(PrintWriter out, String key, String value)
    {
        out.printf("%-12s %s%n", key, value);
    }

    private static Optional<String> text(JsonNode node)
    {
        return node == null || node.isNull() || node.isMissingNode() ? Optional.empty() : Optional.of(node.asText());
    }

    private static String clusterPath(String cluster)
    {
        return "/v1/clusters/" + OrchestratorClient.segment(cluster);
    }

    private static String pretty(JsonNode node)
            throws JsonProcessingException
    {
        return ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }
}
