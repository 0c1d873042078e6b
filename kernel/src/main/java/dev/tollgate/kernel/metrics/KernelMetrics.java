package dev.tollgate.kernel.metrics;

import dev.tollgate.spi.metrics.Metrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Counters and gauges registered by the kernel and plugins, rendered as Prometheus text. */
public final class KernelMetrics {

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, CounterImpl> counters = new ConcurrentHashMap<>();

    private record Entry(String help, boolean counter, LongSupplier value) {}

    /** The facade handed to one plugin: its names are prefixed with {@code tollgate_plugin_<id>_}. */
    public Metrics forPlugin(String pluginId) {
        String prefix = "tollgate_plugin_" + sanitize(pluginId) + "_";
        return new Metrics() {
            @Override
            public Counter counter(String name, String help) {
                return KernelMetrics.this.counter(prefix + sanitize(name), help);
            }

            @Override
            public void gauge(String name, String help, LongSupplier value) {
                KernelMetrics.this.gauge(prefix + sanitize(name), help, value);
            }
        };
    }

    public Metrics.Counter counter(String name, String help) {
        return counters.computeIfAbsent(name, n -> {
            CounterImpl c = new CounterImpl();
            entries.put(n, new Entry(help, true, c::value));
            return c;
        });
    }

    public void gauge(String name, String help, LongSupplier value) {
        entries.put(name, new Entry(help, false, value));
    }

    public String prometheus() {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(entries).forEach((name, e) -> sb.append("# HELP ").append(name).append(' ').append(e.help()).append('\n')
                .append("# TYPE ").append(name).append(e.counter() ? " counter\n" : " gauge\n")
                .append(name).append(' ').append(e.value().getAsLong()).append('\n'));
        return sb.toString();
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_]", "_");
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
