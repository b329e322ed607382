package io.prestoorchestrator.health;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /health/ready}: a deep check that probes every configured dependency in parallel and
 * answers 503 naming each one that is down. A change of a dependency's state is logged once.
 */
public final class ReadinessHandler
{
    private static final Logger log = LoggerFactory.getLogger(ReadinessHandler.class);

    private final Map<String, Boolean> lastUp = new ConcurrentHashMap<>();
    private final HealthCheckHandler handler;

    public ReadinessHandler(Vertx vertx, List<DependencyCheck> checks, Duration timeout)
    {
        requireNonNull(vertx, "vertx is null");
        requireNonNull(checks, "checks is null");
        requireNonNull(timeout, "timeout is null");
        HealthChecks healthChecks = HealthChecks.create(vertx);
        for (DependencyCheck check : checks) {
            healthChecks.register(check.name(), timeout.toMillis(), promise -> check.check()
                    .onSuccess(data -> {
                        record(check.name(), true, null);
                        promise.complete(Status.OK(data));
                    })
                    .onFailure(failure -> {
                        String reason = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
                        record(check.name(), false, reason);
                        promise.complete(Status.KO(new JsonObject().put("error", reason)));
                    }));
        }
        this.handler = HealthCheckHandler.createWithHealthChecks(healthChecks);
    }

    public Handler<RoutingContext> handler()
    {
        return handler;
    }

    private void record(String name, boolean up, String reason)
    {
        Boolean previous = lastUp.put(name, up);
        if (previous == null || previous != up) {
            if (up) {
                log.atInfo().addKeyValue("dependency", name).log("Dependency is up");
            }
            else {
                log.atWarn().addKeyValue("dependency", name).addKeyValue("reason", reason).log("Dependency is down");
            }
        }
    }
}
