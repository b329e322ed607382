package io.prestoorchestrator.cli;

import io.prestoorchestrator.app.Main;
import io.prestoorchestrator.testing.TestingFiles;
import io.prestoorchestrator.testing.TestingStack;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** Runs the jar's command line in-process, as {@code java -jar presto-orchestrator.jar ARGS} would, capturing stdout and stderr. */
final class TestingCli
{
    private static final Map<String, String> NO_TRINO = Map.of("TRINO_HOME", "/nonexistent/trino", "TRINO_JAVA_HOME", "/nonexistent/jdk");
    /** The options that follow an operation poll this often against the in-process orchestrator. */
    private static final List<String> FOLLOWING = List.of("deploy", "scale", "restart", "stop", "start", "delete", "operation");

    private TestingCli() {}

    /**
     * An in-process orchestrator on the embedded Consul and Nomad simulators, with catalog
     * {@code tpch}. No Trino: its path does not exist and the templates (copied to {@code temp})
     * allow no restart, so a deployment fails at once (the failed-operation path); a stopped
     * cluster's changes succeed without Nomad (the success path).
     */
    static TestingStack stack(Path temp)
            throws Exception
    {
        Path templates = temp.resolve("job-templates");
        TestingFiles.copyTree(TestRenderCommand.TEMPLATES, templates);
        Path job = templates.resolve("trino-cluster.json.ftl");
        String text = Files.readString(job, UTF_8);
        assertThat(text).contains("\"RestartPolicy\": {\"Attempts\": 2,");
        Files.writeString(job, text.replace("\"RestartPolicy\": {\"Attempts\": 2,", "\"RestartPolicy\": {\"Attempts\": 0,"), UTF_8);
        TestingStack stack = new TestingStack(NO_TRINO, templates);
        assertThat(stack.call("POST", "/v1/catalogs", "{\"name\":\"tpch\",\"connectorName\":\"tpch\"}").statusCode()).isEqualTo(201);
        return stack;
    }

    /** The command line against {@code stack} with the admin token; a command that follows an operation polls every 200ms. */
    static Result api(TestingStack stack, String... args)
    {
        return api(stack, CliSystem.real(), args);
    }

    static Result api(TestingStack stack, CliSystem system, String... args)
    {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", stack.baseUrl(), "--token", TestingStack.ADMIN_TOKEN));
        if (FOLLOWING.contains(all.get(0))) {
            all.addAll(List.of("--poll-interval", "200ms"));
        }
        return run(system, all.toArray(String[]::new));
    }

    /** The real clock, a pause that must not be asked for, and {@code terminal}. */
    static CliSystem system(Terminal terminal)
    {
        return new CliSystem(Clock.systemUTC(), interval -> {
            throw new AssertionError("this command should not wait");
        }, terminal);
    }

    /** Creates a cluster through the API and waits for its (failing) create. */
    static void createFailed(TestingStack stack, String name)
            throws Exception
    {
        // in-place: the Nomad simulator places no canaries, and these tests follow the rolling restart's steps
        HttpResponse<String> created = stack.call("POST", "/v1/clusters", "{\"name\":\"" + name + "\",\"catalogs\":[\"tpch\"],\"rollout\":\"in-place\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        assertThat(stack.awaitOperation(created, Duration.ofMinutes(1)).getString("state")).isEqualTo("FAILED");
    }

    /** Creates a cluster through the API, waits for its (failing) create, stops it and waits for the stop. */
    static void createAndStop(TestingStack stack, String name)
            throws Exception
    {
        createFailed(stack, name);
        HttpResponse<String> stopped = stack.call("POST", "/v1/clusters/" + name + "/stop", null);
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(202);
        assertThat(stack.awaitOperation(stopped, Duration.ofMinutes(1)).getString("state")).isEqualTo("SUCCEEDED");
    }

    static Result run(String... args)
    {
        return run(CliSystem.real(), args);
    }

    /** With {@code system} for every command that takes one (the clock, the pause between polls, the terminal). */
    static Result run(CliSystem system, String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(new Main(), new Factory(system));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    record Result(int exitCode, String out, String err)
    {
        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Builds a command through its {@code (CliSystem)} constructor when it has one, like picocli otherwise. */
    private record Factory(CliSystem system)
            implements CommandLine.IFactory
    {
        @Override
        public <K> K create(Class<K> type)
                throws Exception
        {
            Constructor<K> constructor;
            try {
                constructor = type.getDeclaredConstructor(CliSystem.class);
            }
            catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
            return constructor.newInstance(system);
        }
    }
}
