package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.prestoorchestrator.cluster.ClusterJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code POST /v1/clusters/{name}/plan}: what deploying the stored spec now would change in Nomad. */
@Command(name = "plan",
        description = "Show the Nomad plan (diff) of a cluster's job as it would be deployed now; deploys nothing.",
        sortOptions = false)
public final class PlanCommand
        implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name.")
    String name;

    @Option(names = "--json", description = "Print the plan as the API answers it.")
    boolean json;

    @Mixin
    ApiOptions api;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Override
    public Integer call()
    {
        return Console.run(spec, () -> {
            JsonNode plan = api.client().call("POST", "/v1/clusters/" + OrchestratorClient.segment(name) + "/plan", Optional.empty());
            if (json) {
                spec.commandLine().getOut().println(ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(plan));
            }
            else {
                new PlanPrinter(spec.commandLine().getOut()).print(name, plan);
            }
            return 0;
        });
    }
}
