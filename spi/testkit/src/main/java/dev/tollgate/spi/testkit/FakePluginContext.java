package dev.tollgate.spi.testkit;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.metrics.Metrics;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** A {@link PluginContext} for factory and adapter tests; counters are kept in memory and readable. */
public final class FakePluginContext implements PluginContext {

    private final String pluginId;
    private final Clock clock;
    private final UpstreamHttp http;
    private final InMemoryMetrics metrics = new InMemoryMetrics();

    public FakePluginContext(String pluginId, Clock clock, UpstreamHttp http) {
        this.pluginId = pluginId;
        this.clock = clock;
        this.http = http;
    }

    public FakePluginContext() {
        this("test-plugin", Clock.systemUTC(), null);
    }

    @Override
    public String spiVersion() {
        return "1.0.0";
    }

    @Override
    public String pluginId() {
        return pluginId;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public UpstreamHttp http() {
        if (http == null) {
            throw new UnsupportedOperationException("this FakePluginContext has no http client");
        }
        return http;
    }

    @Override
    public InMemoryMetrics metrics() {
        return metrics;
    }

    /** Metrics kept in memory. */
    public static final class InMemoryMetrics implements Metrics {
        private final Map<String, CounterImpl> counters = new ConcurrentHashMap<>();
        private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

        @Override
        public Counter counter(String name, String help) {
            return counters.computeIfAbsent(name, n -> new CounterImpl());
        }

        @Override
        public void gauge(String name, String help, LongSupplier value) {
            gauges.put(name, value);
        }

        /** The value of counter {@code name}, 0 when never registered. */
        public long counterValue(String name) {
            CounterImpl c = counters.get(name);
            return c == null ? 0 : c.value();
        }

        public long gaugeValue(String name) {
            return gauges.get(name).getAsLong();
        }
    }

    private static final class CounterImpl implements Metrics.Counter {
        private final LongAdder adder = new LongAdder();

        @Override
        public void increment() {
            adder.increment();
        }

        @Override
        public void add(long delta) {
            adder.add(delta);
        }

        @Override
        public long value() {
            return adder.sum();
        }
    }
}
