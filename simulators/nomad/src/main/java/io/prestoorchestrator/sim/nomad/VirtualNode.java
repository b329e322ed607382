package io.prestoorchestrator.sim.nomad;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prestoorchestrator.sim.nomad.NomadSimulatorConfig.NodeSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A virtual Nomad client node; mutable fields are guarded by the {@link ClusterState} lock.
 */
final class VirtualNode
{
    static final String NOMAD_VERSION = "1.10.5";

    final String id;
    final NodeSpec spec;
    final String instanceId;
    final String httpAddress;
    final long createIndex;
    final Map<String, String> attributes;
    String eligibility = "eligible";
    ObjectNode drainStrategy;
    ObjectNode lastDrain;
    long modifyIndex;
    private final List<ObjectNode> events = new ArrayList<>();

    VirtualNode(NodeSpec spec, String httpAddress, long createIndex, long now)
    {
        this.id = UUID.randomUUID().toString();
        this.spec = spec;
        this.instanceId = ClusterState.newInstanceId();
        this.httpAddress = httpAddress;
        this.createIndex = createIndex;
        this.modifyIndex = createIndex;
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("arch", "x86_64");
        attrs.put("cpu.arch", "amd64");
        attrs.put("cpu.numcores", "2");
        attrs.put("cpu.frequency", "2400");
        attrs.put("cpu.totalcompute", "4800");
        attrs.put("driver.raw_exec", "1");
        attrs.put("kernel.name", "linux");
        attrs.put("kernel.version", System.getProperty("os.version", ""));
        attrs.put("memory.totalbytes", "8589934592");
        attrs.put("nomad.advertise.address", httpAddress);
        attrs.put("nomad.version", NOMAD_VERSION);
        attrs.put("os.name", "ubuntu");
        attrs.put("os.signals", "SIGABRT,SIGALRM,SIGBUS,SIGCHLD,SIGCONT,SIGFPE,SIGHUP,SIGILL,SIGINT,SIGIO,SIGKILL,SIGPIPE,SIGPROF,SIGQUIT,SIGSEGV,SIGSTOP,SIGSYS,SIGTERM,SIGTRAP,SIGTSTP,SIGTTIN,SIGTTOU,SIGURG,SIGUSR1,SIGUSR2,SIGWINCH,SIGXCPU,SIGXFSZ");
        attrs.put("platform.aws.ami-id", "ami-0123456789abcdef0");
        attrs.put("platform.aws.instance-type", "m5.large");
        attrs.put("platform.aws.placement.availability-zone", "us-east-1a");
        attrs.put("unique.hostname", spec.name());
        attrs.put("unique.network.ip-address", "127.0.0.1");
        attrs.put("unique.platform.aws.instance-id", instanceId);
        attrs.put("unique.platform.aws.hostname", "ip-127-0-0-1.ec2.internal");
        attrs.put("unique.platform.aws.local-ipv4", "127.0.0.1");
        this.attributes = Map.copyOf(attrs);
        addEvent("Cluster", "Node registered", now, createIndex);
    }

    boolean schedulable()
    {
        return eligibility.equals("eligible") && drainStrategy == null;
    }

    void addEvent(String subsystem, String message, long now, long idx)
    {
        ObjectNode event = Json.object();
        event.put("Message", message);
        event.put("Subsystem", subsystem);
        event.putNull("Details");
        event.put("Timestamp", Json.time(now));
        event.put("CreateIndex", idx);
        events.add(event);
        while (events.size() > 10) {
            events.remove(0);
        }
    }

    private ObjectNode drivers()
    {
        ObjectNode drivers = Json.object();
        for (String driver : List.of("raw_exec", "exec", "docker", "java")) {
            ObjectNode info = Json.object();
            ObjectNode attrs = Json.object();
            attrs.put("driver." + driver, "true");
            info.set("Attributes", attrs);
            info.put("Detected", true);
            info.put("Healthy", true);
            info.put("HealthDescription", "Healthy");
            info.put("UpdateTime", Json.time(System.currentTimeMillis() * 1_000_000L));
            drivers.set(driver, info);
        }
        return drivers;
    }

    private ObjectNode nodeResources()
    {
        ObjectNode resources = Json.object();
        ObjectNode cpu = Json.object();
        cpu.put("CpuShares", 4800);
        cpu.put("TotalCpuCores", 2);
        cpu.putNull("ReservableCpuCores");
        resources.set("Cpu", cpu);
        ObjectNode memory = Json.object();
        memory.put("MemoryMB", 8192);
        resources.set("Memory", memory);
        ObjectNode disk = Json.object();
        disk.put("DiskMB", 50000);
        resources.set("Disk", disk);
        resources.putNull("Networks");
        resources.putNull("Devices");
        resources.put("MinDynamicPort", 20000);
        resources.put("MaxDynamicPort", 32000);
        return resources;
    }

    private ObjectNode reservedResources()
    {
        ObjectNode reserved = Json.object();
        ObjectNode cpu = Json.object();
        cpu.put("CpuShares", 0);
        reserved.set("Cpu", cpu);
        ObjectNode memory = Json.object();
        memory.put("MemoryMB", 0);
        reserved.set("Memory", memory);
        ObjectNode disk = Json.object();
        disk.put("DiskMB", 0);
        reserved.set("Disk", disk);
        ObjectNode networks = Json.object();
        networks.put("ReservedHostPorts", "");
        reserved.set("Networks", networks);
        return reserved;
    }

    ObjectNode stub(boolean withResources, boolean withOs)
    {
        ObjectNode out = Json.object();
        out.put("Address", "127.0.0.1");
        out.put("ID", id);
        if (withOs) {
            ObjectNode attrs = Json.object();
            attrs.put("os.name", attributes.get("os.name"));
            out.set("Attributes", attrs);
        }
        out.put("Datacenter", spec.datacenter());
        out.put("Name", spec.name());
        out.put("NodeClass", spec.nodeClass());
        out.put("NodePool", spec.nodePool());
        out.put("Version", NOMAD_VERSION);
        out.put("Drain", drainStrategy != null);
        out.put("SchedulingEligibility", eligibility);
        out.put("Status", "ready");
        out.put("StatusDescription", "");
        out.set("Drivers", drivers());
        if (withResources) {
            out.set("NodeResources", nodeResources());
            out.set("ReservedResources", reservedResources());
        }
        out.set("LastDrain", lastDrain == null ? null : lastDrain.deepCopy());
        out.put("CreateIndex", createIndex);
        out.put("ModifyIndex", modifyIndex);
        return out;
    }

    ObjectNode full()
    {
        ObjectNode out = Json.object();
        out.put("ID", id);
        out.put("SecretID", "");
        out.put("Datacenter", spec.datacenter());
        out.put("Name", spec.name());
        out.put("HTTPAddr", httpAddress);
        out.put("TLSEnabled", false);
        ObjectNode attrs = Json.object();
        attributes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> attrs.put(e.getKey(), e.getValue()));
        out.set("Attributes", attrs);
        out.set("NodeResources", nodeResources());
        out.set("ReservedResources", reservedResources());
        out.putNull("Resources");
        out.putNull("Reserved");
        out.putNull("Links");
        ObjectNode meta = Json.object();
        meta.put("connect.log_level", "info");
        spec.meta().forEach(meta::put);
        out.set("Meta", meta);
        out.put("NodeClass", spec.nodeClass());
        out.put("NodePool", spec.nodePool());
        out.put("ComputedClass", "v1:" + Math.abs((spec.datacenter() + spec.nodeClass() + spec.nodePool()).hashCode()));
        out.put("CgroupParent", "");
        out.put("Drain", drainStrategy != null);
        out.set("DrainStrategy", drainStrategy == null ? null : drainStrategy.deepCopy());
        out.put("SchedulingEligibility", eligibility);
        out.put("Status", "ready");
        out.put("StatusDescription", "");
        out.put("StatusUpdatedAt", createIndex);
        ArrayNode eventArray = Json.array();
        events.forEach(e -> eventArray.add(e.deepCopy()));
        out.set("Events", eventArray);
        out.set("Drivers", drivers());
        out.putNull("HostVolumes");
        out.putNull("HostNetworks");
        out.putNull("CSIControllerPlugins");
        out.putNull("CSINodePlugins");
        out.set("LastDrain", lastDrain == null ? null : lastDrain.deepCopy());
        out.put("CreateIndex", createIndex);
        out.put("ModifyIndex", modifyIndex);
        return out;
    }
}
