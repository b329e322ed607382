package io.prestoorchestrator.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What an operator asks for: one Presto/Trino cluster. The constructor only rejects nulls and
 * copies collections; every rule about values lives in {@link ClusterSpecValidator}, which reports
 * all problems at once.
 *
 * @param name DNS-safe label, unique among clusters
 * @param flavour engine
 * @param version engine version, e.g. {@code 476}
 * @param image Docker image; empty means {@code <flavour repository>:<version>}
 * @param environment which variable file ({@code job-templates/vars/<environment>.yaml}) renders the job
 * @param coordinator coordinator task resources
 * @param workers worker count and bounds
 * @param workerResources resources of each worker task
 * @param jvm JVM heap settings (coordinator and workers)
 * @param queryMemory query memory limits
 * @param catalogs names of attached catalogs
 * @param properties {@code config.properties} overrides, checked against the known Trino properties
 * @param allowUnknownProperties accept override keys not on the known list
 * @param labels free-form labels (kept in the job meta, as one JSON object {@code orchestrator_labels})
 * @param autoscaling the worker group's scaling policy (bounds: {@code workers.min..max})
 * @param rollout how a change that needs new Trino processes reaches the running cluster (default blue-green)
 */
public record ClusterSpec(
        String name,
        Flavour flavour,
        String version,
        Optional<String> image,
        String environment,
        Resources coordinator,
        Workers workers,
        Resources workerResources,
        JvmSettings jvm,
        QueryMemory queryMemory,
        List<String> catalogs,
        Map<String, String> properties,
        boolean allowUnknownProperties,
        Map<String, String> labels,
        Autoscaling autoscaling,
        Rollout rollout)
{
    public ClusterSpec
    {
        requireNonNull(name, "name is null");
        requireNonNull(flavour, "flavour is null");
        requireNonNull(version, "version is null");
        requireNonNull(image, "image is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(coordinator, "coordinator is null");
        requireNonNull(workers, "workers is null");
        requireNonNull(workerResources, "workerResources is null");
        requireNonNull(jvm, "jvm is null");
        requireNonNull(queryMemory, "queryMemory is null");
        catalogs = List.copyOf(requireNonNull(catalogs, "catalogs is null"));
        properties = Map.copyOf(requireNonNull(properties, "properties is null"));
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        // specs stored before autoscaling existed have none: they get the defaults (off)
        autoscaling = autoscaling == null ? Autoscaling.DEFAULTS : autoscaling;
        // specs stored before issue 18 have none: blue-green, the rollout that loses no query
        rollout = rollout == null ? Rollout.BLUE_GREEN : rollout;
    }

    /** A spec with the default rollout (blue-green). */
    public ClusterSpec(String name, Flavour flavour, String version, Optional<String> image, String environment, Resources coordinator, Workers workers,
            Resources workerResources, JvmSettings jvm, QueryMemory queryMemory, List<String> catalogs, Map<String, String> properties,
            boolean allowUnknownProperties, Map<String, String> labels, Autoscaling autoscaling)
    {
        this(name, flavour, version, image, environment, coordinator, workers, workerResources, jvm, queryMemory, catalogs, properties,
                allowUnknownProperties, labels, autoscaling, Rollout.BLUE_GREEN);
    }

    /** A spec with the default scaling policy (off). */
    public ClusterSpec(String name, Flavour flavour, String version, Optional<String> image, String environment, Resources coordinator, Workers workers,
            Resources workerResources, JvmSettings jvm, QueryMemory queryMemory, List<String> catalogs, Map<String, String> properties,
            boolean allowUnknownProperties, Map<String, String> labels)
    {
        this(name, flavour, version, image, environment, coordinator, workers, workerResources, jvm, queryMemory, catalogs, properties,
                allowUnknownProperties, labels, Autoscaling.DEFAULTS);
    }

    /** The Docker image to run: the spec's, or {@code <flavour repository>:<version>}. */
    public String effectiveImage()
    {
        return image.orElse(flavour.defaultImageRepository() + ":" + version);
    }

    /** The Nomad job ID of this cluster. */
    public String jobId()
    {
        return jobId(name);
    }

    /** The Nomad job ID of the cluster called {@code name}. */
    public static String jobId(String name)
    {
        return JobNames.jobId(name);
    }

    public ClusterSpec withWorkers(Workers newWorkers)
    {
        return new ClusterSpec(name, flavour, version, image, environment, coordinator, newWorkers, workerResources, jvm, queryMemory,
                catalogs, properties, allowUnknownProperties, labels, autoscaling, rollout);
    }

    public ClusterSpec withAutoscaling(Autoscaling newAutoscaling)
    {
        return new ClusterSpec(name, flavour, version, image, environment, coordinator, workers, workerResources, jvm, queryMemory,
                catalogs, properties, allowUnknownProperties, labels, newAutoscaling, rollout);
    }

    public ClusterSpec withLabels(Map<String, String> newLabels)
    {
        return new ClusterSpec(name, flavour, version, image, environment, coordinator, workers, workerResources, jvm, queryMemory,
                catalogs, properties, allowUnknownProperties, newLabels, autoscaling, rollout);
    }

    public ClusterSpec withProperties(Map<String, String> newProperties)
    {
        return new ClusterSpec(name, flavour, version, image, environment, coordinator, workers, workerResources, jvm, queryMemory,
                catalogs, newProperties, allowUnknownProperties, labels, autoscaling, rollout);
    }

    public ClusterSpec withVersion(String newVersion)
    {
        return new ClusterSpec(name, flavour, newVersion, image, environment, coordinator, workers, workerResources, jvm, queryMemory,
                catalogs, properties, allowUnknownProperties, labels, autoscaling, rollout);
    }

    public ClusterSpec withRollout(Rollout newRollout)
    {
        return new ClusterSpec(name, flavour, version, image, environment, coordinator, workers, workerResources, jvm, queryMemory,
                catalogs, properties, allowUnknownProperties, labels, autoscaling, newRollout);
    }
}
