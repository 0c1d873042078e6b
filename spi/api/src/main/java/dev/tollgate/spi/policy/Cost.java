package dev.tollgate.spi.policy;

import java.util.OptionalLong;

/**
 * The cost of a request in micro-dollars (millionths of a US dollar), or unknown — when the model
 * has no price in the catalog, or the provider reported no usage. Unknown is never zero.
 */
public final class Cost {

    private static final Cost UNKNOWN = new Cost(-1);
    private static final Cost ZERO = new Cost(0);

    private final long micros;

    private Cost(long micros) {
        this.micros = micros;
    }

    public static Cost unknown() {
        return UNKNOWN;
    }

    public static Cost ofMicros(long micros) {
        if (micros < 0) {
            throw new IllegalArgumentException("a cost is not negative");
        }
        return micros == 0 ? ZERO : new Cost(micros);
    }

    public boolean isKnown() {
        return micros >= 0;
    }

    /** The cost in micro-dollars, when known. */
    public OptionalLong micros() {
        return micros < 0 ? OptionalLong.empty() : OptionalLong.of(micros);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cost c && c.micros == micros;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(micros);
    }

    @Override
    public String toString() {
        return micros < 0 ? "Cost[unknown]" : "Cost[" + micros + " micro-USD]";
    }
}
