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
    RESET(502, "upstream_reset", "the connection to the provider at %s was closed before the response completed"),
    TOO_LARGE(502, "upstream_response_too_large", "the response of the provider at %s is larger than the gateway accepts");

    private final int status;
    private final String code;
    private final String message;

    UpstreamFailure(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    public GatewayException toException(Object origin, Throwable cause) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, status, code)
                .message(String.format(message, origin))
                .cause(cause)
                .build();
    }

    public GatewayException toException(Object origin, Duration after) {
        return GatewayException.builder(ErrorType.UPSTREAM_SERVER, status, code)
                .message(String.format(message, origin) + " (" + after.toMillis() + " ms)")
                .build();
    }

    /** Classifies a failure to establish a connection. */
    static UpstreamFailure ofConnect(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
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
