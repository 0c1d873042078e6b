package dev.tollgate.kernel.pipeline;

import dev.tollgate.spi.GatewayException;
import java.util.Locale;

/**
 * What a failed attempt (or a model that cannot take the request) counts as for fallbacks and
 * circuits; the names are the ones a fallback's {@code on} list uses.
 */
enum FailureClass {
    /** A limit was hit, at the provider (429) or on our side of it. */
    RATE_LIMITED,
    /** The provider failed or could not be reached: 5xx, connect error, reset. */
    SERVER_ERROR,
    /** A deadline passed before the answer started. */
    TIMEOUT,
    /** The prompt plus the output do not fit the model's context window. */
    CONTEXT_WINDOW,
    /** The request uses tools, images or a JSON schema the model lacks. */
    CAPABILITY,
    /** The provider refused for content-policy reasons. */
    CONTENT_POLICY,
    /** The provider rejected the request as invalid (400, 404, 422). */
    CLIENT_ERROR,
    /** The gateway's own failures (a bug, a budget): never a reason to try elsewhere. */
    OTHER;

    private final String configName = name().toLowerCase(Locale.ROOT);

    String configName() {
        return configName;
    }

    static FailureClass of(GatewayException e) {
        switch (e.reason()) {
            case CONTEXT_WINDOW_EXCEEDED:
                return CONTEXT_WINDOW;
            case CONTENT_POLICY:
                return CONTENT_POLICY;
            case TIMEOUT:
                return TIMEOUT;
            default:
                break;
        }
        return switch (e.type()) {
            case RATE_LIMITED -> RATE_LIMITED;
            case UPSTREAM_SERVER -> SERVER_ERROR;
            case UPSTREAM_CLIENT -> CLIENT_ERROR;
            default -> OTHER;
        };
    }

    /** Whether a failure of this class says the deployment is in trouble (counts towards opening its circuit). */
    boolean countsAgainstDeployment() {
        return this == RATE_LIMITED || this == SERVER_ERROR || this == TIMEOUT;
    }
}
