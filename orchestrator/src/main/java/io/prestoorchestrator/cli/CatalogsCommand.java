package io.prestoorchestrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.ClusterJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import static java.util.Objects.requireNonNull;

/**
 * {@code /v1/catalogs}: list, show, create, update, delete. Secret properties are {@code ssm:/path}
 * references (the API stores and answers nothing else); they are printed as references, marked so.
 */
@Command(name = "catalogs",
        description = {"Manage catalog definitions (GET, POST /v1/catalogs; GET, PUT, DELETE /v1/catalogs/{name}).",
                "Secret properties are SSM references (ssm:/path), never values: the API takes and answers nothing else."},
        subcommands = {CatalogsCommand.ListCatalogs.class, CatalogsCommand.ShowCatalog.class, CatalogsCommand.CreateCatalog.class,
                CatalogsCommand.UpdateCatalog.class, CatalogsCommand.DeleteCatalog.class},
        sortOptions = false)
public final class CatalogsCommand
{
    private static final String EXIT_CODES = "Exit 0 when done; 1 when the API refuses (with its problem and a line per field at fault); 2 for a bad option or file.";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Command(name = "list", description = {"List the catalogs: name, connector, how many plain properties, the names of the secret ones.", EXIT_CODES}, sortOptions = false)
    public static final class ListCatalogs
            implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print the list as the API answers it (GET /v1/catalogs).")
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
                JsonNode listing = client.get("/v1/catalogs");
                if (json) {
                    out.println(pretty(listing));
                    return 0;
                }
                List<JsonNode> catalogs = new ArrayList<>();
                listing.path("catalogs").forEach(catalogs::add);
                if (catalogs.isEmpty()) {
                    out.println("No catalogs at " + client.base() + ": define one with `catalogs create --file FILE`");
                    return 0;
                }
                catalogs.sort((a, b) -> a.path("name").asText().compareTo(b.path("name").asText()));
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"NAME", "CONNECTOR", "PROPERTIES", "SECRET PROPERTIES"});
                for (JsonNode catalog : catalogs) {
                    List<String> secrets = new ArrayList<>(strings(catalog.path("secretProperties")).keySet());
                    rows.add(new String[] {catalog.path("name").asText(), catalog.path("connectorName").asText(), String.valueOf(catalog.path("properties").size()),
                            secrets.isEmpty() ? "-" : String.join(", ", secrets)});
                }
                table(out, rows);
                return 0;
            });
        }
    }

    @Command(name = "show", description = {"Show a catalog: connector, plain properties, secret properties as their SSM references.", EXIT_CODES}, sortOptions = false)
    public static final class ShowCatalog
            implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Catalog name.")
        String name;

        @Option(names = "--json", description = "Print the catalog as the API answers it (GET /v1/catalogs/{name}).")
        boolean json;

        @Mixin
        ApiOptions api;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Override
        public Integer call()
        {
            return Console.run(spec, () -> {
                PrintWriter out = spec.commandLine().getOut();
                JsonNode catalog = api.client().get(path(name));
                if (json) {
                    out.println(pretty(catalog));
                    return 0;
                }
                row(out, "catalog", catalog.path("name").asText());
                row(out, "connector", catalog.path("connectorName").asText());
                rows(out, "properties", strings(catalog.path("properties")));
                Map<String, String> secrets = new TreeMap<>();
                // the API answers references only; anything else is not printed, in case it were a value
                strings(catalog.path("secretProperties")).forEach((key, reference) -> secrets.put(key,
                        reference.startsWith("ssm:") ? reference + " (SSM reference)" : "(hidden: not an SSM reference)"));
                rows(out, "secrets", secrets);
                return 0;
            });
        }
    }

    @Command(name = "create", description = {"Define a catalog from a file (the POST /v1/catalogs body, JSON or YAML), or from stdin with --file -.", EXIT_CODES},
            sortOptions = false)
    public static final class CreateCatalog
            implements Callable<Integer>
    {
        private final CliSystem system;

        @Spec
        CommandSpec spec;

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
                description = "Catalog definition, e.g. {\"name\": \"hive\", \"connectorName\": \"hive\", \"properties\": {...}, \"secretProperties\": {\"hive.s3.aws-secret-key\": \"ssm:/...\"}}; "
                        + "YAML unless the name ends in .json; - reads stdin (JSON when it starts with '{').")
        String file;

        @Mixin
        ApiOptions api;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        public CreateCatalog()
        {
            this(CliSystem.real());
        }

        CreateCatalog(CliSystem system)
        {
            this.system = requireNonNull(system, "system is null");
        }

        @Override
        public Integer call()
        {
            return Console.run(spec, () -> {
                ObjectNode document = definition(system, file);
                JsonNode created = api.client().call("POST", "/v1/catalogs", Optional.of(document));
                spec.commandLine().getOut().println("Created catalog " + created.path("name").asText() + " (connector " + created.path("connectorName").asText() + ")");
                return 0;
            });
        }
    }

    @Command(name = "update",
            description = {"Replace a catalog with a file's definition (PUT /v1/catalogs/{name}); every running cluster that uses it is restarted, and the restarts are listed.", EXIT_CODES},
            sortOptions = false)
    public static final class UpdateCatalog
            implements Callable<Integer>
    {
        private final CliSystem system;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Catalog name.")
        String name;

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
                description = "The whole new definition, as for create (a catalog cannot be renamed); - reads stdin.")
        String file;

        @Mixin
        ApiOptions api;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        public UpdateCatalog()
        {
            this(CliSystem.real());
        }

        UpdateCatalog(CliSystem system)
        {
            this.system = requireNonNull(system, "system is null");
        }

        @Override
        public Integer call()
        {
            return Console.run(spec, () -> {
                ObjectNode document = definition(system, file);
                PrintWriter out = spec.commandLine().getOut();
                JsonNode answer = api.client().call("PUT", path(name), Optional.of(document));
                out.println("Updated catalog " + name);
                JsonNode restarts = answer.path("restarts");
                if (restarts.isEmpty()) {
                    out.println("No running cluster uses it: nothing restarted");
                    return 0;
                }
                out.println("Restarting " + restarts.size() + " running cluster(s) that use it:");
                for (JsonNode operation : restarts) {
                    out.println("  " + operation.path("cluster").asText() + "  operation " + operation.path("id").asText());
                }
                out.println("Follow each with `operation ID --follow`");
                return 0;
            });
        }
    }

    @Command(name = "delete",
            description = {"Delete a catalog no cluster uses (the API refuses, naming the clusters, otherwise). Asks first on a terminal; without one, only with --yes.",
                    "Exit 0 when deleted; 1 when the API refuses or the question was not answered yes; 2 for a bad option, or without --yes when stdin is not a terminal."},
            sortOptions = false)
    public static final class DeleteCatalog
            implements Callable<Integer>
    {
        private final CliSystem system;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Catalog name.")
        String name;

        @Option(names = {"-y", "--yes"}, description = "Delete without asking (needed when stdin is not a terminal).")
        boolean yes;

        @Mixin
        ApiOptions api;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        public DeleteCatalog()
        {
            this(CliSystem.real());
        }

        DeleteCatalog(CliSystem system)
        {
            this.system = requireNonNull(system, "system is null");
        }

        @Override
        public Integer call()
        {
            return Console.run(spec, () -> {
                PrintWriter out = spec.commandLine().getOut();
                Confirmation.require(system.terminal(), out, yes, "delete catalog " + name, "Clusters can no longer attach it. This cannot be undone.");
                api.client().call("DELETE", path(name), Optional.empty());
                out.println("Deleted catalog " + name);
                return 0;
            });
        }
    }

    /** The definition in {@code file}, or on stdin for {@code -}: exactly one catalog. */
    private static ObjectNode definition(CliSystem system, String file)
    {
        List<ObjectNode> catalogs;
        String source;
        if (file.equals("-")) {
            source = "catalog on stdin";
            try {
                catalogs = Documents.catalogs(system.terminal().readStdin(), source);
            }
            catch (IOException e) {
                throw CliException.badInput("cannot read the catalog from stdin: " + e.getMessage());
            }
        }
        else {
            source = "catalog file " + file;
            catalogs = Documents.catalogs(Path.of(file));
        }
        if (catalogs.size() != 1) {
            throw CliException.badInput(source + " holds " + catalogs.size() + " catalogs: give one definition");
        }
        return catalogs.get(0);
    }

    private static String path(String name)
    {
        return "/v1/catalogs/" + OrchestratorClient.segment(name);
    }

    private static Map<String, String> strings(JsonNode object)
    {
        Map<String, String> values = new TreeMap<>();
        object.fields().forEachRemaining(field -> values.put(field.getKey(), field.getValue().asText()));
        return values;
    }

    private static void row(PrintWriter out, String key, String value)
    {
        out.println(String.format("%-12s %s", key, value).stripTrailing());
    }

    private static void rows(PrintWriter out, String key, Map<String, String> values)
    {
        if (values.isEmpty()) {
            row(out, key, "none");
            return;
        }
        String label = key;
        for (Map.Entry<String, String> entry : values.entrySet()) {
            row(out, label, entry.getKey() + " = " + entry.getValue());
            label = "";
        }
    }

    private static void table(PrintWriter out, List<String[]> rows)
    {
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
    }

    private static String pretty(JsonNode node)
            throws JsonProcessingException
    {
        return ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }
}
