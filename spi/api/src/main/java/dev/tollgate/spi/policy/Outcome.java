package dev.tollgate.spi.policy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.cache.CacheStatus;
import dev.tollgate.spi.chat.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a request ended, for settlement and logging. Built by the kernel (the testkit builds them
 * for policy tests).
 */
public final class Outcome {

    private final int status;
    private final String errorCode;
    private final Usage usage;
    private final Cost cost;
    private final CacheStatus cacheStatus;
    private final List<AttemptRecord> attempts;
    private final String deploymentId;
    private final String model;
    private final Duration latency;
    private final Duration timeToFirstToken;
    private final boolean clientDisconnected;
    private final boolean stream;
    private final String upstreamResponseId;

    private Outcome(Builder b) {
        this.status = b.status;
        this.errorCode = b.errorCode;
        this.usage = b.usage;
        this.cost = requireNonNull(b.cost, "cost is null");
        this.cacheStatus = requireNonNull(b.cacheStatus, "cacheStatus is null");
        this.attempts = List.copyOf(b.attempts);
        this.deploymentId = b.deploymentId;
        this.model = b.model;
        this.latency = requireNonNull(b.latency, "latency is null");
        this.timeToFirstToken = b.timeToFirstToken;
        this.clientDisconnected = b.clientDisconnected;
        this.stream = b.stream;
        this.upstreamResponseId = b.upstreamResponseId;
    }

    public static Builder builder(int status, Duration latency) {
        return new Builder(status, latency);
    }

    /** The HTTP status the client received (200 for a stream that failed after its start). */
    public int status() {
        return status;
    }

    /** The error code when the request failed (including after a stream's start), else empty. */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    public boolean succeeded() {
        return errorCode == null;
    }

    /**
     * The usage to charge: the answering attempt's (partial when a stream was cut), or empty when
     * no provider reported any.
     */
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    /** The request's cost, computed once by the kernel from usage and the catalog; the same figure reaches every policy and log. */
    public Cost cost() {
        return cost;
    }

    public CacheStatus cacheStatus() {
        return cacheStatus;
    }

    /** Every attempt made, in order; empty when no provider was called. */
    public List<AttemptRecord> attempts() {
        return attempts;
    }

    /** The deployment that answered, when one did. */
    public Optional<String> deploymentId() {
        return Optional.ofNullable(deploymentId);
    }

    /** The client-facing model that answered (differs from the request's model after a fallback to another model). */
    public Optional<String> model() {
        return Optional.ofNullable(model);
    }

    /** From the arrival of the request to its end. */
    public Duration latency() {
        return latency;
    }

    /** From the arrival of the request to the first answer byte or event sent to the client. */
    public Optional<Duration> timeToFirstToken() {
        return Optional.ofNullable(timeToFirstToken);
    }

    /** Whether the client went away before its answer was complete. */
    public boolean clientDisconnected() {
        return clientDisconnected;
    }

    public boolean stream() {
        return stream;
    }

    /**
     * The provider's own id of the answer that passed through untouched (an OpenAI Responses
     * {@code resp_...} id), when the adapter reported one: the answer the client holds names the
     * provider's object, which lives at {@link #deploymentId()}. Empty for translated answers.
     *
     * @since 1.1
     */
    public Optional<String> upstreamResponseId() {
        return Optional.ofNullable(upstreamResponseId);
    }

    @Override
    public String toString() {
        return "Outcome[status=" + status + ", error=" + errorCode + ", usage=" + usage + ", " + cost + ", attempts=" + attempts.size() + "]";
    }

    /** Builds {@link Outcome}s. */
    public static final class Builder {
        private final int status;
        private final Duration latency;
        private String errorCode;
        private Usage usage;
        private Cost cost = Cost.unknown();
        private CacheStatus cacheStatus = CacheStatus.NONE;
        private List<AttemptRecord> attempts = List.of();
        private String deploymentId;
        private String model;
        private Duration timeToFirstToken;
        private boolean clientDisconnected;
        private boolean stream;
        private String upstreamResponseId;

        private Builder(int status, Duration latency) {
            this.status = status;
            this.latency = latency;
        }

        public Builder errorCode(String v) {
            this.errorCode = v;
            return this;
        }

        public Builder usage(Usage v) {
            this.usage = v;
            return this;
        }

        public Builder cost(Cost v) {
            this.cost = v;
            return this;
        }

        public Builder cacheStatus(CacheStatus v) {
            this.cacheStatus = v;
            return this;
        }

        public Builder attempts(List<AttemptRecord> v) {
            this.attempts = v;
            return this;
        }

        public Builder deploymentId(String v) {
            this.deploymentId = v;
            return this;
        }

        public Builder model(String v) {
            this.model = v;
            return this;
        }

        public Builder timeToFirstToken(Duration v) {
            this.timeToFirstToken = v;
            return this;
        }

        public Builder clientDisconnected(boolean v) {
            this.clientDisconnected = v;
            return this;
        }

        public Builder stream(boolean v) {
            this.stream = v;
            return this;
        }

        /** @since 1.1 */
        public Builder upstreamResponseId(String v) {
            this.upstreamResponseId = v;
            return this;
        }

        public Outcome build() {
            return new Outcome(this);
        }
    }
}
