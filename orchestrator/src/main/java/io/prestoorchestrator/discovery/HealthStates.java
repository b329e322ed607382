package io.prestoorchestrator.discovery;

import io.prestoorchestrator.follow.Indexed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import static java.util.Objects.requireNonNull;

/**
 * Every health check Consul knows, node and service checks alike, in one read: a blocking query
 * (issue 23: one health read per cluster per status request does not scale to 1,000 clusters).
 * Index 0 answers at once; otherwise the answer comes once a check changed after {@code index}, or
 * when {@code wait} has passed.
 */
public interface HealthStates
{
    CompletionStage<Indexed<List<CheckState>>> checks(long index, Duration wait);

    /**
     * One check.
     *
     * @param serviceId empty for a node check, which counts for every service instance on its node
     * @param status passing, warning or critical
     */
    record CheckState(String node, String serviceId, String serviceName, String name, String status, String output)
    {
        public CheckState
        {
            requireNonNull(node, "node is null");
            requireNonNull(serviceId, "serviceId is null");
            requireNonNull(serviceName, "serviceName is null");
            requireNonNull(name, "name is null");
            requireNonNull(status, "status is null");
            requireNonNull(output, "output is null");
        }

        public ServiceHealth.Check check()
        {
            return new ServiceHealth.Check(name, status, output);
        }
    }
}
