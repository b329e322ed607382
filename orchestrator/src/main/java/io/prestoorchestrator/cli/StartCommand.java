package io.prestoorchestrator.cli;

import picocli.CommandLine.Command;

/** {@code POST /v1/clusters/{name}/start}: a stopped cluster deployed from its kept spec. */
@Command(name = "start",
        description = {
                "Start a stopped cluster: deploy it from its kept spec, then follow the operation until it ends.",
                ClusterActionCommand.EXIT_CODES},
        sortOptions = false)
public final class StartCommand
        extends ClusterActionCommand
{
    public StartCommand()
    {
        super("start", "Starting");
    }
}
