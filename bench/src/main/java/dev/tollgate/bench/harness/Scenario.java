package dev.tollgate.bench.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One measured load against every target.
 *
 * @param id          unique name in a run ("S1-1k", "S2-c64 #2")
 * @param group       what budgets and comparisons key on ("S1-1k", "S2-c64")
 * @param rate        requests or streams per second (open loop)
 * @param connections pool size (open loop), connections (closed loop) or streams (hold)
 */
public record Scenario(String id, String group, Kind kind, double rate, int connections, Duration duration,
                       String description) {

    public enum Kind {
        /** open loop, non-stream requests at a constant rate */
        CONSTANT,
        /** closed loop, non-stream requests back to back */
        MAX,
        /** open loop, streams at a constant rate: first and last event */
        STREAM,
        /** N long streams held open at once */
        HOLD
    }

    public Scenario scaled(double factor) {
        long ms = Math.max(1000, (long) (duration.toMillis() * factor));
        return new Scenario(id, group, kind, rate, connections, Duration.ofMillis(ms), description);
    }

    /**
     * Settings of a profile.
     *
     * @param holdSeconds length of S4's held streams
     * @param warmup      short warm-up of nginx and the stub
     * @param jvmWarmup   warm-up of each gateway target: long enough for C1/C2 to compile the paths measured later
     */
    public record Profile(String name, List<Scenario> scenarios, int holdSeconds, Duration warmup,
                          Duration jvmWarmup) {}

    public static Profile quick() {
        List<Scenario> s = new ArrayList<>();
        // 8 + 8 + 7 + 4 + 6 + 6 s per target: with the gateway's 20 s warm-up, three targets fit in 3 minutes
        s.add(constant("S1-1k", 1000, 8));
        s.add(constant("S1-5k", 5000, 8));
        s.add(max("S2-c64", "S2-c64", 64, 7));
        s.add(max("S2-c500", "S2-c500", 500, 4));
        s.add(stream(100, 6));
        s.add(hold(2000, 6));
        return new Profile("quick", s, 6, Duration.ofSeconds(2), Duration.ofSeconds(20));
    }

    public static Profile full() {
        List<Scenario> s = new ArrayList<>();
        s.add(constant("S1-1k", 1000, 30));
        s.add(constant("S1-2k", 2000, 30));
        s.add(constant("S1-5k", 5000, 30));
        s.add(max("S2-c64 #1", "S2-c64", 64, 30));
        s.add(max("S2-c64 #2", "S2-c64", 64, 30));
        s.add(max("S2-c500", "S2-c500", 500, 15));
        s.add(stream(200, 30));
        s.add(hold(2000, 30));
        s.add(hold(10000, 30));
        return new Profile("full", s, 30, Duration.ofSeconds(10), Duration.ofSeconds(45));
    }

    static Scenario constant(String id, int rate, int seconds) {
        return new Scenario(id, id, Kind.CONSTANT, rate, 0, Duration.ofSeconds(seconds),
                "non-stream chat completions at a constant " + rate + " rps (open loop)");
    }

    static Scenario max(String id, String group, int connections, int seconds) {
        return new Scenario(id, group, Kind.MAX, 0, connections, Duration.ofSeconds(seconds),
                "non-stream, " + connections + " connections back to back (closed loop, max throughput)");
    }

    static Scenario stream(int rate, int seconds) {
        return new Scenario("S3", "S3", Kind.STREAM, rate, 0, Duration.ofSeconds(seconds),
                "streams of 20 events 5 ms apart at " + rate + " streams/s: first and last event");
    }

    static Scenario hold(int streams, int seconds) {
        String id = "S4-" + streams;
        return new Scenario(id, id, Kind.HOLD, 0, streams, Duration.ofSeconds(seconds),
                streams + " concurrent streams held ~" + seconds + " s");
    }
}
