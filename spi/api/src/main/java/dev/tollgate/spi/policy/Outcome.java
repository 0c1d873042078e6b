package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.provider.Usage;
import java.time.Duration;

/**
 * How a request ended, for settlement.
 *
 * @param status     the HTTP status the client received (200 for a stream that failed after its start)
 * @param errorCode  the error code, or {@code null} on success
 * @param usage      the usage reported so far (partial when a stream was cut), never {@code null}
 * @param deployment the deployment that answered, or {@code null} when none was called
 * @param latency    from the arrival of the request to its end
 */
public record Outcome(int status, String errorCode, Usage usage, String deployment, Duration latency) {

    public Outcome {
        requireNonNull(usage, "usage is null");
        requireNonNull(latency, "latency is null");
    }

    public boolean succeeded() {
        return errorCode == null;
    }
}
