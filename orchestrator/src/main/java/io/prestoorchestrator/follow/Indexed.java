package io.prestoorchestrator.follow;

import static java.util.Objects.requireNonNull;

/**
 * An answer to a blocking query (Consul's and Nomad's {@code ?index=&wait=}): the value and the
 * index to hand to the next query ({@code X-Consul-Index}, {@code X-Nomad-Index}); 0 restarts.
 */
public record Indexed<T>(T value, long index)
{
    public Indexed
    {
        requireNonNull(value, "value is null");
        if (index < 0) {
            throw new IllegalArgumentException("index is negative: " + index);
        }
    }
}
