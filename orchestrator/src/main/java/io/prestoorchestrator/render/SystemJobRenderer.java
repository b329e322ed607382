package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.error.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Renders the production system and service jobs in {@code job-templates/system/} (Traefik,
 * nomad-autoscaler, Prometheus, the orchestrator itself) with the cluster job's strict Freemarker
 * set-up ({@link JobRenderer}): square-bracket syntax, undefined values fail naming the expression,
 * the output must be one Nomad job whose {@code ID} is the job's name.
 *
 * <p>Job {@code <name>} is {@code system/<name>.json.ftl}. Its data model: {@code vars} (the given
 * variable file, with {@code ${env:NAME}} / {@code ${env:NAME:-default}} resolved from the given
 * environment), {@code jobId}, {@code nomadVarPath} (the job's Nomad Variable, which its tasks may
 * read through their workload identity: where ACL tokens come from) and {@code provenance} (the
 * job's Meta entries).
 */
public final class SystemJobRenderer
{
    public static final String DIRECTORY = "system";
    private static final String SUFFIX = ".json.ftl";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern FILE = Pattern.compile("[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9.-]*\\.ftl");

    private final JobRenderer renderer;

    public SystemJobRenderer(Path templateDir)
    {
        this.renderer = new JobRenderer(requireNonNull(templateDir, "templateDir is null"));
    }

    /** The production variable files shipped with the templates: {@code system/vars/<environment>.yaml}. */
    public Path variableFile(String environment)
    {
        return renderer.templateDir().resolve(DIRECTORY).resolve("vars").resolve(environment + ".yaml");
    }

    /** Names of the system jobs: one per {@code system/<name>.json.ftl}, sorted. */
    public List<String> jobNames()
    {
        Path directory = renderer.templateDir().resolve(DIRECTORY);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(file -> file.endsWith(SUFFIX))
                    .map(file -> file.substring(0, file.length() - SUFFIX.length()))
                    .sorted()
                    .toList();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Renders system job {@code name} with the variables of {@code variableFile}.
     *
     * @param environment the environment {@code ${env:...}} references in the variable file resolve from
     * @return the job as {@code {"Job":{...}}}, the body of Nomad's {@code /v1/jobs}
     * @throws InvalidInputException naming the template, line and expression, or the variable file and key
     */
    public ObjectNode render(String name, Path variableFile, Map<String, String> environment)
    {
        requireNonNull(name, "name is null");
        requireNonNull(variableFile, "variableFile is null");
        requireNonNull(environment, "environment is null");
        List<String> known = jobNames();
        if (!NAME.matcher(name).matches() || !known.contains(name)) {
            throw InvalidInputException.unprocessable("name", "no system job '" + name + "': job-templates/" + DIRECTORY + "/ has " + known);
        }
        String displayName = displayName(variableFile);
        Map<String, Object> vars = VariableFiles.load(variableFile, displayName, displayName, environment);

        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("orchestrator_template_version", renderer.templateVersion());
        provenance.put("orchestrator_variable_file", displayName);

        Map<String, Object> model = new HashMap<>();
        model.put("vars", vars);
        model.put("jobId", name);
        model.put("nomadVarPath", JobRenderer.variablePath(name));
        model.put("provenance", provenance);
        return renderer.renderJob(DIRECTORY + "/" + name + SUFFIX, name, model, displayName);
    }

    /**
     * Renders one task file of the system jobs, e.g. {@code nomad-autoscaler/agent.hcl.ftl}, as text with
     * the variables of {@code variableFile}: what a process run outside Nomad (the local stack's
     * nomad-autoscaler) reads as its configuration, from the same template as the production job.
     *
     * @throws InvalidInputException naming the template, line and expression, or the variable file and key
     */
    public String renderFile(String template, Path variableFile, Map<String, String> environment)
    {
        requireNonNull(template, "template is null");
        requireNonNull(variableFile, "variableFile is null");
        requireNonNull(environment, "environment is null");
        if (!FILE.matcher(template).matches() || !Files.isRegularFile(renderer.templateDir().resolve(DIRECTORY).resolve(template))) {
            throw InvalidInputException.unprocessable("file", "no task file '" + template + "' under job-templates/" + DIRECTORY + "/ (e.g. nomad-autoscaler/agent.hcl.ftl)");
        }
        String displayName = displayName(variableFile);
        Map<String, Object> model = new HashMap<>();
        model.put("vars", VariableFiles.load(variableFile, displayName, displayName, environment));
        return renderer.renderText(DIRECTORY + "/" + template, model, displayName);
    }

    private String displayName(Path variableFile)
    {
        Path file = variableFile.toAbsolutePath().normalize();
        Path templates = renderer.templateDir();
        return (file.startsWith(templates) ? templates.relativize(file) : variableFile).toString().replace('\\', '/');
    }
}
