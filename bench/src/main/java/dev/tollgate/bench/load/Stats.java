package dev.tollgate.bench.load;

import org.HdrHistogram.Histogram;

/** Figures of one selector thread: written by that thread only, merged when the run ends. */
final class Stats {
    static final long HIGHEST_NANOS = 10L * 60 * 1_000_000_000L;

    final Histogram latency = newHistogram();
    final Histogram firstEvent = newHistogram();
    final Histogram lastEvent = newHistogram();
    long ok;
    long okInWindow;
    long non2xx;
    long errors;
    long badStreams;
    long reconnects;
    long bodyBytes;
    int firstStatusNon2xx;
    String firstError;

    static Histogram newHistogram() {
        return new Histogram(1_000L, HIGHEST_NANOS, 3);
    }

    static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(1_000L, Math.min(nanos, HIGHEST_NANOS)));
    }

    void error(String what) {
        errors++;
        if (firstError == null) firstError = what;
    }

    void merge(Stats o) {
        latency.add(o.latency);
        firstEvent.add(o.firstEvent);
        lastEvent.add(o.lastEvent);
        ok += o.ok;
        okInWindow += o.okInWindow;
        non2xx += o.non2xx;
        errors += o.errors;
        badStreams += o.badStreams;
        reconnects += o.reconnects;
        bodyBytes += o.bodyBytes;
        if (firstStatusNon2xx == 0) firstStatusNon2xx = o.firstStatusNon2xx;
        if (firstError == null) firstError = o.firstError;
    }
}
