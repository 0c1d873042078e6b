package dev.tollgate.kernel.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * The response cache ({@code cache:} in {@code tollgate.yaml}): its tiers, looked up in order, and
 * the defaults every model inherits.
 *
 * @param tiers           cache backends, local first; empty: no cache
 * @param defaults        whether models cache, for how long, in which scope
 * @param maxTtl          the longest time to live a request's {@code x-tollgate-cache-ttl} may ask for
 * @param maxEntryBytes   answers larger than this are not stored
 * @param coalesce        whether concurrent identical misses wait for the first one's answer
 * @param coalesceTimeout how long such a follower waits before it calls the provider itself
 * @param keys            per virtual key id, settings over the model's ({@code cache.keys}), for example a key
 *                        that must never share answers or never be cached
 */
public record CacheSettings(List<Tier> tiers, ModelCacheSettings defaults, Duration maxTtl, long maxEntryBytes, boolean coalesce,
        Duration coalesceTimeout, java.util.Map<String, ModelCacheSettings> keys) {

    /** How requests of a model use the cache; a {@code null} field inherits the top-level default. */
    public record ModelCacheSettings(Boolean enabled, Duration ttl, Scope scope) {
        public static final ModelCacheSettings INHERIT = new ModelCacheSettings(null, null, null);

        /** This one's fields, with {@code d}'s where this one has none. */
        public ModelCacheSettings over(ModelCacheSettings d) {
            return new ModelCacheSettings(enabled != null ? enabled : d.enabled, ttl != null ? ttl : d.ttl, scope != null ? scope : d.scope);
        }
    }

    /** Whose requests share cached answers. */
    public enum Scope {
        /** Only requests made with the same virtual key. */
        KEY,
        /** Requests of the same team (a key without a team: that key alone). The default. */
        TEAM,
        /** Every caller: only for models whose answers are not private to anyone. */
        GLOBAL
    }

    /**
     * One tier.
     *
     * @param component the cache backend factory and its configuration
     * @param timeout   how long the kernel waits for one lookup before it goes on without this tier
     */
    public record Tier(ComponentSettings component, Duration timeout) {
        public Tier {
            requireNonNull(component, "component is null");
            requireNonNull(timeout, "timeout is null");
        }
    }

    public static final ModelCacheSettings BUILT_IN = new ModelCacheSettings(true, Duration.ofHours(1), Scope.TEAM);
    public static final CacheSettings NONE = new CacheSettings(List.of(), new ModelCacheSettings(false, Duration.ofHours(1), Scope.TEAM),
            Duration.ofDays(1), 1 << 20, false, Duration.ofSeconds(30), java.util.Map.of());

    public CacheSettings {
        tiers = List.copyOf(tiers);
        keys = keys == null ? java.util.Map.of() : java.util.Map.copyOf(keys);
        requireNonNull(defaults, "defaults is null");
        requireNonNull(maxTtl, "maxTtl is null");
        requireNonNull(coalesceTimeout, "coalesceTimeout is null");
    }

    public boolean configured() {
        return !tiers.isEmpty();
    }
}
