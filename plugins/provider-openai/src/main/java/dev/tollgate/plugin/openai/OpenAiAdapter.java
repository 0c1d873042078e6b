package dev.tollgate.plugin.openai;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.Warnings;
import dev.tollgate.formats.openai.OpenAiChatRequests;
import dev.tollgate.formats.openai.OpenAiChatResponses;
import dev.tollgate.formats.openai.OpenAiChunkReader;
import dev.tollgate.formats.openai.OpenAiWriteOptions;
import dev.tollgate.plugin.openai.RequestBodies.StreamOptions;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import java.io.IOException;
import java.net.URI;
import dev.tollgate.spi.time.Ticker;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One deployment behind an OpenAI-compatible HTTP API. OpenAI-format clients pass through: the
 * body is forwarded with only its model (and for chat streams {@code stream_options}) rewritten,
 * and answers come back byte for byte. Responses clients pass through to the upstream's own
 * {@code /responses} when the deployment says it has one ({@code responses: native}); otherwise
 * they, like clients of other APIs, are translated through the canonical model to Chat Completions.
 */
final class OpenAiAdapter implements ProviderAdapter, SupportsEmbeddings {

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";
    private static final Set<WireFormat> NATIVE = Set.of(WireFormat.OPENAI_CHAT, WireFormat.OPENAI_EMBEDDINGS);
    private static final Set<WireFormat> NATIVE_WITH_RESPONSES =
            Set.of(WireFormat.OPENAI_CHAT, WireFormat.OPENAI_EMBEDDINGS, WireFormat.OPENAI_RESPONSES);

    private final OpenAiConfig config;
    private final ErrorMapping errors;
    private final Warnings warnings;

    /** With several {@code api_keys}, which key each request uses; {@code null} with one key or none. */
    private final KeyPool keys;

    OpenAiAdapter(OpenAiConfig config, Clock clock, Ticker ticker, Warnings warnings) {
        this.config = config;
        this.errors = new ErrorMapping(config, clock);
        this.warnings = warnings;
        this.keys = config.apiKeys().size() > 1 ? new KeyPool(config.apiKeys(), ticker) : null;
    }

    @Override
    public Set<WireFormat> nativeFormats() {
        return config.responsesNative() ? NATIVE_WITH_RESPONSES : NATIVE;
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        if (missingKey(sink::fail)) {
            return;
        }
        if (request.passThrough()) {
            boolean responses = request.format() == WireFormat.OPENAI_RESPONSES;
            Bytes body = passedBody(request, StreamOptions.KEEP, sink::fail);
            if (body == null) {
                return;
            }
            int key = pickKey();
            call.http().stream(request(responses ? config.responsesUri() : config.chatUri(), request.requestId(), JSON, body, key),
                    tracked(key, new NativeAnswer<>(sink, errors, responses ? NativeAnswer.Kind.RESPONSES : NativeAnswer.Kind.CHAT)));
            return;
        }
        byte[] body = translate(request, false);
        int key = pickKey();
        call.http().send(request(config.chatUri(), request.requestId(), JSON, Bytes.wrapOwned(body), key)).whenComplete((response, failure) -> {
            if (response != null) {
                answered(key, response.status(), response.headers());
            }
            if (failure != null) {
                sink.fail(unwrap(failure));
                return;
            }
            try {
                sink.respond(translated(response), NativeAnswer.passedHeaders(response.headers()));
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
        if (request.passThrough() && request.format() == WireFormat.OPENAI_RESPONSES) {
            // a Responses stream always ends with its usage: nothing to add
            Bytes body = passedBody(request, StreamOptions.KEEP, sink::fail);
            if (body == null) {
                return;
            }
            int key = pickKey();
            call.http().stream(request(config.responsesUri(), request.requestId(), EVENT_STREAM, body, key),
                    tracked(key, new ResponsesStream(sink, errors)));
            return;
        }
        Bytes body;
        ChatStream.Chunks chunks;
        if (request.passThrough()) {
            body = passedBody(request, config.includeUsage() ? StreamOptions.INCLUDE_USAGE : StreamOptions.REMOVE, sink::fail);
            if (body == null) {
                return;
            }
            chunks = new NativeChunks(sink, request.facts().includeUsage());
        } else {
            body = Bytes.wrapOwned(translate(request, true));
            chunks = new TranslatedChunks(new OpenAiChunkReader(sink::event, warnings));
        }
        int key = pickKey();
        call.http().stream(request(config.chatUri(), request.requestId(), EVENT_STREAM, body, key), tracked(key, new ChatStream(sink, errors, chunks)));
    }

    @Override
    public void embeddings(EmbeddingsRequest request, ProviderCall call, ResponseSink<EmbeddingsResponse> sink) {
        if (missingKey(sink::fail)) {
            return;
        }
        Bytes body;
        try {
            body = RequestBodies.forUpstream(request.body(), request.model(), request.upstreamModel(), StreamOptions.KEEP);
        } catch (IOException e) {
            sink.fail(invalidBody(e));
            return;
        }
        int key = pickKey();
        call.http().stream(request(config.embeddingsUri(), request.requestId(), JSON, body, key),
                tracked(key, new NativeAnswer<>(sink, errors, NativeAnswer.Kind.EMBEDDINGS)));
    }

    /**
     * The client's body as the upstream gets it: its model rewritten ({@link #passedModel}) and its
     * {@code stream_options} as {@code options} say; {@code null} once {@code fail} was given the
     * client's error (the body is not a JSON object).
     */
    private Bytes passedBody(ProviderRequest request, StreamOptions options, Consumer<GatewayException> fail) {
        try {
            return RequestBodies.forUpstream(request.nativeBody().orElseThrow(), request.model(), passedModel(request), options);
        } catch (IOException e) {
            fail.accept(invalidBody(e));
            return null;
        }
    }

    /** The model a passed-through body names upstream: the deployment's, except on Azure's Responses surface (its deployment name). */
    private String passedModel(ProviderRequest request) {
        return request.format() == WireFormat.OPENAI_RESPONSES && config.responsesModel() != null ? config.responsesModel()
                : request.upstreamModel();
    }

    /** A pass-through stream: chunks are relayed as they came; the usage chunk only to clients that asked for it. */
    private static final class NativeChunks implements ChatStream.Chunks {
        private final StreamSink sink;
        private final boolean clientWantsUsage;

        NativeChunks(StreamSink sink, boolean clientWantsUsage) {
            this.sink = sink;
            this.clientWantsUsage = clientWantsUsage;
        }

        @Override
        public void chunk(byte[] json, ResponseScan scan) {
            if (scan.usage() != null || scan.stopReason() != null) {
                sink.observe(Observation.of(scan.usage(), scan.stopReason()));
            }
            boolean usageOnly = scan.usage() != null && (!scan.choices() || scan.choicesEmpty());
            if (!usageOnly || clientWantsUsage) {
                sink.nativeEvent(null, Bytes.wrapOwned(json));
            }
        }

        @Override
        public void end() {}
    }

    /** A translated stream: every chunk goes through the canonical reader, which emits the events. */
    private static final class TranslatedChunks implements ChatStream.Chunks {
        private final OpenAiChunkReader reader;

        TranslatedChunks(OpenAiChunkReader reader) {
            this.reader = reader;
        }

        @Override
        public void chunk(byte[] json, ResponseScan scan) {
            try {
                reader.feed(json, 0, json.length);
            } catch (FormatException e) {
                throw ErrorMapping.malformed(null);
            }
        }

        @Override
        public void end() {
            try {
                reader.end();
            } catch (FormatException e) {
                throw ErrorMapping.truncated();
            }
        }
    }

    private byte[] translate(ProviderRequest request, boolean stream) {
        try {
            return OpenAiChatRequests.write(request.canonical(), request.upstreamModel(),
                    new OpenAiWriteOptions(stream, stream && config.includeUsage(),
                            config.maxTokensField().equals("max_completion_tokens") ? OpenAiWriteOptions.MaxTokensField.MAX_COMPLETION_TOKENS
                                    : OpenAiWriteOptions.MaxTokensField.MAX_TOKENS), warnings);
        } catch (FormatException e) {
            throw GatewayException.invalidRequest(e.param(), e.getMessage());
        }
    }

    private ChatResponse translated(UpstreamResponse response) {
        if (!response.isSuccess()) {
            throw errors.map(response.status(), response.headers(), response.body());
        }
        byte[] b = response.body().toArray();
        try {
            return OpenAiChatResponses.parse(b, 0, b.length, warnings);
        } catch (FormatException e) {
            throw ErrorMapping.malformed(null);
        }
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

    private int pickKey() {
        return keys == null ? -1 : keys.pick();
    }

    /** Tells the key pool what the upstream answered the request made with {@code key}. */
    private void answered(int key, int status, Headers headers) {
        if (keys != null && key >= 0) {
            keys.answered(key, status, status == 429 ? errors.retryAfter(headers).orElse(null) : null);
        }
    }

    /** {@code handler}, reporting the status to the key pool first when the request used one of several keys. */
    private ResponseHandler tracked(int key, ResponseHandler handler) {
        if (keys == null) {
            return handler;
        }
        return new ResponseHandler() {
            @Override
            public void onHeaders(int status, Headers headers) {
                answered(key, status, headers);
                handler.onHeaders(status, headers);
            }

            @Override
            public void onBody(java.nio.ByteBuffer chunk) {
                handler.onBody(chunk);
            }

            @Override
            public void onComplete() {
                handler.onComplete();
            }

            @Override
            public void onError(GatewayException error) {
                handler.onError(error);
            }
        };
    }

    private UpstreamRequest request(URI uri, String requestId, String accept, Bytes body, int key) {
        Headers.Builder builder = config.baseHeaders().toBuilder();
        if (key >= 0) {
            config.withKey(builder, keys.key(key));
        }
        Headers headers = builder
                .set("Content-Type", JSON)
                .set("Accept", accept)
                .set("X-Request-Id", requestId)
                .build();
        return new UpstreamRequest("POST", uri, headers, body,
                config.connectTimeout(), config.readTimeout(), config.readTimeout(), config.timeout(), config.protocol());
    }

    private static GatewayException invalidBody(IOException e) {
        return GatewayException.builder(ErrorType.CLIENT, 400, "invalid_request")
                .message("the request body is not a JSON object")
                .build();
    }

    private static GatewayException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof GatewayException g ? g : GatewayException.internal("the openai adapter failed", t);
    }

    @Override
    public String toString() {
        return "OpenAiAdapter[" + config + "]";
    }
}
