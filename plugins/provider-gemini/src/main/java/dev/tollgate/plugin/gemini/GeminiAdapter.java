package dev.tollgate.plugin.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.HttpProtocol;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One deployment behind Google's Gemini API: {@code POST {api_base}/{api_version}/models/{model}:generateContent}
 * and {@code :streamGenerateContent?alt=sse}, the key in {@code x-goog-api-key}. Gemini's wire format is
 * no inbound API of the gateway, so there is no native format: every request is translated from the
 * canonical model ({@link GeminiRequests}) and every answer back ({@link GeminiAnswers}).
 */
final class GeminiAdapter implements ProviderAdapter {

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";

    private final GeminiConfig config;
    private final ErrorMapping errors;
    private final Warnings warnings;

    GeminiAdapter(GeminiConfig config, Clock clock, Warnings warnings) {
        this.config = config;
        this.errors = new ErrorMapping(config, clock);
        this.warnings = warnings;
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        if (missingKey(sink::fail)) {
            return;
        }
        byte[] body = GeminiRequests.write(request.canonical(), warnings);
        call.http().send(upstream(request, false, body)).whenComplete((response, failure) -> {
            if (failure != null) {
                sink.fail(unwrap(failure));
                return;
            }
            try {
                if (!response.isSuccess()) {
                    byte[] b = response.body().toArray();
                    sink.fail(errors.map(response.status(), response.headers(),
                            ErrorMapping.UpstreamError.parse(b, Math.min(b.length, ErrorMapping.MAX_ERROR_BODY))));
                } else {
                    sink.respond(translated(request, response), Headers.EMPTY);
                }
            } catch (GatewayException e) {
                sink.fail(e);
            }
        });
    }

    @Override
    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
        if (missingKey(sink::fail)) {
            return;
        }
        byte[] body = GeminiRequests.write(request.canonical(), warnings);
        GeminiAnswers.StreamTranslator translator = new GeminiAnswers.StreamTranslator(sink::event, fallbackId(request),
                request.upstreamModel(), warnings);
        call.http().stream(upstream(request, true, body), new GeminiStream(sink, errors, translator));
    }

    private ChatResponse translated(ProviderRequest request, UpstreamResponse response) {
        JsonNode root;
        try {
            byte[] b = response.body().toArray();
            root = Json.MAPPER.readTree(Json.FACTORY.createParser(b));
        } catch (IOException e) {
            throw ErrorMapping.malformed(null);
        }
        if (root == null || !root.isObject()) {
            throw ErrorMapping.malformed(null);
        }
        if (root.path("error").isObject()) {
            throw errors.streamError(ErrorMapping.UpstreamError.of(root.path("error")));
        }
        String blocked = GeminiAnswers.blockReason(root);
        if (root.path("candidates").isEmpty()) {
            throw blocked != null ? ErrorMapping.blocked(blocked) : ErrorMapping.malformed(null);
        }
        try {
            return GeminiAnswers.response(root, fallbackId(request), request.upstreamModel(), warnings);
        } catch (RuntimeException e) {
            throw ErrorMapping.malformed(e);
        }
    }

    /** Gemini names its answers with {@code responseId}; an answer without one is named after the gateway's request. */
    private static String fallbackId(ProviderRequest request) {
        return "gemini-" + request.requestId();
    }

    private UpstreamRequest upstream(ProviderRequest request, boolean stream, byte[] body) {
        Headers h = config.baseHeaders().toBuilder()
                .set("content-type", JSON)
                .set("accept", stream ? EVENT_STREAM : JSON)
                .set("x-request-id", request.requestId())
                .build();
        return new UpstreamRequest("POST", config.uri(request.upstreamModel(), stream), h, Bytes.wrapOwned(body),
                config.connectTimeout(), config.readTimeout(), config.readTimeout(), config.timeout(), HttpProtocol.HTTP_1_1);
    }

    /** A key reference that resolved empty fails at first use, naming what to set, instead of calling without credentials. */
    private boolean missingKey(Consumer<GatewayException> fail) {
        if (!config.keyMissing()) {
            return false;
        }
        fail.accept(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_auth_missing")
                .message("this deployment has no API key: its api_key refers to a variable or file that is empty or unset")
                .build());
        return true;
    }

    private static GatewayException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof GatewayException g ? g : GatewayException.internal("the gemini adapter failed", t);
    }

    @Override
    public String toString() {
        return "GeminiAdapter[" + config + "]";
    }
}
