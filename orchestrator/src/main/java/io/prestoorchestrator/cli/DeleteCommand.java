package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/** {@code DELETE /v1/clusters/{name}} once confirmed, then follows the operation. */
@Command(name = "delete",
        description = {
                "Delete a cluster: its Nomad job stops and the orchestrator removes its spec, Nomad variables and events. Asks first on a terminal; without one, only with --yes. Follows the operation until it ends.",
                "Exit 0 when the cluster is deleted (or, with --no-wait, the deletion was accepted); 1 when it failed, did not end within --timeout, the API refused it, or the question was not answered yes; "
                        + "2 for a bad option, or without --yes when stdin is not a terminal."},
        sortOptions = false)
public final class DeleteCommand
        implements Callable<Integer>
{
    private final CliSystem system;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name.")
    String name;

    @Option(names = {"-y", "--yes"}, description = "Delete without asking (needed when stdin is not a terminal, e.g. in a script).")
    boolean yes;

    @Mixin
    WaitOptions wait;

    @Mixin
    ApiOptions api;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    public DeleteCommand()
    {
        this(CliSystem.real());
    }

    DeleteCommand(CliSystem system)
    {
        this.system = requireNonNull(system, "system is null");
    }

    @Override
    public Integer call()
    {
        return Console.run(spec, () -> {
            PrintWriter out = spec.commandLine().getOut();
            String what = "delete cluster " + name;
            Confirmation.requireAnswerable(system.terminal(), yes, what);
            OrchestratorClient client = api.client();
            String path = "/v1/clusters/" + OrchestratorClient.segment(name);
            JsonNode cluster = client.get(path);
            Confirmation.require(system.terminal(), out, yes, what,
                    "It is " + cluster.path("state").asText("in an unknown state") + " with " + cluster.path("spec").path("workers").path("count").asText("?")
                            + " worker(s); its job stops and its spec, Nomad variables and events are removed. This cannot be undone.");
            out.println("Deleting cluster " + name);
            JsonNode operation = client.call("DELETE", path, Optional.empty());
            if (!operation.hasNonNull("id")) {
                out.println("Deleted cluster " + name);
                return 0;
            }
            return Operations.followOrReturn(client, out, wait, operation);
        });
    }
}
