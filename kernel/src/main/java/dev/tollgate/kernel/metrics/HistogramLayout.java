package dev.tollgate.kernel.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The fixed bucket bounds of each histogram unit, in the integer measure that is recorded
 * (microseconds for seconds), and how a recorded sum is written in the unit.
 */
enum HistogramLayout {
    /** 100 µs to 600 s, at 1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8 per decade (the R10 series). */
    SECONDS(seconds(), 6),
    /** Each power of two from 64 B to 1 GiB. */
    BYTES(powersOfTwo(6, 30), 0),
    /** Each power of two from 1 to 2^21 (2,097,152). */
    TOKENS(powersOfTwo(0, 21), 0);

    private final long[] bounds;
    private final int scale;
    private final String[] boundText;

    HistogramLayout(long[] bounds, int scale) {
        this.bounds = bounds;
        this.scale = scale;
        this.boundText = new String[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            boundText[i] = format(bounds[i], scale);
        }
    }

    static HistogramLayout of(String unit) {
        for (HistogramLayout l : values()) {
            if (l.name().toLowerCase(Locale.ROOT).equals(unit)) {
                return l;
            }
        }
        throw new IllegalArgumentException("histogram unit '" + unit + "' is not one of seconds, bytes, tokens");
    }

    String unit() {
        return name().toLowerCase(Locale.ROOT);
    }

    int buckets() {
        return bounds.length;
    }

    /** The index of the first bucket whose bound is at least {@code value}; {@link #buckets()} for +Inf. */
    int bucketOf(long value) {
        int i = Arrays.binarySearch(bounds, value);
        return i >= 0 ? i : -i - 1;
    }

    String boundText(int bucket) {
        return boundText[bucket];
    }

    long bound(int bucket) {
        return bounds[bucket];
    }

    /** A recorded amount in the unit: microseconds become seconds, exactly. */
    String format(long recorded) {
        return format(recorded, scale);
    }

    private static String format(long recorded, int scale) {
        return scale == 0 ? Long.toString(recorded) : BigDecimal.valueOf(recorded, scale).stripTrailingZeros().toPlainString();
    }

    private static long[] seconds() {
        long[] mantissa = {100, 125, 160, 200, 250, 315, 400, 500, 630, 800};
        List<Long> out = new ArrayList<>();
        for (long decade = 1; decade <= 1_000_000; decade *= 10) {
            for (long m : mantissa) {
                long micros = m * decade;
                if (micros < 600_000_000L) {
                    out.add(micros);
                }
            }
        }
        out.add(600_000_000L);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] powersOfTwo(int from, int to) {
        long[] out = new long[to - from + 1];
        for (int i = from; i <= to; i++) {
            out[i - from] = 1L << i;
        }
        return out;
    }
}
