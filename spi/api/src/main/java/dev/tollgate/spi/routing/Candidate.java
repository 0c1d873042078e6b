package dev.tollgate.spi.routing;

import dev.tollgate.spi.catalog.ModelInfo;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A deployment a request may be sent to, with its live statistics. Statistics are default methods
 * so that new ones never break a strategy; a value the kernel does not track yet reads as unknown.
 */
public interface Candidate {

    /** Unique id of the deployment, for example {@code gpt-4o#0}. */
    String id();

    /** The provider factory name, for example {@code openai}. */
    String provider();

    /** The model name at the provider. */
    String upstreamModel();

    /** The configured weight, at least 1. */
    default int weight() {
        return 1;
    }

    /** Requests currently in flight on this deployment. */
    default int inFlight() {
        return 0;
    }

    /** Exponentially weighted moving average of whole-attempt latency, in microseconds, when measured. */
    default OptionalLong latencyEwmaMicros() {
        return OptionalLong.empty();
    }

    /** Exponentially weighted moving average of the time to the first event, in microseconds, when measured. */
    default OptionalLong timeToFirstTokenEwmaMicros() {
        return OptionalLong.empty();
    }

    /** Share of recent attempts that failed, from 0 to 1. */
    default double errorRate() {
        return 0;
    }

    default Health health() {
        return Health.HEALTHY;
    }

    /** Priority tier: 0 is tried first, higher tiers only while every lower one is unavailable. */
    default int tier() {
        return 0;
    }

    /** Prices, context window and capabilities of the deployment's model, when the catalog knows them. */
    default Optional<ModelInfo> modelInfo() {
        return Optional.empty();
    }
}
