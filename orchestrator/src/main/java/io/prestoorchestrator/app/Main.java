package io.prestoorchestrator.app;

import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prestoorchestrator.cli.CatalogsCommand;
import io.prestoorchestrator.cli.DeleteCommand;
import io.prestoorchestrator.cli.DeployCommand;
import io.prestoorchestrator.cli.EventsCommand;
import io.prestoorchestrator.cli.OperationCommand;
import io.prestoorchestrator.cli.PlanCommand;
import io.prestoorchestrator.cli.RenderCommand;
import io.prestoorchestrator.cli.RestartCommand;
import io.prestoorchestrator.cli.ScaleCommand;
import io.prestoorchestrator.cli.StartCommand;
import io.prestoorchestrator.cli.StatusCommand;
import io.prestoorchestrator.cli.StopCommand;
import io.prestoorchestrator.config.ConfigException;
import io.prestoorchestrator.config.ConfigLoader;
import io.prestoorchestrator.config.OrchestratorConfig;
import io.prestoorchestrator.config.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The one jar's entry point: the service ({@code serve}) and the command-line tools. */
@Command(name = "presto-orchestrator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = {"Runs Presto/Trino clusters on Nomad + Consul: the service (serve) and its command-line tools.",
                "render and render-system work offline; the others call the API at --url (default $ORCHESTRATOR_URL, else http://127.0.0.1:8070)."},
        subcommands = {Main.Serve.class, Main.CheckConfig.class, RenderCommand.class, PlanCommand.class, DeployCommand.class, StatusCommand.class,
                ScaleCommand.class, RestartCommand.class, StopCommand.class, StartCommand.class, DeleteCommand.class, EventsCommand.class,
                OperationCommand.class, CatalogsCommand.class, RenderSystemJobs.class})
public final class Main
        implements Callable<Integer>
{
    static final int CONFIG_ERROR = 2;

    public static void main(String[] args)
    {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call()
    {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    static OrchestratorConfig loadConfig(Path file)
    {
        Map<String, String> environment = System.getenv();
        Optional<Path> path = Optional.ofNullable(file).or(() -> Optional.ofNullable(environment.get(ConfigLoader.CONFIG_FILE_ENV)).map(Path::of));
        return ConfigLoader.load(path, environment);
    }

    @Command(name = "serve", description = "Run the orchestrator service until SIGTERM.")
    static final class Serve
            implements Callable<Integer>
    {
        @Option(names = {"-c", "--config"}, description = "YAML configuration file (default: $ORCHESTRATOR_CONFIG, else defaults + environment)")
        Path config;

        @Override
        public Integer call()
                throws InterruptedException
        {
            OrchestratorConfig configuration;
            try {
                configuration = loadConfig(config);
            }
            catch (ConfigException e) {
                System.err.println("presto-orchestrator: " + e.getMessage());
                return CONFIG_ERROR;
            }
            Logging.configure(configuration.logging());
            Orchestrator orchestrator;
            try {
                orchestrator = Orchestrator.start(configuration).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
            }
            catch (ExecutionException e) {
                String message = e.getCause() instanceof ConfigException ? e.getCause().getMessage() : String.valueOf(e.getCause());
                System.err.println("presto-orchestrator: cannot start: " + message);
                Logging.flush();
                return e.getCause() instanceof ConfigException ? CONFIG_ERROR : 1;
            }
            catch (TimeoutException e) {
                System.err.println("presto-orchestrator: cannot start: start-up did not finish within 2 minutes");
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    orchestrator.stop();
                }
                catch (InterruptedException | RuntimeException e) {
                    System.err.println("presto-orchestrator: unclean shutdown: " + e);
                }
                finally {
                    stopped.countDown();
                    Logging.flush();
                }
            }, "shutdown"));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "check-config", description = "Validate the configuration and print the effective result (secrets masked).")
    static final class CheckConfig
            implements Callable<Integer>
    {
        @Option(names = {"-c", "--config"}, description = "YAML configuration file (default: $ORCHESTRATOR_CONFIG)")
        Path config;

        @Override
        public Integer call()
                throws Exception
        {
            try {
                OrchestratorConfig configuration = loadConfig(config);
                System.out.print(ConfigLoader.mapper(new YAMLFactory()).writeValueAsString(configuration));
                return 0;
            }
            catch (ConfigException e) {
                System.err.println("presto-orchestrator: " + e.getMessage());
                return CONFIG_ERROR;
            }
        }
    }

    static final class VersionProvider
            implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[] {"presto-orchestrator " + Version.current()};
        }
    }
}
