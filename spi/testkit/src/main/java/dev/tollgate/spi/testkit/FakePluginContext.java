package dev.tollgate.spi.testkit;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.time.Ticker;
import java.text.MessageFormat;
import java.time.Clock;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** A {@link PluginContext} for factory and adapter tests; metrics are kept in memory and readable. */
public final class FakePluginContext implements PluginContext {

    private final String pluginId;
    private final Clock clock;
    private final Ticker ticker;
    private final UpstreamHttp http;
    private final InMemoryMetrics metrics = new InMemoryMetrics();
    private final RecordingLogger logger = new RecordingLogger(System.getLogger("tollgate.plugin"));

    public FakePluginContext(String pluginId, Clock clock, UpstreamHttp http) {
        this.pluginId = pluginId;
        this.clock = clock;
        this.ticker = Ticker.system();
        this.http = http;
    }

    /** A context whose {@link #clock()} and {@link #ticker()} are {@code time}. */
    public FakePluginContext(String pluginId, ManualTime time, UpstreamHttp http) {
        this.pluginId = pluginId;
        this.clock = requireNonNull(time, "time is null").clock();
        this.ticker = time;
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
    public Ticker ticker() {
        return ticker;
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

    /** A logger that records every line it is given (and passes it on to the platform logger). */
    @Override
    public System.Logger logger() {
        return logger;
    }

    /** The lines logged through {@link #logger()} so far, as {@code LEVEL message}. */
    public List<String> logLines() {
        return List.copyOf(logger.lines);
    }

    private static final class RecordingLogger implements System.Logger {
        private static final int MAX_LINES = 10_000;

        private final System.Logger delegate;
        private final List<String> lines = new CopyOnWriteArrayList<>();

        RecordingLogger(System.Logger delegate) {
            this.delegate = delegate;
        }

        @Override
        public String getName() {
            return delegate.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            record(level, msg);
            delegate.log(level, bundle, msg, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            record(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params));
            delegate.log(level, bundle, format, params);
        }

        private void record(Level level, String msg) {
            if (lines.size() < MAX_LINES) {
                lines.add(level + " " + msg);
            }
        }
    }

    /**
     * Metrics kept in memory, with the family rules of {@link Metrics} (one type and one list of
     * label names per name, one value per label name) but without the cardinality bound or the
     * cleaning of label values: a test reads back exactly the values it passed.
     */
    public static final class InMemoryMetrics implements Metrics {
        private static final Set<String> UNITS = Set.of("seconds", "bytes", "tokens");

        private record Family(String type, List<String> labelNames, String unit) {}

        private final Map<String, Family> families = new ConcurrentHashMap<>();
        private final Map<Series, CounterImpl> counters = new ConcurrentHashMap<>();
        private final Map<Series, LongSupplier> gauges = new ConcurrentHashMap<>();
        private final Map<Series, HistogramImpl> histograms = new ConcurrentHashMap<>();

        private record Series(String name, List<String> labelValues) {}

        @Override
        public Counter counter(String name, String help) {
            family(name, "counter", List.of(), null);
            return counters.computeIfAbsent(new Series(name, List.of()), s -> new CounterImpl());
        }

        @Override
        public LabeledCounter counter(String name, String help, List<String> labelNames) {
            Family f = family(name, "counter", labelNames, null);
            return values -> counters.computeIfAbsent(series(name, f, values), s -> new CounterImpl());
        }

        @Override
        public void gauge(String name, String help, LongSupplier value) {
            family(name, "gauge", List.of(), null);
            gauges.put(new Series(name, List.of()), requireNonNull(value, "value is null"));
        }

        @Override
        public void gauge(String name, String help, List<String> labelNames, List<String> labelValues, LongSupplier value) {
            Family f = family(name, "gauge", labelNames, null);
            gauges.put(series(name, f, labelValues.toArray(String[]::new)), requireNonNull(value, "value is null"));
        }

        @Override
        public Histogram histogram(String name, String help, String unit) {
            family(name, "histogram", List.of(), unit);
            return histograms.computeIfAbsent(new Series(name, List.of()), s -> new HistogramImpl());
        }

        @Override
        public LabeledHistogram histogram(String name, String help, String unit, List<String> labelNames) {
            Family f = family(name, "histogram", labelNames, unit);
            return values -> histograms.computeIfAbsent(series(name, f, values), s -> new HistogramImpl());
        }

        /** The value of counter {@code name} with {@code labelValues}, 0 when never incremented. */
        public long counterValue(String name, String... labelValues) {
            CounterImpl c = counters.get(new Series(name, List.of(labelValues)));
            return c == null ? 0 : c.value();
        }

        /** The sum of every counter of every name and label set: a test can tell that something was counted. */
        public long counterTotal() {
            long sum = 0;
            for (CounterImpl c : counters.values()) {
                sum += c.value();
            }
            return sum;
        }

        /** The current value of gauge {@code name} with {@code labelValues}; fails when not registered. */
        public long gaugeValue(String name, String... labelValues) {
            LongSupplier g = gauges.get(new Series(name, List.of(labelValues)));
            if (g == null) {
                throw new IllegalArgumentException("no gauge " + name + " with label values " + List.of(labelValues));
            }
            return g.getAsLong();
        }

        /** How many observations histogram {@code name} with {@code labelValues} recorded, 0 when none. */
        public long histogramCount(String name, String... labelValues) {
            HistogramImpl h = histograms.get(new Series(name, List.of(labelValues)));
            return h == null ? 0 : h.count();
        }

        /** The sum of the observations of histogram {@code name} with {@code labelValues}, in the recorded measure. */
        public long histogramSum(String name, String... labelValues) {
            HistogramImpl h = histograms.get(new Series(name, List.of(labelValues)));
            return h == null ? 0 : h.sum.sum();
        }

        private synchronized Family family(String name, String type, List<String> labelNames, String unit) {
            requireNonNull(name, "name is null");
            if (unit != null && !UNITS.contains(unit)) {
                throw new IllegalArgumentException("histogram unit '" + unit + "' is not one of seconds, bytes, tokens");
            }
            Family wanted = new Family(type, List.copyOf(labelNames), unit);
            Family f = families.computeIfAbsent(name, n -> wanted);
            if (!f.equals(wanted)) {
                throw new IllegalArgumentException("metric " + name + " is already registered as " + f.type() + " with labels "
                        + f.labelNames() + (f.unit() == null ? "" : " in " + f.unit()));
            }
            return f;
        }

        private static Series series(String name, Family f, String[] values) {
            if (values.length != f.labelNames().size()) {
                throw new IllegalArgumentException("expected " + f.labelNames().size() + " label values, got " + values.length);
            }
            return new Series(name, List.of(values));
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

    private static final class HistogramImpl implements Metrics.Histogram {
        private final LongAdder count = new LongAdder();
        private final LongAdder sum = new LongAdder();

        @Override
        public void record(long value) {
            count.increment();
            sum.add(Math.max(0, value));
        }

        @Override
        public long count() {
            return count.sum();
        }
    }
}
