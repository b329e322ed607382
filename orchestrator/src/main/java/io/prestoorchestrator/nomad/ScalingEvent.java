package io.prestoorchestrator.nomad;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * One entry of a task group's scaling history as Nomad keeps it ({@code GET /v1/job/:id/scale},
 * {@code TaskGroups.<group>.Events}): every call of the scale API, whoever made it.
 *
 * @param timeNanos when Nomad recorded it, nanoseconds since the epoch (Nomad's {@code Time})
 * @param count the count asked for; empty for an error or a dry run
 * @param previousCount the group's count before
 * @param error whether the caller reported a failure instead of a scale
 * @param meta the caller's metadata (nomad-autoscaler puts {@code nomad_autoscaler.*} keys there), as text
 * @param evalId the evaluation the scale created, when it changed the count
 */
public record ScalingEvent(long timeNanos, OptionalLong count, long previousCount, String message, boolean error, Map<String, String> meta, Optional<String> evalId)
{
    public ScalingEvent
    {
        requireNonNull(count, "count is null");
        requireNonNull(message, "message is null");
        meta = Map.copyOf(requireNonNull(meta, "meta is null"));
        requireNonNull(evalId, "evalId is null");
    }

    public Instant time()
    {
        return Instant.ofEpochSecond(0, timeNanos);
    }
}
