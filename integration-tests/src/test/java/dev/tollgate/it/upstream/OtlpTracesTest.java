package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spans reach a collector: the distribution's sink-otlp plugin, loaded by PF4J, exports the spans of
 * requests to an OpenAI-compatible upstream; the attempt's span has the id the upstream saw as its
 * parent in {@code traceparent}, under the client's trace. The stand-in collector keeps the raw
 * OTLP protobuf bodies, in which ids are their bytes after the field's tag and length.
 */
class OtlpTracesTest {

    private static final String UPSTREAM_MODEL = "upstream-model";
    private static final String CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String CLIENT_SPAN = "b7ad6b7169203331";

    private HttpServer collector;
    private final LinkedBlockingQueue<byte[]> exports = new LinkedBlockingQueue<>();
    private WireMockUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        collector.createContext("/v1/traces", exchange -> {
            try (exchange) {
                exports.add(exchange.getRequestBody().readNBytes(4 << 20));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        upstream = WireMockUpstream.start("""
                plugins: [provider-openai, sink-otlp]
                logging:
                  start_traces: true
                  sinks:
                    - name: otlp
                      flush_interval: 50ms
                      config:
                        endpoint: http://127.0.0.1:%d/v1/traces
                        timeout: 5s
                        service_name: tollgate-it
                models:
                """.formatted(collector.getAddress().getPort()), "gpt-test", UPSTREAM_MODEL);
        upstream.wireMock.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(Upstreams.completion(UPSTREAM_MODEL, "hello"))));
    }

    @AfterEach
    void stop() {
        if (upstream != null) {
            upstream.close();
        }
        collector.stop(0);
    }

    @Test
    void theAttemptSpanHasTheIdTheUpstreamSawUnderTheClientsTrace() throws Exception {
        HttpResponse<String> r = chat("00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");
        assertThat(r.statusCode()).isEqualTo(200);
        String requestId = r.headers().firstValue("x-request-id").orElseThrow();
        String seen = upstreamTraceparent();
        assertThat(seen).startsWith("00-" + CLIENT_TRACE + "-");
        String attemptSpan = seen.substring(36, 52);

        byte[] export = awaitExportHolding(field(1, CLIENT_TRACE));

        assertThat(indexOf(export, field(2, attemptSpan))).as("a span whose id is the upstream's parent").isNotNegative();
        assertThat(indexOf(export, field(4, CLIENT_SPAN))).as("a span whose parent is the client's span").isNotNegative();
        assertThat(indexOf(export, field(4, attemptSpan))).as("the upstream's parent is nobody's parent here").isNegative();
        String text = new String(export, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("chat gpt-test", "chat " + UPSTREAM_MODEL, "gen_ai.request.model", "gen_ai.response.model",
                "gen_ai.provider.name", "openai", "gen_ai.usage.input_tokens", "tollgate.request_id", requestId, "tollgate-it");
        assertThat(text).as("never the upstream key").doesNotContain(Upstreams.KEY_SUFFIX);
    }

    @Test
    void aRequestWithoutTraceContextGetsATraceTheGatewayStarted() throws Exception {
        HttpResponse<String> r = chat(null);
        assertThat(r.statusCode()).isEqualTo(200);
        String seen = upstreamTraceparent();
        String trace = seen.substring(3, 35);
        String attemptSpan = seen.substring(36, 52);

        byte[] export = awaitExportHolding(field(1, trace));

        assertThat(indexOf(export, field(2, attemptSpan))).isNotNegative();
    }

    private HttpResponse<String> chat(String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream.gateway.uri("/v1/chat/completions").toString()))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Upstreams.chatBody("gpt-test", false)));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return Upstreams.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String upstreamTraceparent() {
        List<LoggedRequest> requests = upstream.wireMock.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v1/chat/completions")));
        assertThat(requests).hasSize(1);
        String traceparent = requests.getFirst().getHeader("traceparent");
        assertThat(traceparent).hasSize(55);
        return traceparent;
    }

    /** The first export that holds {@code bytes}; records leave the gateway off the request path, so they come later. */
    private byte[] awaitExportHolding(byte[] bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            byte[] export = exports.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (export != null && indexOf(export, bytes) >= 0) {
                return export;
            }
        }
        throw new AssertionError("no export with " + HexFormat.of().formatHex(bytes) + " reached the collector within 15s");
    }

    /** A protobuf bytes field: its tag (field number, wire type 2), its length, then the id's bytes. */
    private static byte[] field(int number, String hexId) {
        byte[] id = HexFormat.of().parseHex(hexId);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(number << 3 | 2);
        out.write(id.length);
        out.writeBytes(id);
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
