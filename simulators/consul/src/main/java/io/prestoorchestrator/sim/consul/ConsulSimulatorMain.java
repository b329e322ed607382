package io.prestoorchestrator.sim.consul;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import sun.misc.Signal;

/**
 * {@code java -jar consul-simulator.jar --port 8500 [--bind 127.0.0.1] [--acl-token TOKEN]
 * [--node-name NAME] [--datacenter dc1] [--agent-ports P1,P2,...]}: prints one line once listening
 * (and one per extra local agent), stops on SIGTERM/SIGINT.
 */
public final class ConsulSimulatorMain
{
    private static final String USAGE = "usage: java -jar consul-simulator.jar [--port 8500] [--bind 127.0.0.1] [--acl-token TOKEN] [--node-name NAME] [--datacenter dc1]"
            + " [--agent-ports P1,P2,...]";

    private static final List<String> FLAGS = List.of("--port", "--bind", "--acl-token", "--node-name", "--datacenter");

    private ConsulSimulatorMain() {}

    public static void main(String[] args)
            throws InterruptedException
    {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "consul-simulator-logback.xml");
        }
        ConsulSimulatorConfig config;
        List<Integer> agentPorts;
        try {
            List<String> rest = new ArrayList<>(List.of(args));
            agentPorts = agentPorts(rest);
            config = parse(rest);
        }
        catch (IllegalArgumentException e) {
            System.err.println("consul-simulator: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        ConsulSimulator simulator = ConsulSimulator.builder().config(config).build();
        try {
            simulator.startAndWait();
        }
        catch (IllegalStateException e) {
            System.err.println("consul-simulator: " + e.getMessage());
            simulator.close();
            System.exit(1);
            return;
        }
        for (int i = 0; i < agentPorts.size(); i++) {
            System.out.println("Consul simulator agent agent-" + (i + 1) + " listening on " + simulator.startAgent("agent-" + (i + 1), agentPorts.get(i)));
        }
        // SIGTERM/SIGINT: stop the server and exit 0, as a supervisor expects of a clean stop;
        // the shutdown hook covers every other way the JVM can end
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String signal : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(signal), ignored -> stopRequested.countDown());
            }
            catch (IllegalArgumentException e) {
                // signal not available on this platform; the shutdown hook still stops the simulator
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "consul-simulator-shutdown"));
        System.out.println("Consul simulator listening on " + simulator.baseUri() + " (datacenter " + config.datacenter() + ", node " + config.nodeName()
                + ", ACLs " + (config.aclToken().isPresent() ? "enabled" : "disabled") + ")");
        System.out.flush();
        stopRequested.await();
        simulator.close();
        System.exit(0);
    }

    /**
     * Removes {@code --agent-ports P1,P2,...} from {@code args} and returns the ports: one more local
     * agent per port, sharing the catalog (a local Nomad client each, as in production).
     */
    static List<Integer> agentPorts(List<String> args)
    {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String value;
            if (arg.equals("--agent-ports")) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--agent-ports needs a value");
                }
                value = args.remove(i + 1);
            }
            else if (arg.startsWith("--agent-ports=")) {
                value = arg.substring("--agent-ports=".length());
            }
            else {
                continue;
            }
            args.remove(i--);
            for (String port : value.split(",")) {
                ports.add(parsePort(port.strip()));
            }
        }
        return List.copyOf(ports);
    }

    static ConsulSimulatorConfig parse(List<String> args)
    {
        ConsulSimulatorConfig config = ConsulSimulatorConfig.defaults();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            String value;
            int equals = flag.indexOf('=');
            if (flag.startsWith("--") && equals > 0) {
                value = flag.substring(equals + 1);
                flag = flag.substring(0, equals);
            }
            else {
                if (flag.equals("--help") || flag.equals("-h")) {
                    throw new IllegalArgumentException("help requested");
                }
                if (!FLAGS.contains(flag)) {
                    throw new IllegalArgumentException("unknown flag " + flag);
                }
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("missing value for " + flag);
                }
                value = rest.remove(0);
            }
            config = switch (flag) {
                case "--port" -> with(config, parsePort(value), null, null, null, null);
                case "--bind" -> with(config, null, value, null, null, null);
                case "--acl-token" -> with(config, null, null, value, null, null);
                case "--node-name" -> with(config, null, null, null, value, null);
                case "--datacenter" -> with(config, null, null, null, null, value);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            };
        }
        return config;
    }

    private static int parsePort(String value)
    {
        try {
            return Integer.parseInt(value);
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number: " + value);
        }
    }

    private static ConsulSimulatorConfig with(ConsulSimulatorConfig config, Integer port, String bind, String aclToken, String nodeName, String datacenter)
    {
        return new ConsulSimulatorConfig(
                bind != null ? bind : config.bindAddress(),
                port != null ? port : config.port(),
                aclToken != null ? Optional.of(aclToken) : config.aclToken(),
                nodeName != null ? nodeName : config.nodeName(),
                datacenter != null ? datacenter : config.datacenter(),
                config.sessionTtlMin(),
                config.checkReapInterval(),
                config.checkDeregisterIntervalMin());
    }
}
