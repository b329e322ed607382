package io.prestoorchestrator.sim.consul.agent;

import io.prestoorchestrator.sim.consul.state.CheckSpec;
import io.prestoorchestrator.sim.consul.state.CheckStatus;
import io.prestoorchestrator.sim.consul.state.ConsulStateException;
import io.prestoorchestrator.sim.consul.state.HealthCheck;
import io.prestoorchestrator.sim.consul.state.Scheduler;
import io.prestoorchestrator.sim.consul.state.ServiceInstance;
import io.prestoorchestrator.sim.consul.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The local agent: services and checks registered through /v1/agent, the runners executing their
 * checks, and the reaper that deregisters services whose check stayed critical longer than
 * DeregisterCriticalServiceAfter (never less than the agent's minimum, checked every reap interval).
 * Registration reaches the catalog at once: there is no anti-entropy delay to simulate.
 */
public final class LocalAgent
        implements AutoCloseable
{
    public static final String SCRIPTS_DISABLED = "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true";

    private static final Logger log = LoggerFactory.getLogger(LocalAgent.class);

    private final StateStore store;
    private final Scheduler scheduler;
    private final CheckClients clients;
    private final Clock clock;
    private final Duration reapInterval;
    private final Duration deregisterIntervalMin;
    private final Map<String, CheckRunner> runners = new HashMap<>();
    private Scheduler.Cancellable reaper = () -> {};
    private boolean closed;

    public LocalAgent(StateStore store, Scheduler scheduler, CheckClients clients, Clock clock, Duration reapInterval, Duration deregisterIntervalMin)
    {
        this.store = requireNonNull(store, "store is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reapInterval = requireNonNull(reapInterval, "reapInterval is null");
        this.deregisterIntervalMin = requireNonNull(deregisterIntervalMin, "deregisterIntervalMin is null");
        if (reapInterval.isZero() || reapInterval.isNegative()) {
            throw new IllegalArgumentException("reapInterval must be positive");
        }
    }

    public synchronized void start()
    {
        scheduleReap();
    }

    /**
     * Services registered on this agent (the catalog-only "consul" service is not one of them).
     */
    public List<ServiceInstance> services()
    {
        return store.services().stream().filter(service -> !service.id().equals(StateStore.CONSUL_SERVICE)).toList();
    }

    public Optional<ServiceInstance> service(String id)
    {
        return id.equals(StateStore.CONSUL_SERVICE) ? Optional.empty() : store.service(id);
    }

    public synchronized void registerService(ServiceInstance service, List<CheckRegistration> checks, boolean replaceExistingChecks)
    {
        requireNonNull(service, "service is null");
        checks.forEach(registration -> refuseScripts(registration.check()));
        List<HealthCheck> effective = new ArrayList<>();
        for (CheckRegistration registration : checks) {
            effective.add(keepKnownStatus(registration));
        }
        List<String> before = store.checksOfService(service.id()).stream().map(HealthCheck::checkId).toList();
        store.registerService(service, effective, replaceExistingChecks);
        effective.forEach(this::restartRunner);
        for (String checkId : before) {
            if (store.check(checkId).isEmpty()) {
                stopRunner(checkId);
            }
        }
        log.info("Service registered: id={} name={} address={} port={} checks={}", service.id(), service.name(), service.address(), service.port(), effective.size());
    }

    public synchronized Optional<ServiceInstance> deregisterService(String serviceId)
    {
        List<String> checkIds = store.checksOfService(serviceId).stream().map(HealthCheck::checkId).toList();
        Optional<ServiceInstance> removed = store.deregisterService(serviceId);
        removed.ifPresent(service -> {
            checkIds.forEach(this::stopRunner);
            log.info("Service deregistered: id={} name={}", service.id(), service.name());
        });
        return removed;
    }

    public synchronized void registerCheck(CheckRegistration registration)
    {
        HealthCheck check = registration.check();
        refuseScripts(check);
        HealthCheck effective = keepKnownStatus(registration);
        store.registerCheck(effective);
        restartRunner(effective);
        log.info("Check registered: check={} service={} type={}", check.checkId(), check.serviceId(), check.type());
    }

    /**
     * Adds a maintenance-mode check (critical, nothing runs it); re-enabling keeps the first one.
     */
    public synchronized void registerMaintenance(HealthCheck check)
    {
        if (store.check(check.checkId()).isEmpty()) {
            store.registerCheck(check);
            log.info("Maintenance mode enabled: check={} service={} reason={}", check.checkId(), check.serviceId(), check.notes());
        }
    }

    public synchronized boolean deregisterCheck(String checkId)
    {
        stopRunner(checkId);
        boolean removed = store.deregisterCheck(checkId);
        if (removed) {
            log.info("Check deregistered: check={}", checkId);
        }
        return removed;
    }

    /**
     * Applies a TTL update; false when the check exists but is not a TTL check.
     */
    public synchronized boolean updateTtl(String checkId, CheckStatus status, String output)
    {
        CheckRunner runner = runners.get(checkId);
        Optional<HealthCheck> check = store.check(checkId);
        if (runner == null || check.isEmpty() || !check.get().type().equals("ttl")) {
            return false;
        }
        runner.ttlUpdate(status, output);
        return true;
    }

    @Override
    public synchronized void close()
    {
        closed = true;
        reaper.cancel();
        runners.values().forEach(CheckRunner::stop);
        runners.clear();
    }

    private static void refuseScripts(HealthCheck check)
    {
        String type = check.type();
        if (type.equals("script") || type.equals("docker")) {
            throw new ConsulStateException(SCRIPTS_DISABLED);
        }
    }

    /**
     * A re-registered check keeps its current status and output unless the registration sets a
     * Status explicitly, so that re-registering an unchanged service does not flap its health.
     */
    private HealthCheck keepKnownStatus(CheckRegistration registration)
    {
        HealthCheck check = registration.check();
        Optional<HealthCheck> existing = store.check(check.checkId());
        if (registration.explicitStatus() || existing.isEmpty()) {
            return check;
        }
        HealthCheck current = existing.get();
        return new HealthCheck(check.node(), check.checkId(), check.name(), current.status(), check.notes(), current.output(), check.serviceId(),
                check.serviceName(), check.serviceTags(), check.spec(), Optional.empty(), 0, 0);
    }

    private void restartRunner(HealthCheck check)
    {
        stopRunner(check.checkId());
        if (closed || check.spec().isEmpty()) {
            return;
        }
        CheckSpec spec = check.spec().get();
        runners.put(check.checkId(), CheckRunner.start(check.checkId(), spec, scheduler, clients, this::onCheckResult));
    }

    private void stopRunner(String checkId)
    {
        CheckRunner runner = runners.remove(checkId);
        if (runner != null) {
            runner.stop();
        }
    }

    private void onCheckResult(String checkId, CheckStatus status, String output)
    {
        Optional<HealthCheck> before = store.check(checkId);
        if (store.updateCheck(checkId, status, output) && before.isPresent() && before.get().status() != status) {
            log.info("Check status changed: check={} service={} from={} to={}", checkId, before.get().serviceId(), before.get().status().wireName(), status.wireName());
        }
    }

    private synchronized void scheduleReap()
    {
        if (!closed) {
            reaper = scheduler.schedule(reapInterval, () -> {
                reap();
                scheduleReap();
            });
        }
    }

    synchronized void reap()
    {
        Instant now = clock.instant();
        for (HealthCheck check : store.checks()) {
            if (check.status() != CheckStatus.CRITICAL || check.criticalSince().isEmpty() || !check.isServiceCheck()) {
                continue;
            }
            Optional<Duration> after = check.spec().flatMap(CheckSpec::deregisterCriticalServiceAfter);
            if (after.isEmpty()) {
                continue;
            }
            Duration timeout = after.get().compareTo(deregisterIntervalMin) < 0 ? deregisterIntervalMin : after.get();
            if (!check.criticalSince().get().plus(timeout).isAfter(now) && store.service(check.serviceId()).isPresent()) {
                log.info("Check has been critical for too long; deregistering service: check={} service={} after={}", check.checkId(), check.serviceId(), timeout);
                deregisterService(check.serviceId());
            }
        }
    }
}
