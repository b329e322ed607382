package io.prestoorchestrator.cli;

import picocli.CommandLine.Command;

/** {@code POST /v1/clusters/{name}/stop}: nothing runs, the spec is kept. */
@Command(name = "stop",
        description = {
                "Stop a running (or failed) cluster: its Nomad job stops and nothing runs; the spec is kept, `start` brings it back. Follows the operation until it ends.",
                ClusterActionCommand.EXIT_CODES},
        sortOptions = false)
public final class StopCommand
        extends ClusterActionCommand
{
    public StopCommand()
    {
        super("stop", "Stopping");
    }
}
