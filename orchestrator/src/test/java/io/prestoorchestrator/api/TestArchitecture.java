package io.prestoorchestrator.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The domain core and the config records import nothing from Vert.x or the AWS SDK; the CLI talks to the service only through its API. */
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
    void testCliUsesTheApiAndTheDomainCoreOnly()
    {
        // one-shot commands: java.net.http against the REST API, the domain core for the offline render
        noClasses().that().resideInAPackage("io.prestoorchestrator.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "software.amazon..",
                        "io.prestoorchestrator.api..", "io.prestoorchestrator.nomad..", "io.prestoorchestrator.discovery..", "io.prestoorchestrator.http..",
                        "io.prestoorchestrator.health..", "io.prestoorchestrator.trino..", "io.prestoorchestrator.aws..", "io.prestoorchestrator.config.ssm..")
                .check(CLASSES);
    }

    @Test
    void testOnlyTheEntryPointUsesTheCli()
    {
        noClasses().that().resideOutsideOfPackages("io.prestoorchestrator.cli..", "io.prestoorchestrator.app..")
                .should().dependOnClassesThat().resideInAPackage("io.prestoorchestrator.cli..")
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

    @Test
    void testTheModelAndTheOperationsAboveItHaveNoCycles()
    {
        // operations/ sits above the model: cluster/ (the model) knows none of render, drain, autoscaling, operations
        JavaClasses core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.prestoorchestrator.cluster", "io.prestoorchestrator.render", "io.prestoorchestrator.drain",
                        "io.prestoorchestrator.autoscaling", "io.prestoorchestrator.operations");
        slices().matching("io.prestoorchestrator.(*)..").namingSlices("$1")
                .should().beFreeOfCycles()
                .check(core);
        noClasses().that().resideInAPackage("io.prestoorchestrator.cluster..")
                .should().dependOnClassesThat().resideInAnyPackage("io.prestoorchestrator.operations..", "io.prestoorchestrator.render..",
                        "io.prestoorchestrator.drain..", "io.prestoorchestrator.autoscaling..", "io.prestoorchestrator.nomad..")
                .check(CLASSES);
    }
}
