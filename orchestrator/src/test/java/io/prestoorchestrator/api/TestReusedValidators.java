package io.prestoorchestrator.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TestReusedValidators
{
    private static Vertx vertx;
    private static OpenAPIContract contract;

    @BeforeAll
    static void load()
            throws Exception
    {
        vertx = Vertx.vertx();
        contract = TestProblemHandler.testContract(vertx);
    }

    @AfterAll
    static void stop()
            throws Exception
    {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void testOneValidatorPerParameterAndBodySchema()
    {
        SchemaRepository reused = ReusedValidators.of(contract).getSchemaRepository();
        JsonSchema limit = contract.operation("getThing").getParameters().stream().filter(parameter -> parameter.getName().equals("limit")).findFirst().orElseThrow().getSchema();
        JsonSchema body = contract.operation("createThing").getRequestBody().getContent().get("application/json").getSchema();

        assertThat(reused.validator(limit)).isSameAs(reused.validator(limit));
        assertThat(reused.validator(body)).isSameAs(reused.validator(body));
        assertThat(reused.validator(limit)).isNotSameAs(reused.validator(body));
        // what the contract's own repository does on every request, and what this saves
        assertThat(contract.getSchemaRepository().validator(limit)).isNotSameAs(contract.getSchemaRepository().validator(limit));
    }

    @Test
    void testTheReusedValidatorsCheckWhatTheContractSays()
    {
        SchemaRepository reused = ReusedValidators.of(contract).getSchemaRepository();
        JsonSchema limit = contract.operation("getThing").getParameters().stream().filter(parameter -> parameter.getName().equals("limit")).findFirst().orElseThrow().getSchema();
        JsonSchema body = contract.operation("createThing").getRequestBody().getContent().get("application/json").getSchema();

        assertThat(reused.validator(limit).validate(5).getValid()).isTrue();
        assertThat(reused.validator(limit).validate(0).getValid()).isFalse();
        assertThat(reused.validator(body).validate(new JsonObject().put("name", "adhoc").put("count", 3)).getValid()).isTrue();
        OutputUnit tooMany = reused.validator(body).validate(new JsonObject().put("name", "adhoc").put("count", 11));
        assertThat(tooMany.getValid()).isFalse();
        assertThat(reused.validator(body).validate(new JsonObject().put("name", "Ad_Hoc!").put("count", 3)).getValid()).isFalse();
    }

    @Test
    void testEverythingElseIsTheContracts()
    {
        OpenAPIContract reused = ReusedValidators.of(contract);
        assertThat(reused.operations()).isEqualTo(contract.operations());
        assertThat(reused.operation("getThing")).isSameAs(contract.operation("getThing"));
        assertThat(reused.getRawContract()).isSameAs(contract.getRawContract());
        assertThat(reused.getVersion()).isEqualTo(contract.getVersion());
        assertThat(reused.getPaths()).isEqualTo(contract.getPaths());
        Operation found = reused.findOperation("/things/adhoc", io.vertx.core.http.HttpMethod.GET);
        assertThat(found).isSameAs(contract.operation("getThing"));
    }
}
