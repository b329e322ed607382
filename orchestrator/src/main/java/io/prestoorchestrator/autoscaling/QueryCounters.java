package io.prestoorchestrator.autoscaling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import static java.util.Objects.requireNonNull;

/**
 * {@code presto_orchestrator_queries_total{cluster,user,state,error_type,error_name}}: ended queries
 * per cluster and user, as Jampp's exporter counted them. {@code state} is finished, failed or
 * cancelled; a failed query carries Trino's error type ({@code USER_ERROR}, {@code INTERNAL_ERROR},
 * {@code INSUFFICIENT_RESOURCES}, {@code EXTERNAL}) and error name ({@code TABLE_NOT_FOUND}, ...);
 * the others carry empty error labels.
 */
public final class QueryCounters
{
    public static final String NAME = "presto_orchestrator.queries";

    private final MeterRegistry registry;

    public QueryCounters(MeterRegistry registry)
    {
        this.registry = requireNonNull(registry, "registry is null");
    }

    public void count(String cluster, QueryInfo query)
    {
        QueryInfo.Outcome outcome = query.outcome().orElseThrow(() -> new IllegalArgumentException("query " + query.queryId() + " has not ended: " + query.state()));
        boolean failed = outcome == QueryInfo.Outcome.FAILED;
        Counter.builder(NAME)
                .description("Queries that ended, per cluster, user and outcome, read from the coordinators' /v1/query")
                .tag("cluster", cluster)
                .tag("user", query.user())
                .tag("state", outcome.label())
                .tag("error_type", failed ? query.errorType().orElse("UNKNOWN") : "")
                .tag("error_name", failed ? query.errorName().orElse("UNKNOWN") : "")
                .register(registry)
                .increment();
    }
}
