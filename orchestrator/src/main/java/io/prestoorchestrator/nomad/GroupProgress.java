package io.prestoorchestrator.nomad;

/**
 * One task group's progress in a {@link Deployment}.
 *
 * @param desiredCanaries canaries the group's update block asks for (blue-green: the new side); 0 for a rolling update
 * @param placedCanaries canaries placed so far
 * @param promoted whether the canaries were promoted (the old allocations then go)
 */
public record GroupProgress(int desiredTotal, int placedAllocs, int healthyAllocs, int unhealthyAllocs, int desiredCanaries, int placedCanaries, boolean promoted)
{
    /** A group of a rolling update, without canaries. */
    public GroupProgress(int desiredTotal, int placedAllocs, int healthyAllocs, int unhealthyAllocs)
    {
        this(desiredTotal, placedAllocs, healthyAllocs, unhealthyAllocs, 0, 0, false);
    }

    /** Whether the group's canaries are all placed and healthy and wait for promotion. */
    public boolean canariesReady()
    {
        return desiredCanaries > 0 && !promoted && placedCanaries >= desiredCanaries && healthyAllocs >= desiredCanaries;
    }

    public GroupProgress
    {
        if (desiredTotal < 0 || placedAllocs < 0 || healthyAllocs < 0 || unhealthyAllocs < 0 || desiredCanaries < 0 || placedCanaries < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }
}
