package io.prestoorchestrator.nomad;

import static java.util.Objects.requireNonNull;

/**
 * What Nomad answered to a register, scale or deregister.
 *
 * @param evalId the evaluation it created (may be empty, e.g. a scale without a count change)
 * @param jobModifyIndex the job's modify index after the write: the next {@code EnforceIndex} value
 * @param warnings Nomad's warnings, empty when none
 */
public record RegisterResult(String evalId, long jobModifyIndex, String warnings)
{
    public RegisterResult
    {
        requireNonNull(evalId, "evalId is null");
        requireNonNull(warnings, "warnings is null");
    }
}
