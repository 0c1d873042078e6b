package dev.tollgate.kernel.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.sink.RequestRecord;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A client's {@code traceparent} reaches the upstream as a child span, and its trace id reaches the request record. */
class TraceparentPropagationTest {

    @Test
    void theUpstreamGetsAChildOfTheClientsTrace() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> states = new CopyOnWriteArrayList<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            seen.add(String.valueOf(ex.getRequestHeaders().getFirst("traceparent")));
            states.add(String.valueOf(ex.getRequestHeaders().getFirst("tracestate")));
            byte[] body = "{\"object\":\"chat.completion\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
        List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (KernelHarness g = KernelHarness.start("""
                plugins: [forward, memory-sink]
                models:
                  m:
                    deployments:
                      - provider: forward
                        model: up-m
                logging:
                  sinks:
                    - name: memory
                      flush_interval: 5ms
                """, plugins(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1/chat"), records))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> traced = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                    .header("tracestate", "vendor=abc")
                    .POST(HttpRequest.BodyPublishers.ofString(KernelHarness.chat("m"))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, traced.statusCode(), traced.body());
            HttpResponse<String> plain = g.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertEquals(200, plain.statusCode(), plain.body());

            assertEquals(2, seen.size());
            assertTrue(seen.get(0).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"), seen.get(0));
            assertTrue(!seen.get(0).contains("00f067aa0ba902b7"), "the gateway's attempt is the upstream's parent, not the client");
            assertEquals("vendor=abc", states.get(0));
            assertEquals("null", seen.get(1), "no trace context is made up for a client that sent none");

            Eventually.await(Duration.ofSeconds(10), () -> records.size() == 2);
            RequestRecord first = records.stream().filter(r -> r.requestId().equals(traced.headers().firstValue("x-request-id").orElseThrow()))
                    .findFirst().orElseThrow();
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", first.traceId().orElseThrow());
            assertEquals("00f067aa0ba902b7", first.parentSpanId().orElseThrow(), "the request span hangs under the client's");
            assertEquals(List.of(seen.get(0).substring(36, 52)), first.attemptSpanIds(), "the upstream's parent is the attempt's span");
            assertTrue(first.spanId().orElseThrow().matches("[0-9a-f]{16}"));
            assertNull(records.stream().filter(r -> r != first).findFirst().orElseThrow().traceId().orElse(null));
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    void withStartTracesARequestWithoutOneGetsANewTrace() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            seen.add(String.valueOf(ex.getRequestHeaders().getFirst("traceparent")));
            byte[] body = "{\"object\":\"chat.completion\",\"choices\":[]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
        List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (KernelHarness g = KernelHarness.start("""
                plugins: [forward, memory-sink]
                models:
                  m:
                    deployments:
                      - provider: forward
                        model: up-m
                logging:
                  start_traces: true
                  sinks:
                    - name: memory
                      flush_interval: 5ms
                """, plugins(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1/chat"), records))) {
            assertEquals(200, g.post("/v1/chat/completions", KernelHarness.chat("m")).statusCode());
            Eventually.await(Duration.ofSeconds(10), () -> records.size() == 1);
            RequestRecord r = records.get(0);
            assertTrue(seen.get(0).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), seen.get(0));
            assertEquals(seen.get(0).substring(3, 35), r.traceId().orElseThrow());
            assertTrue(r.parentSpanId().isEmpty(), "the gateway's span is the root");
            assertEquals(List.of(seen.get(0).substring(36, 52)), r.attemptSpanIds());
        } finally {
            upstream.stop(0);
        }
    }

    private static Map<String, TollgatePlugin> plugins(URI uri, List<RequestRecord> records) {
        Map<String, TollgatePlugin> all = new java.util.HashMap<>(dev.tollgate.kernel.records.MemorySinkPlugin.of("memory", records::addAll));
        all.put("forward", new dev.tollgate.kernel.ForwardingProviderPlugin(uri));
        return all;
    }
}
