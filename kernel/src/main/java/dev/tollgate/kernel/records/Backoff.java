package dev.tollgate.kernel.records;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with jitter: attempt {@code n} waits between half and all of {@code min(cap, base × 2^n)}. */
record Backoff(Duration base, Duration cap, RandomGenerator random) {

    Duration delay(int attempt) {
        long baseNanos = base.toNanos();
        long capNanos = cap.toNanos();
        long full = capNanos;
        if (attempt < 62) {
            long scaled = baseNanos << attempt;
            if (scaled > 0 && (scaled >> attempt) == baseNanos) {
                full = Math.min(capNanos, scaled);
            }
        }
        long half = full / 2;
        return Duration.ofNanos(half + (half == 0 ? 0 : random.nextLong(half + 1)));
    }
}
