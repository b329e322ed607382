package io.prestoorchestrator.config;

import java.security.MessageDigest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * A secret value (token, SecureString). Its {@link #toString()} is masked, so a secret that slips
 * into a log line, an exception message or a serialised response shows as {@value #MASK}.
 */
public final class Secret
{
    public static final String MASK = "******";

    private final String value;

    private Secret(String value)
    {
        this.value = requireNonNull(value, "value is null");
        if (value.isBlank()) {
            throw new IllegalArgumentException("secret is blank");
        }
    }

    public static Secret of(String value)
    {
        return new Secret(value);
    }

    /** The raw value: only for the one place that sends it on (a header, a comparison). */
    public String reveal()
    {
        return value;
    }

    /** Constant-time comparison, so response timing does not leak how much of a token matched. */
    public boolean matches(String candidate)
    {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(UTF_8), candidate.getBytes(UTF_8));
    }

    @Override
    public boolean equals(Object o)
    {
        return o instanceof Secret other && MessageDigest.isEqual(value.getBytes(UTF_8), other.value.getBytes(UTF_8));
    }

    @Override
    public int hashCode()
    {
        return value.hashCode();
    }

    @Override
    public String toString()
    {
        return MASK;
    }
}
