package dev.tollgate.kernel.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.metrics.Metrics;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KernelMetricsTest {

    private final KernelMetrics metrics = new KernelMetrics();

    @Test
    void rendersASmallRegistryExactly() {
        metrics.counter("tollgate_b_total", "Bees.").add(3);
        Metrics.LabeledCounter requests = metrics.counter("tollgate_a_total", "Requests by outcome.", List.of("model", "outcome"));
        requests.labels("m1", "ok").add(2);
        requests.labels("m0", "error").increment();
        metrics.gauge("tollgate_c", "A gauge.", () -> 7);
        metrics.gauge("tollgate_d", "A labelled gauge.", List.of("pool"), List.of("x"), () -> 4);
        Metrics.Histogram tokens = metrics.histogram("tollgate_e_tokens", "Tokens.", "tokens");
        tokens.record(1);
        tokens.record(3);
        tokens.record(3_000_000);
        metrics.counter("tollgate_f_total", "Never used.", List.of("kind"));

        assertThat(metrics.prometheus()).isEqualTo("""
                # HELP tollgate_a_total Requests by outcome.
                # TYPE tollgate_a_total counter
                tollgate_a_total{model="m0",outcome="error"} 1
                tollgate_a_total{model="m1",outcome="ok"} 2
                # HELP tollgate_b_total Bees.
                # TYPE tollgate_b_total counter
                tollgate_b_total 3
                # HELP tollgate_c A gauge.
                # TYPE tollgate_c gauge
                tollgate_c 7
                # HELP tollgate_d A labelled gauge.
                # TYPE tollgate_d gauge
                tollgate_d{pool="x"} 4
                # HELP tollgate_e_tokens Tokens.
                # TYPE tollgate_e_tokens histogram
                tollgate_e_tokens_bucket{le="1"} 1
                tollgate_e_tokens_bucket{le="2"} 1
                tollgate_e_tokens_bucket{le="4"} 2
                tollgate_e_tokens_bucket{le="8"} 2
                tollgate_e_tokens_bucket{le="16"} 2
                tollgate_e_tokens_bucket{le="32"} 2
                tollgate_e_tokens_bucket{le="64"} 2
                tollgate_e_tokens_bucket{le="128"} 2
                tollgate_e_tokens_bucket{le="256"} 2
                tollgate_e_tokens_bucket{le="512"} 2
                tollgate_e_tokens_bucket{le="1024"} 2
                tollgate_e_tokens_bucket{le="2048"} 2
                tollgate_e_tokens_bucket{le="4096"} 2
                tollgate_e_tokens_bucket{le="8192"} 2
                tollgate_e_tokens_bucket{le="16384"} 2
                tollgate_e_tokens_bucket{le="32768"} 2
                tollgate_e_tokens_bucket{le="65536"} 2
                tollgate_e_tokens_bucket{le="131072"} 2
                tollgate_e_tokens_bucket{le="262144"} 2
                tollgate_e_tokens_bucket{le="524288"} 2
                tollgate_e_tokens_bucket{le="1048576"} 2
                tollgate_e_tokens_bucket{le="2097152"} 2
                tollgate_e_tokens_bucket{le="+Inf"} 3
                tollgate_e_tokens_sum 3000004
                tollgate_e_tokens_count 3
                """);
    }

    @Test
    void escapesLabelValuesAndHelpText() {
        metrics.counter("x_total", "Back\\slash and\nnewline.", List.of("v")).labels("say \"hi\"\\now\nplease").increment();

        String text = metrics.prometheus();

        assertThat(text).contains("# HELP x_total Back\\\\slash and\\nnewline.\n");
        assertThat(text).contains("x_total{v=\"say \\\"hi\\\"\\\\now\\nplease\"} 1\n");
        assertThat(StrictPrometheusParser.parse(text).get("x_total").samples().get(0).labels())
                .containsEntry("v", "say \"hi\"\\now\nplease");
    }

    @Test
    void cutsLongValuesTo128CharactersAndReplacesControlCharacters() {
        Metrics.LabeledCounter c = metrics.counter("x_total", "x", List.of("v"));

        Metrics.Counter longOne = c.labels("a".repeat(200));
        Metrics.Counter samePrefix = c.labels("a".repeat(128) + "b");
        Metrics.Counter control = c.labels("tab\there\r\u0000");
        Metrics.Counter controlAgain = c.labels("tab\there\r\u0000");
        longOne.increment();
        control.increment();

        assertThat(samePrefix).isSameAs(longOne);
        assertThat(controlAgain).isSameAs(control);
        assertThat(metrics.prometheus())
                .contains("x_total{v=\"" + "a".repeat(128) + "\"} 1\n")
                .contains("x_total{v=\"tab_here__\"} 1\n");
    }

    @Test
    void foldsThe1001stLabelSetIntoOtherAndCountsIt() {
        Metrics.LabeledCounter c = metrics.counter("tollgate_keyed_total", "Per key.", List.of("key", "model"));
        for (int i = 0; i < 1000; i++) {
            c.labels("k" + i, "m").increment();
        }
        assertThat(overflowCount("tollgate_keyed_total")).isZero();

        Metrics.Counter over = c.labels("k1000", "m");
        over.add(5);

        assertThat(overflowCount("tollgate_keyed_total")).isEqualTo(1);
        assertThat(over).isSameAs(c.labels("k1001", "m"));
        assertThat(c.labels("k999", "m")).as("existing children are still served").isNotSameAs(over);
        Map<String, StrictPrometheusParser.Family> parsed = StrictPrometheusParser.parse(metrics.prometheus());
        List<StrictPrometheusParser.Sample> samples = parsed.get("tollgate_keyed_total").samples();
        assertThat(samples).hasSize(1001);
        assertThat(samples).filteredOn(s -> s.labels().equals(Map.of("key", "__other__", "model", "__other__")))
                .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(5));
        assertThat(overflowCount("tollgate_keyed_total")).isEqualTo(2);
    }

    @Test
    void theLabelSetBoundIsConfigurable() {
        KernelMetrics small = new KernelMetrics(2);
        Metrics.LabeledHistogram h = small.histogram("lat_seconds", "x", "seconds", List.of("model"));
        h.labels("a").record(1);
        h.labels("b").record(1);
        h.labels("c").record(1);

        assertThat(h.labels("c")).isSameAs(h.labels("zzz"));
        assertThat(small.prometheus()).contains("lat_seconds_count{model=\"__other__\"} 1\n")
                .contains("tollgate_metrics_label_overflow_total{metric=\"lat_seconds\"} 3\n");
    }

    @Test
    void gaugesPastTheBoundAreSummedInOther() {
        KernelMetrics small = new KernelMetrics(1);
        small.gauge("pool", "x", List.of("origin"), List.of("a"), () -> 1);
        small.gauge("pool", "x", List.of("origin"), List.of("b"), () -> 2);
        small.gauge("pool", "x", List.of("origin"), List.of("c"), () -> 3);
        small.gauge("pool", "x", List.of("origin"), List.of("a"), () -> 10);

        assertThat(small.prometheus()).contains("pool{origin=\"__other__\"} 5\npool{origin=\"a\"} 10\n");
    }

    @Test
    void aGaugeThatThrowsIsLeftOutOfTheScrape() {
        metrics.gauge("bad", "x", () -> {
            throw new IllegalStateException("boom");
        });
        metrics.gauge("good", "x", () -> 1);

        String text = metrics.prometheus();

        assertThat(text).doesNotContain("\nbad ").contains("good 1\n");
        StrictPrometheusParser.parse(text);
    }

    @Test
    void concurrentIncrementsFromSeveralThreadsSumExactly() throws Exception {
        int threads = 8;
        int perThread = 50_000;
        Metrics.LabeledCounter c = metrics.counter("hits_total", "x", List.of("slot"));
        Metrics.LabeledHistogram h = metrics.histogram("size_bytes", "x", "bytes", List.of("slot"));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                for (int i = 0; i < perThread; i++) {
                    String slot = "s" + (i % 10);
                    c.labels(slot).increment();
                    h.labels(slot).record(i % 100);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        for (int s = 0; s < 10; s++) {
            assertThat(c.labels("s" + s).value()).isEqualTo((long) threads * perThread / 10);
            assertThat(h.labels("s" + s).count()).isEqualTo((long) threads * perThread / 10);
        }
        assertThat(overflowCount("hits_total")).isZero();
    }

    @Test
    void histogramBoundsAreInclusiveAndSecondsAreRecordedInMicroseconds() {
        Metrics.Histogram h = metrics.histogram("lat_seconds", "Latency.", "seconds");
        h.record(100);
        h.record(101);
        h.record(0);
        h.record(-5);
        h.record(600_000_000);
        h.record(600_000_001);

        Map<String, Double> buckets = StrictPrometheusParser.parse(metrics.prometheus()).get("lat_seconds").samples().stream()
                .filter(s -> s.name().equals("lat_seconds_bucket"))
                .collect(Collectors.toMap(s -> s.labels().get("le"), StrictPrometheusParser.Sample::value));
        String text = metrics.prometheus();

        assertThat(buckets).hasSize(70);
        assertThat(buckets).containsEntry("0.0001", 3.0).containsEntry("0.000125", 4.0).containsEntry("500", 4.0)
                .containsEntry("600", 5.0).containsEntry("+Inf", 6.0);
        assertThat(text).contains("lat_seconds_sum 1200.000202\n").contains("lat_seconds_count 6\n");
        assertThat(h.count()).isEqualTo(6);
    }

    @Test
    void theSecondsLayoutRunsFrom100MicrosecondsTo600SecondsInR10Steps() {
        HistogramLayout s = HistogramLayout.SECONDS;
        List<String> bounds = IntStream.range(0, s.buckets()).mapToObj(s::boundText).toList();

        assertThat(bounds).startsWith("0.0001", "0.000125", "0.00016", "0.0002", "0.00025", "0.000315", "0.0004", "0.0005",
                "0.00063", "0.0008", "0.001");
        assertThat(bounds).endsWith("250", "315", "400", "500", "600");
        assertThat(bounds).hasSize(69);
        for (int i = 1; i < s.buckets(); i++) {
            assertThat((double) s.bound(i) / s.bound(i - 1)).isGreaterThan(1.0).isLessThanOrEqualTo(1.28);
        }
    }

    @Test
    void bytesAndTokensHavePowerOfTwoLayouts() {
        assertThat(HistogramLayout.BYTES.boundText(0)).isEqualTo("64");
        assertThat(HistogramLayout.BYTES.boundText(HistogramLayout.BYTES.buckets() - 1)).isEqualTo("1073741824");
        assertThat(HistogramLayout.TOKENS.bucketOf(5)).isEqualTo(3);
        assertThat(HistogramLayout.TOKENS.bucketOf(1L << 22)).isEqualTo(HistogramLayout.TOKENS.buckets());
    }

    @Test
    void aNameRegisteredAgainWithOtherLabelsOrTypeFails() {
        metrics.counter("x_total", "x", List.of("a"));
        metrics.histogram("h_seconds", "x", "seconds");

        assertThat(metrics.counter("x_total", "x", List.of("a"))).as("same labels, same family").isNotNull();
        assertThatThrownBy(() -> metrics.counter("x_total", "x", List.of("b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("metric x_total is already registered as counter with labels [a]");
        assertThatThrownBy(() -> metrics.counter("x_total", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("with labels [a]");
        assertThatThrownBy(() -> metrics.gauge("x_total", "x", () -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered as counter");
        assertThatThrownBy(() -> metrics.histogram("h_seconds", "x", "bytes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("histogram of seconds");
        assertThatThrownBy(() -> metrics.counter("h_seconds_count", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clashes with the series of histogram h_seconds");
    }

    @Test
    void badNamesLabelsAndUnitsAreRefused() {
        assertThatThrownBy(() -> metrics.counter("1x", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.counter("x", "x", List.of("__reserved"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.counter("x", "x", List.of("a", "a"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.histogram("h", "x", "seconds", List.of("le"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.histogram("h", "x", "minutes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one of seconds, bytes, tokens");
        Metrics.LabeledCounter c = metrics.counter("y_total", "x", List.of("a", "b"));
        assertThatThrownBy(() -> c.labels("only-one")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 2 label values, got 1");
        assertThatThrownBy(() -> c.labels("a", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pluginNamesArePrefixedWithThePluginId() {
        Metrics plugin = metrics.forPlugin("provider-mock");
        plugin.counter("calls_total", "Calls.", List.of("kind")).labels("chat").increment();
        plugin.histogram("delay_seconds", "Delay.", "seconds").record(5);

        assertThat(metrics.prometheus()).contains("tollgate_plugin_provider_mock_calls_total{kind=\"chat\"} 1\n")
                .contains("tollgate_plugin_provider_mock_delay_seconds_count 1\n");
    }

    @Test
    void aBusyRegistryParsesAsStrictTextFormat() {
        Metrics.LabeledCounter c = metrics.counter("tollgate_requests_by_model_total", "Requests.\nPer model.", List.of("model", "outcome"));
        Metrics.LabeledHistogram h = metrics.histogram("tollgate_upstream_latency_seconds", "Latency.", "seconds", List.of("provider"));
        for (int i = 0; i < 50; i++) {
            c.labels("model \"" + i + "\"\\", i % 2 == 0 ? "ok" : "err\n").increment();
            h.labels("p" + (i % 3)).record(i * 1_000L);
        }
        metrics.histogram("tollgate_body_bytes", "Bodies.", "bytes").record(5000);
        metrics.gauge("tollgate_pool", "Idle.", List.of("origin"), List.of("https://x:443"), () -> 3);

        Map<String, StrictPrometheusParser.Family> parsed = StrictPrometheusParser.parse(metrics.prometheus());

        assertThat(parsed.keySet()).containsExactly("tollgate_body_bytes", "tollgate_pool", "tollgate_requests_by_model_total",
                "tollgate_upstream_latency_seconds");
        assertThat(parsed.get("tollgate_requests_by_model_total").help()).isEqualTo("Requests.\nPer model.");
        assertThat(parsed.get("tollgate_upstream_latency_seconds").samples()).hasSize(3 * 72);
    }

    @Test
    void theStrictParserRejectsBrokenText() {
        assertThatThrownBy(() -> StrictPrometheusParser.parse("x 1\n")).hasMessageContaining("before its TYPE");
        assertThatThrownBy(() -> StrictPrometheusParser.parse("# TYPE x counter\nx{a=\"b\nc\"} 1\n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StrictPrometheusParser.parse("# TYPE x counter\nx 1\n# TYPE x counter\n"))
                .hasMessageContaining("second TYPE");
        assertThatThrownBy(() -> StrictPrometheusParser.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"))
                .hasMessageContaining("no +Inf bucket");
        assertThatThrownBy(() -> StrictPrometheusParser.parse("# TYPE x counter\nx 1\nx 2\n")).hasMessageContaining("duplicate");
    }

    @Test
    void aLookupOfAnExistingChildAllocatesNothing() {
        Metrics.LabeledCounter c = metrics.counter("x_total", "x", List.of("model", "outcome"));
        String[] values = {"gpt-4o-mini", "success"};
        c.labels(values).increment();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        mx.getThreadAllocatedBytes(thread);

        long before = mx.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 10_000; i++) {
            c.labels(values).increment();
        }
        long allocated = mx.getThreadAllocatedBytes(thread) - before;

        assertThat(allocated).as("bytes for 10,000 lookups").isLessThan(10_000);
        assertThat(c.labels(values).value()).isEqualTo(10_001);
    }

    private long overflowCount(String family) {
        StrictPrometheusParser.Family f = StrictPrometheusParser.parse(metrics.prometheus()).get(KernelMetrics.OVERFLOW_METRIC);
        if (f == null) {
            return 0;
        }
        return f.samples().stream().filter(s -> s.labels().get("metric").equals(family)).mapToLong(s -> (long) s.value()).sum();
    }
}
