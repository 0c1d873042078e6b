package dev.tollgate.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Answers of models the shipped {@code models.yaml} prices are charged at its prices, cache hits at theirs. */
class ShippedCatalogCostTest {

    private static final Path SHIPPED = Path.of("../distribution/src/conf/models.yaml").toAbsolutePath().normalize();

    /** Every answer: 10,000 prompt tokens of which 8,000 were cache hits, and 500 output tokens. */
    private static final Usage CACHED = Usage.builder().inputTokens(10_000).cachedInputTokens(8_000).outputTokens(500).build();

    private final TollgatePlugin upstream = new TollgatePlugin() {
        @Override
        public List<ProviderFactory> providers() {
            return List.of(new ProviderFactory() {
                @Override
                public String name() {
                    return "cached-usage";
                }

                @Override
                public ProviderAdapter create(PluginConfig config, PluginContext context) {
                    return new ProviderAdapter() {
                        @Override
                        public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
                            sink.respond(ChatResponse.builder().id("up-1").model(request.upstreamModel())
                                    .addContent(ContentBlock.Text.of("hello")).usage(CACHED).build(), Headers.EMPTY);
                        }

                        @Override
                        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
                            throw new UnsupportedOperationException("not streamed here");
                        }
                    };
                }
            });
        }
    };

    @Test
    void aDeepSeekAnswerWithCacheHitsCostsWhatTheShippedPricesSay() throws Exception {
        String yaml = """
                models_file: %s
                plugins: [cached-usage]
                models:
                  ds:
                    deployments:
                      - provider: cached-usage
                        model: deepseek-chat
                  or-mini:
                    deployments:
                      - provider: cached-usage
                        model: openai/gpt-4o-mini
                """.formatted(SHIPPED);

        try (KernelHarness gateway = KernelHarness.start(yaml, Map.of("cached-usage", upstream))) {
            var deepseek = gateway.post("/v1/chat/completions", KernelHarness.chat("ds"));
            var openRouter = gateway.post("/v1/chat/completions", KernelHarness.chat("or-mini"));

            // 2,000 misses x $0.56/M + 8,000 hits x $0.07/M + 500 output x $1.68/M = $0.002520
            assertThat(deepseek.statusCode()).isEqualTo(200);
            assertThat(deepseek.headers().firstValue("x-tollgate-cost")).hasValue("0.002520");
            // no cache price on OpenRouter's page: all 10,000 at $0.15/M, 500 output at $0.60/M = $0.001800
            assertThat(openRouter.statusCode()).isEqualTo(200);
            assertThat(openRouter.headers().firstValue("x-tollgate-cost")).hasValue("0.001800");
        }
    }
}
