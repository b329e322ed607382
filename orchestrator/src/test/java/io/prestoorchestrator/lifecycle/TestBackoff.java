package io.prestoorchestrator.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestBackoff
{
    @Test
    void testDoublesUpToTheCap()
    {
        Backoff longest = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60), () -> 1.0);
        assertThat(IntStream.rangeClosed(1, 8).mapToObj(longest::delay).map(Duration::toSeconds))
                .containsExactly(2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(longest.delay(1_000)).isEqualTo(Duration.ofSeconds(60));
        assertThat(longest.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void testJitterStaysBetweenHalfAndAllOfTheStep()
    {
        Backoff shortest = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60), () -> 0.0);
        assertThat(IntStream.rangeClosed(1, 7).mapToObj(shortest::delay).map(Duration::toSeconds))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
        Backoff random = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60));
        for (int failures = 1; failures <= 10; failures++) {
            Duration step = Duration.ofSeconds(Math.min(60, 2L << (failures - 1)));
            for (int i = 0; i < 50; i++) {
                assertThat(random.delay(failures)).isBetween(step.dividedBy(2), step);
            }
        }
    }

    @Test
    void testRefusesNonsense()
    {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)).delay(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
