package io.prestoorchestrator.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;

/** What deploy and scale do with the operation of a 202 answer, or with the 200 of a PATCH that changed nothing. */
final class Operations
{
    private Operations() {}

    static int followOrReturn(OrchestratorClient client, PrintWriter out, WaitOptions wait, JsonNode operation)
            throws InterruptedException
    {
        if (operation.has("changed") && !operation.path("changed").asBoolean(true)) {
            out.println(operation.path("message").asText("The spec is unchanged: nothing to do"));
            out.flush();
            return 0;
        }
        String cluster = operation.path("cluster").asText();
        out.println("Operation " + operation.path("id").asText() + ": " + operation.path("kind").asText() + " of cluster " + cluster);
        out.flush();
        if (wait.noWait) {
            out.println("Not waiting for it (--no-wait): follow it with `status " + cluster + "`");
            return 0;
        }
        return new OperationFollower(client, out, wait.pollInterval, wait.timeout).follow(operation);
    }
}
