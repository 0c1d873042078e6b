package dev.tollgate.kernel.client;

import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.logging.Secrets;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Non-blocking writes of whole responses, and the one place errors are answered and logged. */
public final class Responses {

    /** The error an exchange was answered with, for the request count and record of requests refused before a lifecycle. */
    public static final io.undertow.util.AttachmentKey<GatewayException> ERROR = io.undertow.util.AttachmentKey.create(GatewayException.class);

    private static final Logger log = LoggerFactory.getLogger("tollgate.errors");
    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");
    private static final HttpString RETRY_AFTER = new HttpString("Retry-After");
    private static final HttpString CONNECTION = new HttpString("Connection");
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

    /** Writes {@code body}, which the caller owns, with every configured secret in it masked. */
    public static void json(HttpServerExchange exchange, int status, byte[] body) {
        if (Secrets.any()) {
            Secrets.maskInPlace(body, 0, body.length);
        }
        json(exchange, status, ByteBuffer.wrap(body));
    }

    /** Writes a body the caller does not own (a provider's bytes), copying it only to mask a secret found in it. */
    public static void json(HttpServerExchange exchange, int status, Bytes body) {
        if (Secrets.any() && Secrets.foundIn(body)) {
            json(exchange, status, body.toArray());
            return;
        }
        json(exchange, status, body.asByteBuffer());
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
     * Logs a server-side failure once: an internal one with its cause (a bug to fix), an upstream
     * one with the class of its cause only: its message may quote the upstream's bytes (a parser's
     * "Unrecognized token '…'"), and those may hold anything, a reflected key included. Client
     * errors are not logged: clients cannot fill the log. A failure of every request (an upstream
     * or the shared state down) logs at most ten lines a second per status and code, the next one with the number held back.
     */
    public static void logFailure(String requestId, GatewayException error) {
        if (!ErrorFormat.isServerSide(error)) {
            return;
        }
        long held = FAILURES.admit(error.status() + " " + error.code());
        if (held < 0) {
            return;
        }
        String more = held == 0 ? "" : " (and " + held + " more like it since the last such line)";
        if (error.getCause() != null && error.type() == ErrorType.INTERNAL) {
            log.error("request {} failed: {} {}{}", requestId, error.status(), error.getMessage(), more, error.getCause());
        } else {
            log.warn("request {} failed: {} {} {}{}{}", requestId, error.status(), error.code(), error.getMessage(),
                    error.getCause() == null ? "" : " (cause: " + error.getCause().getClass().getName() + ")", more);
        }
    }

    /** Failures of one status and code are logged at most ten times a second; the others are counted into the next line. */
    private static final dev.tollgate.kernel.logging.LogLimiter FAILURES =
            new dev.tollgate.kernel.logging.LogLimiter(dev.tollgate.spi.time.Ticker.system(), 1_000_000_000L, 10);

    /**
     * Sends {@code error} in {@code format} with its status, headers and {@code Retry-After}, and
     * logs it when it is a server-side failure.
     */
    public static void error(HttpServerExchange exchange, String requestId, ErrorFormat format, GatewayException error) {
        exchange.putAttachment(ERROR, error);
        logFailure(requestId, error);
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        addHeaders(exchange, error.headers());
        error.retryAfter().ifPresent(d -> exchange.getResponseHeaders().put(RETRY_AFTER,
                Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        if (error.status() == 503) {
            // a gateway without capacity (out of descriptors, shutting down) gives the connection back
            exchange.setPersistent(false);
        }
        json(exchange, error.status(), format.body(error));
    }

    /** {@link #error(HttpServerExchange, String, ErrorFormat, GatewayException)} in OpenAI's shape. */
    public static void error(HttpServerExchange exchange, String requestId, GatewayException error) {
        error(exchange, requestId, ErrorFormat.OPENAI, error);
    }

    /**
     * Sends {@code error} and closes the connection after it (lingering, so the client can read
     * it). Never logged: these answer what a client sent or how much it sends at once, and a
     * client must not be able to fill the log; they are counted in the metrics instead.
     */
    public static void reject(HttpServerExchange exchange, String requestId, ErrorFormat format, GatewayException error) {
        exchange.putAttachment(ERROR, error);
        exchange.setPersistent(false);
        if (exchange.isResponseStarted()) {
            org.xnio.IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.getResponseHeaders().put(CONNECTION, "close");
        error.retryAfter().ifPresent(d -> exchange.getResponseHeaders().put(RETRY_AFTER,
                Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        json(exchange, error.status(), format.body(error));
    }
}
