package dev.tollgate.kernel.server;

import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.AnthropicFacts;
import dev.tollgate.kernel.codec.ChatCodec;
import dev.tollgate.kernel.codec.EmbeddingsFacts;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.kernel.codec.RequestBody;
import dev.tollgate.kernel.pipeline.Lifecycle;
import dev.tollgate.kernel.pipeline.Model;
import dev.tollgate.kernel.pipeline.Pipeline;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.request.RequestFacts;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and validates the body of an inference request without blocking (at most the configured
 * size: a larger declared body is refused with 413 before it is read), finds the model, and hands
 * the request to its {@link Lifecycle}. Every error answers in the shape of the endpoint's API.
 */
final class InferenceHandler implements HttpHandler {

    private static final Logger clientIo = LoggerFactory.getLogger("tollgate.client-io");
    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");
    private static final HttpString CONNECTION = new HttpString("Connection");

    /** Bytes of an oversized body read and discarded before the connection is closed instead. */
    static final long DRAIN_CAP = 64L * 1024 * 1024;

    /** What an inference endpoint does with a valid body. */
    enum Kind {
        /** A chat in the codec's API. */
        CHAT,
        /** OpenAI embeddings. */
        EMBEDDINGS,
        /** Anthropic's token count, answered from the prompt estimate. */
        COUNT_TOKENS
    }

    private final Kind kind;
    private final String path;
    private final ChatCodec codec;
    private final ErrorFormat errors;
    private final Map<String, Model> models;
    private final Pipeline pipeline;
    private final long maxBytes;

    /** @param codec the chat API, or {@code null} for embeddings */
    InferenceHandler(Kind kind, String path, ChatCodec codec, ErrorFormat errors, Map<String, Model> models, Pipeline pipeline,
            long maxBytes) {
        this.kind = kind;
        this.path = path;
        this.codec = codec;
        this.errors = errors;
        this.models = Map.copyOf(models);
        this.pipeline = pipeline;
        this.maxBytes = maxBytes;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        long start = pipeline.ticker().nanoTime();
        String id = exchange.getAttachment(GatewayHandler.REQUEST_ID);
        String contentType = exchange.getRequestHeaders().getFirst(CONTENT_TYPE);
        if (contentType != null && !isJson(contentType)) {
            Responses.error(exchange, id, errors, GatewayException.builder(ErrorType.CLIENT, 415, "unsupported_media_type")
                    .message("unsupported Content-Type '" + printable(contentType) + "'; send application/json").build());
            return;
        }
        if (exchange.getRequestContentLength() > maxBytes) {
            tooLarge(exchange, id);
            return;
        }
        if (exchange.getRequestContentLength() >= 0) {
            exchange.setMaxEntitySize(maxBytes);
            exchange.getRequestReceiver().receiveFullBytes(
                    (ex, body) -> onBody(ex, id, start, body),
                    (ex, error) -> onReadError(ex, id, error));
        } else {
            receiveChunked(exchange, id, start);
        }
    }

    /**
     * A body of unknown length is counted as it arrives. Past the limit the rest is read and
     * discarded (never buffered) so that the client, still uploading, can read the 413; past a
     * hard cap the connection is closed instead.
     */
    private void receiveChunked(HttpServerExchange exchange, String id, long start) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        long[] discarded = {-1};
        exchange.setMaxEntitySize(DRAIN_CAP);
        exchange.getRequestReceiver().receivePartialBytes((ex, data, last) -> {
            if (discarded[0] < 0 && body.size() + (long) data.length > maxBytes) {
                discarded[0] = 0;
                body.reset();
            }
            if (discarded[0] >= 0) {
                discarded[0] += data.length;
                if (discarded[0] > DRAIN_CAP) {
                    clientIo.debug("request {}: oversized chunked body, closing", id);
                    org.xnio.IoUtils.safeClose(ex.getConnection());
                } else if (last) {
                    tooLarge(ex, id);
                }
                return;
            }
            body.write(data, 0, data.length);
            if (last) {
                onBody(ex, id, start, body.toByteArray());
            }
        }, (ex, error) -> onReadError(ex, id, error));
    }

    private void onBody(HttpServerExchange exchange, String id, long start, byte[] received) {
        try {
            RequestBody body = RequestBody.of(received);
            RequestFacts facts;
            boolean base64 = false;
            switch (kind) {
                case CHAT -> facts = codec.facts(body);
                case EMBEDDINGS -> {
                    EmbeddingsFacts.Parsed parsed = EmbeddingsFacts.parse(body);
                    facts = parsed.facts();
                    base64 = parsed.base64();
                }
                default -> facts = AnthropicFacts.parseCountTokens(body);
            }
            Model model = models.get(facts.model());
            if (model == null) {
                throw GatewayException.builder(ErrorType.CLIENT, 404, "model_not_found").param("model")
                        .message("the model '" + printable(facts.model()) + "' does not exist; GET /v1/models lists the models")
                        .build();
            }
            if (kind == Kind.COUNT_TOKENS) {
                Responses.json(exchange, 200, ("{\"input_tokens\":" + facts.promptTokenEstimate() + "}").getBytes(StandardCharsets.US_ASCII));
                return;
            }
            Lifecycle request = new Lifecycle(pipeline, exchange, path, codec, errors, id, start, pipeline.clock().instant(), body,
                    facts, model, base64);
            // Keeps the exchange open after the handler returns: the lifecycle ends it asynchronously.
            exchange.dispatch(SameThreadExecutor.INSTANCE, request::start);
        } catch (GatewayException e) {
            Responses.error(exchange, id, errors, e);
        }
    }

    private void onReadError(HttpServerExchange exchange, String id, IOException error) {
        if (error instanceof RequestTooBigException) {
            tooLarge(exchange, id);
            return;
        }
        clientIo.debug("request {}: reading the body failed: {}", id, error.toString());
        org.xnio.IoUtils.safeClose(exchange.getConnection());
    }

    private void tooLarge(HttpServerExchange exchange, String id) {
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(CONNECTION, "close");
        Responses.error(exchange, id, errors, GatewayException.builder(ErrorType.CLIENT, 413, "request_too_large")
                .message("the request body is larger than the limit of " + maxBytes + " bytes").build());
    }

    static boolean isJson(String contentType) {
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        return type.equalsIgnoreCase("application/json") || (type.regionMatches(true, 0, "application/", 0, 12)
                && type.toLowerCase(java.util.Locale.ROOT).endsWith("+json"));
    }

    static String printable(String s) {
        String p = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return p.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
