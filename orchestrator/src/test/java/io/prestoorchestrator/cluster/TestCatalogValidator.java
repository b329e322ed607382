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
    @Test
    void testValid()
    {
        assertThatCode(() -> CatalogValidator.validate(new CatalogDefinition("hive", "hive", Map.of("hive.metastore.uri", "thrift://m:9083"),
                Map.of("hive.metastore.password", "ssm:/presto-orchestrator/catalogs/hive/password")))).doesNotThrowAnyException();
    }

    @Test
    void testSecretValueInsteadOfReferenceIsRefusedWithoutEchoingIt()
    {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> CatalogValidator.validate(new CatalogDefinition("pg", "postgresql",
                Map.of("connection-password", "plain-Secret-1"), Map.of("connection-user", "hunter2-value"))));
        assertThat(e.semantic()).isFalse();
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/secretProperties/connection-user", "/properties/connection-password");
        assertThat(e.fieldErrors().toString()).doesNotContain("plain-Secret-1").doesNotContain("hunter2-value");
        assertThat(e.fieldErrors().get(1).message()).contains("move it to /secretProperties as an SSM reference");
    }

    @Test
    void testNames()
    {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> CatalogValidator.validate(new CatalogDefinition("Bad-Name", "Hive!", Map.of(), Map.of())));
        assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly("/name", "/connectorName");
    }
}
