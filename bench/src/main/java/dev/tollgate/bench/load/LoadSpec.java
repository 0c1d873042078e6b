package dev.tollgate.bench.load;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * What one load run does. Every run is bounded: it stops sending at {@code duration} or after
 * {@code maxRequests}, and waits at most {@code grace} for answers still due.
 *
 * @param rate           requests (or streams) per second for open-loop modes
 * @param connections    pool size (open loop), connections (closed loop), streams to hold (hold mode)
 * @param loops          selector threads reading responses
 * @param expectedEvents SSE events a complete stream must carry (0: do not check)
 * @param rampPerSecond  hold mode: new streams opened per second
 * @param spinNanos      open loop: spin instead of parking for the last nanoseconds before a send time
 */
public record LoadSpec(LoadMode mode, InetSocketAddress address, RequestTemplate request, double rate,
                       int connections, Duration duration, long maxRequests, int loops, int expectedEvents,
                       Duration grace, double rampPerSecond, long spinNanos) {

    /** Hard limits no spec may exceed, whatever the command line says. */
    public static final Duration MAX_DURATION = Duration.ofMinutes(10);
    public static final long MAX_REQUESTS = 50_000_000L;
    public static final int MAX_CONNECTIONS = 20_000;

    public LoadSpec {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("load runs target loopback only, not " + address);
        }
        if (duration.compareTo(MAX_DURATION) > 0) duration = MAX_DURATION;
        if (maxRequests <= 0 || maxRequests > MAX_REQUESTS) maxRequests = MAX_REQUESTS;
        if (connections < 1) throw new IllegalArgumentException("connections < 1");
        if (connections > MAX_CONNECTIONS) throw new IllegalArgumentException("connections > " + MAX_CONNECTIONS);
        if (loops < 1) loops = 1;
        if (mode == LoadMode.OPEN_LOOP && !(rate > 0)) throw new IllegalArgumentException("rate must be > 0");
    }

    public static LoadSpec openLoop(InetSocketAddress a, RequestTemplate r, double rate, int connections,
                                    Duration d, int expectedEvents) {
        return new LoadSpec(LoadMode.OPEN_LOOP, a, r, rate, connections, d, (long) Math.ceil(rate * d.toMillis() / 1000.0),
                1, expectedEvents, Duration.ofSeconds(5), 0, 0);
    }

    public static LoadSpec closedLoop(InetSocketAddress a, RequestTemplate r, int connections, Duration d, int loops) {
        return new LoadSpec(LoadMode.CLOSED_LOOP, a, r, 0, connections, d, MAX_REQUESTS, loops, 0,
                Duration.ofSeconds(5), 0, 0);
    }

    public static LoadSpec hold(InetSocketAddress a, RequestTemplate r, int streams, Duration expectedStreamLength,
                                int expectedEvents, double rampPerSecond) {
        return new LoadSpec(LoadMode.HOLD, a, r, 0, streams, expectedStreamLength, streams, 1, expectedEvents,
                Duration.ofSeconds(5), rampPerSecond, 0);
    }

    public LoadSpec withLoops(int n) {
        return new LoadSpec(mode, address, request, rate, connections, duration, maxRequests, n, expectedEvents,
                grace, rampPerSecond, spinNanos);
    }

    public LoadSpec withSpinNanos(long n) {
        return new LoadSpec(mode, address, request, rate, connections, duration, maxRequests, loops, expectedEvents,
                grace, rampPerSecond, n);
    }

    public LoadSpec withGrace(Duration g) {
        return new LoadSpec(mode, address, request, rate, connections, duration, maxRequests, loops, expectedEvents,
                g, rampPerSecond, spinNanos);
    }

    public LoadSpec withExpectedEvents(int n) {
        return new LoadSpec(mode, address, request, rate, connections, duration, maxRequests, loops, n,
                grace, rampPerSecond, spinNanos);
    }

    public LoadSpec withMaxRequests(long n) {
        return new LoadSpec(mode, address, request, rate, connections, duration, n, loops, expectedEvents,
                grace, rampPerSecond, spinNanos);
    }
}
