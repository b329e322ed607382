package io.prestoorchestrator.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract declares the errors its operations answer (issue 20, finding 5): 401 where a token
 * is needed, 403 where a viewer's is not enough, 400 where parameters or a body are validated, 413
 * where a body is read, 404 where a path names something, each as application/problem+json.
 */
class TestContractResponses
{
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @Test
    void testEveryOperationDeclaresTheErrorsItAnswers()
            throws Exception
    {
        JsonNode contract = new ObjectMapper(new YAMLFactory()).readTree(Orchestrator.contractText());
        List<String> missing = new ArrayList<>();
        int operations = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = contract.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> entries = path.getValue().fields(); entries.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = entries.next();
                if (!METHODS.contains(entry.getKey())) {
                    continue;
                }
                operations++;
                JsonNode operation = entry.getValue();
                String method = entry.getKey();
                Set<String> expected = new TreeSet<>();
                JsonNode security = operation.has("security") ? operation.get("security") : contract.get("security");
                boolean secured = security != null && !security.isEmpty();
                if (secured) {
                    expected.add("401");
                    String role = operation.path("x-required-role").asText(method.equals("get") ? "viewer" : "admin");
                    if (role.equals("admin")) {
                        expected.add("403");
                    }
                }
                boolean body = operation.has("requestBody") || Set.of("post", "put", "patch").contains(method);
                if (body) {
                    expected.add("400");
                    expected.add("413");
                }
                if (operation.has("parameters") || path.getValue().has("parameters")) {
                    expected.add("400");
                }
                if (path.getKey().contains("{")) {
                    expected.add("404");
                }
                JsonNode responses = operation.get("responses");
                for (String status : expected) {
                    if (!responses.has(status)) {
                        missing.add(method.toUpperCase() + " " + path.getKey() + " (" + operation.path("operationId").asText() + ") does not declare " + status);
                    }
                }
                for (Iterator<Map.Entry<String, JsonNode>> declared = responses.fields(); declared.hasNext(); ) {
                    Map.Entry<String, JsonNode> response = declared.next();
                    // readiness answers its 503 with the health report naming each dependency down, by design
                    boolean healthReport = operation.path("operationId").asText().equals("readiness") && response.getKey().equals("503");
                    if (response.getKey().compareTo("400") >= 0 && !healthReport && !problemJson(contract, response.getValue())) {
                        missing.add(method.toUpperCase() + " " + path.getKey() + " declares " + response.getKey() + " without application/problem+json");
                    }
                }
            }
        }
        assertThat(operations).isGreaterThan(25);
        assertThat(missing).isEmpty();
    }

    private static boolean problemJson(JsonNode contract, JsonNode response)
    {
        JsonNode resolved = response;
        if (response.has("$ref")) {
            String name = response.get("$ref").asText().replaceFirst("^#/components/responses/", "");
            resolved = contract.path("components").path("responses").path(name);
        }
        return resolved.path("content").has("application/problem+json");
    }
}
