package io.prestoorchestrator.sim.consul.state;

/**
 * A write the state machine refused. Real Consul reports these (RPC errors) as HTTP 500 with the
 * message as a text/plain body, so the HTTP layer maps this exception the same way.
 */
public class ConsulStateException
        extends RuntimeException
{
    public ConsulStateException(String message)
    {
        super(message);
    }
}
