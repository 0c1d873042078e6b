package dev.tollgate.spi.metrics;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * A small metrics facade; the kernel exposes what is registered here in the Prometheus text format.
 * A plugin's names are prefixed with {@code tollgate_plugin_<id>_}.
 *
 * <h2>Families</h2>
 * A name identifies one family of one type (counter, gauge or histogram) with one list of label
 * names. Registering a name again with the same type and label names returns the same family;
 * with another type or other label names it fails with {@link IllegalArgumentException}. Names are
 * letters, digits and underscores; label names too, never starting with {@code __}, and a histogram
 * has no label {@code le}.
 *
 * <h2>Label values</h2>
 * {@code labels(values...)} takes one value per label name, in order, and returns the child for
 * that combination. Children are cached: looking one up again takes a few tens of nanoseconds
 * and allocates nothing beyond the call's varargs array; on the hottest paths keep the child.
 * Values longer than 128 characters are cut to 128; control characters other than a newline
 * become {@code _}; quotes, backslashes and newlines are escaped on output.
 *
 * <h2>Bounded cardinality</h2>
 * Each family holds at most a fixed number of label-value combinations (1,000 unless the kernel
 * is configured otherwise). Past that, new combinations all share one overflow child whose every
 * label value is {@code __other__}, and the kernel's counter
 * {@code tollgate_metrics_label_overflow_total{metric="<family>"}} counts each such lookup. So a
 * label fed from user input (a model name, a key id) can never exhaust memory; use labels for
 * bounded sets and say what the bound is.
 */
public interface Metrics {

    /** A monotonically increasing counter without labels; the same name returns the same counter. */
    Counter counter(String name, String help);

    /** A family of counters with the given label names, for example {@code [model, outcome]}. */
    LabeledCounter counter(String name, String help, List<String> labelNames);

    /** A gauge without labels, read from {@code value} whenever metrics are collected; registering it again replaces it. */
    void gauge(String name, String help, LongSupplier value);

    /**
     * One child of a labelled gauge family, read from {@code value} whenever metrics are collected.
     * Registering the same label values again replaces the supplier. Past the family's bound,
     * further children are added into the {@code __other__} child, which reports their sum.
     */
    void gauge(String name, String help, List<String> labelNames, List<String> labelValues, LongSupplier value);

    /**
     * A histogram without labels. {@code unit} fixes both what {@link Histogram#record} takes and
     * the bucket layout:
     * <ul>
     *   <li>{@code seconds}: record <em>microseconds</em>; exported in seconds, buckets from 100 µs to
     *       600 s at 1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3 and 8 per decade (next bound at most 28 %
     *       above the last, so P99 and P99.9 estimated from the buckets are off by less than that);</li>
     *   <li>{@code bytes}: record bytes; buckets at each power of two from 64 B to 1 GiB;</li>
     *   <li>{@code tokens}: record tokens; buckets at each power of two from 1 to 2,097,152.</li>
     * </ul>
     * Another unit fails with {@link IllegalArgumentException}. The family name should end with
     * the unit, for example {@code upstream_latency_seconds}.
     */
    Histogram histogram(String name, String help, String unit);

    /** A family of histograms with the given label names; {@code unit} as in {@link #histogram(String, String, String)}. */
    LabeledHistogram histogram(String name, String help, String unit, List<String> labelNames);

    /** A counter. */
    interface Counter {
        void increment();

        void add(long delta);

        long value();
    }

    /** A family of counters; {@link #labels} returns the child for one combination of label values. */
    interface LabeledCounter {
        /** The child for {@code values}, one per label name; a wrong number of values fails with {@link IllegalArgumentException}. */
        Counter labels(String... values);
    }

    /** A distribution of integer observations, exported as cumulative buckets, a sum and a count. */
    interface Histogram {
        /** Records one observation in the unit's integer measure (microseconds for seconds); negative values count as 0. */
        void record(long value);

        /** How many observations were recorded. */
        long count();
    }

    /** A family of histograms; {@link #labels} returns the child for one combination of label values. */
    interface LabeledHistogram {
        /** The child for {@code values}, one per label name; a wrong number of values fails with {@link IllegalArgumentException}. */
        Histogram labels(String... values);
    }
}
