package dev.tollgate.kernel.metrics;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.metrics.Metrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Counters, gauges and histograms registered by the kernel and plugins, rendered in the Prometheus
 * text format 0.0.4. The semantics (families, label bounds, histogram layouts) are those written
 * on {@link Metrics}.
 */
public final class KernelMetrics implements Metrics {

    public static final int DEFAULT_MAX_LABEL_SETS = 1000;
    static final String OVERFLOW_METRIC = "tollgate_metrics_label_overflow_total";
    private static final String[] NO_LABELS = {};
    private static final Comparator<List<String>> BY_VALUES = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private final int maxLabelSets;
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final CounterFamily overflow;

    public KernelMetrics() {
        this(DEFAULT_MAX_LABEL_SETS);
    }

    /** @param maxLabelSets the most label-value combinations one family holds before {@code __other__} */
    public KernelMetrics(int maxLabelSets) {
        if (maxLabelSets < 1) {
            throw new IllegalArgumentException("maxLabelSets must be at least 1");
        }
        this.maxLabelSets = maxLabelSets;
        this.overflow = new CounterFamily(OVERFLOW_METRIC, "Label lookups folded into the __other__ child, by family",
                List.of("metric"), Integer.MAX_VALUE, () -> {});
        families.put(OVERFLOW_METRIC, overflow);
    }

    /** The facade handed to one plugin: its names are prefixed with {@code tollgate_plugin_<id>_}. */
    public Metrics forPlugin(String pluginId) {
        String prefix = "tollgate_plugin_" + sanitize(pluginId) + "_";
        return new Metrics() {
            @Override
            public Counter counter(String name, String help) {
                return KernelMetrics.this.counter(prefix + sanitize(name), help);
            }

            @Override
            public LabeledCounter counter(String name, String help, List<String> labelNames) {
                return KernelMetrics.this.counter(prefix + sanitize(name), help, labelNames);
            }

            @Override
            public void gauge(String name, String help, LongSupplier value) {
                KernelMetrics.this.gauge(prefix + sanitize(name), help, value);
            }

            @Override
            public void gauge(String name, String help, List<String> labelNames, List<String> labelValues, LongSupplier value) {
                KernelMetrics.this.gauge(prefix + sanitize(name), help, labelNames, labelValues, value);
            }

            @Override
            public Histogram histogram(String name, String help, String unit) {
                return KernelMetrics.this.histogram(prefix + sanitize(name), help, unit);
            }

            @Override
            public LabeledHistogram histogram(String name, String help, String unit, List<String> labelNames) {
                return KernelMetrics.this.histogram(prefix + sanitize(name), help, unit, labelNames);
            }
        };
    }

    @Override
    public Counter counter(String name, String help) {
        return counterFamily(name, help, List.of()).table.get(NO_LABELS);
    }

    @Override
    public LabeledCounter counter(String name, String help, List<String> labelNames) {
        CounterFamily f = counterFamily(name, help, labelNames);
        return f.table::get;
    }

    private CounterFamily counterFamily(String name, String help, List<String> labelNames) {
        List<String> labels = LabelValues.labelNames(labelNames, false);
        return register(name, CounterFamily.class, labels, null,
                () -> new CounterFamily(name, help, labels, maxLabelSets, overflowCounter(name)));
    }

    @Override
    public void gauge(String name, String help, LongSupplier value) {
        gauge(name, help, List.of(), List.of(), value);
    }

    @Override
    public void gauge(String name, String help, List<String> labelNames, List<String> labelValues, LongSupplier value) {
        List<String> labels = LabelValues.labelNames(labelNames, false);
        if (labelValues.size() != labels.size()) {
            throw new IllegalArgumentException("expected " + labels.size() + " label values, got " + labelValues.size());
        }
        requireNonNull(value, "value is null");
        GaugeFamily f = register(name, GaugeFamily.class, labels, null,
                () -> new GaugeFamily(name, help, labels, maxLabelSets, overflowCounter(name)));
        f.put(labelValues.toArray(String[]::new), value);
    }

    @Override
    public Histogram histogram(String name, String help, String unit) {
        return histogramFamily(name, help, unit, List.of()).table.get(NO_LABELS);
    }

    @Override
    public LabeledHistogram histogram(String name, String help, String unit, List<String> labelNames) {
        HistogramFamily f = histogramFamily(name, help, unit, labelNames);
        return f.table::get;
    }

    private HistogramFamily histogramFamily(String name, String help, String unit, List<String> labelNames) {
        HistogramLayout layout = HistogramLayout.of(unit);
        List<String> labels = LabelValues.labelNames(labelNames, true);
        return register(name, HistogramFamily.class, labels, layout,
                () -> new HistogramFamily(name, help, labels, layout, maxLabelSets, overflowCounter(name)));
    }

    private Runnable overflowCounter(String family) {
        return () -> overflow.table.get(family).increment();
    }

    private synchronized <F extends Family> F register(String name, Class<F> type, List<String> labels, HistogramLayout layout,
            Supplier<F> create) {
        LabelValues.metricName(name);
        Family existing = families.get(name);
        if (existing != null) {
            if (!type.isInstance(existing) || !existing.labelNames.equals(labels)
                    || (existing instanceof HistogramFamily h && h.layout != layout)) {
                throw new IllegalArgumentException("metric " + name + " is already registered as " + existing.describe());
            }
            return type.cast(existing);
        }
        for (String suffix : HistogramFamily.SUFFIXES) {
            if (name.endsWith(suffix) && families.get(name.substring(0, name.length() - suffix.length())) instanceof HistogramFamily) {
                throw new IllegalArgumentException("metric " + name + " clashes with the series of histogram "
                        + name.substring(0, name.length() - suffix.length()));
            }
            if (type == HistogramFamily.class && families.containsKey(name + suffix)) {
                throw new IllegalArgumentException("histogram " + name + " clashes with metric " + name + suffix);
            }
        }
        F f = create.get();
        families.put(name, f);
        return f;
    }

    /** Every family with at least one sample, sorted by name, in the Prometheus text format 0.0.4. */
    public String prometheus() {
        StringBuilder sb = new StringBuilder(4096);
        new TreeMap<>(families).values().forEach(f -> f.render(sb));
        return sb.toString();
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_]", "_");
    }

    private abstract static sealed class Family permits CounterFamily, GaugeFamily, HistogramFamily {
        final String name;
        final String help;
        final List<String> labelNames;

        Family(String name, String help, List<String> labelNames) {
            this.name = name;
            this.help = requireNonNull(help, "help is null");
            this.labelNames = labelNames;
        }

        abstract String type();

        String describe() {
            return type() + " with labels " + labelNames;
        }

        void render(StringBuilder sb) {
            List<LabelTable.Labeled<?>> children = new ArrayList<>(children());
            if (children.isEmpty()) {
                return;
            }
            children.sort((a, b) -> BY_VALUES.compare(a.values(), b.values()));
            sb.append("# HELP ").append(name).append(' ');
            LabelValues.appendHelp(sb, help);
            sb.append("\n# TYPE ").append(name).append(' ').append(type()).append('\n');
            for (LabelTable.Labeled<?> c : children) {
                renderChild(sb, c.values(), c.child());
            }
        }

        abstract List<? extends LabelTable.Labeled<?>> children();

        abstract void renderChild(StringBuilder sb, List<String> values, Object child);

        void series(StringBuilder sb, String suffix, List<String> values, String extraName, String extraValue) {
            sb.append(name).append(suffix);
            if (!values.isEmpty() || extraName != null) {
                sb.append('{');
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(labelNames.get(i)).append("=\"");
                    LabelValues.appendLabelValue(sb, values.get(i));
                    sb.append('"');
                }
                if (extraName != null) {
                    sb.append(values.isEmpty() ? "" : ",").append(extraName).append("=\"").append(extraValue).append('"');
                }
                sb.append('}');
            }
            sb.append(' ');
        }
    }

    private static final class CounterFamily extends Family {
        final LabelTable<CounterImpl> table;

        CounterFamily(String name, String help, List<String> labelNames, int max, Runnable onOverflow) {
            super(name, help, labelNames);
            this.table = new LabelTable<>(labelNames.size(), max, v -> new CounterImpl(), onOverflow);
        }

        @Override
        String type() {
            return "counter";
        }

        @Override
        List<LabelTable.Labeled<CounterImpl>> children() {
            return table.snapshot();
        }

        @Override
        void renderChild(StringBuilder sb, List<String> values, Object child) {
            series(sb, "", values, null, null);
            sb.append(((CounterImpl) child).value()).append('\n');
        }
    }

    /** Gauges are registered, not looked up on a hot path: a map under the family's monitor is enough. */
    private static final class GaugeFamily extends Family {
        private final int max;
        private final Runnable onOverflow;
        private final Map<List<String>, LongSupplier> gauges = new HashMap<>();
        private final Map<List<String>, LongSupplier> overflowed = new HashMap<>();

        GaugeFamily(String name, String help, List<String> labelNames, int max, Runnable onOverflow) {
            super(name, help, labelNames);
            this.max = max;
            this.onOverflow = onOverflow;
        }

        @Override
        String type() {
            return "gauge";
        }

        synchronized void put(String[] values, LongSupplier value) {
            List<String> key = List.of(LabelValues.sanitize(values));
            if (gauges.containsKey(key) || gauges.size() < max) {
                gauges.put(key, value);
            } else {
                overflowed.put(key, value);
                onOverflow.run();
            }
        }

        @Override
        synchronized List<LabelTable.Labeled<LongSupplier>> children() {
            List<LabelTable.Labeled<LongSupplier>> out = new ArrayList<>();
            gauges.forEach((k, v) -> out.add(new LabelTable.Labeled<>(k, v)));
            if (!overflowed.isEmpty()) {
                List<LongSupplier> members = List.copyOf(overflowed.values());
                LongSupplier sum = () -> members.stream().mapToLong(LongSupplier::getAsLong).sum();
                out.add(new LabelTable.Labeled<>(Collections.nCopies(labelNames.size(), LabelTable.OTHER), sum));
            }
            return out;
        }

        @Override
        void renderChild(StringBuilder sb, List<String> values, Object child) {
            long v;
            try {
                v = ((LongSupplier) child).getAsLong();
            } catch (RuntimeException e) {
                return;
            }
            series(sb, "", values, null, null);
            sb.append(v).append('\n');
        }
    }

    private static final class HistogramFamily extends Family {
        static final List<String> SUFFIXES = List.of("_bucket", "_sum", "_count");
        final HistogramLayout layout;
        final LabelTable<HistogramImpl> table;

        HistogramFamily(String name, String help, List<String> labelNames, HistogramLayout layout, int max, Runnable onOverflow) {
            super(name, help, labelNames);
            this.layout = layout;
            this.table = new LabelTable<>(labelNames.size(), max, v -> new HistogramImpl(layout), onOverflow);
        }

        @Override
        String type() {
            return "histogram";
        }

        @Override
        String describe() {
            return "histogram of " + layout.unit() + " with labels " + labelNames;
        }

        @Override
        List<LabelTable.Labeled<HistogramImpl>> children() {
            return table.snapshot();
        }

        @Override
        void renderChild(StringBuilder sb, List<String> values, Object child) {
            HistogramImpl h = (HistogramImpl) child;
            long[] counts = h.snapshot();
            long cumulative = 0;
            for (int i = 0; i < layout.buckets(); i++) {
                cumulative += counts[i];
                series(sb, "_bucket", values, "le", layout.boundText(i));
                sb.append(cumulative).append('\n');
            }
            cumulative += counts[layout.buckets()];
            series(sb, "_bucket", values, "le", "+Inf");
            sb.append(cumulative).append('\n');
            series(sb, "_sum", values, null, null);
            sb.append(layout.format(h.sum.sum())).append('\n');
            series(sb, "_count", values, null, null);
            sb.append(cumulative).append('\n');
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

    /**
     * Non-cumulative bucket counts (the last is +Inf); the count is their total, so {@code _count}
     * always equals the {@code +Inf} bucket even while observations arrive during a scrape.
     */
    private static final class HistogramImpl implements Metrics.Histogram {
        private final HistogramLayout layout;
        private final AtomicLongArray buckets;
        private final LongAdder sum = new LongAdder();

        HistogramImpl(HistogramLayout layout) {
            this.layout = layout;
            this.buckets = new AtomicLongArray(layout.buckets() + 1);
        }

        @Override
        public void record(long value) {
            long v = Math.max(0, value);
            buckets.getAndIncrement(layout.bucketOf(v));
            sum.add(v);
        }

        @Override
        public long count() {
            long n = 0;
            for (int i = 0; i < buckets.length(); i++) {
                n += buckets.get(i);
            }
            return n;
        }

        long[] snapshot() {
            long[] out = new long[buckets.length()];
            for (int i = 0; i < out.length; i++) {
                out[i] = buckets.get(i);
            }
            return out;
        }
    }
}
