package dev.tollgate.spi.cache;

import dev.tollgate.spi.Bytes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One tier of the response cache: opaque bytes under opaque keys (the kernel derives keys from
 * the canonical request and stores only complete successful answers). Methods return at once and
 * must not block; a backend that fails completes the stage exceptionally and the kernel treats it
 * as a miss.
 */
public interface CacheBackend extends AutoCloseable {

    CompletionStage<Optional<Bytes>> get(String key);

    CompletionStage<Void> put(String key, Bytes value, Duration ttl);

    @Override
    default void close() {}
}
