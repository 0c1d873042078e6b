package dev.tollgate.spi.store;

/**
 * A {@link GovernanceStore}'s database failed (unreachable, timed out, full, corrupt); the message
 * names the operation and never a secret. Unlike {@link IllegalArgumentException}, the same call
 * may succeed later.
 */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
