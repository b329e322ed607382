package io.prestoorchestrator.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.render.SystemJobRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code render-system}: the production system jobs as Nomad job JSON, for {@code nomad job run -json}. */
@Command(name = "render-system",
        mixinStandardHelpOptions = true,
        description = {
                "Render production system jobs (job-templates/system/<name>.json.ftl: traefik, nomad-autoscaler, prometheus, presto-orchestrator)",
                "as Nomad job JSON for `nomad job run -json`. Fails naming the template and variable on an undefined value."})
final class RenderSystemJobs
        implements Callable<Integer>
{
    static final int RENDER_ERROR = 3;

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Option(names = {"-t", "--templates"}, defaultValue = "job-templates", description = "job template directory (default: ${DEFAULT-VALUE})")
    Path templates;

    @Option(names = {"-f", "--vars"}, required = true, description = "variable file, e.g. job-templates/system/vars/prod.yaml")
    Path vars;

    @Option(names = {"-o", "--output-dir"}, description = "write <name>.json here (required for more than one job); default: print the one job")
    Path outputDir;

    @Option(names = "--file", paramLabel = "TEMPLATE", description = "render one task file instead of jobs, as text, e.g. nomad-autoscaler/agent.hcl.ftl (the local stack's agent configuration)")
    String file;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "jobs to render (default: all)")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call()
            throws IOException
    {
        SystemJobRenderer renderer;
        try {
            renderer = new SystemJobRenderer(templates);
        }
        catch (IllegalArgumentException e) {
            System.err.println("presto-orchestrator: " + e.getMessage());
            return RENDER_ERROR;
        }
        if (file != null) {
            try {
                String text = renderer.renderFile(file, vars, System.getenv());
                if (outputDir == null) {
                    System.out.print(text);
                }
                else {
                    Files.createDirectories(outputDir);
                    Path target = outputDir.resolve(Path.of(file).getFileName().toString().replaceFirst("\\.ftl$", ""));
                    Files.writeString(target, text);
                    System.out.println(target);
                }
                return 0;
            }
            catch (InvalidInputException e) {
                System.err.println("presto-orchestrator: " + file + ": " + e.getMessage());
                return RENDER_ERROR;
            }
        }
        List<String> jobs = names.isEmpty() ? renderer.jobNames() : names;
        if (jobs.isEmpty()) {
            System.err.println("presto-orchestrator: no system job templates in " + templates.resolve(SystemJobRenderer.DIRECTORY));
            return RENDER_ERROR;
        }
        if (outputDir == null && jobs.size() != 1) {
            System.err.println("presto-orchestrator: " + jobs.size() + " jobs to render: name one, or give --output-dir");
            return RENDER_ERROR;
        }
        Map<String, String> environment = System.getenv();
        List<ObjectNode> rendered = new ArrayList<>();
        for (String name : jobs) {
            try {
                rendered.add(renderer.render(name, vars, environment));
            }
            catch (InvalidInputException e) {
                System.err.println("presto-orchestrator: " + name + ": " + e.getMessage());
                return RENDER_ERROR;
            }
        }
        if (outputDir == null) {
            System.out.println(JSON.writeValueAsString(rendered.get(0)));
            return 0;
        }
        Files.createDirectories(outputDir);
        for (int i = 0; i < jobs.size(); i++) {
            Path file = outputDir.resolve(jobs.get(i) + ".json");
            Files.writeString(file, JSON.writeValueAsString(rendered.get(i)) + "\n");
            System.out.println(file);
        }
        return 0;
    }
}
