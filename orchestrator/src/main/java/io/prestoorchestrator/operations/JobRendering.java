package io.prestoorchestrator.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.cluster.CatalogDefinition;
import io.prestoorchestrator.cluster.CatalogValidator;
import io.prestoorchestrator.cluster.ClusterRecord;
import io.prestoorchestrator.cluster.ClusterRepository;
import io.prestoorchestrator.config.Secret;
import io.prestoorchestrator.config.ssm.ParameterStore;
import io.prestoorchestrator.error.InvalidInputException;
import io.prestoorchestrator.nomad.NomadJob;
import io.prestoorchestrator.render.JobRenderer;
import io.prestoorchestrator.render.RenderInputs;
import io.prestoorchestrator.render.RenderedJob;
import io.prestoorchestrator.render.SecretParameter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import static java.util.Objects.requireNonNull;

/** The cluster's job rendered from job-templates/, with the secrets its catalogs and SSM parameters refer to. */
final class JobRendering
{
    private final ClusterRepository repository;
    private final JobRenderer renderer;
    private final Optional<ParameterStore> parameters;
    private final String ssmPrefix;
    private final Executor blocking;
    private final Map<String, String> environment;
    private final String version;

    JobRendering(ClusterRepository repository, JobRenderer renderer, Optional<ParameterStore> parameters, String ssmPrefix, Executor blocking, Map<String, String> environment, String version)
    {
        this.repository = requireNonNull(repository, "repository is null");
        this.renderer = requireNonNull(renderer, "renderer is null");
        this.parameters = requireNonNull(parameters, "parameters is null");
        this.ssmPrefix = requireNonNull(ssmPrefix, "ssmPrefix is null");
        this.blocking = requireNonNull(blocking, "blocking is null");
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.version = requireNonNull(version, "version is null");
    }

    /**
     * Whether jobs carry the blue-green update blocks at all: only once {@link BlueGreenWorkflow} runs
     * them ({@link #useCanaries}); without it a canary deployment would wait for a promotion nobody makes.
     */
    private volatile boolean canaryBlocks;

    void useCanaries()
    {
        this.canaryBlocks = true;
    }

    /** The side the job Nomad runs now is on ({@code blue} for a job from before issue 18, or none). */
    static String side(Optional<NomadJob> running)
    {
        return running.flatMap(job -> BlueGreenWorkflow.side(job.spec())).orElse("blue");
    }

    /**
     * Whether a deploy next to {@code running} may render the blue-green update blocks: not when the
     * running job is from before issue 18 (no side), whose first deploy replaces its allocations in place.
     */
    static boolean canaries(Optional<NomadJob> running)
    {
        return running.isEmpty() || BlueGreenWorkflow.side(running.get().spec()).isPresent();
    }

    /** The job as a deploy other than a restart or a blue-green switch would render it next to {@code running}: same side. */
    CompletionStage<RenderedJob> renderLike(ClusterRecord record, String deployedBy, Optional<NomadJob> running)
    {
        return renderWithSecrets(record, deployedBy, side(running), canaries(running)).thenApply(Rendered::job);
    }

    /** A rendered job as a deploy other than a restart would register it, next to the job Nomad runs now. */
    static ObjectNode asDeployedNow(ObjectNode rendered, Optional<NomadJob> running)
    {
        return JobRewrite.deployable(rendered, restartStamp(running));
    }

    /** The restart stamp in a job's Meta, if the job exists and has one. */
    static Optional<String> restartStamp(Optional<NomadJob> job)
    {
        return job.flatMap(found -> JobRewrite.restartStamp(found.spec()));
    }

    record Rendered(RenderedJob job, Map<String, Secret> secrets) {}

    /** @param deployedBy who deploys the job, recorded in its Meta */
    CompletionStage<RenderedJob> render(ClusterRecord record, String deployedBy)
    {
        return renderWithSecrets(record, deployedBy).thenApply(Rendered::job);
    }

    CompletionStage<Rendered> renderWithSecrets(ClusterRecord record, String deployedBy)
    {
        return renderWithSecrets(record, deployedBy, "blue", true);
    }

    /**
     * @param side the side the rendered allocations are on (issue 18)
     * @param canaries whether the blue-green update blocks may be rendered (the spec's rollout decides)
     */
    CompletionStage<Rendered> renderWithSecrets(ClusterRecord record, String deployedBy, String side, boolean canaries)
    {
        boolean withCanaries = canaries && canaryBlocks;
        return repository.catalogs().thenCompose(catalogs -> CompletableFuture.supplyAsync(() -> {
            List<CatalogDefinition> attached = catalogs.stream().filter(catalog -> record.spec().catalogs().contains(catalog.name())).toList();
            Map<String, Secret> values = new HashMap<>();
            List<SecretParameter> secrets = new ArrayList<>();
            Set<String> references = new HashSet<>();
            for (CatalogDefinition catalog : attached) {
                for (Map.Entry<String, String> secret : new TreeMap<>(catalog.secretProperties()).entrySet()) {
                    String path = CatalogDefinition.ssmPath(secret.getValue());
                    if (!CatalogValidator.withinPrefix(path, ssmPrefix)) {
                        // stored before references were confined to the prefix: never read it
                        throw InvalidInputException.unprocessable("/catalogs", "catalog " + catalog.name() + " secret property " + secret.getKey()
                                + " refers to an SSM parameter outside aws.ssm-prefix " + ssmPrefix + "/: update the catalog");
                    }
                    references.add(path);
                }
            }
            if (!references.isEmpty() || parameters.isPresent()) {
                ParameterStore store = parameters.orElseThrow(() -> InvalidInputException.unprocessable("/catalogs",
                        "catalogs " + record.spec().catalogs() + " refer to SSM parameters " + references + " but aws.enabled is false"));
                for (ParameterStore.Parameter parameter : store.byPath(ssmPrefix + "/" + record.name())) {
                    String key = parameter.name().substring(ssmPrefix.length() + record.name().length() + 2);
                    secrets.add(new SecretParameter(key, parameter.name(), parameter.version()));
                    values.put(parameter.name(), parameter.value());
                }
                for (String reference : references) {
                    ParameterStore.Parameter parameter = store.get(reference).orElseThrow(() -> InvalidInputException.unprocessable("/catalogs",
                            "SSM parameter " + reference + " (referred to by a catalog of cluster " + record.name() + ") does not exist: create it or fix the catalog"));
                    secrets.add(new SecretParameter("catalog_" + Integer.toHexString(reference.hashCode()), parameter.name(), parameter.version()));
                    values.put(parameter.name(), parameter.value());
                }
            }
            RenderInputs inputs = new RenderInputs(attached, List.of(), secrets, version, deployedBy, environment, record.coordinatorPort(), side, withCanaries);
            return new Rendered(renderer.render(record.spec(), inputs), Map.copyOf(values));
        }, blocking));
    }
}
