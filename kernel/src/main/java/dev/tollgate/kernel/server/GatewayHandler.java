package dev.tollgate.kernel.server;

import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;
import java.util.Map;

/**
 * The root handler: assigns the request id (echoed on every response), answers the requests the
 * connection guard rejected, refuses work while shutting down, and dispatches by path and method.
 */
final class GatewayHandler implements HttpHandler {

    static final AttachmentKey<String> REQUEST_ID = AttachmentKey.create(String.class);
    private static final HttpString X_REQUEST_ID = new HttpString("x-request-id");
    /** Anthropic's clients read the request id from {@code request-id}. */
    private static final HttpString REQUEST_ID_HEADER = new HttpString("request-id");
    private static final HttpString ALLOW = new HttpString("Allow");
    private static final HttpString CONNECTION = new HttpString("Connection");

    /** An endpoint: the method it accepts and its handler. */
    record Route(String method, HttpHandler handler) {}

    private final Map<String, Route> routes;
    private final HttpHandler admin;
    private final ShutdownGate gate;
    private final dev.tollgate.kernel.pipeline.Pipeline pipeline;
    /** {@code /v1/responses/{id}...}, or {@code null} when responses are not stored. */
    private final HttpHandler storedResponses;

    GatewayHandler(Map<String, Route> routes, HttpHandler admin, ShutdownGate gate, dev.tollgate.kernel.pipeline.Pipeline pipeline) {
        this(routes, admin, gate, pipeline, null);
    }

    /**
     * @param admin           serves every path under {@code /admin/}
     * @param pipeline        counts and records the API requests answered before a lifecycle started
     * @param storedResponses serves {@code /v1/responses/{id}} and below (any method), or {@code null}
     */
    GatewayHandler(Map<String, Route> routes, HttpHandler admin, ShutdownGate gate, dev.tollgate.kernel.pipeline.Pipeline pipeline,
            HttpHandler storedResponses) {
        this.routes = Map.copyOf(routes);
        this.admin = admin;
        this.gate = gate;
        this.pipeline = pipeline;
        this.storedResponses = storedResponses;
    }

    /** API requests, the guard's rejections and unknown URLs are recorded; health, metrics, admin and the model list are not. */
    private boolean recorded(String path, HttpServerExchange exchange) {
        if (path.startsWith("/health/") || path.equals("/metrics") || path.startsWith("/admin/")) {
            return false;
        }
        return !(path.equals("/v1/models") && exchange.getRequestMethod().equalToString("GET"));
    }

    private void recordIfRefused(HttpServerExchange exchange, String id) {
        String path = exchange.getRelativePath();
        if (pipeline == null || !recorded(path, exchange)) {
            return;
        }
        java.time.Instant startedAt = pipeline.clock().instant();
        long startNanos = pipeline.ticker().nanoTime();
        String endpoint = routes.containsKey(path) ? path
                : storedResponses != null && dev.tollgate.kernel.responses.StoredResponsesHandler.handles(path) ? "/v1/responses/{id}"
                : "other";
        exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                if (ex.getAttachment(dev.tollgate.kernel.pipeline.Lifecycle.STARTED) == null) {
                    pipeline.answeredWithoutLifecycle(id, startedAt, startNanos, endpoint, ex.getStatusCode(),
                            ex.getAttachment(Responses.ERROR), ex.getAttachment(dev.tollgate.kernel.pipeline.Lifecycle.AUTHENTICATED));
                }
            } finally {
                next.proceed();
            }
        });
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String id = RequestIds.accept(exchange.getRequestHeaders().getFirst(X_REQUEST_ID));
        exchange.putAttachment(REQUEST_ID, id);
        exchange.getResponseHeaders().put(X_REQUEST_ID, id);
        recordIfRefused(exchange, id);
        GuardedConnection guarded = GuardedConnection.of(exchange);
        if (guarded != null) {
            if (guarded.rejection() != null && exchange.getRelativePath().equals(GuardedConnection.REJECTED_PATH)) {
                Responses.reject(exchange, id, ErrorFormat.OPENAI, guarded.rejection().toException());
                return;
            }
            guarded.exchangeStarted(exchange);
        }
        ErrorFormat errors = errorsFor(exchange.getRelativePath());
        if (errors == ErrorFormat.ANTHROPIC) {
            exchange.getResponseHeaders().put(REQUEST_ID_HEADER, id);
        }
        if (exchange.getRelativePath().startsWith("/health/") || exchange.getRelativePath().equals("/metrics")) {
            dispatch(exchange, id, errors);
            return;
        }
        if (!gate.enter()) {
            exchange.setPersistent(false);
            exchange.getResponseHeaders().put(CONNECTION, "close");
            Responses.error(exchange, id, errors, GatewayException.builder(ErrorType.UPSTREAM_SERVER, 503, "shutting_down")
                    .message("the gateway is shutting down; retry on another instance").build());
            return;
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            gate.leave();
            next.proceed();
        });
        dispatch(exchange, id, errors);
    }

    /** The error shape of the API a path belongs to. */
    static ErrorFormat errorsFor(String path) {
        return path.startsWith("/v1/messages") || path.startsWith("/messages") ? ErrorFormat.ANTHROPIC : ErrorFormat.OPENAI;
    }

    private void dispatch(HttpServerExchange exchange, String id, ErrorFormat errors) throws Exception {
        Route route = routes.get(exchange.getRelativePath());
        if (route == null && exchange.getRelativePath().startsWith("/admin/")) {
            admin.handleRequest(exchange);
            return;
        }
        if (route == null && storedResponses != null && dev.tollgate.kernel.responses.StoredResponsesHandler.handles(exchange.getRelativePath())) {
            storedResponses.handleRequest(exchange);
            return;
        }
        if (route == null) {
            Responses.error(exchange, id, errors, GatewayException.builder(ErrorType.CLIENT, 404, "unknown_url")
                    .message("unknown request URL: " + exchange.getRequestMethod() + " " + safePath(exchange.getRelativePath())
                            + "; see /v1/chat/completions, /v1/messages, /v1/embeddings, /v1/models")
                    .build());
            return;
        }
        if (!exchange.getRequestMethod().toString().equals(route.method())) {
            exchange.getResponseHeaders().put(ALLOW, route.method());
            Responses.error(exchange, id, errors, GatewayException.builder(ErrorType.CLIENT, 405, "method_not_allowed")
                    .message(exchange.getRequestMethod() + " is not allowed on " + exchange.getRelativePath()
                            + "; use " + route.method())
                    .build());
            return;
        }
        route.handler().handleRequest(exchange);
    }

    private static String safePath(String path) {
        String p = path.length() > 200 ? path.substring(0, 200) + "..." : path;
        return p.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
