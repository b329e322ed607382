package io.prestoorchestrator.drain;

import java.net.URI;

import static java.util.Objects.requireNonNull;

/**
 * A Trino worker with the Nomad allocation that runs it.
 *
 * @param allocIndex the allocation's index in its group ({@code job.workers[i]}); Nomad stops the highest first when the count is lowered
 * @param url where the worker's HTTP API answers
 */
public record Worker(String allocId, int allocIndex, String nodeId, URI url)
{
    public Worker
    {
        requireNonNull(allocId, "allocId is null");
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(url, "url is null");
    }

    /** How events name it: {@code workers[2]}. */
    public String label()
    {
        return "workers[" + allocIndex + "]";
    }
}
