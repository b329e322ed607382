package io.prestoorchestrator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs one statement through the real Trino CLI jar, the way a user would. */
public final class TrinoCli
{
    private TrinoCli() {}

    /**
     * @param exitCode the CLI's exit code, or -1 if it did not finish within 3 minutes
     * @param output everything it printed, stderr included (JLine may warn before the result)
     */
    public record Result(int exitCode, String output)
    {
        /** The last line printed: the result of a one-value query. */
        public String lastLine()
        {
            String[] lines = output.split("\\R");
            return lines[lines.length - 1];
        }
    }

    public static Result execute(String cliJar, String server, String user, String sql)
            throws IOException, InterruptedException
    {
        Process cli = new ProcessBuilder("java", "-jar", cliJar, "--server", server, "--user", user, "--execute", sql)
                .redirectErrorStream(true)
                .start();
        cli.getOutputStream().close();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean exited = cli.waitFor(3, TimeUnit.MINUTES);
        if (!exited) {
            cli.destroyForcibly();
        }
        return new Result(exited ? cli.exitValue() : -1, output);
    }
}
