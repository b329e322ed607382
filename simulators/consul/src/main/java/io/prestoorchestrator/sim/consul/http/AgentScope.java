package io.prestoorchestrator.sim.consul.http;

import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Which local agent a service or check was registered through, when the simulator stands in for
 * several Consul client agents sharing one catalog (one HTTP listener each, as every Nomad client
 * has its own local agent in production). An agent's /v1/agent endpoints see, update and
 * deregister only what was registered through it: Nomad's client removes every Nomad service its
 * local agent lists but it does not know, so clients sharing one agent's view would remove each
 * other's services. The catalog and health endpoints see everything. Used on the simulator's
 * event loop only.
 */
public final class AgentScope
{
    /** The simulator's main listener. */
    public static final String MAIN = "";

    private final Map<String, String> serviceOwners;
    private final Map<String, String> checkOwners;
    private final String agent;

    private AgentScope(Map<String, String> serviceOwners, Map<String, String> checkOwners, String agent)
    {
        this.serviceOwners = serviceOwners;
        this.checkOwners = checkOwners;
        this.agent = requireNonNull(agent, "agent is null");
    }

    /** The main listener's scope; {@link #forAgent} gives others sharing its bookkeeping. */
    public static AgentScope main()
    {
        return new AgentScope(new HashMap<>(), new HashMap<>(), MAIN);
    }

    public AgentScope forAgent(String name)
    {
        requireNonNull(name, "name is null");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an extra agent needs a name");
        }
        return new AgentScope(serviceOwners, checkOwners, name);
    }

    public String agent()
    {
        return agent;
    }

    boolean ownsService(String serviceId)
    {
        return serviceOwners.getOrDefault(serviceId, MAIN).equals(agent);
    }

    /** A service check belongs to its service's agent; a node check to the agent it was registered through. */
    boolean ownsCheck(String checkId, String serviceId)
    {
        return serviceId.isEmpty() ? checkOwners.getOrDefault(checkId, MAIN).equals(agent) : ownsService(serviceId);
    }

    void claimService(String serviceId)
    {
        serviceOwners.put(serviceId, agent);
    }

    void claimCheck(String checkId)
    {
        checkOwners.put(checkId, agent);
    }

    void releaseService(String serviceId)
    {
        serviceOwners.remove(serviceId);
    }

    void releaseCheck(String checkId)
    {
        checkOwners.remove(checkId);
    }
}
