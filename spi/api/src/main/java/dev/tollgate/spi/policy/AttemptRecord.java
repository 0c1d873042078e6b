package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.chat.Usage;
import java.time.Duration;
import java.util.Optional;

/**
 * How one attempt went.
 *
 * @param index        0 for the first attempt
 * @param deploymentId the deployment tried
 * @param result       how it ended
 * @param errorCode    the error code when it failed, else {@code null}
 * @param latency      from its start to its end
 * @param firstEvent   from its start to the first answer byte or event, or {@code null} when none came
 * @param usage        usage it reported, or {@code null}
 */
public record AttemptRecord(int index, String deploymentId, Result result, String errorCode, Duration latency,
        Duration firstEvent, Usage usage) {

    /** How an attempt ended. */
    public enum Result {
        /** It answered. */
        SUCCEEDED,
        /** It failed (the provider, the network or a deadline). */
        FAILED,
        /** It was stopped: the client left, the gateway shut down. */
        CANCELLED
    }

    public AttemptRecord {
        requireNonNull(deploymentId, "deploymentId is null");
        requireNonNull(result, "result is null");
        requireNonNull(latency, "latency is null");
    }

    public Optional<Duration> timeToFirstEvent() {
        return Optional.ofNullable(firstEvent);
    }

    public Optional<Usage> observedUsage() {
        return Optional.ofNullable(usage);
    }
}
