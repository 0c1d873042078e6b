package dev.tollgate.spi.routing;

/**
 * A deployment a request may be sent to, with its live statistics. New statistics are added as
 * default methods, so strategies keep compiling.
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
}
