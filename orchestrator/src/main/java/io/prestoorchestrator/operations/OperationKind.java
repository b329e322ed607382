package io.prestoorchestrator.operations;

import io.prestoorchestrator.cluster.Operation;

import java.util.Arrays;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What an {@link Operation} does. The stored name ({@link #storedName()}) is what operations carry
 * in Consul KV and in the API ({@code kind}), and what the event types start with
 * ({@code resize-requested}, {@code restart-failed}): never rename one. A new kind is one constant
 * here and one workflow that runs it.
 */
public enum OperationKind
{
    /** A new cluster: render, register, wait until Trino serves and Traefik routes it. */
    CREATE("create"),
    /** A new spec on a running cluster: registered in place, or workers first then the coordinator when Nomad's plan replaces allocations. */
    UPDATE("update"),
    /** A new spec on a stopped cluster: stored only; {@code start} deploys it. */
    UPDATE_SPEC("update-spec"),
    /** Only the worker count changed: Nomad's scale API; a scale-in drains the workers Nomad stops first. */
    RESIZE("resize"),
    /** A stopped cluster deployed again from its spec. */
    START("start"),
    /** Every allocation replaced (workers first, then the coordinator) by a new Meta stamp. */
    RESTART("restart"),
    /** The job deregistered; the spec kept. */
    STOP("stop"),
    /** The job deregistered, its variables and every stored record of the cluster removed. */
    DELETE("delete");

    private final String storedName;

    OperationKind(String storedName)
    {
        this.storedName = requireNonNull(storedName, "storedName is null");
    }

    /** The name stored with the operation and shown in the API and in event types. */
    public String storedName()
    {
        return storedName;
    }

    /** The kind of a stored name; empty for a name this orchestrator version does not know (one a newer version stored). */
    public static Optional<OperationKind> of(String storedName)
    {
        return Arrays.stream(values()).filter(kind -> kind.storedName.equals(storedName)).findFirst();
    }

    /** The kind of a stored operation; empty when this version does not know it. */
    public static Optional<OperationKind> of(Operation operation)
    {
        return of(operation.kind());
    }

    /** Whether {@code operation} is of this kind. */
    public boolean is(Operation operation)
    {
        return storedName.equals(operation.kind());
    }
}
