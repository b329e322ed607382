package io.prestoorchestrator.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TestRenderSystemJobs
{
    private static final Path TEMPLATES = Path.of("..", "job-templates").toAbsolutePath().normalize();
    private static final Path PROD = TEMPLATES.resolve("system/vars/prod.yaml");

    @TempDir
    Path temp;

    @Test
    void testWritesEveryJobAsNomadJson()
            throws IOException
    {
        int status = new CommandLine(new Main()).execute("render-system", "--templates", TEMPLATES.toString(), "--vars", PROD.toString(), "--output-dir", temp.toString());
        assertThat(status).isZero();
        List<Path> files;
        try (Stream<Path> list = Files.list(temp)) {
            files = list.sorted().toList();
        }
        assertThat(files).extracting(file -> file.getFileName().toString())
                .containsExactly("nomad-autoscaler.json", "presto-orchestrator.json", "prometheus.json", "traefik.json");
        for (Path file : files) {
            JsonNode job = new ObjectMapper().readTree(file.toFile()).get("Job");
            assertThat(job.get("ID").asText() + ".json").isEqualTo(file.getFileName().toString());
        }
    }

    @Test
    void testFailsWithoutWritingOnABadRender()
            throws IOException
    {
        Path vars = temp.resolve("broken.yaml");
        Files.writeString(vars, Files.readString(PROD).replace("  web_port: 8000\n", ""));
        Path out = temp.resolve("out");
        int status = new CommandLine(new Main()).execute("render-system", "-t", TEMPLATES.toString(), "-f", vars.toString(), "-o", out.toString());
        assertThat(status).isEqualTo(RenderSystemJobs.RENDER_ERROR);
        assertThat(out).doesNotExist();
        assertThat(new CommandLine(new Main()).execute("render-system", "-t", TEMPLATES.toString(), "-f", PROD.toString())).as("several jobs need --output-dir")
                .isEqualTo(RenderSystemJobs.RENDER_ERROR);
    }
}
