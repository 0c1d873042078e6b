package dev.tollgate.kernel.server;

/**
 * The listening socket cannot be opened (the port is taken, or not ours to bind): the machine's
 * state stops the start, not the configuration.
 */
public final class ListenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ListenException(String message, Throwable cause) {
        super(message, cause);
    }
}
