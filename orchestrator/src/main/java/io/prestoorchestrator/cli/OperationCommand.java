package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.cluster.ClusterJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code GET /v1/operations/{id}}, or the operation of a cluster (the one in progress, else the
 * latest): its state and steps; {@code --follow} follows it to the end as {@code deploy} does.
 */
@Command(name = "operation",
        description = {
                "Show an operation with its steps: by ID, or with --cluster NAME the cluster's operation in progress (else its latest one). --follow follows it until it ends.",
                "Exit 0 when shown (with --follow: when it succeeded); 1 when the API answers a problem (e.g. 404) or, with --follow, when it failed or did not end within --timeout; 2 for a bad option."},
        sortOptions = false)
public final class OperationCommand
        implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Operation id (as deploy, scale, restart, ... print it).")
    String id;

    @Option(names = "--cluster", paramLabel = "NAME", description = "The cluster's operation in progress, else its latest one, instead of an ID.")
    String cluster;

    @Option(names = {"-f", "--follow"}, description = "Follow the operation until it ends, printing each step as it starts or progresses.")
    boolean follow;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", converter = WaitOptions.DurationConverter.class,
            description = "With --follow: how long to follow it, e.g. 90s, 30m (default: ${DEFAULT-VALUE}); it goes on in the orchestrator afterwards.")
    Duration timeout;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "1s", converter = WaitOptions.DurationConverter.class, hidden = true)
    Duration pollInterval;

    @Option(names = "--json", description = "Print the operation as the API answers it (GET /v1/operations/{id}); not with --follow.")
    boolean json;

    @Mixin
    ApiOptions api;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Override
    public Integer call()
    {
        return Console.run(spec, () -> {
            if ((id == null) == (cluster == null)) {
                throw new ParameterException(spec.commandLine(), "give an operation ID or --cluster NAME (one of them)");
            }
            if (json && follow) {
                throw new ParameterException(spec.commandLine(), "--json prints the operation once: leave out --follow, or --json");
            }
            OrchestratorClient client = api.client();
            PrintWriter out = spec.commandLine().getOut();
            JsonNode operation;
            if (id != null) {
                operation = client.get("/v1/operations/" + OrchestratorClient.segment(id));
            }
            else {
                JsonNode found = client.get("/v1/clusters/" + OrchestratorClient.segment(cluster));
                operation = Operations.latest(client, found)
                        .orElseThrow(() -> CliException.failed("cluster " + cluster + " has no operation on record"));
            }
            if (json) {
                out.println(ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(operation));
                return 0;
            }
            row(out, "operation", operation.path("id").asText() + " (" + operation.path("kind").asText() + " of cluster " + operation.path("cluster").asText() + ")");
            row(out, "requested", "by " + operation.path("requestedBy").asText() + " at " + operation.path("createdAt").asText());
            if (follow) {
                out.flush();
                return new OperationFollower(client, out, pollInterval, timeout).follow(operation);
            }
            row(out, "state", operation.path("state").asText() + " (updated " + operation.path("updatedAt").asText()
                    + (operation.hasNonNull("runner") ? ", run by replica " + operation.get("runner").asText() : "") + ")");
            JsonNode steps = operation.path("steps");
            row(out, "steps", steps.isEmpty() ? "none yet" : "");
            for (JsonNode step : steps) {
                out.printf("  %s  %-16s %-11s %s%n", OperationFollower.time(step.path("at").asText()), step.path("name").asText(), step.path("state").asText(),
                        step.path("detail").asText("")).flush();
            }
            if (operation.hasNonNull("error")) {
                row(out, "error", operation.get("error").asText());
            }
            return 0;
        });
    }

    private static void row(PrintWriter out, String key, String value)
    {
        out.println(String.format("%-12s %s", key, value).stripTrailing());
    }
}
