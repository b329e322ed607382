package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

import static java.util.stream.Collectors.joining;

/** Which engine a cluster runs. Written in lower case in the API ({@code trino}, {@code prestodb}). */
public enum Flavour
{
    TRINO("trinodb/trino"),
    PRESTODB("prestodb/presto");

    private final String defaultImageRepository;

    Flavour(String defaultImageRepository)
    {
        this.defaultImageRepository = defaultImageRepository;
    }

    /** What this engine differs in: configuration, catalogs, readiness, signal, drain. */
    public FlavourProfile profile()
    {
        return switch (this) {
            case TRINO -> FlavourProfile.TRINO;
            case PRESTODB -> FlavourProfile.PRESTODB;
        };
    }

    /** The Docker image repository used when the spec names no image. */
    public String defaultImageRepository()
    {
        return defaultImageRepository;
    }

    @JsonValue
    public String jsonName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Flavour fromJson(String value)
    {
        for (Flavour flavour : values()) {
            if (flavour.jsonName().equals(value)) {
                return flavour;
            }
        }
        throw new IllegalArgumentException("unknown flavour '" + value + "', expected one of "
                + Arrays.stream(values()).map(Flavour::jsonName).collect(joining(", ")));
    }
}
