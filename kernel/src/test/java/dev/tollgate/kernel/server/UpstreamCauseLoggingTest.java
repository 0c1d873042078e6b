package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.PluginContext;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The cause of an upstream failure may quote upstream bytes: the kernel logs its class, never its message. */
class UpstreamCauseLoggingTest {

    private static final String REFLECTED = "Unrecognized token 'q7Hc2Lw9Rt4Vx1Bn6Mz3': was expecting JSON";

    /** Fails every call as provider-openai does for a malformed body: an upstream-side error with the parser's exception. */
    private static final class MalformedPlugin implements TollgatePlugin {
        @Override
        public List<ProviderFactory> providers() {
            return List.of(new ProviderFactory() {
                @Override
                public String name() {
                    return "malformed";
                }

                @Override
                public ProviderAdapter create(PluginConfig config, PluginContext context) {
                    return new ProviderAdapter() {
                        @Override
                        public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
                            sink.fail(GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_malformed_response")
                                    .message("the provider returned a malformed response")
                                    .cause(new IllegalArgumentException(REFLECTED))
                                    .build());
                        }

                        @Override
                        public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
                            throw new UnsupportedOperationException();
                        }
                    };
                }
            });
        }
    }

    @Test
    void logsTheCauseClassOfAnUpstreamFailureButNotItsMessage() throws Exception {
        Logger errors = (Logger) LoggerFactory.getLogger("tollgate.errors");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        errors.addAppender(events);
        try (KernelHarness g = KernelHarness.start("""
                plugins: [bad]
                models:
                  m:
                    deployments:
                      - provider: malformed
                        model: up-m
                """, Map.of("bad", new MalformedPlugin()))) {
            HttpResponse<String> r = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).contains("upstream_malformed_response").doesNotContain("q7Hc2Lw9");
        } finally {
            errors.detachAppender(events);
        }
        assertThat(events.list).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains("502 upstream_malformed_response")
                    .contains("(cause: java.lang.IllegalArgumentException)")
                    .doesNotContain("q7Hc2Lw9").doesNotContain("Unrecognized token");
            assertThat(e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))
                    .doesNotContain("q7Hc2Lw9");
        });
    }
}
