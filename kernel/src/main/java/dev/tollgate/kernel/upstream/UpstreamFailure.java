package dev.tollgate.kernel.upstream;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Every way an upstream exchange can fail below HTTP, and what the client sees for it. Messages
 * name the origin (host and port) and never the path or query, which may carry credentials.
 */
public enum UpstreamFailure {
    CONNECT_REFUSED(502, "upstream_unreachable", "could not connect to the provider at %s"),
    UNKNOWN_HOST(502, "upstream_unreachable", "the provider host %s could not be resolved"),
    TLS(502, "upstream_tls_error", "the TLS connection to the provider at %s failed (check its certificate and host name)"),
    CONNECT_TIMEOUT(504, "upstream_timeout", "connecting to the provider at %s timed out"),
    RESPONSE_TIMEOUT(504, "upstream_timeout", "the provider at %s did not answer in time"),
    IDLE_TIMEOUT(504, "upstream_timeout", "the provider at %s stopped sending in the middle of the response"),
    TOTAL_TIMEOUT(504, "upstream_timeout", "the provider at %s did not finish the response within the total time limit"),
    RESET(502, "upstream_reset", "the connection to the provider at %s was closed before the response completed"),
    H2C_RESET(502, "upstream_reset", "the provider at %s closed the new HTTP/2 connection before answering "
            + "(does it speak HTTP/2 with prior knowledge, h2c?)"),
    NO_DESCRIPTORS(503, "gateway_overloaded", "the gateway has no file descriptor left for a connection to the provider at %s");

    private final int status;
    private final String code;
    private final String message;

    UpstreamFailure(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    public GatewayException toException(Object origin, Throwable cause) {
        GatewayException.Builder b = GatewayException.builder(ErrorType.UPSTREAM_SERVER, status, code)
                .message(String.format(message, origin))
                .cause(cause);
        if (this == NO_DESCRIPTORS) {
            // descriptors come back as streams end; another deployment would need one too
            b.retryAfter(Duration.ofSeconds(1)).fallbackAllowed(false);
        }
        return b.build();
    }

    public GatewayException toException(Object origin, Duration after) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, status, code)
                .message(String.format(message, origin) + " (" + after.toMillis() + " ms)")
                .build();
    }

    /** A buffered response passed {@code upstream.max_response_bytes}: asking again would not help. */
    static GatewayException responseTooLarge(Object origin, long limit) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_response_too_large")
                .message("the response of the provider at " + origin + " is larger than upstream.max_response_bytes ("
                        + limit + " bytes)")
                .retryable(false)
                .build();
    }

    /** Buffering this response would pass {@code upstream.max_buffered_response_bytes}: the gateway is busy. */
    static GatewayException bufferedTooLarge(Object origin, long limit) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_response_too_large")
                .message("the response of the provider at " + origin + " would take the responses buffered in the gateway"
                        + " past upstream.max_buffered_response_bytes (" + limit + " bytes)")
                .build();
    }

    /** Classifies a failure to establish a connection. */
    static UpstreamFailure ofConnect(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // EMFILE/ENFILE: "Too many open files" (in system); the JDK gives no other sign of it
            if (t.getMessage() != null && t.getMessage().contains("Too many open files")) {
                return NO_DESCRIPTORS;
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return CONNECT_REFUSED;
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return UNKNOWN_HOST;
            }
            if (t instanceof SSLException) {
                return TLS;
            }
        }
        return e instanceof IOException ? CONNECT_REFUSED : RESET;
    }

    /** Classifies a failure on an established connection. */
    static UpstreamFailure ofExchange(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return TLS;
            }
        }
        return RESET;
    }
}
