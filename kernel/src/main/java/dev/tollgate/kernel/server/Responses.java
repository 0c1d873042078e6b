package dev.tollgate.kernel.server;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Non-blocking writes of whole responses. */
public final class Responses {

    private static final Logger log = LoggerFactory.getLogger("tollgate.errors");
    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");
    private static final HttpString RETRY_AFTER = new HttpString("Retry-After");
    private static final String JSON = "application/json";
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection", "content-length", "content-type", "transfer-encoding", "keep-alive", "date", "server",
            "x-request-id", "content-encoding", "upgrade", "proxy-connection", "te", "trailer");

    private Responses() {}

    public static void json(HttpServerExchange exchange, int status, ByteBuffer body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(CONTENT_TYPE, JSON);
        exchange.setResponseContentLength(body.remaining());
        exchange.getResponseSender().send(body);
    }

    public static void json(HttpServerExchange exchange, int status, byte[] body) {
        json(exchange, status, ByteBuffer.wrap(body));
    }

    /** Adds provider or policy headers, skipping hop-by-hop and framing headers. */
    public static void addHeaders(HttpServerExchange exchange, Headers headers) {
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().add(HttpString.tryFromString(name), headers.value(i));
            }
        }
    }

    /** Logs a failure that ended a stream already committed to the client. */
    public static void logStreamFailure(String requestId, GatewayException error) {
        log.warn("request {} stream failed after its start: {} {}", requestId, error.code(), error.getMessage());
    }

    /**
     * Sends {@code error} as OpenAI error JSON with its status and {@code Retry-After}. Server-side
     * failures are logged with their cause (never sent); client errors are not logged.
     */
    public static void error(HttpServerExchange exchange, String requestId, GatewayException error) {
        if (OpenAiErrors.isServerSide(error)) {
            if (error.getCause() != null && error.type() == dev.tollgate.spi.ErrorType.INTERNAL) {
                log.error("request {} failed: {} {}", requestId, error.status(), error.getMessage(), error.getCause());
            } else {
                log.warn("request {} failed: {} {} {}{}", requestId, error.status(), error.code(), error.getMessage(),
                        error.getCause() == null ? "" : " (" + error.getCause() + ")");
            }
        }
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        error.retryAfter().ifPresent(d -> exchange.getResponseHeaders().put(RETRY_AFTER,
                Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        if (error.status() == 503) {
            // a gateway without capacity (out of descriptors, shutting down) gives the connection back
            exchange.setPersistent(false);
        }
        json(exchange, error.status(), OpenAiErrors.body(error));
    }
}
