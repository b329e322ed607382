package io.prestoorchestrator.sim.nomad;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar nomad-simulator.jar --port 4646 [--bind 127.0.0.1] [--nodes 3] [--datacenter dc1]
 * [--region global] [--consul http://127.0.0.1:8500] [--acl-token T] [--data-dir DIR] [--min-healthy-time 10s]}
 */
public final class NomadSimulatorMain
{
    private NomadSimulatorMain() {}

    public static void main(String[] args)
            throws Exception
    {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.netty")).setLevel(Level.WARN);
        int port = 4646;
        String bind = "127.0.0.1";
        int nodes = 3;
        String datacenter = "dc1";
        String region = "global";
        Optional<URI> consul = Optional.empty();
        Optional<String> aclToken = Optional.empty();
        Path dataDir = null;
        Optional<java.time.Duration> minHealthy = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                System.out.println("usage: java -jar nomad-simulator.jar --port 4646 [--bind 127.0.0.1] [--nodes 3] [--datacenter dc1] "
                        + "[--region global] [--consul http://127.0.0.1:8500] [--acl-token T] [--data-dir DIR] [--min-healthy-time 10s]");
                return;
            }
            if (i + 1 >= args.length) {
                fail("missing value for " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--port" -> port = Integer.parseInt(value);
                case "--bind" -> bind = value;
                case "--nodes" -> nodes = Integer.parseInt(value);
                case "--datacenter" -> datacenter = value;
                case "--region" -> region = value;
                case "--consul" -> consul = Optional.of(URI.create(value));
                case "--acl-token" -> aclToken = Optional.of(value);
                case "--data-dir" -> dataDir = Path.of(value);
                case "--min-healthy-time" -> minHealthy = Optional.of(GoDuration.parse(value));
                default -> fail("unknown flag " + flag);
            }
        }
        if (dataDir == null) {
            dataDir = Files.createTempDirectory("nomad-simulator-");
        }
        NomadSimulatorConfig config = new NomadSimulatorConfig(bind, port, region,
                NomadSimulatorConfig.NodeSpec.numbered(nodes, datacenter), consul, aclToken, dataDir, minHealthy);
        NomadSimulator simulator = new NomadSimulator(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "nomad-sim-shutdown"));
        simulator.start();
        System.out.println("nomad-simulator listening on " + simulator.address() + " (nodes=" + nodes + ", datacenter=" + datacenter + ", data-dir=" + dataDir + ")");
        System.out.flush();
        stopped.await();
    }

    private static void fail(String message)
    {
        System.err.println("nomad-simulator: " + message);
        System.exit(2);
    }
}
