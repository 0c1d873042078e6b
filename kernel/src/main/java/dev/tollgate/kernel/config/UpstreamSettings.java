package dev.tollgate.kernel.config;

/**
 * The {@code upstream} section: limits of the outbound client shared by every provider.
 *
 * @param maxResponseBytes         largest response body buffered for an adapter ({@code send}); a
 *                                 larger one fails with 502 {@code upstream_response_too_large}
 * @param maxBufferedResponseBytes bytes all buffered responses in flight may hold together; a
 *                                 response that would pass it fails the same way
 * @param maxStreamsPerConnection  concurrent requests on one HTTP/2 connection (fewer if the server
 *                                 says so); when all are busy another connection is opened
 * @param maxConnections           open upstream connections (pooled idle ones included); 0 derives
 *                                 it from the process's file descriptor limit so that accepting
 *                                 clients never runs out of descriptors
 */
public record UpstreamSettings(
        long maxResponseBytes,
        long maxBufferedResponseBytes,
        int maxStreamsPerConnection,
        int maxConnections) {

    public static final UpstreamSettings DEFAULTS = new UpstreamSettings(32L * 1024 * 1024, 96L * 1024 * 1024, 100, 0);

    public UpstreamSettings {
        if (maxResponseBytes < 1 || maxResponseBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxResponseBytes out of range: " + maxResponseBytes);
        }
        if (maxBufferedResponseBytes < maxResponseBytes) {
            throw new IllegalArgumentException("maxBufferedResponseBytes is below maxResponseBytes");
        }
        if (maxStreamsPerConnection < 1) {
            throw new IllegalArgumentException("maxStreamsPerConnection must be at least 1");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must not be negative");
        }
    }
}
