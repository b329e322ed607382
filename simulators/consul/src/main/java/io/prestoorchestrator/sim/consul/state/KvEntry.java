package io.prestoorchestrator.sim.consul.state;

import java.util.Arrays;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One key of the KV store. {@code value} is empty when the key was written with an empty body
 * (Consul renders that as {@code "Value": null}).
 */
public record KvEntry(String key, Optional<byte[]> value, long flags, Optional<String> session, long lockIndex, long createIndex, long modifyIndex)
{
    public KvEntry
    {
        requireNonNull(key, "key is null");
        value = requireNonNull(value, "value is null").map(bytes -> bytes.clone());
        requireNonNull(session, "session is null");
    }

    public Optional<byte[]> value()
    {
        return value.map(bytes -> bytes.clone());
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof KvEntry that
                && key.equals(that.key)
                && Arrays.equals(value.orElse(null), that.value.orElse(null))
                && flags == that.flags
                && session.equals(that.session)
                && lockIndex == that.lockIndex
                && createIndex == that.createIndex
                && modifyIndex == that.modifyIndex;
    }

    @Override
    public int hashCode()
    {
        return key.hashCode() * 31 + Long.hashCode(modifyIndex);
    }

    @Override
    public String toString()
    {
        return "KvEntry[key=" + key + ", flags=" + flags + ", session=" + session + ", lockIndex=" + lockIndex
                + ", createIndex=" + createIndex + ", modifyIndex=" + modifyIndex + "]";
    }
}
