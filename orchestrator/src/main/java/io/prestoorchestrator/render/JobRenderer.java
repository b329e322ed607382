package io.prestoorchestrator.render;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import freemarker.cache.FileTemplateLoader;
import freemarker.core.InvalidReferenceException;
import freemarker.core.ParseException;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.SimpleObjectWrapper;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateNotFoundException;
import io.prestoorchestrator.catalogs.CatalogStatements;
import io.prestoorchestrator.cluster.Autoscaling;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.JobNames;
import io.prestoorchestrator.cluster.Rollout;
import io.prestoorchestrator.cluster.SpecHash;
import io.prestoorchestrator.config.Durations;
import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * Renders a cluster's Nomad job from the Freemarker templates in a directory read at run time
 * ({@code job-templates/}: operators edit them without a rebuild). Pure: no network, no Vert.x.
 *
 * <p>Freemarker runs strict: an undefined or null value fails the render, exceptions are rethrown
 * (never printed into the output or logged), {@code ?new} can instantiate nothing, {@code ?api} is
 * off, and the data model holds only maps, lists, strings, numbers and booleans (no Java objects).
 * Templates use square-bracket syntax ({@code [#if]}, {@code [=x]}) so that Nomad's
 * {@code ${NOMAD_PORT_http}} and consul-template's {@code {{ ... }}} pass through untouched.
 *
 * <p>Every failure is an {@link InvalidInputException} (422) whose field is
 * {@code job-templates/<template>} and whose message names the template, line, column and the
 * undefined expression, or the output line where the rendered JSON is invalid.
 */
public final class JobRenderer
{
    public static final String JOB_TEMPLATE = "trino-cluster.json.ftl";
    /** One catalog's properties file: a template of the PrestoDB job, an item of a Trino cluster's {@link CatalogBundle}. */
    public static final String CATALOG_TEMPLATE = "trino/catalog.properties.ftl";
    public static final String VERSION_FILE = "VERSION";
    public static final long DEFAULT_UPDATE_DELAY_MILLIS = 2000;
    /**
     * The job Meta key naming who deployed the job. The template pins it in every task's own Meta
     * (which wins over the job's), so a deploy of an unchanged spec by someone else leaves every
     * task's combined Meta, and so every allocation, as it is.
     */
    public static final String DEPLOYED_BY = "orchestrator_deployed_by";
    /** The job Meta key holding the spec's labels, as one JSON object (one key, so that adding a label adds no Meta key). */
    public static final String LABELS = "orchestrator_labels";
    /**
     * The job Meta keys that say where the job came from and reach no Trino process: the template
     * pins each in every task's own Meta (which wins over the job's). Nomad replaces an allocation
     * whose task's combined Meta (job, group, task) changed, so without the pins a change of labels,
     * of the spec's hash (which any change of the scaling policy or min/max changes), of the
     * templates' version or of the orchestrator's version would replace every allocation. Left
     * out on purpose: {@code orchestrator_ssm_versions} (a new secret version must reach Trino,
     * whose task templates do not restart it on a change) and the Trino version.
     */
    public static final List<String> PINNED_META = List.of("orchestrator_cluster", "orchestrator_spec_hash", "orchestrator_template_version",
            "orchestrator_variable_file", "orchestrator_version", DEPLOYED_BY, LABELS);
    /** The value a pinned key has in each task's own Meta. */
    public static final String PINNED_VALUE = "see the job Meta";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();
    private static final Pattern ITEM_UNSAFE = Pattern.compile("[^A-Za-z0-9_]");

    private final Path templateDir;
    private final Configuration freemarker;

    public JobRenderer(Path templateDir)
    {
        this(templateDir, DEFAULT_UPDATE_DELAY_MILLIS);
    }

    /** @param updateDelayMillis how long a parsed template is reused before its file is checked for changes */
    public JobRenderer(Path templateDir, long updateDelayMillis)
    {
        this.templateDir = requireNonNull(templateDir, "templateDir is null").toAbsolutePath().normalize();
        if (!Files.isDirectory(this.templateDir)) {
            throw new IllegalArgumentException("job template directory " + this.templateDir + " does not exist");
        }
        this.freemarker = strictConfiguration(this.templateDir, updateDelayMillis);
    }

    static Configuration strictConfiguration(Path templateDir, long updateDelayMillis)
    {
        Configuration configuration = new Configuration(Configuration.VERSION_2_3_34);
        try {
            configuration.setTemplateLoader(new FileTemplateLoader(templateDir.toFile()));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        configuration.setTagSyntax(Configuration.SQUARE_BRACKET_TAG_SYNTAX);
        configuration.setInterpolationSyntax(Configuration.SQUARE_BRACKET_INTERPOLATION_SYNTAX);
        configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        configuration.setAttemptExceptionReporter((exception, environment) -> {});
        configuration.setLogTemplateExceptions(false);
        configuration.setWrapUncheckedExceptions(true);
        configuration.setFallbackOnNullLoopVariable(false);
        configuration.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER);
        configuration.setAPIBuiltinEnabled(false);
        configuration.setObjectWrapper(new SimpleObjectWrapper(Configuration.VERSION_2_3_34));
        configuration.setDefaultEncoding(UTF_8.name());
        configuration.setLocale(Locale.ROOT);
        configuration.setTimeZone(TimeZone.getTimeZone("UTC"));
        configuration.setNumberFormat("c");
        configuration.setBooleanFormat("c");
        configuration.setLocalizedLookup(false);
        configuration.setTemplateUpdateDelayMilliseconds(updateDelayMillis);
        return configuration;
    }

    /** The Nomad Variable that holds a job's secrets; its tasks' templates read it with {@code nomadVar}. */
    public static String variablePath(String jobId)
    {
        return "nomad/jobs/" + jobId;
    }

    /** The Nomad Variable that holds a Trino cluster's catalog files ({@link CatalogBundle}); its coordinator's tasks read it. */
    public static String catalogVariablePath(String jobId)
    {
        return variablePath(jobId) + "/coordinator";
    }

    public Path templateDir()
    {
        return templateDir;
    }

    /**
     * Renders the cluster's job with the variable file of its environment ({@code vars/<environment>.yaml}).
     * The spec should have passed {@link io.prestoorchestrator.cluster.ClusterSpecValidator}.
     */
    public RenderedJob render(ClusterSpec spec, RenderInputs inputs)
    {
        requireNonNull(spec, "spec is null");
        requireNonNull(inputs, "inputs is null");
        return render(spec, inputs, VariableFiles.load(templateDir, spec.environment(), inputs.environment()), "vars/" + spec.environment() + ".yaml");
    }

    /**
     * Renders the cluster's job with explicit variable files instead of the environment's, Levant-style:
     * a later file overrides the keys of the earlier ones (maps merge key by key). The job meta names
     * the files, relative to the template directory when inside it.
     */
    public RenderedJob render(ClusterSpec spec, RenderInputs inputs, List<Path> variableFiles)
    {
        requireNonNull(spec, "spec is null");
        requireNonNull(inputs, "inputs is null");
        requireNonNull(variableFiles, "variableFiles is null");
        if (variableFiles.isEmpty()) {
            throw new IllegalArgumentException("variableFiles is empty: use render(spec, inputs) for the environment's file");
        }
        Map<String, Object> vars = VariableFiles.load(variableFiles, templateDir, inputs.environment());
        List<String> names = variableFiles.stream().map(file -> VariableFiles.displayName(templateDir, file)).toList();
        return render(spec, inputs, vars, String.join(",", names));
    }

    private RenderedJob render(ClusterSpec spec, RenderInputs inputs, Map<String, Object> fileVars, String variableFileText)
    {
        Map<String, Object> vars = EngineInstalls.forVersion(spec, fileVars, variableFileText);
        String jobId = spec.jobId();
        String variablePath = variablePath(jobId);

        Map<String, String> items = new TreeMap<>();
        Map<String, Long> ssmVersions = new TreeMap<>();
        Map<String, SecretParameter> secretsBySsmName = new HashMap<>();
        for (SecretParameter secret : inputs.secrets()) {
            secretsBySsmName.put(secret.ssmName(), secret);
        }
        java.util.Set<String> catalogReferences = new java.util.HashSet<>();
        inputs.catalogs().stream()
                .filter(catalog -> spec.catalogs().contains(catalog.name()))
                .forEach(catalog -> catalog.secretProperties().values().forEach(reference -> catalogReferences.add(CatalogDefinition.ssmPath(reference))));
        Map<String, String> secretLookups = new TreeMap<>();
        for (SecretParameter secret : inputs.secrets()) {
            if (catalogReferences.contains(secret.ssmName())) {
                continue; // delivered as the catalog's item below
            }
            String item = itemKey("secret_" + secret.key());
            putItem(items, item, secret.ssmName());
            secretLookups.put(secret.key(), lookup(variablePath, item));
            ssmVersions.put(secret.ssmName(), secret.version());
        }
        Map<String, String> params = new TreeMap<>();
        for (ConfigParameter parameter : inputs.config()) {
            params.put(parameter.key(), parameter.value());
            ssmVersions.put(parameter.key(), parameter.version());
        }

        boolean live = spec.flavour().profile().liveCatalogs();
        List<Map<String, String>> catalogSecrets = new ArrayList<>();
        Map<String, Map<String, Object>> catalogFiles = new TreeMap<>();
        Map<String, CatalogDefinition> definitions = new HashMap<>();
        inputs.catalogs().forEach(catalog -> definitions.put(catalog.name(), catalog));
        List<Map<String, Object>> catalogs = new ArrayList<>();
        List<FieldError> missing = new ArrayList<>();
        for (int i = 0; i < spec.catalogs().size(); i++) {
            String name = spec.catalogs().get(i);
            CatalogDefinition definition = definitions.get(name);
            if (definition == null) {
                missing.add(new FieldError("/catalogs/" + i, "catalog '" + name + "' does not exist: create it first, or remove it from the cluster"));
                continue;
            }
            Map<String, String> secretProperties = new TreeMap<>();
            for (Map.Entry<String, String> entry : new TreeMap<>(definition.secretProperties()).entrySet()) {
                String ssmName = CatalogDefinition.ssmPath(entry.getValue());
                SecretParameter secret = secretsBySsmName.get(ssmName);
                if (secret == null) {
                    missing.add(new FieldError("/catalogs/" + i, "catalog '" + name + "' property " + entry.getKey() + " refers to SSM parameter " + ssmName
                            + ", which was not found: create it (a SecureString) or change the catalog"));
                    continue;
                }
                String item = itemKey("catalog_" + name + "_" + entry.getKey());
                putItem(items, item, ssmName);
                secretProperties.put(entry.getKey(), lookup(variablePath, item));
                ssmVersions.put(ssmName, secret.version());
            }
            Map<String, Object> catalog = new LinkedHashMap<>();
            catalog.put("name", name);
            catalog.put("connectorName", definition.connectorName());
            catalog.put("properties", new TreeMap<>(definition.properties()));
            catalog.put("secretProperties", secretProperties);
            catalogs.add(catalog);
            if (live) {
                // the catalog's file refers to each secret by environment variable, never a lookup or value
                Map<String, String> references = new TreeMap<>();
                CatalogStatements.envNames(definition).forEach((key, env) -> {
                    references.put(key, "${ENV:" + env + "}");
                    catalogSecrets.add(Map.of("env", env, "item", itemKey("catalog_" + name + "_" + key)));
                });
                Map<String, Object> file = new LinkedHashMap<>(catalog);
                file.put("secretProperties", references);
                catalogFiles.put(name, file);
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidInputException(missing.get(0).message() + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""), missing, true);
        }

        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("orchestrator_cluster", spec.name());
        provenance.put("orchestrator_spec_hash", SpecHash.of(spec));
        provenance.put("orchestrator_template_version", templateVersion());
        provenance.put("orchestrator_variable_file", variableFileText);
        provenance.put("orchestrator_ssm_versions", ssmVersionsText(ssmVersions));
        provenance.put("orchestrator_version", inputs.orchestratorVersion());
        provenance.put(DEPLOYED_BY, inputs.deployedBy());
        provenance.put(LABELS, labelsText(spec.labels()));

        Map<String, Object> model = new HashMap<>();
        model.put("cluster", clusterModel(spec, jobId, inputs));
        model.put("engine", spec.flavour().profile().templateModel());
        model.put("catalogs", catalogs);
        model.put("vars", vars);
        model.put("params", params);
        model.put("secrets", secretLookups);
        model.put("nomadVarPath", variablePath);
        model.put("catalogVarPath", catalogVariablePath(jobId));
        model.put("catalogSecrets", catalogSecrets);
        model.put("provenance", provenance);
        model.put("deployedByKey", DEPLOYED_BY);
        model.put("pinnedMeta", PINNED_META);
        model.put("pinnedValue", PINNED_VALUE);
        inputs.coordinatorPort().ifPresent(port -> model.put("coordinatorPort", RenderInputs.localCoordinatorPort(port, inputs.side())));

        ObjectNode job = renderJob(JOB_TEMPLATE, jobId, model, "vars/<environment>.yaml");
        List<NomadVariable> variables = items.isEmpty() ? List.of() : List.of(new NomadVariable(variablePath, items));
        Optional<CatalogBundle> bundle = Optional.empty();
        if (live) {
            Map<String, String> files = new TreeMap<>();
            catalogFiles.forEach((name, catalog) -> {
                Map<String, Object> fileModel = new HashMap<>(model);
                fileModel.put("catalog", catalog);
                files.put(name, process(CATALOG_TEMPLATE, fileModel, "vars/<environment>.yaml"));
            });
            bundle = Optional.of(new CatalogBundle(catalogVariablePath(jobId), files));
        }
        return new RenderedJob(jobId, job, variables, provenance, bundle);
    }

    private static Map<String, Object> clusterModel(ClusterSpec spec, String jobId, RenderInputs inputs)
    {
        Map<String, Object> cluster = new HashMap<>();
        cluster.put("side", inputs.side());
        cluster.put("blueGreen", inputs.canaries() && spec.rollout() == Rollout.BLUE_GREEN);
        // the new side starts with the workers its readiness gate needs (at least one), the rest roll after the switch
        cluster.put("canaryWorkers", Math.min(spec.workers().count(), Math.max(1, spec.workers().min())));
        cluster.put("name", spec.name());
        cluster.put("jobId", jobId);
        // the names the code looks the job's groups and services up by (cluster.JobNames)
        cluster.put("names", Map.of(
                "coordinatorGroup", JobNames.COORDINATOR_GROUP,
                "workerGroup", JobNames.WORKER_GROUP,
                "coordinatorService", JobNames.coordinatorService(spec.name()),
                "workerService", JobNames.workerService(spec.name())));
        cluster.put("flavour", spec.flavour().jsonName());
        cluster.put("version", spec.version());
        cluster.put("image", spec.effectiveImage());
        cluster.put("environment", spec.environment());
        cluster.put("coordinator", Map.of("cpuMhz", spec.coordinator().cpuMhz(), "memoryMb", spec.coordinator().memoryMb()));
        cluster.put("workers", Map.of(
                "count", spec.workers().count(),
                "min", spec.workers().min(),
                "max", spec.workers().max(),
                "cpuMhz", spec.workerResources().cpuMhz(),
                "memoryMb", spec.workerResources().memoryMb()));
        cluster.put("jvm", Map.of(
                "heap", spec.jvm().heap().toString(),
                "heapMb", spec.jvm().heap().megabytesRoundedUp(),
                "headroom", spec.jvm().headroom().toString()));
        cluster.put("queryMemory", Map.of(
                "maxPerNode", spec.queryMemory().maxPerNode().toString(),
                "max", spec.queryMemory().max().toString()));
        cluster.put("properties", new TreeMap<>(spec.properties()));
        cluster.put("labels", new TreeMap<>(spec.labels()));
        cluster.put("catalogs", spec.catalogs());
        cluster.put("autoscaling", autoscalingModel(spec.autoscaling()));
        return cluster;
    }

    /** The scaling policy with durations as Go writes them (nomad-autoscaler parses them with time.ParseDuration). */
    private static Map<String, Object> autoscalingModel(Autoscaling autoscaling)
    {
        return Map.of(
                "enabled", autoscaling.enabled(),
                "signal", autoscaling.signal().jsonName(),
                "target", autoscaling.effectiveTarget(),
                "evaluationInterval", goDuration(autoscaling.evaluationInterval()),
                "scaleOutCooldown", goDuration(autoscaling.scaleOutCooldown()),
                "scaleInCooldown", goDuration(autoscaling.scaleInCooldown()),
                "scaleInDelay", goDuration(autoscaling.scaleInDelay()),
                "scaleInDelayMillis", Durations.parse(autoscaling.scaleInDelay()).toMillis());
    }

    private static String goDuration(String text)
    {
        long millis = Durations.parse(text).toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /**
     * Processes one template of this directory and checks that the output is one Nomad job
     * {@code {"Job":{"ID":<jobId>, ...}}}.
     *
     * @param variableFile where {@code vars.*} come from, named in the hint of an undefined-value error
     */
    ObjectNode renderJob(String templateName, String jobId, Map<String, Object> model, String variableFile)
    {
        ObjectNode job = parse(templateName, process(templateName, model, variableFile));
        JsonNode renderedId = job.path("Job").path("ID");
        if (!renderedId.isTextual() || !renderedId.asText().equals(jobId)) {
            throw templateError(templateName, templateName + " must render {\"Job\":{\"ID\":\"" + jobId + "\", ...}}, found ID " + renderedId);
        }
        return job;
    }

    /** Processes one template of this directory into text (a configuration file, not a job). */
    String renderText(String templateName, Map<String, Object> model, String variableFile)
    {
        return process(templateName, model, variableFile);
    }

    private String process(String templateName, Map<String, Object> model, String variableFile)
    {
        StringWriter out = new StringWriter(16 * 1024);
        try {
            Template template = freemarker.getTemplate(templateName);
            template.process(model, out);
        }
        catch (TemplateNotFoundException e) {
            throw templateError(templateName, "template " + templateName + " not found in " + templateDir);
        }
        catch (ParseException e) {
            String name = e.getTemplateName() == null ? templateName : e.getTemplateName();
            throw templateError(name, name + ", line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": syntax error: " + firstLine(e.getEditorMessage()));
        }
        catch (TemplateException e) {
            throw templateError(e, variableFile);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read job templates in " + templateDir, e);
        }
        return out.toString();
    }

    private static InvalidInputException templateError(TemplateException e, String variableFile)
    {
        // a template that failed inside an #include reports the included file
        if (e.getCauseException() instanceof ParseException parse) {
            String name = parse.getTemplateName();
            return templateError(name, name + ", line " + parse.getLineNumber() + ", column " + parse.getColumnNumber() + ": syntax error: " + firstLine(parse.getEditorMessage()));
        }
        if (e.getCauseException() instanceof TemplateNotFoundException notFound) {
            return templateError(e.getTemplateSourceName(), e.getTemplateSourceName() + ", line " + e.getLineNumber() + ", column " + e.getColumnNumber()
                    + ": included template " + notFound.getTemplateName() + " not found");
        }
        String name = e.getTemplateSourceName();
        String where = name + ", line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": ";
        String what;
        if (e instanceof InvalidReferenceException && e.getBlamedExpressionString() != null) {
            what = "'" + e.getBlamedExpressionString() + "' is undefined or null: define it (in " + variableFile + " for vars.*) or give a default with !";
        }
        else {
            what = firstLine(e.getMessageWithoutStackTop());
            if (e.getBlamedExpressionString() != null && !what.contains(e.getBlamedExpressionString())) {
                what = what + " (expression: " + e.getBlamedExpressionString() + ")";
            }
        }
        return templateError(name, where + what);
    }

    private static InvalidInputException templateError(String templateName, String message)
    {
        return new InvalidInputException("job template error: " + message, List.of(new FieldError("job-templates/" + templateName, message)), true);
    }

    private static ObjectNode parse(String templateName, String output)
    {
        try {
            JsonNode node = JSON.readTree(output);
            if (!(node instanceof ObjectNode object) || !(object.get("Job") instanceof ObjectNode)) {
                throw templateError(templateName, templateName + " must render one JSON object {\"Job\":{...}}");
            }
            return object;
        }
        catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            String[] lines = output.split("\n", -1);
            String context = line >= 1 && line <= lines.length ? " near: " + abbreviate(lines[line - 1].strip()) : "";
            throw templateError(templateName, templateName + " rendered invalid JSON at output line " + line + ", column " + column + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse("") + context);
        }
    }

    String templateVersion()
    {
        Path file = templateDir.resolve(VERSION_FILE);
        try {
            return Files.isRegularFile(file) ? Files.readString(file, UTF_8).strip() : "unversioned";
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lookup(String variablePath, String item)
    {
        return "{{ with nomadVar \"" + variablePath + "\" }}{{ ." + item + " }}{{ end }}";
    }

    private static String itemKey(String raw)
    {
        return ITEM_UNSAFE.matcher(raw).replaceAll("_");
    }

    private static void putItem(Map<String, String> items, String item, String ssmName)
    {
        String previous = items.putIfAbsent(item, ssmName);
        if (previous != null && !previous.equals(ssmName)) {
            throw InvalidInputException.unprocessable("/catalogs", "secrets " + previous + " and " + ssmName + " both map to Nomad variable item " + item + ": rename one");
        }
    }

    private static String labelsText(Map<String, String> labels)
    {
        try {
            return JSON.writeValueAsString(new TreeMap<>(labels));
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String ssmVersionsText(Map<String, Long> versions)
    {
        StringBuilder text = new StringBuilder();
        versions.forEach((name, version) -> text.append(text.length() == 0 ? "" : ",").append(name).append('=').append(version));
        return text.toString();
    }

    private static String firstLine(String text)
    {
        return text == null ? "" : text.strip().lines().findFirst().orElse("");
    }

    private static String abbreviate(String text)
    {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
