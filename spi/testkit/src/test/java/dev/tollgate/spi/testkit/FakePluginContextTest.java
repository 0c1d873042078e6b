package dev.tollgate.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.metrics.Metrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakePluginContextTest {

    @Test
    void givenManualTimeTheContextsClockAndTickerFollowIt() {
        ManualTime time = new ManualTime();
        FakePluginContext context = new FakePluginContext("p", time, null);
        long t0 = context.ticker().nanoTime();

        time.advance(Duration.ofSeconds(2));

        assertThat(context.ticker().nanoTime() - t0).isEqualTo(2_000_000_000L);
        assertThat(context.clock().instant()).isEqualTo(ManualTime.DEFAULT_START.plusSeconds(2));
    }

    @Test
    void testsReadBackLabelledCountersAndHistograms() {
        FakePluginContext.InMemoryMetrics m = new FakePluginContext().metrics();
        Metrics.LabeledCounter calls = m.counter("calls_total", "Calls.", List.of("model", "outcome"));
        calls.labels("a", "ok").increment();
        calls.labels("a", "ok").add(2);
        calls.labels("b", "error").increment();
        Metrics.LabeledHistogram latency = m.histogram("latency_seconds", "Latency.", "seconds", List.of("model"));
        latency.labels("a").record(1500);
        latency.labels("a").record(500);
        m.counter("plain_total", "Plain.").increment();
        m.gauge("pool", "Pool.", List.of("origin"), List.of("x"), () -> 7);

        assertThat(m.counterValue("calls_total", "a", "ok")).isEqualTo(3);
        assertThat(m.counterValue("calls_total", "b", "error")).isEqualTo(1);
        assertThat(m.counterValue("calls_total", "c", "ok")).isZero();
        assertThat(m.counterValue("plain_total")).isEqualTo(1);
        assertThat(m.histogramCount("latency_seconds", "a")).isEqualTo(2);
        assertThat(m.histogramSum("latency_seconds", "a")).isEqualTo(2000);
        assertThat(m.gaugeValue("pool", "x")).isEqualTo(7);
    }

    @Test
    void theFamilyRulesOfTheKernelApply() {
        FakePluginContext.InMemoryMetrics m = new FakePluginContext().metrics();
        Metrics.LabeledCounter c = m.counter("calls_total", "Calls.", List.of("model"));

        assertThatThrownBy(() -> m.counter("calls_total", "Calls.", List.of("kind"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.histogram("calls_total", "x", "seconds")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.histogram("h", "x", "minutes")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.labels("a", "b")).isInstanceOf(IllegalArgumentException.class);
    }
}
