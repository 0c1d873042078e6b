package dev.tollgate.kernel;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.provider.Usage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An in-code provider for kernel tests: answers "echo:<upstream model>", streams three chunks. */
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
                return new Adapter(Duration.ofMillis(delayMillis));
            }
        });
    }

    static final class Adapter implements ProviderAdapter, SupportsEmbeddings {
        private final Duration delay;

        Adapter(Duration delay) {
            this.delay = delay;
        }

        @Override
        public CompletionStage<ProviderResult> chat(ChatRequest request, ProviderCall call) {
            CompletableFuture<ProviderResult> out = new CompletableFuture<>();
            call.schedule(delay, () -> out.complete(ProviderResult.of(Bytes.utf8(
                    "{\"object\":\"chat.completion\",\"model\":\"" + request.model() + "\",\"choices\":[{\"index\":0,"
                            + "\"message\":{\"role\":\"assistant\",\"content\":\"echo:" + request.upstreamModel()
                            + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}"),
                    Usage.of(3, 2))));
            return out;
        }

        @Override
        public void streamChat(ChatRequest request, ProviderCall call, ChunkSink sink) {
            call.schedule(delay, () -> {
                for (int i = 0; i < 3; i++) {
                    sink.chunk(Bytes.utf8("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c" + i + "\"}}]}"));
                }
                sink.usage(Usage.of(3, 3), Bytes.utf8("{\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,\"total_tokens\":6}}"));
                sink.complete();
            });
        }

        @Override
        public CompletionStage<ProviderResult> embeddings(EmbeddingsRequest request, ProviderCall call) {
            return CompletableFuture.completedFuture(ProviderResult.of(
                    Bytes.utf8("{\"object\":\"list\",\"data\":[],\"model\":\"" + request.model() + "\"}"), Usage.of(1, 0)));
        }
    }
}
