package io.prestoorchestrator.sim.consul.state;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestGoDuration
{
    @Test
    void parsesGoDurations()
    {
        assertThat(GoDuration.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(GoDuration.parse("2h45m")).isEqualTo(Duration.ofMinutes(165));
        assertThat(GoDuration.parse("1us")).isEqualTo(Duration.ofNanos(1000));
        assertThat(GoDuration.parse("1µs")).isEqualTo(Duration.ofNanos(1000));
        assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(GoDuration.parse("-3s")).isEqualTo(Duration.ofSeconds(-3));
    }

    @Test
    void rejectsWhatGoRejects()
    {
        assertThatThrownBy(() -> GoDuration.parse("10")).hasMessage("time: missing unit in duration \"10\"");
        assertThatThrownBy(() -> GoDuration.parse("soon")).hasMessage("time: invalid duration \"soon\"");
        assertThatThrownBy(() -> GoDuration.parse("5d")).hasMessage("time: unknown unit \"d\" in duration \"5d\"");
        assertThatThrownBy(() -> GoDuration.parse("")).hasMessage("time: invalid duration \"\"");
    }

    @Test
    void formatsLikeGo()
    {
        assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(GoDuration.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(GoDuration.format(Duration.ofMinutes(1))).isEqualTo("1m0s");
        assertThat(GoDuration.format(Duration.ofHours(24))).isEqualTo("24h0m0s");
        assertThat(GoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(GoDuration.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(GoDuration.format(Duration.ofNanos(1500))).isEqualTo("1.5µs");
        assertThat(GoDuration.format(Duration.ofNanos(7))).isEqualTo("7ns");
    }
}
