package io.prestoorchestrator.sim.consul.state;

import java.util.Optional;

/**
 * Health of a check, with Consul's wire names.
 */
public enum CheckStatus
{
    PASSING("passing"),
    WARNING("warning"),
    CRITICAL("critical");

    private final String wireName;

    CheckStatus(String wireName)
    {
        this.wireName = wireName;
    }

    public String wireName()
    {
        return wireName;
    }

    public static Optional<CheckStatus> fromWireName(String name)
    {
        for (CheckStatus status : values()) {
            if (status.wireName.equals(name)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    /**
     * The worst of two statuses, as Consul aggregates them (critical beats warning beats passing).
     */
    public static CheckStatus worst(CheckStatus left, CheckStatus right)
    {
        return left.ordinal() >= right.ordinal() ? left : right;
    }
}
