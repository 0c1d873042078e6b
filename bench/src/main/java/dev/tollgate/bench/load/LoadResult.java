package dev.tollgate.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What a load run measured. Latencies are in nanoseconds: for open-loop runs from the intended send time, for
 * closed-loop runs from the actual send. {@code firstEvent}/{@code lastEvent} hold the time to the first and to the
 * last SSE event of each stream (same origin as {@code latency}).
 */
public final class LoadResult {
    public final LoadMode mode;
    public final String target;
    public final long durationNanos;
    public final long sent;
    public final long ok;
    public final long okInWindow;
    public final long non2xx;
    public final long errors;
    public final long badStreams;
    public final long unfinished;
    public final long reconnects;
    public final long maxQueued;
    public final int connections;
    public final int heldToEnd;
    public final int peakOpenStreams;
    public final Histogram latency;
    public final Histogram firstEvent;
    public final Histogram lastEvent;
    public final Histogram sendLag;
    public final String firstError;
    public final int firstNon2xxStatus;

    LoadResult(LoadMode mode, String target, long durationNanos, long sent, Stats s, long unfinished, long maxQueued,
               int connections, int heldToEnd, int peakOpenStreams, Histogram sendLag) {
        this.mode = mode;
        this.target = target;
        this.durationNanos = durationNanos;
        this.sent = sent;
        this.ok = s.ok;
        this.okInWindow = s.okInWindow;
        this.non2xx = s.non2xx;
        this.errors = s.errors;
        this.badStreams = s.badStreams;
        this.unfinished = unfinished;
        this.reconnects = s.reconnects;
        this.maxQueued = maxQueued;
        this.connections = connections;
        this.heldToEnd = heldToEnd;
        this.peakOpenStreams = peakOpenStreams;
        this.latency = s.latency;
        this.firstEvent = s.firstEvent;
        this.lastEvent = s.lastEvent;
        this.sendLag = sendLag;
        this.firstError = s.firstError;
        this.firstNon2xxStatus = s.firstStatusNon2xx;
    }

    /** A result made from figures, for tests and tools that compute them elsewhere. */
    public static LoadResult of(LoadMode mode, String target, long durationNanos, long ok, long errors,
                                Histogram latency, Histogram firstEvent, Histogram lastEvent, int connections,
                                int heldToEnd, int peakOpenStreams) {
        Stats s = new Stats();
        s.ok = ok;
        s.okInWindow = ok;
        s.errors = errors;
        if (latency != null) s.latency.add(latency);
        if (firstEvent != null) s.firstEvent.add(firstEvent);
        if (lastEvent != null) s.lastEvent.add(lastEvent);
        return new LoadResult(mode, target, durationNanos, ok + errors, s, 0, 0, connections, heldToEnd,
                peakOpenStreams, null);
    }

    /** Successful responses per second over the run's sending window. */
    public double throughput() {
        return durationNanos <= 0 ? 0 : okInWindow * 1e9 / durationNanos;
    }

    /** Failed requests of any kind: transport errors, non-2xx, bad streams, unanswered at the end. */
    public long failures() {
        return errors + non2xx + badStreams + unfinished;
    }

    /** Value at a percentile in microseconds, or NaN when nothing was recorded. */
    public static double micros(Histogram h, double percentile) {
        if (h.getTotalCount() == 0) return Double.NaN;
        return (percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile)) / 1000.0;
    }

    public String summary() {
        Histogram h = mode == LoadMode.HOLD || latency.getTotalCount() == 0 ? firstEvent : latency;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "%-8s ok=%d rps=%.0f fail=%d (err=%d non2xx=%d badStream=%d unfinished=%d)",
                target, ok, throughput(), failures(), errors, non2xx, badStreams, unfinished));
        sb.append(String.format(java.util.Locale.ROOT, " p50=%.0fus p90=%.0fus p99=%.0fus p99.9=%.0fus max=%.0fus",
                micros(h, 50), micros(h, 90), micros(h, 99), micros(h, 99.9), micros(h, 100)));
        if (firstEvent.getTotalCount() > 0 && mode != LoadMode.HOLD) {
            sb.append(String.format(java.util.Locale.ROOT, " | first-event p50=%.0fus p99=%.0fus | last-event p50=%.0fus p99=%.0fus",
                    micros(firstEvent, 50), micros(firstEvent, 99), micros(lastEvent, 50), micros(lastEvent, 99)));
        }
        if (mode == LoadMode.HOLD) {
            sb.append(" held=").append(heldToEnd).append('/').append(connections).append(" peakOpen=").append(peakOpenStreams);
        }
        if (sendLag != null && sendLag.getTotalCount() > 0) {
            sb.append(String.format(java.util.Locale.ROOT, " | send-lag p50=%.0fus p99=%.0fus queuedMax=%d",
                    micros(sendLag, 50), micros(sendLag, 99), maxQueued));
        }
        if (firstError != null) sb.append(" | first error: ").append(firstError);
        if (firstNon2xxStatus != 0) sb.append(" | first non-2xx: ").append(firstNon2xxStatus);
        return sb.toString();
    }
}
