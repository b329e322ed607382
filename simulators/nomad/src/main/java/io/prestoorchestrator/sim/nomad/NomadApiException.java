package io.prestoorchestrator.sim.nomad;

import static java.util.Objects.requireNonNull;

/**
 * An error answered the way Nomad's HTTP agent answers it: a status code and a plain-text body.
 */
public final class NomadApiException
        extends RuntimeException
{
    private final int status;

    public NomadApiException(int status, String message)
    {
        super(requireNonNull(message, "message is null"));
        this.status = status;
    }

    public int status()
    {
        return status;
    }

    public static NomadApiException badRequest(String message)
    {
        return new NomadApiException(400, message);
    }

    public static NomadApiException notFound(String message)
    {
        return new NomadApiException(404, message);
    }

    public static NomadApiException permissionDenied()
    {
        return new NomadApiException(403, "Permission denied");
    }

    /**
     * Nomad reports RPC-side validation failures as HTTP 500 with a go-multierror text.
     */
    public static NomadApiException multiError(java.util.List<String> errors)
    {
        StringBuilder text = new StringBuilder();
        text.append(errors.size()).append(errors.size() == 1 ? " error occurred:\n" : " errors occurred:\n");
        for (String error : errors) {
            text.append("\t* ").append(error).append('\n');
        }
        text.append('\n');
        return new NomadApiException(500, text.toString());
    }
}
