package io.prestoorchestrator.discovery;

import io.prestoorchestrator.discovery.ConsulLeaderLock.RenewFailure;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static io.prestoorchestrator.discovery.ConsulLeaderLock.afterFailedRenew;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a leader does when renewing its Consul session fails: it keeps leading through an outage shorter than the lock delay
 * (less the margin) after its last confirmed request, retrying, and steps down at that bound. The lock over HTTP, with
 * sessions expiring in real time, is {@link ConsulLeaderLockIT}.
 */
class TestConsulLeaderLock
{
    @ParameterizedTest(name = "lock delay {0} ms, retry every {1} ms, last confirmed {2} ms ago -> step down {3}, lead {4} ms more, retry in {5} ms")
    @CsvSource({
            // just after the last good renew: retry at the interval
            "15000, 2000,     0, false, 14000, 2000",
            "15000, 2000,  7500, false,  6500, 2000",
            // the bound comes before the next interval: the last retry falls on it
            "15000, 2000, 12500, false,  1500, 1500",
            "15000, 2000, 13999, false,     1,    1",
            // at the bound and past it: step down
            "15000, 2000, 14000,  true,     0,    0",
            "15000, 2000, 30000,  true,     0,    0",
            // a lock delay no longer than the margin: the first failed renew steps down
            " 1000,  200,     0,  true,     0,    0",
            "    0,  200,     0,  true,     0,    0",
            // sub-millisecond remainders retry after 1 ms, not at once
            " 6000,  200,  4999.5, false,   0.5,    1",
    })
    void testAfterAFailedRenew(long lockDelayMillis, long retryMillis, double sinceConfirmedMillis, boolean stepDown, double leadingMillis, long retryInMillis)
    {
        LeaderLockOptions options = new LeaderLockOptions("leader", "replica-a", Duration.ofSeconds(10), Duration.ofMillis(lockDelayMillis), Duration.ofMillis(retryMillis),
                Duration.ofSeconds(30));
        Duration sinceConfirmed = Duration.ofNanos(Math.round(sinceConfirmedMillis * 1_000_000));

        RenewFailure next = afterFailedRenew(sinceConfirmed, options);

        assertThat(next.stepDown()).isEqualTo(stepDown);
        assertThat(next.sinceConfirmed()).isEqualTo(sinceConfirmed);
        assertThat(next.leadingForAtMost()).isEqualTo(Duration.ofNanos(Math.round(leadingMillis * 1_000_000)));
        assertThat(next.retryIn()).isEqualTo(Duration.ofMillis(retryInMillis));
    }
}
