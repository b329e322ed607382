package io.prestoorchestrator.nomad;

/** A group's progress in a deployment. */
public record GroupProgress(int desiredTotal, int placedAllocs, int healthyAllocs, int unhealthyAllocs)
{
    public GroupProgress
    {
        if (desiredTotal < 0 || placedAllocs < 0 || healthyAllocs < 0 || unhealthyAllocs < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }
}
