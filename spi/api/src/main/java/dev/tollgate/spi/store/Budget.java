package dev.tollgate.spi.store;

import java.util.Objects;

/**
 * A spending cap in integer micro-dollars (US$ 1 = 1,000,000) per {@link Period}; {@link Period#NONE}
 * means the cap never resets.
 */
public record Budget(long microUsd, Period period) {
    public Budget {
        if (microUsd < 0) {
            throw new IllegalArgumentException("budget must not be negative: " + microUsd);
        }
        Objects.requireNonNull(period, "period is null");
    }
}
