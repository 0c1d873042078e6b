package dev.tollgate.spi.cache;

/** What the response cache did for a request. */
public enum CacheStatus {
    /** No cache applies to the request. */
    NONE,
    /** Looked up, not found; the answer came from a provider. */
    MISS,
    /** Answered from the cache. */
    HIT,
    /** The client or the configuration skipped the lookup. */
    BYPASS
}
