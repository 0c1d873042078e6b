package dev.tollgate.kernel.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import dev.tollgate.kernel.config.LoggingSettings;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.sink.RequestRecord;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Bodies reach the record only for the models and keys configured, redacted and cut to size. */
class RequestBodiesTest {

    private static final String SINK = """
            logging:
              %s
              sinks:
                - name: memory
                  flush_interval: 5ms
            """;

    private static Map<String, TollgatePlugin> plugin(List<RequestRecord> records) {
        return MemorySinkPlugin.of("memory", records::addAll);
    }

    private static String chat(String content, boolean stream) {
        return "{\"model\":\"m\"," + (stream ? "\"stream\":true," : "") + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content
                + "\"}]}";
    }

    @Test
    void noBodiesUnlessConfigured() throws Exception {
        List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (KernelHarness g = KernelHarness.withFakeModel(SINK.formatted(""), plugin(records))) {
            assertEquals(200, g.post("/v1/chat/completions", chat("hello", false)).statusCode());
            Eventually.await(Duration.ofSeconds(10), () -> records.size() == 1);
            assertTrue(records.get(0).requestBody().isEmpty());
            assertTrue(records.get(0).responseBody().isEmpty());
        }
    }

    @Test
    void aConfiguredModelsBodiesAreRecordedRedactedAndCut() throws Exception {
        List<RequestRecord> records = new CopyOnWriteArrayList<>();
        String bodies = """
                bodies:
                    models: [m]
                    max_bytes: 400
                    redact:
                      - {pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b', replace: '[ssn]'}
                """;
        try (KernelHarness g = KernelHarness.withFakeModel(SINK.formatted(bodies.strip()), plugin(records))) {
            HttpResponse<String> plain = g.post("/v1/chat/completions", chat("my key is sk-abcdefghijklmnopqrstuvwx and ssn 123-45-6789", false));
            HttpResponse<String> streamed = g.post("/v1/chat/completions", chat("stream please", true));
            HttpResponse<String> big = g.post("/v1/chat/completions", chat("x".repeat(2000), false));
            Eventually.await(Duration.ofSeconds(10), () -> records.size() == 3);

            RequestRecord r = byId(records, plain);
            String request = r.requestBody().orElseThrow();
            assertTrue(request.contains("my key is [redacted key] and ssn [ssn]"), request);
            assertFalse(request.contains("sk-abcdefghij"));
            assertEquals(plain.body(), r.responseBody().orElseThrow(), "the answer as the client received it");

            String events = byId(records, streamed).responseBody().orElseThrow();
            assertTrue(events.startsWith("data: "), events);
            assertTrue(events.contains("[DONE]"), events);

            String cut = byId(records, big).requestBody().orElseThrow();
            assertTrue(cut.endsWith("more bytes not logged]"), cut);
            assertTrue(cut.length() < 500);
        }
    }

    @Test
    void keysAndModelsAreMatchedAndABadPatternIsAConfigError() {
        LoggingSettings.Bodies b = new LoggingSettings.Bodies(Set.of("gpt"), Set.of("key_1"), 100, List.of());
        assertTrue(b.enabledFor("gpt", null));
        assertTrue(b.enabledFor("other", "key_1"));
        assertFalse(b.enabledFor("other", "key_2"));
        assertTrue(new LoggingSettings.Bodies(Set.of("*"), Set.of(), 100, List.of()).enabledFor("any", null));
        ConfigException e = assertThrows(ConfigException.class, () -> KernelHarness.withFakeModel(SINK.formatted("""
                bodies:
                    models: [m]
                    redact: [{pattern: '(unclosed'}]
                """.strip()), Map.of()));
        assertTrue(e.getMessage().contains("logging.bodies.redact[0].pattern"), e.getMessage());
    }

    private static RequestRecord byId(List<RequestRecord> records, HttpResponse<String> r) {
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        return records.stream().filter(x -> x.requestId().equals(id)).findFirst().orElseThrow();
    }
}
