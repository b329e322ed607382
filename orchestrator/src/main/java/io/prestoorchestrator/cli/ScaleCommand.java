package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.ClusterJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code PATCH /v1/clusters/{name}} with {@code workers.count}, then follows the resize. */
@Command(name = "scale",
        description = {
                "Set a cluster's worker count (within its workers min..max), then follow the operation until it ends.",
                "Exit 0 when the resize succeeded or the count is already the desired one; 1 when it failed or the API refused the count."},
        sortOptions = false)
public final class ScaleCommand
        implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name.")
    String name;

    @Parameters(index = "1", paramLabel = "COUNT", description = "Worker count.")
    int count;

    @Mixin
    WaitOptions wait;

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
            String path = "/v1/clusters/" + OrchestratorClient.segment(name);
            JsonNode cluster = client.get(path);
            JsonNode workers = cluster.path("spec").path("workers");
            if (workers.path("count").asInt(-1) == count && !cluster.hasNonNull("activeOperation")) {
                out.println("Cluster " + name + " already wants " + count + " workers: nothing to do");
                return 0;
            }
            ObjectNode patch = ClusterJson.MAPPER.createObjectNode();
            patch.putObject("workers").put("count", count);
            out.println("Scaling cluster " + name + " workers " + workers.path("count").asText("?") + " -> " + count);
            JsonNode operation = client.call("PATCH", path, Optional.of(patch));
            return Operations.followOrReturn(client, out, wait, operation);
        });
    }
}
