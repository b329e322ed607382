package io.prestoorchestrator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prestoorchestrator.cluster.ClusterSpec;
import io.prestoorchestrator.cluster.TestingClusterSpecs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped templates render exactly the golden jobs. After an intended template change,
 * regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class TestJobRendererGolden
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

    private final JobRenderer renderer = new JobRenderer(TestingRenderInputs.TEMPLATES);

    @Test
    void testLocalCluster()
            throws IOException
    {
        assertGolden("local-demo.json", TestingClusterSpecs.local(), TestingRenderInputs.local());
    }

    @Test
    void testProdCluster()
            throws IOException
    {
        assertGolden("prod-adhoc.json", TestingClusterSpecs.prod(), TestingRenderInputs.prod());
    }

    private void assertGolden(String file, ClusterSpec spec, RenderInputs inputs)
            throws IOException
    {
        JsonNode actual = renderer.render(spec, inputs).job();
        Path golden = GOLDEN.resolve(file);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, JSON.writeValueAsString(actual) + "\n", UTF_8);
        }
        JsonNode expected = JSON.readTree(Files.readString(golden, UTF_8));
        assertThat(actual).as("rendered job vs %s (regenerate with -Dgolden.update=true after an intended change)", golden).isEqualTo(expected);
    }
}
