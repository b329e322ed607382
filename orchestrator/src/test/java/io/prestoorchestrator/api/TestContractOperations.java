package io.prestoorchestrator.api;

import io.prestoorchestrator.api.ContractOperations.Access;
import io.prestoorchestrator.api.ContractOperations.Caller;
import io.prestoorchestrator.api.ContractOperations.Operation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The access rules ApiFuzzIT judges answers by, read from a contract. */
class TestContractOperations
{
    private static final String SMALL = """
            openapi: 3.1.0
            security:
              - bearerAuth: []
            paths:
              /open:
                get: {operationId: open, security: []}
              /things/{id}:
                parameters: [{name: id, in: path, required: true}]
                get: {operationId: readThing}
                put: {operationId: writeThing, requestBody: {content: {application/json: {}}}}
                post: {operationId: checkThing, x-required-role: viewer}
              /things/{id}/secret:
                get: {operationId: readSecret, x-required-role: admin}
              /things/special:
                get: {operationId: special}
            """;

    @Test
    void testAccessFollowsSecurityThenRoleExtensionThenMethod()
            throws IOException
    {
        Map<String, Operation> operations = byId(ContractOperations.parse(SMALL));

        assertThat(operations).hasSize(6);
        assertThat(operations.get("open").access()).isEqualTo(Access.PUBLIC);
        assertThat(operations.get("readThing").access()).isEqualTo(Access.VIEWER);
        assertThat(operations.get("writeThing").access()).isEqualTo(Access.ADMIN);
        assertThat(operations.get("checkThing").access()).isEqualTo(Access.VIEWER);
        assertThat(operations.get("readSecret").access()).isEqualTo(Access.ADMIN);
        assertThat(operations.get("writeThing").hasBody()).isTrue();
        assertThat(operations.get("readThing").hasBody()).isFalse();
        assertThat(operations.get("readSecret").expand(Map.of("id", "a-1"))).isEqualTo("/things/a-1/secret");
    }

    @Test
    void testRefusesWhatItCannotJudge()
    {
        assertThatThrownBy(() -> ContractOperations.parse(SMALL.replace("x-required-role: admin", "x-required-role: owner")))
                .hasMessageContaining("unknown x-required-role: owner");
        assertThatThrownBy(() -> ContractOperations.parse(SMALL.replace("security:\n  - bearerAuth: []\n", "")))
                .hasMessageContaining("has no security requirement");
    }

    @Test
    void testMatchesLikeTheRouter()
            throws IOException
    {
        ContractOperations contract = ContractOperations.parse(SMALL);

        assertThat(id(contract.match("GET", "/things/a%2Fb"))).isEqualTo("readThing");
        assertThat(id(contract.match("GET", "/things/a/"))).as("one trailing slash is ignored").isEqualTo("readThing");
        assertThat(id(contract.match("GET", "/things/special"))).as("a literal path wins over a template").isEqualTo("special");
        assertThat(id(contract.match("GET", "/things/a/secret/"))).isEqualTo("readSecret");
        assertThat(contract.match("GET", "/things/a/b")).isEmpty();
        assertThat(contract.match("GET", "/things//")).isEmpty();
        assertThat(contract.match("DELETE", "/things/a")).isEmpty();
        assertThat(contract.match("GET", "/open/x")).isEmpty();
    }

    @Test
    void testWhoIsGrantedWhat()
    {
        assertThat(Access.PUBLIC.grants(Caller.NONE)).isTrue();
        assertThat(Access.VIEWER.grants(Caller.NONE)).isFalse();
        assertThat(Access.VIEWER.grants(Caller.VIEWER)).isTrue();
        assertThat(Access.ADMIN.grants(Caller.VIEWER)).isFalse();
        assertThat(Access.ADMIN.grants(Caller.ADMIN)).isTrue();
        assertThat(Access.VIEWER.refusal(Caller.NONE)).isEqualTo(401);
        assertThat(Access.ADMIN.refusal(Caller.NONE)).isEqualTo(401);
        assertThat(Access.ADMIN.refusal(Caller.VIEWER)).isEqualTo(403);
    }

    @Test
    void testTheServicesContract()
            throws IOException
    {
        String yaml;
        try (InputStream in = TestContractOperations.class.getResourceAsStream("/openapi.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Operation> operations = byId(ContractOperations.parse(yaml));

        assertThat(operations.get("liveness").access()).isEqualTo(Access.PUBLIC);
        assertThat(operations.get("postLifecycleEvent").access()).isEqualTo(Access.PUBLIC);
        assertThat(operations.get("getCluster").access()).isEqualTo(Access.VIEWER);
        assertThat(operations.get("planCluster").access()).as("a POST a viewer may call").isEqualTo(Access.VIEWER);
        assertThat(operations.get("getConfig").access()).as("a GET only an admin may call").isEqualTo(Access.ADMIN);
        assertThat(operations.get("deleteCluster").access()).isEqualTo(Access.ADMIN);
        assertThat(operations.values()).extracting(Operation::access).contains(Access.PUBLIC, Access.VIEWER, Access.ADMIN);
    }

    private static Map<String, Operation> byId(ContractOperations contract)
    {
        return contract.operations().stream().collect(Collectors.toMap(Operation::operationId, Function.identity()));
    }

    private static String id(Optional<Operation> operation)
    {
        return operation.map(Operation::operationId).orElse("(none)");
    }
}
