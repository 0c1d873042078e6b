package dev.tollgate.plugin.openai;

import dev.tollgate.plugin.openai.RequestBodies.StreamOptions;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.provider.Usage;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** One deployment behind an OpenAI-compatible HTTP API. */
final class OpenAiAdapter implements ProviderAdapter, SupportsEmbeddings {

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";

    private final OpenAiConfig config;
    private final ErrorMapping errors;

    OpenAiAdapter(OpenAiConfig config, Clock clock) {
        this.config = config;
        this.errors = new ErrorMapping(config, clock);
    }

    @Override
    public CompletionStage<ProviderResult> chat(ChatRequest request, ProviderCall call) {
        Bytes body;
        try {
            body = RequestBodies.forUpstream(request.body(), request.model(), request.upstreamModel(), StreamOptions.KEEP);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(invalidBody(e));
        }
        UpstreamRequest upstream = request(config.chatUri(), request.requestId(), JSON, body);
        return exchange(call, upstream, false);
    }

    @Override
    public void streamChat(ChatRequest request, ProviderCall call, ChunkSink sink) {
        StreamOptions options = config.includeUsage() ? StreamOptions.INCLUDE_USAGE : StreamOptions.REMOVE;
        Bytes body;
        try {
            body = RequestBodies.forUpstream(request.body(), request.model(), request.upstreamModel(), options);
        } catch (IOException e) {
            sink.error(invalidBody(e));
            return;
        }
        UpstreamRequest upstream = request(config.chatUri(), request.requestId(), EVENT_STREAM, body);
        call.http().stream(upstream, new ChatStream(sink, errors));
    }

    @Override
    public CompletionStage<ProviderResult> embeddings(EmbeddingsRequest request, ProviderCall call) {
        Bytes body;
        try {
            body = RequestBodies.forUpstream(request.body(), request.model(), request.upstreamModel(), StreamOptions.KEEP);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(invalidBody(e));
        }
        UpstreamRequest upstream = request(config.embeddingsUri(), request.requestId(), JSON, body);
        return exchange(call, upstream, true);
    }

    private UpstreamRequest request(URI uri, String requestId, String accept, Bytes body) {
        Headers headers = config.baseHeaders().toBuilder()
                .set("Content-Type", JSON)
                .set("Accept", accept)
                .set("X-Request-Id", requestId)
                .build();
        return new UpstreamRequest("POST", uri, headers, body,
                config.connectTimeout(), config.readTimeout(), config.readTimeout(), config.timeout(), config.protocol());
    }

    private CompletionStage<ProviderResult> exchange(ProviderCall call, UpstreamRequest upstream, boolean embeddings) {
        CompletableFuture<ProviderResult> result = new CompletableFuture<>();
        call.http().send(upstream).whenComplete((response, failure) -> {
            if (failure != null) {
                result.completeExceptionally(unwrap(failure));
                return;
            }
            try {
                result.complete(answer(response, embeddings));
            } catch (GatewayException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(GatewayException.internal("the openai adapter failed", e));
            }
        });
        return result;
    }

    private ProviderResult answer(UpstreamResponse response, boolean embeddings) {
        if (!response.isSuccess()) {
            throw errors.map(response.status(), response.headers(), response.body());
        }
        ResponseScan scan;
        try {
            scan = ResponseScan.of(response.body());
        } catch (IOException e) {
            throw ErrorMapping.malformed(e);
        }
        if (embeddings ? !scan.data() : !scan.choices()) {
            throw ErrorMapping.malformed(null);
        }
        Usage usage = scan.usage() == null ? Usage.ZERO : scan.usage();
        return new ProviderResult(response.body(), usage, passedHeaders(response.headers()));
    }

    private static Headers passedHeaders(Headers upstream) {
        return upstream.first("openai-processing-ms")
                .map(v -> Headers.of("openai-processing-ms", v))
                .orElse(Headers.EMPTY);
    }

    private static GatewayException invalidBody(IOException e) {
        return GatewayException.builder(ErrorType.CLIENT, 400, "invalid_request")
                .message("the request body is not a JSON object")
                .cause(e)
                .build();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return "OpenAiAdapter[" + config + "]";
    }
}
