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
 *
 * <p>Keys are short printable ASCII strings (a hex digest); values are the kernel's own encoding,
 * which it checks when it reads them back, so a backend stores and returns them byte for byte and
 * never interprets them. The kernel bounds every call with the tier's {@code timeout} and goes on
 * without the tier when a stage is late; a backend should still bound its own I/O.
 */
public interface CacheBackend extends AutoCloseable {

    /** The value stored under {@code key}, or empty when there is none or its time to live has passed. */
    CompletionStage<Optional<Bytes>> get(String key);

    /** Stores {@code value} under {@code key} for {@code ttl} (positive), replacing what was there. */
    CompletionStage<Void> put(String key, Bytes value, Duration ttl);

    /**
     * Removes {@code key} (the kernel evicts an entry it could not read). Returns at once like
     * {@link #get}; removing a key that is not there succeeds. The default does nothing, so a
     * backend written before this method existed keeps working: its unreadable entries then
     * live until their time to live ends.
     *
     * @since 1.1
     */
    default CompletionStage<Void> remove(String key) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    default void close() {}
}
