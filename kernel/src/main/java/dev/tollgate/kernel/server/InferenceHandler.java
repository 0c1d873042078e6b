package dev.tollgate.kernel.server;

import dev.tollgate.kernel.json.RequestParser;
import dev.tollgate.kernel.pipeline.Endpoint;
import dev.tollgate.kernel.pipeline.GatewayRequest;
import dev.tollgate.kernel.pipeline.Model;
import dev.tollgate.kernel.pipeline.Pipeline;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.time.Instant;
import java.util.Map;

/**
 * Reads the body of an inference request with {@link RequestBodyReader}, validates it, finds the
 * model, and hands the request to the pipeline.
 */
final class InferenceHandler implements HttpHandler {

    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");

    private final Endpoint endpoint;
    private final Map<String, Model> models;
    private final Pipeline pipeline;
    private final RequestBodyReader bodies;

    InferenceHandler(Endpoint endpoint, Map<String, Model> models, Pipeline pipeline, RequestBodyReader bodies) {
        this.endpoint = endpoint;
        this.models = Map.copyOf(models);
        this.pipeline = pipeline;
        this.bodies = bodies;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        long start = System.nanoTime();
        String id = exchange.getAttachment(GatewayHandler.REQUEST_ID);
        String contentType = exchange.getRequestHeaders().getFirst(CONTENT_TYPE);
        if (contentType != null && !isJson(contentType)) {
            Responses.error(exchange, id, GatewayException.builder(ErrorType.CLIENT, 415, "unsupported_media_type")
                    .message("unsupported Content-Type '" + printable(contentType) + "'; send application/json").build());
            return;
        }
        bodies.read(exchange, id, (ex, body) -> onBody(ex, id, start, body));
    }

    private void onBody(HttpServerExchange exchange, String id, long start, byte[] body) {
        try {
            String modelName;
            boolean stream = false;
            boolean includeUsage = false;
            if (endpoint == Endpoint.CHAT_COMPLETIONS) {
                RequestParser.ChatFields f = RequestParser.chat(body);
                modelName = f.model();
                stream = f.stream();
                includeUsage = f.includeUsage();
            } else {
                modelName = RequestParser.embeddings(body);
            }
            Model model = models.get(modelName);
            if (model == null) {
                throw GatewayException.builder(ErrorType.CLIENT, 404, "model_not_found").param("model")
                        .message("the model '" + printable(modelName) + "' does not exist; GET /v1/models lists the models")
                        .build();
            }
            GatewayRequest request = new GatewayRequest(exchange, id, start, Instant.now(), endpoint, model, stream, includeUsage,
                    Bytes.wrapOwned(body));
            // Keeps the exchange open after the handler returns: the pipeline ends it asynchronously.
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> pipeline.start(request));
        } catch (GatewayException e) {
            Responses.error(exchange, id, e);
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
