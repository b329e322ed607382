package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Creates the cluster of a spec file ({@code POST /v1/clusters}) or, when it exists, applies the
 * file to it as a merge patch ({@code PATCH /v1/clusters/{name}}); then follows the operation.
 */
@Command(name = "deploy",
        description = {
                "Create or update a cluster from a spec file, then follow the operation until it ends.",
                "A cluster that does not exist is created (fields the file leaves out take the API's defaults); an existing one gets the file as a JSON merge patch (fields it leaves out keep their values).",
                "Exit 0 when the operation succeeded; 1 when it failed, did not end within --timeout, or the API refused the spec; 2 for a bad file or option."},
        sortOptions = false)
public final class DeployCommand
        implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "SPEC", description = "Cluster spec, YAML or JSON (.json): the POST /v1/clusters body.")
    Path file;

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
            ObjectNode document = Documents.spec(file);
            JsonNode name = document.get("name");
            if (name == null || !name.isTextual() || name.asText().isBlank()) {
                throw CliException.badInput("spec file " + file + " has no name: set name, e.g. name: adhoc-1");
            }
            String cluster = name.asText();
            OrchestratorClient client = api.client();
            PrintWriter out = spec.commandLine().getOut();
            String path = "/v1/clusters/" + OrchestratorClient.segment(cluster);
            OrchestratorClient.Response existing = client.send("GET", path, Optional.empty());
            JsonNode operation;
            if (existing.status() == 404) {
                out.println("Creating cluster " + cluster + " from " + file);
                operation = client.call("POST", "/v1/clusters", Optional.of(document));
            }
            else if (existing.ok()) {
                out.println("Updating cluster " + cluster + " from " + file);
                operation = client.call("PATCH", path, Optional.of(document));
            }
            else {
                throw existing.failure(true);
            }
            return Operations.followOrReturn(client, out, wait, operation);
        });
    }
}
