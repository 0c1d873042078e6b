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
import dev.tollgate.kernel.responses.ResponsesIntake;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.request.RequestFacts;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads the body of an inference request with {@link RequestBodyReader} (bounded by what
 * arrived), validates it, finds the model, and hands the request to its {@link Lifecycle}. Every
 * error answers in the shape of the endpoint's API.
 */
final class InferenceHandler implements HttpHandler {

    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");

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
    private final RequestBodyReader bodies;
    /** The state step of stored OpenAI Responses, or {@code null}. */
    private final ResponsesIntake intake;

    /** @param codec the chat API, or {@code null} for embeddings */
    InferenceHandler(Kind kind, String path, ChatCodec codec, ErrorFormat errors, Map<String, Model> models, Pipeline pipeline,
            RequestBodyReader bodies) {
        this(kind, path, codec, errors, models, pipeline, bodies, null);
    }

    /** @param intake what stored Responses do to the body and the codec before the facts are read, or {@code null} */
    InferenceHandler(Kind kind, String path, ChatCodec codec, ErrorFormat errors, Map<String, Model> models, Pipeline pipeline,
            RequestBodyReader bodies, ResponsesIntake intake) {
        this.intake = intake;
        this.kind = kind;
        this.path = path;
        this.codec = codec;
        this.errors = errors;
        this.models = Map.copyOf(models);
        this.pipeline = pipeline;
        this.bodies = bodies;
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
        bodies.read(exchange, id, errors, (ex, body) -> onBody(ex, id, start, body));
    }

    private void onBody(HttpServerExchange exchange, String id, long start, byte[] received) {
        if (intake != null) {
            intake.accept(exchange, id, received, (ex, body, requestCodec) -> onBody(ex, id, start, body, requestCodec));
            return;
        }
        onBody(exchange, id, start, received, codec);
    }

    private void onBody(HttpServerExchange exchange, String id, long start, byte[] received, ChatCodec codec) {
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
            if (kind == Kind.CHAT && codec.translatesAtAdmission()) {
                translateAtAdmission(body, model, request);
            }
            // Keeps the exchange open after the handler returns: the lifecycle ends it asynchronously.
            exchange.dispatch(SameThreadExecutor.INSTANCE, request::start);
        } catch (GatewayException e) {
            Responses.error(exchange, id, errors, e);
        }
    }

    /**
     * Parses a request that may be translated into the canonical model now, once, and hands the parse
     * to its lifecycle. When no deployment passes it through, what cannot be translated is a 400 at
     * once; when some do, it is what the translating deployments answer, and only the others are tried.
     * A request every deployment passes through is not parsed (its facts were validated).
     */
    private void translateAtAdmission(RequestBody body, Model model, Lifecycle request) {
        Model.Reach reach = model.reach(codec.format());
        if (reach == Model.Reach.PASS_THROUGH) {
            return;
        }
        try {
            request.translated(codec.canonical(body));
        } catch (GatewayException e) {
            if (reach == Model.Reach.TRANSLATED) {
                throw e;
            }
            request.untranslatable(e);
        }
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
