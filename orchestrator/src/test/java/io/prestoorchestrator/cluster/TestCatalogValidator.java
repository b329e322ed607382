package io.prestoorchestrator.cluster;

import io.prestoorchestrator.error.FieldError;
import io.prestoorchestrator.error.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TestCatalogValidator
{
    private static final String PREFIX = "/presto-orchestrator";

    @Test
    void testValid()
    {
        assertThatCode(() -> CatalogValidator.validate(new CatalogDefinition("hive", "hive", Map.of("hive.metastore.uri", "thrift://m:9083"),
                Map.of("hive.metastore.password", "ssm:/presto-orchestrator/catalogs/hive/password")), PREFIX)).doesNotThrowAnyException();
    }

    @Test
    void testSecretValueInsteadOfReferenceIsRefusedWithoutEchoingIt()
    {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> CatalogValidator.validate(new CatalogDefinition("pg", "postgresql",
                Map.of("connection-password", "plain-Secret-1"), Map.of("connection-user", "hunter2-value")), PREFIX));
        assertThat(e.semantic()).isFalse();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/secretProperties/connection-user", "/properties/connection-password");
        assertThat(e.fieldErrors().toString()).doesNotContain("plain-Secret-1").doesNotContain("hunter2-value");
        assertThat(e.fieldErrors().get(1).message()).contains("move it to /secretProperties as an SSM reference");
    }

    @Test
    void testNames()
    {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> CatalogValidator.validate(new CatalogDefinition("Bad-Name", "Hive!", Map.of(), Map.of()), PREFIX));
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/name", "/connectorName");
    }

    /** A secret reference names a parameter under aws.ssm-prefix, and nothing else (issue 20, finding 5). */
    @Test
    void testSecretReferencesStayUnderTheSsmPrefix()
    {
        InvalidInputException traversal = catchThrowableOfType(InvalidInputException.class, () -> CatalogValidator.validate(new CatalogDefinition("pg", "postgresql", Map.of(),
                Map.of("connection-password", "ssm:/../../x", "connection-user", "ssm:/presto-orchestrator/catalogs/../../other/user")), PREFIX));
        assertThat(traversal.semantic()).isFalse();
        assertThat(traversal.fieldErrors()).extracting(FieldError::field).containsExactly("/secretProperties/connection-password", "/secretProperties/connection-user");
        assertThat(traversal.fieldErrors().get(0).message()).contains("'..'").contains("ssm:/presto-orchestrator/catalogs/pg/connection-password");

        InvalidInputException outside = catchThrowableOfType(InvalidInputException.class, () -> CatalogValidator.validate(new CatalogDefinition("pg", "postgresql", Map.of(),
                Map.of("connection-password", "ssm:/other-team/db/password")), PREFIX));
        assertThat(outside.semantic()).isTrue();
        assertThat(outside.fieldErrors()).extracting(FieldError::field).containsExactly("/secretProperties/connection-password");
        assertThat(outside.fieldErrors().get(0).message()).contains("under aws.ssm-prefix /presto-orchestrator/").doesNotContain("other-team");

        for (String sneaky : java.util.List.of("ssm:/presto-orchestrator-other/x", "ssm:/presto-orchestrator", "ssm:/presto-orchestrator//x", "ssm:/presto-orchestrator/./x")) {
            assertThat(catchThrowableOfType(InvalidInputException.class, () -> CatalogValidator.validate(new CatalogDefinition("pg", "postgresql", Map.of(),
                    Map.of("connection-password", sneaky)), PREFIX))).as(sneaky).isNotNull();
        }
        assertThatCode(() -> CatalogValidator.validate(new CatalogDefinition("pg", "postgresql", Map.of(), Map.of("connection-password", "ssm:/other-team/db/password")), "/"))
                .as("the root prefix allows every path").doesNotThrowAnyException();
    }
}
