package io.prestoorchestrator.api;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure of the whole main tree (docs/architecture.md): no package cycles, the pure packages import no transport (Vert.x, Netty, the AWS SDK, HTTP
 * clients), only {@code app/} constructs adapters, and the CLI talks to the service only through its API.
 */
class TestArchitecture
{
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the simulators (test dependencies) are programs of their own
            .withImportOption(location -> !location.contains("/io/prestoorchestrator/sim/"))
            .importPackages("io.prestoorchestrator");

    /** What "transport" is: Vert.x, Netty, the AWS SDK, the JDK's HTTP client, our HTTP helper and the Trino HTTP clients. */
    private static final String[] TRANSPORT = {"io.vertx..", "io.netty..", "software.amazon..", "java.net.http..",
            "io.prestoorchestrator.http..", "io.prestoorchestrator.trino.."};

    /** No package cycles anywhere in the main tree (issue 19: the operations/ split removed the last ones). */
    @Test
    void testNoPackageCycles()
    {
        slices().matching("io.prestoorchestrator.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void testPurePackagesImportNoTransport()
    {
        // the model, rendering, the drain loop and its deadlines, time, errors and the config records decide; they do no I/O of their own
        noClasses().that().resideInAnyPackage("io.prestoorchestrator.cluster", "io.prestoorchestrator.render", "io.prestoorchestrator.drain",
                        "io.prestoorchestrator.time", "io.prestoorchestrator.follow", "io.prestoorchestrator.error", "io.prestoorchestrator.config")
                .should().dependOnClassesThat().resideInAnyPackage(TRANSPORT)
                .check(CLASSES);
    }

    @Test
    void testDecisionsInFeaturePackagesImportNoTransport()
    {
        // autoscaling and lifecycle also hold their adapters and HTTP intake, named here; everything else in them is pure
        // ScaleFront: nomad-autoscaler's Nomad target, an HTTP relay to Nomad; LifecycleEndpoint and LifecycleHooks: POST /v1/lifecycle/events
        Set<String> transportClasses = Set.of("ScaleFront", "LifecycleEndpoint", "LifecycleHooks", "AwsLifecycleActions", "SqsLifecycleConsumer", "NomadHttpNodes");
        noClasses().that().resideInAnyPackage("io.prestoorchestrator.autoscaling", "io.prestoorchestrator.lifecycle")
                .and(describe("are not " + transportClasses + " (or nested in them)", type -> !transportClasses.contains(topLevelSimpleName(type))))
                .should().dependOnClassesThat().resideInAnyPackage(TRANSPORT)
                .check(CLASSES);
    }

    @Test
    void testOnlyAppConstructsAdapters()
    {
        // an adapter is named by its technology (NomadHttpJobs, ConsulKvStore, TrinoHttpWorkers, AwsLifecycleActions, SsmParameterStore,
        // SqsLifecycleConsumer); the CLI, a one-shot client of the API, builds its own HTTP client and is checked apart
        noClasses().that().resideOutsideOfPackages("io.prestoorchestrator.app..", "io.prestoorchestrator.cli..")
                .should().callConstructorWhere(describe("an adapter's constructor, from outside the adapter", (JavaConstructorCall call) ->
                        isAdapter(call.getTargetOwner()) && !call.getOriginOwner().equals(call.getTargetOwner())))
                .orShould().callMethodWhere(describe("DependencyHttp's factories or WebClient.create", (JavaMethodCall call) ->
                        (call.getTargetOwner().getName().equals("io.prestoorchestrator.http.DependencyHttp") && Set.of("nomad", "consul").contains(call.getName()))
                                || (call.getTargetOwner().getName().equals("io.vertx.ext.web.client.WebClient") && call.getName().equals("create"))))
                .check(CLASSES);
    }

    @Test
    void testEverythingThatWaitsWaitsThroughTheScheduler()
    {
        // one Scheduler everywhere something waits (issue 19): Vert.x timers only behind app/VertxScheduler (and the HTTP servers'
        // request-head timeout per connection, set and cancelled on every request, which a Scheduler cannot cancel), the JDK's delayed
        // executor only in Scheduler.onExecutor, for one-shot tools and tests
        noClasses().that(describe("are not app.VertxScheduler or api.HttpServers (or nested in it)", type ->
                        !type.getName().equals("io.prestoorchestrator.app.VertxScheduler") && !type.getName().startsWith("io.prestoorchestrator.api.HttpServers")))
                .should().callMethodWhere(describe("Vertx.setTimer or Vertx.setPeriodic", (JavaMethodCall call) ->
                        call.getTargetOwner().getName().equals("io.vertx.core.Vertx") && Set.of("setTimer", "setPeriodic").contains(call.getName())))
                .check(CLASSES);
        noClasses().that().doNotHaveFullyQualifiedName("io.prestoorchestrator.time.Scheduler")
                .should().callMethodWhere(describe("CompletableFuture.delayedExecutor", (JavaMethodCall call) ->
                        call.getTargetOwner().getName().equals("java.util.concurrent.CompletableFuture") && call.getName().equals("delayedExecutor")))
                .check(CLASSES);
    }

    @Test
    void testAwsSdkClientsAreBuiltOnlyByAwsClients()
    {
        noClasses().that().resideOutsideOfPackage("io.prestoorchestrator.aws..")
                .should().callMethodWhere(describe("an AWS SDK client builder", (JavaMethodCall call) ->
                        call.getTargetOwner().getPackageName().startsWith("software.amazon.awssdk.services.") && call.getName().equals("builder")
                                && call.getTargetOwner().getSimpleName().endsWith("Client")))
                .check(CLASSES);
    }

    private static String topLevelSimpleName(JavaClass type)
    {
        String name = type.getName().substring(type.getPackageName().length() + 1);
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    private static boolean isAdapter(JavaClass type)
    {
        // not the config records of the same systems (NomadConfig, ConsulConfig, AwsConfig)
        return type.getPackageName().startsWith("io.prestoorchestrator.") && !type.getPackageName().equals("io.prestoorchestrator.config")
                && type.getSimpleName().matches("(NomadHttp|Consul|TrinoHttp|Aws|Ssm|Sqs)[A-Z]\\w*");
    }

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
