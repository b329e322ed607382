package io.prestoorchestrator.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

import static java.util.stream.Collectors.joining;

/**
 * How a change that needs new Trino processes (a restart, a new version, coordinator or JVM
 * config) reaches a running cluster. Written in the API as {@code blue-green} or {@code in-place}.
 */
public enum Rollout
{
    /**
     * A new coordinator and the workers its readiness gate needs start beside the old ones; new
     * queries switch to them in one Traefik KV write while queries already running finish on the
     * old coordinator through its pinned host; then the old side stops. No query is lost.
     */
    BLUE_GREEN,
    /**
     * The workers are replaced one at a time (each drains), then the coordinator restarts in place:
     * queries running on the coordinator fail and its URL answers 404 while it restarts. Kept as the
     * control, and for clusters that cannot afford a second coordinator for a moment.
     */
    IN_PLACE;

    @JsonValue
    public String jsonName()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static Rollout fromJson(String value)
    {
        for (Rollout rollout : values()) {
            if (rollout.jsonName().equals(value)) {
                return rollout;
            }
        }
        throw new IllegalArgumentException("unknown rollout '" + value + "', expected one of "
                + Arrays.stream(values()).map(Rollout::jsonName).collect(joining(", ")));
    }
}
