package io.prestoorchestrator.nomad;

/** One group's planned changes (Nomad's {@code Annotations.DesiredTGUpdates}). */
public record GroupUpdates(int place, int stop, int ignore, int inPlaceUpdate, int destructiveUpdate, int migrate, int canary)
{
    public GroupUpdates
    {
        if (place < 0 || stop < 0 || ignore < 0 || inPlaceUpdate < 0 || destructiveUpdate < 0 || migrate < 0 || canary < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }
}
