package io.prestoorchestrator.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The domain core and the config records import nothing from Vert.x or the AWS SDK. */
class TestArchitecture
{
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.prestoorchestrator");

    @Test
    void testErrorsAndConfigAreFreeOfTransport()
    {
        noClasses().that().resideInAnyPackage("io.prestoorchestrator.error..", "io.prestoorchestrator.config")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "software.amazon..", "io.netty..")
                .check(CLASSES);
    }

    @Test
    void testDomainCoreIsFreeOfTransport()
    {
        noClasses().that().resideInAnyPackage("io.prestoorchestrator.cluster..", "io.prestoorchestrator.render..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "software.amazon..", "io.netty..")
                .allowEmptyShould(true)
                .check(CLASSES);
    }

    @Test
    void testAdapterInterfacesAndValuesAreFreeOfTransport()
    {
        // the domain core calls these: only the implementations named for their technology may use Vert.x
        noClasses().that().resideInAnyPackage("io.prestoorchestrator.nomad..", "io.prestoorchestrator.discovery..")
                .and().haveSimpleNameNotStartingWith("NomadHttp")
                .and().haveSimpleNameNotStartingWith("Consul")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..")
                .check(CLASSES);
    }

    @Test
    void testAdaptersAreBuiltOnlyInApp()
    {
        noClasses().that().resideOutsideOfPackage("io.prestoorchestrator.app..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.prestoorchestrator.aws.AwsClients")
                .andShould().resideOutsideOfPackage("io.prestoorchestrator.aws..")
                .check(CLASSES);
    }
}
