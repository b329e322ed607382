package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.config.Version;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.CatalogValidator;
import io.prestoorchestrator.cluster.ClusterDocuments;
import io.prestoorchestrator.cluster.ClusterJson;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.ClusterSpecValidator;
import io.prestoorchestrator.config.AwsConfig;
import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.render.ConfigParameter;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.render.RenderedJob;
import io.prestoorchestrator.render.SecretParameter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Offline: a spec file to the Nomad job the service would deploy for it, with the API's defaults,
 * the service's validator and renderer, and no network. Secrets are never needed: a secret renders
 * as the Nomad Variable lookup the service would write, and the output is masked as
 * {@code GET /v1/clusters/{name}/job} shows a job.
 */
@Command(name = "render",
        description = {
                "Render a cluster spec file into the Nomad job JSON the orchestrator would deploy, offline: no service, no SSM, no Nomad.",
                "Secrets are never needed nor printed: they render as the Nomad Variable lookups the service writes (the job meta records their SSM versions as 0, not looked up).",
                "Exit 0 with the job; 2 when the spec, a catalog, a variable file or a template is wrong, with every problem and its field."},
        sortOptions = false)
public final class RenderCommand
        implements Callable<Integer>
{
    /** SSM version recorded in the job meta for parameters an offline render cannot look up. */
    static final long UNKNOWN_SSM_VERSION = 0;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "SPEC",
            description = "Cluster spec, YAML or JSON (.json): the POST /v1/clusters body; fields left out take the API's defaults.")
    Path file;

    @Option(names = "--templates", paramLabel = "DIR", defaultValue = "job-templates", description = "Job template directory (default: ${DEFAULT-VALUE}).")
    Path templates;

    @Option(names = "--vars", paramLabel = "FILE",
            description = {"Variable file, Levant-style; repeat it: a later file overrides the keys of earlier ones (maps merge key by key).",
                    "Default: the spec environment's file, DIR/vars/<environment>.yaml."})
    List<Path> vars = new ArrayList<>();

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "Catalog definition (the /v1/catalogs body, or a GET /v1/catalogs listing), YAML or JSON; repeat it for each file.")
    List<Path> catalogs = new ArrayList<>();

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Non-secret SSM parameter of the cluster, read by templates as params[KEY]; repeatable.")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--secret", paramLabel = "KEY",
            description = "Secret SSM parameter <ssm-prefix>/<cluster>/KEY the templates read as secrets[KEY]: only its name is needed, it renders as a Nomad Variable lookup; repeatable.")
    List<String> secrets = new ArrayList<>();

    @Option(names = "--ssm-prefix", paramLabel = "PREFIX", description = "SSM prefix of the cluster's parameters (default: ${DEFAULT-VALUE}).")
    String ssmPrefix = AwsConfig.DEFAULTS.ssmPrefix();

    @Option(names = "--coordinator-port", paramLabel = "PORT",
            description = "Coordinator port, for variable files with static discovery (vars/local.yaml); the service picks one when it creates the cluster.")
    Integer coordinatorPort;

    @Option(names = "--deployed-by", paramLabel = "NAME",
            description = "Who the job Meta says deployed it (the service records the requester's token name; default: the local user, ${DEFAULT-VALUE}).")
    String deployedBy = System.getProperty("user.name", "unknown");

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the job here instead of stdout.")
    Path output;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Override
    public Integer call()
    {
        return Console.run(spec, () -> {
            String job = ClusterJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(render()) + "\n";
            if (output == null) {
                spec.commandLine().getOut().print(job);
            }
            else {
                try {
                    Files.writeString(output, job, UTF_8);
                }
                catch (IOException e) {
                    throw CliException.failed("cannot write --output " + output + ": " + e);
                }
            }
            return 0;
        });
    }

    private ObjectNode render()
    {
        ObjectNode document = Documents.spec(file);
        if (!document.hasNonNull("name")) {
            throw invalid("spec file " + file + " is invalid", List.of(new FieldError("/name", "name is required: a DNS label such as adhoc-1")), List.of());
        }
        ClusterSpec cluster = input("spec file " + file + " is invalid", () -> ClusterDocuments.create(document));
        List<CatalogDefinition> definitions = catalogDefinitions();
        Set<String> known = new TreeSet<>();
        definitions.forEach(catalog -> known.add(catalog.name()));

        List<ClusterSpecValidator.Problem> problems = ClusterSpecValidator.problems(cluster, known);
        if (!problems.isEmpty()) {
            List<String> hints = problems.stream().anyMatch(problem -> problem.field().startsWith("/catalogs/") && problem.message().contains("does not exist"))
                    ? List.of("offline, the known catalogs are the ones given with --catalog FILE")
                    : List.of();
            throw invalid("spec file " + file + " is invalid: " + problems.size() + (problems.size() == 1 ? " problem" : " problems"),
                    problems.stream().map(problem -> new FieldError(problem.field(), problem.message())).toList(), hints);
        }

        if (coordinatorPort != null && (coordinatorPort < 1 || coordinatorPort > 65535)) {
            throw CliException.badInput("--coordinator-port " + coordinatorPort + " is not a port: use 1 to 65535");
        }
        if (!Files.isDirectory(templates)) {
            throw CliException.badInput("--templates " + templates + " is not a directory: point it at the job templates (job-templates/ in the repository)");
        }
        JobRenderer renderer = new JobRenderer(templates);
        List<CatalogDefinition> attached = definitions.stream().filter(catalog -> cluster.catalogs().contains(catalog.name())).toList();
        RenderInputs inputs = new RenderInputs(attached, configParameters(), secretParameters(cluster, attached), Version.current(), deployedBy, System.getenv(),
                Optional.ofNullable(coordinatorPort));
        RenderedJob rendered;
        try {
            rendered = vars.isEmpty() ? renderer.render(cluster, inputs) : renderer.render(cluster, inputs, vars);
        }
        catch (InvalidInputException e) {
            List<String> hints = e.getMessage().contains("'coordinatorPort' is undefined")
                    ? List.of("the variable files use static discovery: pass the coordinator's port with --coordinator-port PORT")
                    : List.of();
            throw e.fieldErrors().isEmpty()
                    ? new CliException(CliException.BAD_INPUT, "cannot render " + file + ": " + e.getMessage(), List.of(), hints)
                    : invalid("cannot render " + file, e.fieldErrors(), hints);
        }
        return rendered.masked();
    }

    private List<CatalogDefinition> catalogDefinitions()
    {
        Map<String, CatalogDefinition> byName = new LinkedHashMap<>();
        for (Path catalogFile : catalogs) {
            for (ObjectNode document : Documents.catalogs(catalogFile)) {
                String what = "catalog file " + catalogFile + " is invalid";
                CatalogDefinition catalog = input(what, () -> ClusterDocuments.catalog(document, Optional.empty()));
                input(what + " (catalog " + catalog.name() + ")", () -> {
                    CatalogValidator.validate(catalog, ssmPrefix);
                    return catalog;
                });
                if (byName.put(catalog.name(), catalog) != null) {
                    throw CliException.badInput("catalog " + catalog.name() + " is defined twice (again in " + catalogFile + "): give each catalog once");
                }
            }
        }
        return List.copyOf(byName.values());
    }

    private List<ConfigParameter> configParameters()
    {
        List<ConfigParameter> parameters = new ArrayList<>();
        params.forEach((key, value) -> parameters.add(new ConfigParameter(key, value, UNKNOWN_SSM_VERSION)));
        return parameters;
    }

    /** As the service names them: the cluster's secrets by key below its SSM path, and every SSM parameter an attached catalog refers to. */
    private List<SecretParameter> secretParameters(ClusterSpec cluster, List<CatalogDefinition> attached)
    {
        List<SecretParameter> parameters = new ArrayList<>();
        for (String key : new LinkedHashSet<>(secrets)) {
            parameters.add(new SecretParameter(key, ssmPrefix + "/" + cluster.name() + "/" + key, UNKNOWN_SSM_VERSION));
        }
        Map<String, String> references = new HashMap<>();
        attached.forEach(catalog -> catalog.secretProperties().values().forEach(reference -> {
            String path = CatalogDefinition.ssmPath(reference);
            references.putIfAbsent(path, "catalog_" + Integer.toHexString(path.hashCode()));
        }));
        references.forEach((path, key) -> parameters.add(new SecretParameter(key, path, UNKNOWN_SSM_VERSION)));
        return parameters;
    }

    private static <T> T input(String what, Supplier<T> parse)
    {
        try {
            return parse.get();
        }
        catch (InvalidInputException e) {
            throw invalid(what, e);
        }
    }

    private static CliException invalid(String what, InvalidInputException e)
    {
        return e.fieldErrors().isEmpty()
                ? CliException.badInput(what + ": " + e.getMessage())
                : invalid(what, e.fieldErrors(), List.of());
    }

    private static CliException invalid(String message, List<FieldError> errors, List<String> hints)
    {
        return new CliException(CliException.BAD_INPUT, message, errors, hints);
    }
}
