package dev.tollgate.spi.provider;

import dev.tollgate.spi.http.UpstreamHttp;
import java.time.Duration;

/**
 * One attempt of one request against one deployment, as seen by the adapter. All callbacks of the
 * attempt (HTTP responses, scheduled tasks) run on one thread, one at a time.
 */
public interface ProviderCall {

    /** The gateway's request id, to pass upstream for correlation. */
    String requestId();

    /**
     * The outbound HTTP client bound to this attempt: its exchanges are closed when the attempt is
     * cancelled (client gone, timeout, shutdown) and its callbacks arrive on the attempt's thread.
     */
    UpstreamHttp http();

    /** Runs {@code task} on the attempt's thread after {@code delay}, unless the attempt was cancelled. */
    void schedule(Duration delay, Runnable task);

    /** Whether the attempt was cancelled; adapters that produce output themselves stop then. */
    boolean isCancelled();
}
