package dev.tollgate.kernel.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OpenMetricsTest {

    @Test
    void countersAreNamedWithoutTotalAndTheTextEndsWithEof() {
        KernelMetrics m = new KernelMetrics();
        m.counter("tollgate_requests_total", "Requests", List.of("status")).labels("200").add(3);
        m.counter("tollgate_plugin_x_retries", "A plugin's counter without the suffix").add(2);
        m.gauge("tollgate_in_flight", "In flight", () -> 4);
        m.histogram("tollgate_latency_seconds", "Latency", "seconds").record(1500);

        String om = OpenMetrics.fromPrometheus(m.prometheus());

        assertThat(om).contains("# TYPE tollgate_requests counter\n", "# HELP tollgate_requests Requests\n",
                "tollgate_requests_total{status=\"200\"} 3\n");
        assertThat(om).contains("# TYPE tollgate_plugin_x_retries counter\n", "tollgate_plugin_x_retries_total 2\n");
        assertThat(om).contains("# TYPE tollgate_in_flight gauge\n", "tollgate_in_flight 4\n");
        assertThat(om).contains("# TYPE tollgate_latency_seconds histogram\n", "tollgate_latency_seconds_count 1\n");
        assertThat(om).endsWith("\n# EOF\n");
        assertThat(om).doesNotContain("\n\n");
        for (String line : om.split("\n")) {
            if (line.startsWith("# TYPE ") && line.endsWith(" counter")) {
                assertThat(line).doesNotContain("_total ");
            }
        }
    }

    @Test
    void prometheusAsksForItWhenItCanReadIt() {
        assertThat(OpenMetrics.wanted("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")).isTrue();
        assertThat(OpenMetrics.wanted("text/plain")).isFalse();
        assertThat(OpenMetrics.wanted(null)).isFalse();
    }
}
