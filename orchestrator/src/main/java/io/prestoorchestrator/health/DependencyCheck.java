package io.prestoorchestrator.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** One dependency the readiness check probes. A failed future means the dependency is down. */
public interface DependencyCheck
{
    /** Name shown in {@code /health/ready}, e.g. {@code nomad}, {@code consul}, {@code aws-ssm}. */
    String name();

    /** Probes the dependency; succeeds with details to show, fails with the reason it is down. */
    Future<JsonObject> check();
}
