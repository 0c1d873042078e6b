package dev.tollgate.spi.provider;

import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import java.util.Optional;

/**
 * What a pass-through adapter observed in bytes it relayed: the kernel needs usage for cost and
 * limits, and the stop reason to know whether an answer is complete (and cacheable). Either may be
 * unknown.
 */
public final class Observation {

    public static final Observation NONE = new Observation(null, null);

    private final Usage usage;
    private final StopReason stopReason;

    private Observation(Usage usage, StopReason stopReason) {
        this.usage = usage;
        this.stopReason = stopReason;
    }

    public static Observation of(Usage usage, StopReason stopReason) {
        return usage == null && stopReason == null ? NONE : new Observation(usage, stopReason);
    }

    public static Observation usage(Usage usage) {
        return of(usage, null);
    }

    public Optional<Usage> observedUsage() {
        return Optional.ofNullable(usage);
    }

    public Optional<StopReason> stopReason() {
        return Optional.ofNullable(stopReason);
    }

    /** This observation with {@code later}'s known values taking precedence. */
    public Observation merge(Observation later) {
        return of(later.usage != null ? later.usage : usage, later.stopReason != null ? later.stopReason : stopReason);
    }

    @Override
    public String toString() {
        return "Observation[usage=" + usage + ", stop=" + stopReason + "]";
    }
}
