package dev.tollgate.kernel;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Provider {@code forward}: every chat is one buffered call of the kernel's HTTP client to a fixed
 * URI, relayed as the answer (usage 1 + 1); a stream completes at once. For tests of what the
 * upstream receives and of the outbound client's limits.
 */
public final class ForwardingProviderPlugin implements TollgatePlugin {

    private final URI uri;

    public ForwardingProviderPlugin(URI uri) {
        this.uri = uri;
    }

    @Override
    public List<ProviderFactory> providers() {
        return List.of(new ProviderFactory() {
            @Override
            public String name() {
                return "forward";
            }

            @Override
            public ProviderAdapter create(PluginConfig config, PluginContext context) {
                return new ProviderAdapter() {
                    @Override
                    public Set<WireFormat> nativeFormats() {
                        return Set.of(WireFormat.OPENAI_CHAT);
                    }

                    @Override
                    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
                        call.http().send(UpstreamRequest.postJson(uri, Headers.EMPTY, request.nativeBody().orElseThrow()))
                                .whenComplete((r, e) -> {
                                    if (e != null) {
                                        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                                        sink.fail(c instanceof GatewayException g ? g : GatewayException.internal("send failed", c));
                                    } else {
                                        sink.respondNative(r.body(), Observation.usage(Usage.of(1, 1)), Headers.EMPTY);
                                    }
                                });
                    }

                    @Override
                    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
                        sink.complete();
                    }
                };
            }
        });
    }
}
