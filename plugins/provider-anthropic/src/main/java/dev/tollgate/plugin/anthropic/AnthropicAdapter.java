package dev.tollgate.plugin.anthropic;

import dev.tollgate.formats.FormatException;
import dev.tollgate.formats.Warnings;
import dev.tollgate.formats.anthropic.AnthropicEventReader;
import dev.tollgate.formats.anthropic.AnthropicRequests;
import dev.tollgate.formats.anthropic.AnthropicResponses;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.HttpProtocol;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * One deployment behind Anthropic's Messages API ({@code POST {api_base}/v1/messages}). Anthropic-format
 * clients pass through: the body goes upstream with only its model rewritten to the deployment's, and
 * answers and events come back byte for byte ({@code cache_control}, thinking signatures and all).
 * Clients of other APIs (OpenAI Chat Completions) are translated through the canonical model, with the
 * rules of {@link Translation}.
 */
final class AnthropicAdapter implements ProviderAdapter {

    private static final String JSON = "application/json";
    private static final String EVENT_STREAM = "text/event-stream";
    private static final Set<WireFormat> NATIVE = Set.of(WireFormat.ANTHROPIC_MESSAGES);

    private final AnthropicConfig config;
    private final ErrorMapping errors;
    private final Warnings warnings;

    AnthropicAdapter(AnthropicConfig config, Clock clock, Warnings warnings) {
        this.config = config;
        this.errors = new ErrorMapping(config, clock);
        this.warnings = warnings;
    }

    @Override
    public Set<WireFormat> nativeFormats() {
        return NATIVE;
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        if (missingKey(sink::fail)) {
            return;
        }
        boolean passThrough = request.passThrough();
        Bytes body;
        if (passThrough) {
            try {
                body = ModelRewrite.forUpstream(request.nativeBody().orElseThrow(), request.model(), request.upstreamModel());
            } catch (IOException e) {
                sink.fail(invalidBody());
                return;
            }
        } else {
            body = Bytes.wrapOwned(translate(request, false));
        }
        call.http().send(upstream(request, JSON, body)).whenComplete((response, failure) -> {
            if (failure != null) {
                sink.fail(unwrap(failure));
                return;
            }
            try {
                if (!response.isSuccess()) {
                    sink.fail(errors.map(response.status(), response.headers(), error(response)));
                } else if (passThrough) {
                    respondNative(response, sink);
                } else {
                    sink.respond(translated(response), passedHeaders(response.headers()));
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
        Bytes body;
        EventStream.Events events;
        if (request.passThrough()) {
            try {
                body = ModelRewrite.forUpstream(request.nativeBody().orElseThrow(), request.model(), request.upstreamModel());
            } catch (IOException e) {
                sink.fail(invalidBody());
                return;
            }
            events = new NativeEvents(sink, warnings);
        } else {
            body = Bytes.wrapOwned(translate(request, true));
            events = new TranslatedEvents(new AnthropicEventReader(sink::event, warnings));
        }
        call.http().stream(upstream(request, EVENT_STREAM, body), new EventStream(sink, errors, events));
    }

    /** A pass-through stream: every checked event is relayed as it came, and what it says of usage and the stop observed. */
    private static final class NativeEvents implements EventStream.Events {
        private final StreamSink sink;
        private final Warnings warnings;
        private StopReason stop;

        NativeEvents(StreamSink sink, Warnings warnings) {
            this.sink = sink;
            this.warnings = warnings;
        }

        @Override
        public void event(String name, byte[] data, EventScan scan, UsageCounts usage) {
            if ("message_start".equals(scan.type()) || "message_delta".equals(scan.type())) {
                if (scan.stopReason() != null) {
                    stop = stopReason(scan.stopReason(), warnings);
                }
                sink.observe(Observation.of(usage.toUsage(), stop));
            }
            sink.nativeEvent(name, Bytes.wrapOwned(data));
        }

        @Override
        public void end() {}
    }

    /** A translated stream: every event goes through the canonical reader, which emits the canonical events. */
    private static final class TranslatedEvents implements EventStream.Events {
        private final AnthropicEventReader reader;

        TranslatedEvents(AnthropicEventReader reader) {
            this.reader = reader;
        }

        @Override
        public void event(String name, byte[] data, EventScan scan, UsageCounts usage) {
            try {
                reader.feed(data, 0, data.length);
            } catch (FormatException e) {
                throw ErrorMapping.malformed(e);
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

    private void respondNative(UpstreamResponse response, ResponseSink<ChatResponse> sink) {
        byte[] b = response.body().toArray();
        UsageCounts usage = new UsageCounts();
        EventScan scan;
        try {
            scan = EventScan.of(b, b.length, usage);
        } catch (IOException e) {
            throw ErrorMapping.malformed(null);
        }
        if ("error".equals(scan.type())) {
            throw errors.streamError(scan.error() == null ? UpstreamError.NONE : scan.error());
        }
        if (!"message".equals(scan.type())) {
            throw ErrorMapping.malformed(null);
        }
        StopReason stop = scan.stopReason() == null ? null : stopReason(scan.stopReason(), warnings);
        sink.respondNative(response.body(), Observation.of(usage.toUsage(), stop), passedHeaders(response.headers()));
    }

    private byte[] translate(ProviderRequest request, boolean stream) {
        Translation t = Translation.of(request.canonical(), request.upstreamModel(), request.modelInfo().orElse(null), config, warnings);
        try {
            return AnthropicRequests.write(t.request(), request.upstreamModel(), stream, t.maxTokens(), warnings);
        } catch (FormatException e) {
            throw GatewayException.invalidRequest(e.param(), e.getMessage());
        }
    }

    private ChatResponse translated(UpstreamResponse response) {
        byte[] b = response.body().toArray();
        try {
            return AnthropicResponses.parse(b, 0, b.length, warnings);
        } catch (FormatException e) {
            UpstreamError error = UpstreamError.parse(b, b.length);
            if (error != UpstreamError.NONE) {
                throw errors.streamError(error);
            }
            throw ErrorMapping.malformed(null);
        }
    }

    private static UpstreamError error(UpstreamResponse response) {
        byte[] b = response.body().toArray();
        return UpstreamError.parse(b, Math.min(b.length, EventStream.MAX_ERROR_BODY));
    }

    /**
     * The request for the upstream. The client's {@code anthropic-version} (pass-through only: it names
     * the version its body is written in) wins over the configured one; {@code anthropic-beta} names are
     * the configured ones plus the client's.
     */
    private UpstreamRequest upstream(ProviderRequest request, String accept, Bytes body) {
        Headers client = request.clientHeaders();
        Headers.Builder h = config.baseHeaders().toBuilder()
                .set("content-type", JSON)
                .set("accept", accept)
                .set("x-request-id", request.requestId());
        client.first("anthropic-version").filter(v -> !v.isBlank()).ifPresent(v -> h.set("anthropic-version", v));
        Set<String> betas = new LinkedHashSet<>(config.betas());
        for (String header : client.all("anthropic-beta")) {
            for (String name : header.split(",")) {
                if (!name.isBlank()) {
                    betas.add(name.trim());
                }
            }
        }
        if (!betas.isEmpty()) {
            h.set("anthropic-beta", String.join(",", betas));
        }
        return new UpstreamRequest("POST", config.messagesUri(), h.build(), body, config.connectTimeout(), config.readTimeout(),
                config.readTimeout(), config.timeout(), HttpProtocol.HTTP_1_1);
    }

    /** Anthropic's stop reasons; one it does not document yet is {@code OTHER}, reported. */
    static StopReason stopReason(String reason, Warnings warnings) {
        return switch (reason) {
            case "end_turn" -> StopReason.END_TURN;
            case "max_tokens", "model_context_window_exceeded" -> StopReason.MAX_TOKENS;
            case "stop_sequence" -> StopReason.STOP_SEQUENCE;
            case "tool_use" -> StopReason.TOOL_USE;
            case "pause_turn" -> StopReason.PAUSE;
            case "refusal" -> StopReason.REFUSAL;
            default -> {
                warnings.unknown("unknown stop reason", reason);
                yield StopReason.OTHER;
            }
        };
    }

    /** The provider's headers worth passing to the client: its request id, for support cases. */
    static Headers passedHeaders(Headers upstream) {
        return upstream.first("request-id").map(v -> Headers.of("request-id", v)).orElse(Headers.EMPTY);
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

    private static GatewayException invalidBody() {
        return GatewayException.builder(ErrorType.CLIENT, 400, "invalid_request")
                .message("the request body is not a JSON object with a model")
                .build();
    }

    private static GatewayException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof GatewayException g ? g : GatewayException.internal("the anthropic adapter failed", t);
    }

    @Override
    public String toString() {
        return "AnthropicAdapter[" + config + "]";
    }
}
