package dev.tollgate.spi.state;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Amounts to hold against several limits at once, all or nothing (see
 * {@link StateBackend#reserve}). The id is chosen by the caller (a request id plus the policy's
 * name, for example) and names the reservation in {@link StateBackend#settle} and
 * {@link StateBackend#release}. The lease bounds how long the holds last if neither comes: an
 * instance that crashed mid-request frees its holds when their lease passes. A final class rather
 * than a record, so that fields can be added without breaking the plugins that construct it.
 */
public final class Reservation {

    private final String id;
    private final List<Hold> holds;
    private final Duration lease;

    private Reservation(String id, List<Hold> holds, Duration lease) {
        this.id = requireNonNull(id, "id is null");
        if (id.isBlank()) {
            throw new IllegalArgumentException("id is blank");
        }
        this.holds = List.copyOf(requireNonNull(holds, "holds is null"));
        if (this.holds.isEmpty()) {
            throw new IllegalArgumentException("a reservation needs at least one hold");
        }
        Set<String> keys = new HashSet<>();
        for (Hold h : this.holds) {
            if (!keys.add(h.key())) {
                throw new IllegalArgumentException("key " + h.key() + " is held twice");
            }
        }
        this.lease = requireNonNull(lease, "lease is null");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive: " + lease);
        }
    }

    /**
     * @param id    unique per reservation
     * @param holds at least one, each on a different key; checked in this order
     * @param lease how long the holds last without a settle or release; positive
     */
    public static Reservation of(String id, List<Hold> holds, Duration lease) {
        return new Reservation(id, holds, lease);
    }

    public static Builder builder(String id, Duration lease) {
        return new Builder(id, lease);
    }

    public String id() {
        return id;
    }

    /** In the order they are checked. */
    public List<Hold> holds() {
        return holds;
    }

    public Duration lease() {
        return lease;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reservation r && r.id.equals(id) && r.holds.equals(holds) && r.lease.equals(lease);
    }

    @Override
    public int hashCode() {
        return (id.hashCode() * 31 + holds.hashCode()) * 31 + lease.hashCode();
    }

    @Override
    public String toString() {
        return "Reservation[" + id + ", " + holds + ", lease " + lease + "]";
    }

    /** Builds a {@link Reservation} hold by hold. */
    public static final class Builder {
        private final String id;
        private final Duration lease;
        private final List<Hold> holds = new ArrayList<>();

        private Builder(String id, Duration lease) {
            this.id = id;
            this.lease = lease;
        }

        public Builder hold(String key, long amount, long limit, Duration window) {
            holds.add(Hold.of(key, amount, limit, window));
            return this;
        }

        public Reservation build() {
            return new Reservation(id, holds, lease);
        }
    }
}
