package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /v1/clusters/{name}/<action>} ({@code restart}, {@code stop}, {@code start}), then
 * follows the operation as {@code deploy} does: one subclass per action names the command.
 */
abstract class ClusterActionCommand
        implements Callable<Integer>
{
    static final String EXIT_CODES = "Exit 0 when the operation succeeded (or, with --no-wait, was accepted); 1 when it failed, did not end within --timeout, "
            + "or the API refused it (e.g. 409: the cluster's state does not allow it, or another operation runs); 2 for a bad option.";

    private final String action;
    private final String doing;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name.")
    String name;

    @Mixin
    WaitOptions wait;

    @Mixin
    ApiOptions api;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    /**
     * @param action the path segment: restart, stop, start
     * @param doing what the first line says: Restarting, Stopping, Starting
     */
    ClusterActionCommand(String action, String doing)
    {
        this.action = requireNonNull(action, "action is null");
        this.doing = requireNonNull(doing, "doing is null");
    }

    @Override
    public Integer call()
    {
        return Console.run(spec, () -> {
            OrchestratorClient client = api.client();
            PrintWriter out = spec.commandLine().getOut();
            out.println(doing + " cluster " + name);
            JsonNode operation = client.call("POST", "/v1/clusters/" + OrchestratorClient.segment(name) + "/" + action, Optional.empty());
            return Operations.followOrReturn(client, out, wait, operation);
        });
    }
}
