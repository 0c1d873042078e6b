package dev.tollgate.kernel.cache;

import static java.util.Objects.requireNonNull;

import dev.tollgate.kernel.codec.RequestBody;
import dev.tollgate.kernel.config.CacheSettings.ModelCacheSettings;
import dev.tollgate.kernel.config.CacheSettings.Scope;
import dev.tollgate.kernel.time.Scheduler;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.cache.CacheBackend;
import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.metrics.Metrics;
import dev.tollgate.spi.policy.Principal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioIoThread;

/**
 * The response cache: which requests it applies to and under which key ({@link #plan}), the
 * lookup through the tiers in order ({@link #lookup}), storing a complete answer in every tier
 * ({@link #store}), and request coalescing ({@link #join}).
 *
 * <p>Faults never fail a request: a tier whose lookup fails or is not answered within its timeout
 * is skipped (counted as {@code error} or {@code timeout}); an entry that does not decode, or was
 * stored under another key, is a miss and is removed from its tier ({@code corrupt}). A hit in a
 * later tier is copied into the earlier ones for the rest of its time to live.
 *
 * <p>Thread-safe; every callback it makes into a request runs on that request's I/O thread.
 */
public final class ResponseCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);
    public static final String TTL_HEADER = "x-tollgate-cache-ttl";
    /**
     * Bodies larger than this are not keyed (nor cached): hashing runs on the request's I/O thread,
     * about 2 µs per KiB, and a key for megabytes would hold that thread for milliseconds.
     */
    static final int MAX_KEYED_BODY = 512 * 1024;

    /** One tier: a backend with the kernel's deadline for its lookups. */
    public record Tier(String name, CacheBackend backend, Duration timeout) {
        public Tier {
            requireNonNull(name, "name is null");
            requireNonNull(backend, "backend is null");
            requireNonNull(timeout, "timeout is null");
        }
    }

    /**
     * What the cache does for one request.
     *
     * @param status {@link CacheStatus#NONE} (no cache applies), {@link CacheStatus#BYPASS} (no
     *               lookup), or {@link CacheStatus#MISS} until a lookup says otherwise
     * @param key    the key, or null when the request cannot be cached
     * @param store  whether a complete answer is stored
     * @param ttl    how long a stored answer lives
     * @param reason why the lookup is skipped (for the debug log), or null
     */
    public record Plan(CacheStatus status, String key, boolean lookup, boolean store, Duration ttl, String reason) {
        static final Plan NONE = new Plan(CacheStatus.NONE, null, false, false, Duration.ZERO, "the model does not cache");
    }

    /**
     * What a lookup found.
     *
     * @param entry    the cached answer, or null
     * @param tier     the tier that had it, or null
     * @param bypassed whether no tier answered at all (each failed or was late)
     */
    public record Found(CacheEntry entry, String tier, boolean bypassed) {}

    private final List<Tier> tiers;
    private final ModelCacheSettings defaults;
    private final Map<String, ModelCacheSettings> models;
    private volatile Map<String, ModelCacheSettings> keys = Map.of();
    private final Duration maxTtl;
    private final long maxEntryBytes;
    private final boolean coalesce;
    private final Duration coalesceTimeout;
    private final Clock clock;
    private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    private final Metrics.LabeledCounter lookups;
    private final Metrics.LabeledCounter tierResults;
    private final Metrics.LabeledCounter tierStores;
    private final Metrics.LabeledCounter storedBytes;
    private final Metrics.Counter coalesced;
    private final Metrics.LabeledCounter notStored;

    /**
     * @param defaults resolved top-level defaults (no null field)
     * @param models   each model's settings over {@code defaults}; a model not in it uses the defaults
     */
    public ResponseCache(List<Tier> tiers, ModelCacheSettings defaults, Map<String, ModelCacheSettings> models, Duration maxTtl,
            long maxEntryBytes, boolean coalesce, Duration coalesceTimeout, Clock clock, Metrics metrics) {
        this.tiers = List.copyOf(tiers);
        if (this.tiers.isEmpty()) {
            throw new IllegalArgumentException("a cache needs at least one tier");
        }
        this.defaults = requireNonNull(defaults, "defaults is null");
        this.models = Map.copyOf(models);
        this.maxTtl = requireNonNull(maxTtl, "maxTtl is null");
        this.maxEntryBytes = maxEntryBytes;
        this.coalesce = coalesce;
        this.coalesceTimeout = requireNonNull(coalesceTimeout, "coalesceTimeout is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.lookups = metrics.counter("tollgate_cache_requests_total",
                "Chat requests by what the response cache did: hit, miss, bypass (no lookup, or no tier answered)",
                List.of("model", "result"));
        this.tierResults = metrics.counter("tollgate_cache_tier_lookups_total",
                "Lookups per cache tier: hit, miss, error, timeout, corrupt (a miss; the entry is removed)", List.of("tier", "result"));
        this.tierStores = metrics.counter("tollgate_cache_tier_stores_total", "Answers written per cache tier: ok, error",
                List.of("tier", "result"));
        this.storedBytes = metrics.counter("tollgate_cache_tier_stored_bytes_total", "Bytes of answers written per cache tier",
                List.of("tier"));
        this.coalesced = metrics.counter("tollgate_cache_coalesced_total",
                "Requests answered with a concurrent identical request's answer instead of calling a provider");
        this.notStored = metrics.counter("tollgate_cache_not_stored_total",
                "Complete answers the cache did not store, by reason: stop_reason, too_large, unreadable", List.of("reason"));
        metrics.gauge("tollgate_cache_coalesce_waiting", "Requests waiting for a concurrent identical request's answer",
                waiting::get);
    }

    /** Per virtual key id, settings over the model's (set once, before the gateway serves). */
    public ResponseCache withKeys(Map<String, ModelCacheSettings> perKey) {
        this.keys = Map.copyOf(perKey);
        return this;
    }

    public List<Tier> tiers() {
        return tiers;
    }

    public long maxEntryBytes() {
        return maxEntryBytes;
    }

    public boolean coalescing() {
        return coalesce;
    }

    public Duration coalesceTimeout() {
        return coalesceTimeout;
    }

    // ---- planning ----------------------------------------------------------------------------

    /**
     * Decides what the cache does for a chat request.
     *
     * @param cacheControl the request's {@code Cache-Control}, or null
     * @param ttlHeader    the request's {@code x-tollgate-cache-ttl}, or null
     * @throws GatewayException 400 when {@code x-tollgate-cache-ttl} is not a duration
     */
    public Plan plan(String model, WireFormat format, Principal principal, String cacheControl, String ttlHeader, RequestBody body) {
        ModelCacheSettings s = models.getOrDefault(model, defaults);
        ModelCacheSettings forKey = principal.keyId().map(keys::get).orElse(null);
        if (forKey != null) {
            s = forKey.over(s);
        }
        if (!Boolean.TRUE.equals(s.enabled())) {
            return Plan.NONE;
        }
        boolean lookup = true;
        boolean store = true;
        if (cacheControl != null) {
            for (String directive : cacheControl.split(",")) {
                String d = directive.strip().toLowerCase(Locale.ROOT);
                if (d.equals("no-cache")) {
                    lookup = false;
                } else if (d.equals("no-store")) {
                    store = false;
                }
            }
        }
        Duration ttl = s.ttl();
        if (ttlHeader != null) {
            ttl = parseTtl(ttlHeader);
            if (ttl.compareTo(maxTtl) > 0) {
                ttl = maxTtl;
            }
            if (ttl.isZero()) {
                store = false;
            }
        }
        if (!lookup && !store) {
            return new Plan(CacheStatus.BYPASS, null, false, false, ttl, "the request said no-cache and no-store");
        }
        if (body.length() > MAX_KEYED_BODY) {
            return new Plan(CacheStatus.BYPASS, null, false, false, ttl, "the body is larger than " + MAX_KEYED_BODY / 1024 + " KiB");
        }
        CacheKeys.Result key = CacheKeys.forThisThread().of(format, scope(s.scope(), principal), body.array(), body.offset(),
                body.length());
        if (!key.cacheable()) {
            return new Plan(CacheStatus.BYPASS, null, false, false, ttl, key.uncacheable());
        }
        return new Plan(lookup ? CacheStatus.MISS : CacheStatus.BYPASS, key.key(), lookup, store, ttl,
                lookup ? null : "the request said no-cache");
    }

    /** The part of the key that keeps one caller's answers from another's. */
    static String scope(Scope scope, Principal p) {
        return switch (scope) {
            case GLOBAL -> "global";
            case KEY -> p.keyId().map(k -> "key:" + k).orElse("anonymous");
            case TEAM -> p.teamId().map(t -> "team:" + t).orElseGet(() -> p.keyId().map(k -> "key:" + k).orElse("anonymous"));
        };
    }

    /** {@code 300} (seconds) or a duration such as {@code 90s}, {@code 15m}, {@code 2h}. */
    static Duration parseTtl(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            long n;
            long unit;
            if (t.endsWith("ms")) {
                n = Long.parseLong(t.substring(0, t.length() - 2));
                unit = 1;
            } else if (t.endsWith("s") || t.endsWith("m") || t.endsWith("h") || t.endsWith("d")) {
                n = Long.parseLong(t.substring(0, t.length() - 1));
                unit = switch (t.charAt(t.length() - 1)) {
                    case 's' -> 1000;
                    case 'm' -> 60_000;
                    case 'h' -> 3_600_000;
                    default -> 86_400_000;
                };
            } else {
                n = Long.parseLong(t);
                unit = 1000;
            }
            if (n < 0 || n > Long.MAX_VALUE / unit / 2) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(n * unit);
        } catch (NumberFormatException e) {
            throw GatewayException.builder(ErrorType.CLIENT, 400, "invalid_request_error").param(TTL_HEADER)
                    .message("the " + TTL_HEADER + " header must be a number of seconds or a duration such as 90s, 15m or 2h, not '"
                            + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'")
                    .build();
        }
    }

    /** Whether an answer that ended so may be stored: a normal finish, never a cut, a refusal or a filter. */
    public static boolean normalFinish(StopReason r) {
        return r == StopReason.END_TURN || r == StopReason.STOP_SEQUENCE || r == StopReason.TOOL_USE;
    }

    /** Counts what a request ended with in the cache (hit, miss, bypass), per model. */
    public void counted(String model, CacheStatus status) {
        if (status != CacheStatus.NONE) {
            lookups.labels(model, status.name().toLowerCase(Locale.ROOT)).increment();
        }
    }

    // ---- lookup ------------------------------------------------------------------------------

    /** Looks {@code plan.key()} up tier by tier; {@code done} runs once, on {@code thread}. */
    public void lookup(Plan plan, XnioIoThread thread, Scheduler scheduler, Consumer<Found> done) {
        new Lookup(plan.key(), thread, scheduler, done).next(0, false);
    }

    private final class Lookup {
        final String key;
        final XnioIoThread thread;
        final Scheduler scheduler;
        final Consumer<Found> done;
        boolean anyAnswered;

        Lookup(String key, XnioIoThread thread, Scheduler scheduler, Consumer<Found> done) {
            this.key = key;
            this.thread = thread;
            this.scheduler = scheduler;
            this.done = done;
        }

        void next(int i, boolean answered) {
            anyAnswered |= answered;
            if (i == tiers.size()) {
                done.accept(new Found(null, null, !anyAnswered));
                return;
            }
            Tier tier = tiers.get(i);
            boolean[] settled = {false};
            Scheduler.Cancellable[] timer = {null};
            CompletionStage<Optional<Bytes>> stage;
            try {
                stage = tier.backend().get(key);
            } catch (RuntimeException e) {
                failed(tier, e);
                next(i + 1, false);
                return;
            }
            if (!isDone(stage)) {
                // an in-process tier answers at once: only a remote one's lookup needs a deadline
                timer[0] = scheduler.timeout(thread, tier.timeout().toNanos(), () -> {
                    if (!settled[0]) {
                        settled[0] = true;
                        tierResults.labels(tier.name(), "timeout").increment();
                        next(i + 1, false);
                    }
                });
            }
            stage.whenComplete((value, error) -> onThread(thread, () -> {
                if (settled[0]) {
                    return;
                }
                settled[0] = true;
                if (timer[0] != null) {
                    timer[0].cancel();
                }
                if (error != null) {
                    failed(tier, error);
                    next(i + 1, false);
                    return;
                }
                CacheEntry entry = value == null ? null : value.map(b -> read(tier, b)).orElse(null);
                if (entry == null) {
                    if (value == null || value.isEmpty()) {
                        tierResults.labels(tier.name(), "miss").increment();
                    }
                    next(i + 1, true);
                    return;
                }
                tierResults.labels(tier.name(), "hit").increment();
                for (int j = 0; j < i; j++) {
                    put(tiers.get(j), entry, entry.encode());
                }
                done.accept(new Found(entry, tier.name(), false));
            }));
        }

        /** The entry, or null (counted, and removed) when it is corrupt or expired. */
        private CacheEntry read(Tier tier, Bytes stored) {
            CacheEntry e;
            try {
                e = CacheEntry.decode(stored, key);
            } catch (CacheEntry.Corrupt c) {
                tierResults.labels(tier.name(), "corrupt").increment();
                log.warn("cache tier {} returned an unreadable entry ({}); treated as a miss and removed", tier.name(), c.getMessage());
                remove(tier);
                return null;
            }
            if (e.expiresAtMillis() <= clock.millis()) {
                tierResults.labels(tier.name(), "miss").increment();
                remove(tier);
                return null;
            }
            return e;
        }

        private void remove(Tier tier) {
            try {
                tier.backend().remove(key).whenComplete((v, err) -> {
                    if (err != null) {
                        log.debug("removing an unreadable entry from cache tier {} failed", tier.name(), err);
                    }
                });
            } catch (RuntimeException err) {
                log.debug("removing an unreadable entry from cache tier {} failed", tier.name(), err);
            }
        }
    }

    private static boolean isDone(CompletionStage<?> stage) {
        try {
            return stage.toCompletableFuture().isDone();
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    private void failed(Tier tier, Throwable error) {
        tierResults.labels(tier.name(), "error").increment();
        log.debug("cache tier {} failed a lookup; going on without it", tier.name(), error);
    }

    private static void onThread(XnioIoThread thread, Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
        } else {
            thread.execute(task);
        }
    }

    // ---- storing -----------------------------------------------------------------------------

    /**
     * Stores a complete answer in every tier (not waiting for them) and returns the entry, or null
     * when it is not stored: not a normal finish, a block the cache cannot carry, too large.
     */
    public CacheEntry store(Plan plan, ChatResponse response, long costMicros, String deploymentId) {
        if (!plan.store() || plan.key() == null) {
            return null;
        }
        if (!normalFinish(response.stopReason())) {
            notStored.labels("stop_reason").increment();
            return null;
        }
        if (!CacheEntry.storable(response)) {
            notStored.labels("unreadable").increment();
            return null;
        }
        long now = clock.millis();
        CacheEntry entry = new CacheEntry(plan.key(), response, now, now + plan.ttl().toMillis(), costMicros, deploymentId);
        Bytes bytes = entry.encode();
        if (bytes.length() > maxEntryBytes) {
            notStored.labels("too_large").increment();
            return null;
        }
        for (Tier t : tiers) {
            put(t, entry, bytes);
        }
        return entry;
    }

    /** Counts an answer that could not be assembled or read for storing. */
    public void unreadable() {
        notStored.labels("unreadable").increment();
    }

    private void put(Tier tier, CacheEntry entry, Bytes bytes) {
        long left = entry.expiresAtMillis() - clock.millis();
        if (left <= 0) {
            return;
        }
        try {
            tier.backend().put(entry.key(), bytes, Duration.ofMillis(left)).whenComplete((v, error) -> {
                if (error != null) {
                    tierStores.labels(tier.name(), "error").increment();
                    log.debug("cache tier {} failed to store an entry", tier.name(), error);
                } else {
                    tierStores.labels(tier.name(), "ok").increment();
                    storedBytes.labels(tier.name()).add(bytes.length());
                }
            });
        } catch (RuntimeException error) {
            tierStores.labels(tier.name(), "error").increment();
            log.debug("cache tier {} failed to store an entry", tier.name(), error);
        }
    }

    // ---- coalescing --------------------------------------------------------------------------

    /**
     * The first request that misses a key leads: it calls the provider, and its answer (or its
     * failure) ends the flight. Requests that miss the same key meanwhile follow: they wait for
     * the leader's answer, up to {@code coalesce_timeout}, and call the provider themselves when
     * it brings none.
     */
    public static final class Flight {
        final String key;
        private final List<Runnable> waiters = new ArrayList<>(0);
        private boolean ended;
        private CacheEntry result;

        Flight(String key) {
            this.key = key;
        }
    }

    /** Joined flight: {@code leader} when this request calls the provider for everyone. */
    public record Joined(Flight flight, boolean leader) {}

    public Joined join(String key) {
        Flight mine = new Flight(key);
        Flight existing = flights.putIfAbsent(key, mine);
        return existing == null ? new Joined(mine, true) : new Joined(existing, false);
    }

    /** Waits for the leader's answer; {@code done} gets its entry, or null (the leader had none, or the wait ran out). */
    public void await(Flight f, XnioIoThread thread, Scheduler scheduler, Consumer<CacheEntry> done) {
        boolean[] fired = {false};
        Scheduler.Cancellable[] timer = {null};
        Consumer<CacheEntry> once = e -> {
            if (!fired[0]) {
                fired[0] = true;
                waiting.decrementAndGet();
                if (timer[0] != null) {
                    timer[0].cancel();
                }
                if (e != null) {
                    coalesced.increment();
                }
                done.accept(e);
            }
        };
        CacheEntry ready;
        waiting.incrementAndGet();
        synchronized (f) {
            if (!f.ended) {
                timer[0] = scheduler.timeout(thread, coalesceTimeout.toNanos(), () -> once.accept(null));
                f.waiters.add(() -> onThread(thread, () -> once.accept(f.result)));
                return;
            }
            ready = f.result;
        }
        onThread(thread, () -> once.accept(ready));
    }

    /** The leader is done: its followers get {@code entry} (null: nothing to share). Idempotent. */
    public void finish(Flight f, CacheEntry entry) {
        List<Runnable> wake;
        synchronized (f) {
            if (f.ended) {
                return;
            }
            f.ended = true;
            f.result = entry;
            wake = new ArrayList<>(f.waiters);
            f.waiters.clear();
        }
        flights.remove(f.key, f);
        wake.forEach(Runnable::run);
    }

    @Override
    public void close() {
        for (Tier t : tiers) {
            try {
                t.backend().close();
            } catch (RuntimeException e) {
                log.warn("closing cache tier {} failed", t.name(), e);
            }
        }
    }
}
