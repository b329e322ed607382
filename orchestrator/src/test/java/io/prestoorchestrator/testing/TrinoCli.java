package io.prestoorchestrator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
        return execute(cliJar, server, user, sql, List.of());
    }

    /** @param options more CLI options, e.g. {@code --http-proxy 127.0.0.1:8000} to reach a {@code *.localhost} host through Traefik */
    public static Result execute(String cliJar, String server, String user, String sql, List<String> options)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>(List.of("java", "-jar", cliJar, "--server", server, "--user", user));
        command.addAll(options);
        command.addAll(List.of("--execute", sql));
        Process cli = new ProcessBuilder(command)
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
