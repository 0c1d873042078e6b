package dev.tollgate.kernel;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An in-code provider for kernel tests: answers "echo:<upstream model>", streams three pieces. With
 * {@code native: true} (the default) it speaks OpenAI Chat natively and answers OpenAI clients
 * with raw bytes; other clients, and every client with {@code native: false}, get canonical answers
 * the kernel renders.
 */
public final class FakeProviderPlugin implements TollgatePlugin {

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProviderFactory() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public ProviderAdapter create(PluginConfig config, PluginContext context) {
                long delayMillis = config.longValue("delay_ms", 0);
                boolean nativeOpenAi = config.booleanValue("native", true);
                return new Adapter(Duration.ofMillis(delayMillis), nativeOpenAi);
            }
        });
    }

    static final class Adapter implements ProviderAdapter, SupportsEmbeddings {
        private final Duration delay;
        private final boolean nativeOpenAi;

        Adapter(Duration delay, boolean nativeOpenAi) {
            this.delay = delay;
            this.nativeOpenAi = nativeOpenAi;
        }

        @Override
        public Set<WireFormat> nativeFormats() {
            return nativeOpenAi ? Set.of(WireFormat.OPENAI_CHAT) : Set.of();
        }

        @Override
        public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
            call.schedule(delay, () -> {
                if (request.passThrough()) {
                    sink.respondNative(Bytes.utf8(
                            "{\"object\":\"chat.completion\",\"model\":\"" + request.model() + "\",\"choices\":[{\"index\":0,"
                                    + "\"message\":{\"role\":\"assistant\",\"content\":\"echo:" + request.upstreamModel()
                                    + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}"),
                            Observation.of(Usage.of(3, 2), StopReason.END_TURN), Headers.EMPTY);
                } else {
                    sink.respond(ChatResponse.builder().id("fake-1").model(request.upstreamModel())
                            .addContent(ContentBlock.Text.of("echo:" + request.upstreamModel())).usage(Usage.of(3, 2)).build(),
                            Headers.EMPTY);
                }
            });
        }

        @Override
        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
            call.schedule(delay, () -> {
                if (request.passThrough()) {
                    for (int i = 0; i < 3; i++) {
                        sink.nativeEvent(null, Bytes.utf8("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c" + i + "\"}}]}"));
                    }
                    if (request.facts().includeUsage()) {
                        sink.nativeEvent(null, Bytes.utf8("{\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,\"total_tokens\":6}}"));
                    }
                    sink.observe(Observation.usage(Usage.of(3, 3)));
                } else {
                    sink.event(new StreamEvent.MessageStart("fake-1", request.upstreamModel(), null));
                    sink.event(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
                    for (int i = 0; i < 3; i++) {
                        sink.event(new StreamEvent.TextDelta(0, "c" + i));
                    }
                    sink.event(new StreamEvent.BlockStop(0));
                    sink.event(new StreamEvent.MessageEnd(StopReason.END_TURN, null, Usage.of(3, 3)));
                }
                sink.complete();
            });
        }

        @Override
        public void embeddings(EmbeddingsRequest request, ProviderCall call, ResponseSink<EmbeddingsResponse> sink) {
            sink.respond(EmbeddingsResponse.of(request.upstreamModel(), List.of(new float[] {1f, 0f}), Usage.of(1, 0)), Headers.EMPTY);
        }
    }
}
