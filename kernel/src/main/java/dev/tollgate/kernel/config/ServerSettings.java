package dev.tollgate.kernel.config;

import java.time.Duration;

/**
 * The {@code server} section.
 *
 * @param host             address to listen on
 * @param port             port to listen on
 * @param ioThreads        Undertow I/O threads (0 = one per core)
 * @param maxRequestBytes  largest accepted request body; larger ones get 413 without being read
 * @param maxHeaderBytes   largest accepted total size of request headers; larger ones get 431
 * @param idleTimeout      a client connection idle this long is closed
 * @param ttftTimeout      default limit from the start of an attempt to its first streamed chunk
 * @param shutdownGrace    how long in-flight requests may take to finish after SIGTERM
 * @param streamIdleTimeout default limit between two streamed events (keep-alive comments do not count)
 * @param requestTimeout   default limit for one whole attempt on a provider, streamed or not
 * @param admissionTimeout limit for the request policies to decide
 */
public record ServerSettings(
        String host,
        int port,
        int ioThreads,
        long maxRequestBytes,
        int maxHeaderBytes,
        Duration idleTimeout,
        Duration ttftTimeout,
        Duration shutdownGrace,
        Duration streamIdleTimeout,
        Duration requestTimeout,
        Duration admissionTimeout) {

    public static final ServerSettings DEFAULTS = new ServerSettings(
            "127.0.0.1", 8480, 0, 4L * 1024 * 1024, 32 * 1024, Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofSeconds(30),
            Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofSeconds(10));

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(host, newPort, ioThreads, maxRequestBytes, maxHeaderBytes, idleTimeout, ttftTimeout, shutdownGrace,
                streamIdleTimeout, requestTimeout, admissionTimeout);
    }
}
