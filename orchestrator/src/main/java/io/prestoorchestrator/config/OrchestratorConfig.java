package io.prestoorchestrator.config;

import static java.util.Objects.requireNonNull;

/** The whole configuration: one record per section of the YAML file. */
public record OrchestratorConfig(
        HttpConfig http,
        NomadConfig nomad,
        ConsulConfig consul,
        AwsConfig aws,
        AuthConfig auth,
        LoggingConfig logging,
        ClustersConfig clusters,
        LeaderConfig leader,
        AutoscalingConfig autoscaling,
        LifecycleConfig lifecycle,
        DrainConfig drain)
{
    public static final OrchestratorConfig DEFAULTS = new OrchestratorConfig(
            HttpConfig.DEFAULTS, NomadConfig.DEFAULTS, ConsulConfig.DEFAULTS, AwsConfig.DEFAULTS, AuthConfig.DEFAULTS, LoggingConfig.DEFAULTS, ClustersConfig.DEFAULTS,
            LeaderConfig.DEFAULTS, AutoscalingConfig.DEFAULTS, LifecycleConfig.DEFAULTS, DrainConfig.DEFAULTS);

    public OrchestratorConfig
    {
        requireNonNull(http, "http is null");
        requireNonNull(nomad, "nomad is null");
        requireNonNull(consul, "consul is null");
        requireNonNull(aws, "aws is null");
        requireNonNull(auth, "auth is null");
        requireNonNull(logging, "logging is null");
        requireNonNull(clusters, "clusters is null");
        requireNonNull(leader, "leader is null");
        requireNonNull(autoscaling, "autoscaling is null");
        requireNonNull(lifecycle, "lifecycle is null");
        requireNonNull(drain, "drain is null");
    }

    public OrchestratorConfig withAutoscaling(AutoscalingConfig newAutoscaling)
    {
        return new OrchestratorConfig(http, nomad, consul, aws, auth, logging, clusters, leader, newAutoscaling, lifecycle, drain);
    }

    public OrchestratorConfig withLifecycle(LifecycleConfig newLifecycle)
    {
        return new OrchestratorConfig(http, nomad, consul, aws, auth, logging, clusters, leader, autoscaling, newLifecycle, drain);
    }

    public OrchestratorConfig withDrain(DrainConfig newDrain)
    {
        return new OrchestratorConfig(http, nomad, consul, aws, auth, logging, clusters, leader, autoscaling, lifecycle, newDrain);
    }
}
