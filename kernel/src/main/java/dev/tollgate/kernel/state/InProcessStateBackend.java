package dev.tollgate.kernel.state;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.state.Hold;
import dev.tollgate.spi.state.Reservation;
import dev.tollgate.spi.state.ReservationResult;
import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.state.TokenBucketResult;
import dev.tollgate.spi.time.Ticker;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The default {@link StateBackend}: one process. Counters and reservations change under one lock
 * per backend, so a reservation over several keys is atomic against every other write; reading a
 * counter takes no lock. Token buckets are atomic per key through {@link ConcurrentHashMap#compute}.
 * Expiry (counter windows, reservation leases) is checked lazily on access and by {@link #sweep},
 * which also drops what has expired so that nothing grows without bound. Time comes from the
 * {@link Ticker}. Notifications are delivered on {@code notifier}, never on the publisher's thread.
 */
public final class InProcessStateBackend implements StateBackend {

    private record Counter(long value, long expiresAtNanos) {
        boolean liveAt(long now) {
            return expiresAtNanos - now > 0;
        }
    }

    private record Bucket(double tokens, long refilledAtNanos, long capacity, double refillPerSecond) {
        double availableAt(long now) {
            return Math.min(capacity, tokens + (now - refilledAtNanos) / 1e9 * refillPerSecond);
        }
    }

    /** A granted reservation: live until its lease ends, then remembered until {@link #forgetAt}. */
    private static final class Held {
        final String id;
        final List<Hold> holds;
        final long leaseEndsAt;
        final long forgetAt;
        final long sequence;
        boolean live = true;

        Held(String id, List<Hold> holds, long leaseEndsAt, long forgetAt, long sequence) {
            this.id = id;
            this.holds = holds;
            this.leaseEndsAt = leaseEndsAt;
            this.forgetAt = forgetAt;
            this.sequence = sequence;
        }
    }

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Held> reservations = new HashMap<>();
    private final Map<String, Long> reserved = new HashMap<>();
    private final TreeSet<Held> byLeaseEnd = new TreeSet<>(Comparator.<Held>comparingLong(h -> h.leaseEndsAt).thenComparingLong(h -> h.sequence));
    private final TreeSet<Held> byForget = new TreeSet<>(Comparator.<Held>comparingLong(h -> h.forgetAt).thenComparingLong(h -> h.sequence));
    private long sequence;
    private final Executor notifier;
    private final Ticker ticker;
    private final ScheduledExecutorService sweeper;

    public InProcessStateBackend(Executor notifier, Ticker ticker) {
        this(notifier, ticker, null);
    }

    private InProcessStateBackend(Executor notifier, Ticker ticker, ScheduledExecutorService sweeper) {
        this.notifier = requireNonNull(notifier, "notifier is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.sweeper = sweeper;
    }

    /** A backend that {@link #sweep}s every {@code period} on a daemon thread of its own, until closed. */
    public static InProcessStateBackend withSweep(Executor notifier, Ticker ticker, Duration period) {
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-state-sweep");
            t.setDaemon(true);
            return t;
        });
        InProcessStateBackend backend = new InProcessStateBackend(notifier, ticker, sweeper);
        sweeper.scheduleWithFixedDelay(backend::sweep, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
        return backend;
    }

    @Override
    public CompletionStage<Long> increment(String key, long delta, Duration ttl) {
        lock.lock();
        try {
            long now = ticker.nanoTime();
            Counter old = counters.get(key);
            Counter c = old == null || !old.liveAt(now) ? new Counter(delta, now + ttl.toNanos())
                    : new Counter(old.value() + delta, old.expiresAtNanos());
            counters.put(key, c);
            return CompletableFuture.completedFuture(c.value());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<Long> get(String key) {
        Counter c = counters.get(key);
        return CompletableFuture.completedFuture(c == null || !c.liveAt(ticker.nanoTime()) ? 0L : c.value());
    }

    @Override
    public CompletionStage<Long> incrementIfWithin(String key, long delta, long limit, Duration ttl) {
        lock.lock();
        try {
            long now = ticker.nanoTime();
            Counter old = counters.get(key);
            Counter live = old == null || !old.liveAt(now) ? new Counter(0, now + ttl.toNanos()) : old;
            if (live.value() + delta > limit) {
                return CompletableFuture.completedFuture(-1L);
            }
            counters.put(key, new Counter(live.value() + delta, live.expiresAtNanos()));
            return CompletableFuture.completedFuture(live.value() + delta);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<ReservationResult> reserve(Reservation reservation) {
        requireNonNull(reservation, "reservation is null");
        lock.lock();
        try {
            long now = ticker.nanoTime();
            expire(now);
            if (reservations.containsKey(reservation.id())) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "reservation id " + reservation.id() + " is already in use"));
            }
            List<Hold> holds = reservation.holds();
            for (int i = 0; i < holds.size(); i++) {
                Hold h = holds.get(i);
                Counter c = counters.get(h.key());
                boolean live = c != null && c.liveAt(now);
                long current = (live ? c.value() : 0) + reserved.getOrDefault(h.key(), 0L);
                if (current > h.limit() - h.amount()) {
                    return CompletableFuture.completedFuture(ReservationResult.denied(i, h.key(), current, h.limit(),
                            live ? Duration.ofNanos(c.expiresAtNanos() - now) : null));
                }
            }
            for (Hold h : holds) {
                reserved.merge(h.key(), h.amount(), Long::sum);
                Counter c = counters.get(h.key());
                if (c == null || !c.liveAt(now)) {
                    counters.put(h.key(), new Counter(0, now + h.window().toNanos()));
                }
            }
            long lease = reservation.lease().toNanos();
            Held held = new Held(reservation.id(), holds, now + lease, now + 2 * lease, sequence++);
            reservations.put(held.id, held);
            byLeaseEnd.add(held);
            return CompletableFuture.completedFuture(ReservationResult.granted());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<Void> settle(String reservationId, Map<String, Long> actualByKey) {
        requireNonNull(reservationId, "reservationId is null");
        for (Map.Entry<String, Long> e : actualByKey.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "actual amount of " + e.getKey() + " must be at least 0, not " + e.getValue()));
            }
        }
        lock.lock();
        try {
            long now = ticker.nanoTime();
            expire(now);
            Held held = reservations.get(reservationId);
            if (held == null) {
                actualByKey.forEach((key, amount) -> {
                    Counter c = counters.get(key);
                    if (c != null && c.liveAt(now)) {
                        counters.put(key, new Counter(c.value() + amount, c.expiresAtNanos()));
                    }
                });
                return CompletableFuture.completedFuture(null);
            }
            Set<String> heldKeys = new HashSet<>();
            held.holds.forEach(h -> heldKeys.add(h.key()));
            for (String key : actualByKey.keySet()) {
                if (!heldKeys.contains(key)) {
                    return CompletableFuture.failedFuture(new IllegalArgumentException(
                            "reservation " + reservationId + " holds no key " + key + "; it holds " + heldKeys));
                }
            }
            end(held);
            for (Hold h : held.holds) {
                long amount = actualByKey.getOrDefault(h.key(), 0L);
                Counter c = counters.get(h.key());
                if (c != null && c.liveAt(now)) {
                    counters.put(h.key(), new Counter(c.value() + amount, c.expiresAtNanos()));
                } else if (amount > 0) {
                    counters.put(h.key(), new Counter(amount, now + h.window().toNanos()));
                }
            }
            return CompletableFuture.completedFuture(null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<Void> release(String reservationId) {
        requireNonNull(reservationId, "reservationId is null");
        lock.lock();
        try {
            expire(ticker.nanoTime());
            Held held = reservations.get(reservationId);
            if (held != null) {
                end(held);
            }
            return CompletableFuture.completedFuture(null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<Long> adjust(String key, long delta, Duration ttl) {
        requireNonNull(key, "key is null");
        lock.lock();
        try {
            long now = ticker.nanoTime();
            Counter c = counters.get(key);
            if (c != null && c.liveAt(now)) {
                long value = Math.max(0, c.value() + delta);
                counters.put(key, new Counter(value, c.expiresAtNanos()));
                return CompletableFuture.completedFuture(value);
            }
            if (delta <= 0) {
                return CompletableFuture.completedFuture(0L);
            }
            counters.put(key, new Counter(delta, now + ttl.toNanos()));
            return CompletableFuture.completedFuture(delta);
        } finally {
            lock.unlock();
        }
    }

    /** Removes a reservation, live or remembered; the caller holds the lock. */
    private void end(Held held) {
        reservations.remove(held.id);
        if (held.live) {
            byLeaseEnd.remove(held);
            unhold(held);
        } else {
            byForget.remove(held);
        }
    }

    private void unhold(Held held) {
        held.live = false;
        for (Hold h : held.holds) {
            reserved.computeIfPresent(h.key(), (k, v) -> v - h.amount() == 0 ? null : v - h.amount());
        }
    }

    /** Ends leases that have passed and forgets what has been remembered long enough; the caller holds the lock. */
    private void expire(long now) {
        while (!byLeaseEnd.isEmpty() && byLeaseEnd.first().leaseEndsAt - now <= 0) {
            Held h = byLeaseEnd.pollFirst();
            unhold(h);
            byForget.add(h);
        }
        while (!byForget.isEmpty() && byForget.first().forgetAt - now <= 0) {
            reservations.remove(byForget.pollFirst().id);
        }
    }

    /**
     * Ends passed leases, forgets old reservations, drops counters whose window has ended and token
     * buckets that have refilled (an absent bucket is a full one).
     */
    public void sweep() {
        lock.lock();
        try {
            long now = ticker.nanoTime();
            expire(now);
            counters.values().removeIf(c -> !c.liveAt(now));
        } finally {
            lock.unlock();
        }
        long now = ticker.nanoTime();
        buckets.forEach((key, b) -> {
            if (b.availableAt(now) >= b.capacity()) {
                buckets.remove(key, b);
            }
        });
    }

    /** Reservations granted and not yet forgotten, live or not: for tests of the sweep. */
    int rememberedReservations() {
        lock.lock();
        try {
            return reservations.size();
        } finally {
            lock.unlock();
        }
    }

    /** Counters held in memory, expired or not: for tests of the sweep. */
    int storedCounters() {
        return counters.size();
    }

    @Override
    public CompletionStage<TokenBucketResult> takeTokens(String key, long capacity, double refillPerSecond, long tokens) {
        long now = ticker.nanoTime();
        TokenBucketResult[] result = new TokenBucketResult[1];
        buckets.compute(key, (k, old) -> {
            double available = old == null ? capacity : Math.min(capacity, old.availableAt(now));
            if (available >= tokens) {
                result[0] = new TokenBucketResult(true, (long) (available - tokens), Duration.ZERO);
                return new Bucket(available - tokens, now, capacity, refillPerSecond);
            }
            double missing = tokens - available;
            long waitNanos = refillPerSecond <= 0 ? Long.MAX_VALUE : (long) Math.ceil(missing / refillPerSecond * 1e9);
            result[0] = new TokenBucketResult(false, (long) available, Duration.ofNanos(waitNanos));
            return new Bucket(available, now, capacity, refillPerSecond);
        });
        return CompletableFuture.completedFuture(result[0]);
    }

    @Override
    public CompletionStage<Void> publish(String channel, String message) {
        List<Consumer<String>> list = subscribers.get(channel);
        if (list != null) {
            for (Consumer<String> c : list) {
                notifier.execute(() -> c.accept(message));
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public AutoCloseable subscribe(String channel, Consumer<String> listener) {
        subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> subscribers.getOrDefault(channel, List.of()).remove(listener);
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }
}
