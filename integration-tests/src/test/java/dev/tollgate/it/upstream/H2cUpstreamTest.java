package dev.tollgate.it.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.it.TestGateway;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * provider-openai with {@code http_version: h2c} in front of an Undertow server that speaks HTTP/2
 * with prior knowledge: chats and streams arrive as HTTP/2 and share one connection.
 */
class H2cUpstreamTest {

    private static final String UPSTREAM_MODEL = "h2c-upstream";

    /** An OpenAI-like upstream on a clear-text HTTP/2 listener. */
    private static final class H2cUpstream implements AutoCloseable {
        final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        final List<String> protocols = new CopyOnWriteArrayList<>();
        private final Undertow server;

        H2cUpstream() {
            server = Undertow.builder()
                    .addHttpListener(0, "127.0.0.1")
                    .setIoThreads(1)
                    .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                    .setHandler(this::handle)
                    .build();
            server.start();
        }

        private void handle(HttpServerExchange ex) {
            clientPorts.add(ex.getSourceAddress().getPort());
            protocols.add(ex.getProtocol().toString());
            ex.getRequestReceiver().receiveFullString((e, body) -> {
                if (body.contains("\"stream\":true")) {
                    e.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/event-stream");
                    e.getResponseSender().send(Upstreams.sseBody(UPSTREAM_MODEL, "over", " h2c"));
                } else {
                    e.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                    e.getResponseSender().send(Upstreams.completion(UPSTREAM_MODEL, "over h2c"));
                }
            });
        }

        String apiBase() {
            return "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort() + "/v1";
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    @Test
    void chatsAndStreamsGoOverOneHttp2Connection() {
        try (H2cUpstream upstream = new H2cUpstream();
                TestGateway g = TestGateway.start("""
                        server:
                          io_threads: 1
                        plugins: [provider-openai]
                        models:
                          local:
                            deployments:
                              - provider: openai
                                model: %s
                                config:
                                  api_base: %s
                                  auth: none
                                  http_version: h2c
                        """.formatted(UPSTREAM_MODEL, upstream.apiBase()), Map.of())) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> chat = Upstreams.chat(g, "local", false);
                assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
                JsonNode message = Upstreams.parse(chat.body()).path("choices").path(0).path("message");
                assertThat(message.path("content").asText()).isEqualTo("over h2c");

                HttpResponse<String> stream = Upstreams.chat(g, "local", true);
                assertThat(stream.statusCode()).isEqualTo(200);
                List<String> events = Upstreams.sseData(stream.body());
                assertThat(events.getLast()).isEqualTo("[DONE]");
                assertThat(events.subList(0, events.size() - 1).stream().map(Upstreams::parse).map(Upstreams::deltaContent)
                        .reduce("", String::concat)).isEqualTo("over h2c");
            }

            assertThat(upstream.protocols).hasSize(6).containsOnly("HTTP/2.0");
            assertThat(upstream.clientPorts).hasSize(1);
        }
    }
}
