package dev.tollgate.kernel.config;

import java.time.Duration;

/**
 * The {@code server} section.
 *
 * @param host                     address to listen on
 * @param port                     port to listen on
 * @param ioThreads                Undertow I/O threads (0 = one per core)
 * @param maxRequestBytes          largest accepted request body; larger ones get 413 without being read
 * @param maxHeaderBytes           largest accepted request head (request line and header lines); larger ones get 431
 * @param maxBufferedRequestBytes  bytes the whole process may hold for request bodies and unfinished heads; past it 503
 * @param maxConnections           open client connections; more are answered 503 and closed
 * @param requestStartTimeout      a new connection that sends no request byte this long is closed
 * @param headerTimeout            a request head not complete this long after its first byte gets 408
 * @param bodyReadTimeout          a request body that receives no byte this long gets 408
 * @param idleTimeout              a keep-alive connection idle this long between requests is closed
 * @param sendTimeout              a connection whose client takes no response byte this long is closed
 * @param ttftTimeout              default limit from the start of an attempt to its first streamed chunk
 * @param shutdownGrace            how long in-flight requests may take to finish after SIGTERM
 * @param streamIdleTimeout        default limit between two streamed events (keep-alive comments do not count)
 * @param requestTimeout           default limit for one whole attempt on a provider, streamed or not
 * @param admissionTimeout         limit for the request policies to decide
 * @param auth                     whether {@code /v1} requests need a virtual key ({@code KEYS}) or none
 */
public record ServerSettings(
        String host,
        int port,
        int ioThreads,
        long maxRequestBytes,
        int maxHeaderBytes,
        long maxBufferedRequestBytes,
        int maxConnections,
        Duration requestStartTimeout,
        Duration headerTimeout,
        Duration bodyReadTimeout,
        Duration idleTimeout,
        Duration sendTimeout,
        Duration ttftTimeout,
        Duration shutdownGrace,
        Duration streamIdleTimeout,
        Duration requestTimeout,
        Duration admissionTimeout,
        Auth auth) {

    /** {@code server.auth}: {@code keys} checks keys whenever a master key is set; {@code none} serves {@code /v1} openly. */
    public enum Auth { KEYS, NONE }

    public static final ServerSettings DEFAULTS = new ServerSettings(
            "127.0.0.1", 8480, 0, 4L * 1024 * 1024, 32 * 1024, 64L * 1024 * 1024, 8192,
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(75),
            Duration.ofSeconds(60), Duration.ofMinutes(2), Duration.ofSeconds(30),
            Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofSeconds(10), Auth.KEYS);

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(host, newPort, ioThreads, maxRequestBytes, maxHeaderBytes, maxBufferedRequestBytes, maxConnections,
                requestStartTimeout, headerTimeout, bodyReadTimeout, idleTimeout, sendTimeout, ttftTimeout, shutdownGrace,
                streamIdleTimeout, requestTimeout, admissionTimeout, auth);
    }
}
