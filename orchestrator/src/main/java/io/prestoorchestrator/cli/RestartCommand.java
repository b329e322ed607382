package io.prestoorchestrator.cli;

import picocli.CommandLine.Command;

/** {@code POST /v1/clusters/{name}/restart}: every allocation replaced with the same spec. */
@Command(name = "restart",
        description = {
                "Restart a running (or failed) cluster: replace every allocation with the same spec, then follow the operation until it ends.",
                ClusterActionCommand.EXIT_CODES},
        sortOptions = false)
public final class RestartCommand
        extends ClusterActionCommand
{
    public RestartCommand()
    {
        super("restart", "Restarting");
    }
}
