package dev.tollgate.kernel.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.metrics.StrictPrometheusParser;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Request records and request metrics, through a running gateway with an in-code sink. */
class RequestRecordsThroughTheGatewayTest {

    private static final String LOGGING = """
            logging:
              sinks:
                - name: memory
                  batch_size: 200
                  flush_interval: 5ms
                  retry_backoff: 1ms
                  max_backoff: 20ms
                  queue: 20000
            """;

    /** The sink the gateway builds, reachable by the test. */
    static final class MemorySink implements LogSink {
        volatile boolean up = true;
        final Map<String, RequestRecord> byId = new ConcurrentHashMap<>();
        final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(List<RequestRecord> batch) throws Exception {
            if (!up) {
                throw new java.io.IOException("stopped");
            }
            for (RequestRecord r : batch) {
                byId.put(r.requestId(), r);
                all.add(r.requestId());
            }
        }
    }

    private static Map<String, TollgatePlugin> plugin(MemorySink sink) {
        return MemorySinkPlugin.of("memory", sink);
    }

    @Test
    void everyRequestHasOneRecordWithWhatHappened() throws Exception {
        MemorySink sink = new MemorySink();
        try (KernelHarness g = KernelHarness.withFakeModel(LOGGING, plugin(sink))) {
            HttpResponse<String> ok = g.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"user\":\"u-7\",\"metadata\":{\"feature\":\"search\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            HttpResponse<String> streamed = g.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            HttpResponse<String> malformed = g.post("/v1/chat/completions", "{\"model\":");
            HttpResponse<String> unknown = g.post("/v1/chat/completions", KernelHarness.chat("no-such-model"));
            HttpResponse<String> wrongUrl = g.post("/v1/nothing-here", "{}");
            List<HttpResponse<String>> all = List.of(ok, streamed, malformed, unknown, wrongUrl);
            Eventually.await(Duration.ofSeconds(10), () -> sink.byId.size() == all.size());

            RequestRecord r = sink.byId.get(id(ok));
            assertEquals(200, r.status());
            assertEquals("/v1/chat/completions", r.endpoint());
            assertEquals("m", r.model().orElseThrow());
            assertEquals("fake", r.provider().orElseThrow());
            assertEquals("up-m", r.providerModel().orElseThrow());
            assertEquals(3, r.usage().orElseThrow().inputTokens());
            assertEquals(2, r.usage().orElseThrow().outputTokens());
            assertEquals("u-7", r.endUser().orElseThrow());
            assertEquals("search", r.metadata().get("feature"));
            assertEquals(1, r.attempts().size());
            assertFalse(r.stream());
            assertTrue(r.latencyMicros() > 0);
            assertTrue(r.latencyMicros() >= r.upstreamLatencyMicros());
            assertFalse(r.cost().isKnown(), "the fake model has no prices: unknown, not $0");
            assertTrue(r.errorType().isEmpty());

            RequestRecord s = sink.byId.get(id(streamed));
            assertTrue(s.stream());
            assertEquals(3, s.usage().orElseThrow().outputTokens());
            assertTrue(s.timeToFirstTokenMicros() >= 0);

            RequestRecord bad = sink.byId.get(id(malformed));
            assertEquals(400, bad.status());
            assertEquals("client", bad.errorType().orElseThrow());
            assertTrue(bad.model().isEmpty());
            assertEquals(404, sink.byId.get(id(unknown)).status());
            assertEquals("model_not_found", sink.byId.get(id(unknown)).errorCode().orElseThrow());
            assertEquals("other", sink.byId.get(id(wrongUrl)).endpoint(), "an unknown URL is no label value of its own");

            var metrics = StrictPrometheusParser.parse(g.get("/metrics").body());
            double requests = metrics.get("tollgate_requests_total").samples().stream().mapToDouble(x -> x.value()).sum();
            assertEquals(all.size(), requests, 0.0, "every request is counted, refused ones too");
            double input = metrics.get("tollgate_tokens_total").samples().stream()
                    .filter(x -> x.labels().get("kind").equals("input")).mapToDouble(x -> x.value()).sum();
            assertEquals(6, input, 0.0);
            assertTrue(metrics.get("tollgate_requests_total").samples().stream()
                    .anyMatch(x -> x.labels().get("status").equals("400") && x.labels().get("model").isEmpty()));
        }
    }

    @Test
    void labelsStayBoundedWhateverTheUsersAndModelsClientsSend() throws Exception {
        MemorySink sink = new MemorySink();
        try (KernelHarness g = KernelHarness.withFakeModel(LOGGING, plugin(sink))) {
            for (int i = 0; i < 1200; i++) {
                g.post("/v1/chat/completions", "{\"model\":\"m\",\"user\":\"user-" + i + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                if (i % 100 == 0) {
                    g.post("/v1/chat/completions", KernelHarness.chat("made-up-model-" + i));
                }
            }
            String text = g.get("/metrics").body();
            var metrics = StrictPrometheusParser.parse(text);
            int series = metrics.values().stream().mapToInt(f -> f.samples().size()).sum();
            assertTrue(series < 1000, "series: " + series);
            assertFalse(text.contains("user-7"), "no end user becomes a label");
            assertFalse(text.contains("made-up-model"), "an unknown model is no label value of its own");
            assertEquals(12, metrics.get("tollgate_requests_total").samples().stream().filter(x -> x.labels().get("status").equals("404"))
                    .mapToDouble(x -> x.value()).sum(), 0.0, "the unknown models' requests are counted, under no model");
        }
    }

    @Test
    void tenThousandRequestsWithTheSinkStoppedForPartOfTheRunAreAllDelivered() throws Exception {
        MemorySink sink = new MemorySink();
        sink.up = false;
        try (KernelHarness g = KernelHarness.withFakeModel(LOGGING, plugin(sink))) {
            AtomicReference<String> violation = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicInteger scrapes = new java.util.concurrent.atomic.AtomicInteger();
            Thread scraper = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        checkInvariant(g.get("/metrics").body(), violation);
                        scrapes.incrementAndGet();
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        violation.compareAndSet(null, e.toString());
                    }
                }
            });
            int n = 10_000;
            Semaphore window = new Semaphore(32);
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                if (i == n / 2) {
                    sink.up = true;
                }
                window.acquire();
                sent.add(g.postAsync("/v1/chat/completions", KernelHarness.chat("m")).whenComplete((x, e) -> window.release()));
            }
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                ids.add(id(r));
            }
            Eventually.await(Duration.ofSeconds(60), () -> sink.byId.keySet().containsAll(ids));
            Eventually.await(Duration.ofSeconds(10), () -> {
                try {
                    String m = g.get("/metrics").body();
                    return value(m, "tollgate_log_records_delivered_total") >= n && value(m, "tollgate_log_records_pending") == 0;
                } catch (Exception e) {
                    return false;
                }
            });
            scraper.interrupt();
            scraper.join(5000);
            assertNull(violation.get(), violation::get);
            assertTrue(scrapes.get() > 3, "the invariant was checked while records moved");
            String m = g.get("/metrics").body();
            assertEquals(n, value(m, "tollgate_log_records_produced_total"));
            assertEquals(n, value(m, "tollgate_log_records_delivered_total"));
            assertEquals(0, value(m, "tollgate_log_records_dropped_total") + value(m, "tollgate_log_records_dead_lettered_total"));
            assertEquals(n, new java.util.HashSet<>(sink.all).size());
        }
    }

    private static void checkInvariant(String text, AtomicReference<String> violation) {
        long produced = value(text, "tollgate_log_records_produced_total");
        long rest = value(text, "tollgate_log_records_delivered_total") + value(text, "tollgate_log_records_pending")
                + value(text, "tollgate_log_records_dead_lettered_total") + value(text, "tollgate_log_records_dropped_total");
        if (produced != rest) {
            violation.compareAndSet(null, "produced " + produced + " != " + rest);
        }
    }

    private static long value(String text, String family) {
        var f = StrictPrometheusParser.parse(text).get(family);
        return f == null ? 0 : (long) f.samples().stream().mapToDouble(x -> x.value()).sum();
    }

    private static String id(HttpResponse<String> r) {
        return r.headers().firstValue("x-request-id").orElseThrow();
    }
}
