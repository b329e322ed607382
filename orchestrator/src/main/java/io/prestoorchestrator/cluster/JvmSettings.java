package io.prestoorchestrator.cluster;

import static java.util.Objects.requireNonNull;

/**
 * JVM settings shared by the coordinator and the workers.
 *
 * @param heap {@code -Xmx}
 * @param heapHeadroomFraction share of the heap Trino keeps out of query memory
 *         ({@code memory.heap-headroom-per-node}; Trino's default is 0.3)
 */
public record JvmSettings(DataSize heap, double heapHeadroomFraction)
{
    public static final double DEFAULT_HEADROOM_FRACTION = 0.3;

    public JvmSettings
    {
        requireNonNull(heap, "heap is null");
    }

    /** The heap kept out of query memory, rounded up to whole megabytes. */
    public DataSize headroom()
    {
        return DataSize.ofMegabytes((long) Math.ceil(heap.bytes() * heapHeadroomFraction / (1024 * 1024)));
    }
}
