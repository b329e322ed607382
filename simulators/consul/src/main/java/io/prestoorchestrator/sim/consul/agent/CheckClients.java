package io.prestoorchestrator.sim.consul.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import static java.util.Objects.requireNonNull;

/**
 * The clients checks probe with: HTTP that verifies TLS certificates, HTTP that does not (for
 * TLSSkipVerify) and TCP. Consul's HTTP checks identify themselves as "Consul Health Check".
 */
public record CheckClients(WebClient verifyingWeb, WebClient trustingWeb, NetClient tcp)
{
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    public CheckClients
    {
        requireNonNull(verifyingWeb, "verifyingWeb is null");
        requireNonNull(trustingWeb, "trustingWeb is null");
        requireNonNull(tcp, "tcp is null");
    }

    public static CheckClients create(Vertx vertx)
    {
        WebClientOptions common = new WebClientOptions().setUserAgent("Consul Health Check").setKeepAlive(false).setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        return new CheckClients(
                WebClient.create(vertx, new WebClientOptions(common)),
                WebClient.create(vertx, new WebClientOptions(common).setTrustAll(true).setVerifyHost(false)),
                vertx.createNetClient(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS)));
    }

    public Future<Void> close()
    {
        verifyingWeb.close();
        trustingWeb.close();
        return tcp.close();
    }
}
