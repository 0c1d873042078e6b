package dev.tollgate.plugin.jsonl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.LogSinkFactory;
import dev.tollgate.spi.sink.RequestRecord;
import dev.tollgate.spi.testkit.ManualTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant MAY_1 = Instant.parse("2024-05-01T10:15:30.123456789Z");

    @TempDir
    Path data;

    private final ManualTime time = new ManualTime(MAY_1);

    private LogSink sink(Map<String, Object> config) {
        return new JsonlSinkFactory().create(PluginConfig.of("logging.sinks[0].config", config), new TestContext(time.clock(), data));
    }

    private LogSink sink() {
        return sink(Map.of());
    }

    private static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private Path logs() {
        return data.resolve("logs");
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(logs())) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void thePluginContributesTheJsonlSink() {
        List<String> names = new ArrayList<>();
        for (TollgatePlugin p : ServiceLoader.load(TollgatePlugin.class)) {
            p.logSinks().stream().map(LogSinkFactory::name).forEach(names::add);
        }
        assertThat(names).containsExactly("jsonl");
    }

    @Test
    void writesEveryFieldUnderItsSnakeCaseNameAndReadsBackEqual() throws Exception {
        RequestRecord full = Records.full("req-1", MAY_1);
        RequestRecord minimal = Records.minimal("req-2", MAY_1.plusSeconds(1));
        try (LogSink sink = sink()) {
            sink.write(List.of(full, minimal));
        }
        List<JsonNode> lines = read(logs().resolve("requests-2024-05-01.jsonl"));
        assertThat(lines).hasSize(2);

        JsonNode f = lines.get(0);
        assertThat(f.get("request_id").asText()).isEqualTo("req-1");
        assertThat(f.get("started_at").asText()).isEqualTo("2024-05-01T10:15:30.123456Z");
        assertThat(f.get("endpoint").asText()).isEqualTo("/v1/chat/completions");
        assertThat(f.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(f.get("deployment_id").asText()).isEqualTo("openai-eu");
        assertThat(f.get("provider").asText()).isEqualTo("openai");
        assertThat(f.get("provider_model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(f.get("error_type").isNull()).isTrue();
        assertThat(f.get("upstream_latency_micros").asLong()).isEqualTo(700_000);
        assertThat(f.get("gateway_overhead_micros").asLong()).isEqualTo(112_345);
        assertThat(f.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(f.get("span_id").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(f.get("parent_span_id").asText()).isEqualTo("a3ce929d0e0e4736");
        assertThat(f.get("attempt_span_ids")).extracting(JsonNode::asText).containsExactly("b7ad6b7169203331", "c7ad6b7169203331");
        assertThat(f.get("status").asInt()).isEqualTo(200);
        assertThat(f.get("error_code").isNull()).isTrue();
        assertThat(f.get("stream").asBoolean()).isTrue();
        assertThat(f.get("input_tokens").asLong()).isEqualTo(1200);
        assertThat(f.get("output_tokens").asLong()).isEqualTo(340);
        assertThat(f.get("cached_input_tokens").asLong()).isEqualTo(1000);
        assertThat(f.get("cache_write_tokens").asLong()).isEqualTo(150);
        assertThat(f.get("reasoning_tokens").asLong()).isEqualTo(90);
        assertThat(f.get("cost_micros").isIntegralNumber()).isTrue();
        assertThat(f.get("cost_micros").asLong()).isEqualTo(4_321);
        assertThat(f.get("cost_known").asBoolean()).isTrue();
        assertThat(f.get("cache_status").asText()).isEqualTo("miss");
        assertThat(f.get("latency_micros").asLong()).isEqualTo(812_345);
        assertThat(f.get("ttft_micros").asLong()).isEqualTo(123_456);
        assertThat(f.get("key_id").asText()).isEqualTo("key_01");
        assertThat(f.get("key_name").asText()).isEqualTo("ci-bot");
        assertThat(f.get("team_id").asText()).isEqualTo("team_7");
        assertThat(f.get("end_user").asText()).isEqualTo("user-42");
        assertThat(f.get("client_disconnected").asBoolean()).isFalse();
        assertThat(f.get("metadata").properties()).hasSize(2);
        assertThat(f.get("metadata").get("project").asText()).isEqualTo("apollo");
        assertThat(f.get("metadata").get("ticket").asText()).isEqualTo("ÄB-12 \"quoted\"");
        JsonNode a0 = f.get("attempts").get(0);
        JsonNode a1 = f.get("attempts").get(1);
        assertThat(f.get("attempts")).hasSize(2);
        assertThat(a0.get("index").asInt()).isZero();
        assertThat(a0.get("deployment_id").asText()).isEqualTo("openai-us");
        assertThat(a0.get("result").asText()).isEqualTo("failed");
        assertThat(a0.get("error_code").asText()).isEqualTo("upstream_timeout");
        assertThat(a0.get("latency_micros").asLong()).isEqualTo(300_000);
        assertThat(a0.get("ttft_micros").isNull()).isTrue();
        assertThat(a0.get("input_tokens").isNull()).isTrue();
        assertThat(a1.get("result").asText()).isEqualTo("succeeded");
        assertThat(a1.get("error_code").isNull()).isTrue();
        assertThat(a1.get("latency_micros").asLong()).isEqualTo(500_123);
        assertThat(a1.get("ttft_micros").asLong()).isEqualTo(120_000);
        assertThat(a1.get("output_tokens").asLong()).isEqualTo(340);
        assertThat(a1.get("reasoning_tokens").asLong()).isEqualTo(90);

        JsonNode m = lines.get(1);
        assertThat(m.get("request_id").asText()).isEqualTo("req-2");
        assertThat(m.get("started_at").asText()).isEqualTo("2024-05-01T10:15:31.123456Z");
        assertThat(m.get("status").asInt()).isEqualTo(401);
        assertThat(m.get("error_code").asText()).isEqualTo("invalid_api_key");
        assertThat(m.get("error_type").asText()).isEqualTo("client");
        assertThat(m.get("upstream_latency_micros").asLong()).isZero();
        assertThat(m.get("gateway_overhead_micros").asLong()).isEqualTo(150);
        assertThat(m.get("attempt_span_ids")).isEmpty();
        assertThat(m.get("cost_micros").isNull()).as("unknown cost is null, never 0").isTrue();
        assertThat(m.get("cost_known").asBoolean()).isFalse();
        for (String absent : List.of("model", "deployment_id", "provider", "input_tokens", "output_tokens", "cached_input_tokens",
                "cache_write_tokens", "reasoning_tokens", "ttft_micros", "key_id", "key_name", "team_id", "end_user", "provider_model",
                "trace_id", "span_id", "parent_span_id")) {
            assertThat(m.get(absent).isNull()).as(absent).isTrue();
        }
        assertThat(m.get("cache_status").asText()).isEqualTo("none");
        assertThat(m.get("attempts")).isEmpty();
        assertThat(m.get("metadata").properties()).isEmpty();
    }

    @Test
    void everyLineHoldsExactlyTheDocumentedKeysAndTheKeyOnlyByIdAndName() throws Exception {
        try (LogSink sink = sink()) {
            sink.write(List.of(Records.full("req-1", MAY_1), Records.minimal("req-2", MAY_1)));
        }
        Set<String> documented = Set.of("request_id", "started_at", "endpoint", "model", "deployment_id", "provider",
                "provider_model", "status", "error_code", "error_type", "stream", "input_tokens", "output_tokens",
                "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "cost_micros", "cost_known", "cache_status",
                "latency_micros", "ttft_micros", "upstream_latency_micros", "gateway_overhead_micros", "key_id", "key_name",
                "team_id", "end_user", "client_disconnected", "request_body", "response_body", "trace_id", "span_id", "parent_span_id", "attempt_span_ids",
                "attempts", "metadata");
        for (JsonNode line : read(logs().resolve("requests-2024-05-01.jsonl"))) {
            Set<String> keys = new LinkedHashSet<>();
            line.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactlyInAnyOrderElementsOf(documented);
            assertThat(keys.stream().filter(k -> k.startsWith("key"))).containsExactlyInAnyOrder("key_id", "key_name");
        }
    }

    @Test
    void startsTheNextNumberedFileBeforeAFileWouldPassTheSizeLimit() throws Exception {
        List<RequestRecord> records = Records.batch("r", 30, MAY_1);
        int lineBytes = Files.readAllBytes(writeOnce(records.get(0))).length;
        long limit = lineBytes * 4L + 10;
        Files.delete(logs().resolve("requests-2024-05-01.jsonl"));

        try (LogSink sink = sink(Map.of("max_file_bytes", limit))) {
            sink.write(records.subList(0, 7));
            sink.write(records.subList(7, 20));
        }
        try (LogSink restarted = sink(Map.of("max_file_bytes", limit))) {
            restarted.write(records.subList(20, 30));
        }
        List<String> names = fileNames();
        assertThat(names).contains("requests-2024-05-01.jsonl", "requests-2024-05-01.1.jsonl", "requests-2024-05-01.2.jsonl");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Path file = logs().resolve(i == 0 ? "requests-2024-05-01.jsonl" : "requests-2024-05-01." + i + ".jsonl");
            assertThat(Files.size(file)).as(file.toString()).isLessThanOrEqualTo(limit);
            read(file).forEach(n -> ids.add(n.get("request_id").asText()));
        }
        assertThat(ids).as("every record once, in order, across the numbered files")
                .containsExactlyElementsOf(records.stream().map(RequestRecord::requestId).toList());
    }

    @Test
    void aLineLargerThanTheLimitGetsAFileOfItsOwnAndIsNeverSplit() throws Exception {
        try (LogSink sink = sink(Map.of("max_file_bytes", "1KiB"))) {
            sink.write(Records.batch("big", 3, MAY_1).subList(0, 2));
        }
        assertThat(fileNames()).containsExactly("requests-2024-05-01.1.jsonl", "requests-2024-05-01.jsonl");
        assertThat(read(logs().resolve("requests-2024-05-01.jsonl"))).hasSize(1);
        assertThat(read(logs().resolve("requests-2024-05-01.1.jsonl"))).hasSize(1);
    }

    @Test
    void filesRecordsByTheDayTheyStartedInTheConfiguredZone() throws Exception {
        RequestRecord late = Records.full("late", Instant.parse("2024-05-01T14:59:59.999999Z"));
        RequestRecord early = Records.full("early", Instant.parse("2024-05-01T15:00:00Z"));
        RequestRecord nextUtcDay = Records.minimal("next", Instant.parse("2024-05-02T00:00:00Z"));

        try (LogSink utc = sink()) {
            utc.write(List.of(late, early, nextUtcDay));
        }
        assertThat(fileNames()).containsExactly("requests-2024-05-01.jsonl", "requests-2024-05-02.jsonl");
        assertThat(read(logs().resolve("requests-2024-05-01.jsonl"))).extracting(n -> n.get("request_id").asText())
                .containsExactly("late", "early");

        Path tokyoDir = data.resolve("tokyo");
        try (LogSink tokyo = sink(Map.of("dir", tokyoDir.toString(), "time_zone", "Asia/Tokyo"))) {
            tokyo.write(List.of(late, early, nextUtcDay));
        }
        assertThat(read(tokyoDir.resolve("requests-2024-05-01.jsonl"))).extracting(n -> n.get("request_id").asText())
                .containsExactly("late");
        assertThat(read(tokyoDir.resolve("requests-2024-05-02.jsonl"))).extracting(n -> n.get("request_id").asText())
                .containsExactly("early", "next");
        assertThat(read(tokyoDir.resolve("requests-2024-05-02.jsonl")).get(0).get("started_at").asText())
                .as("started_at stays UTC whatever the files' zone").isEqualTo("2024-05-01T15:00:00.000000Z");
    }

    @Test
    void aRetriedBatchIsAppendedAgainAndReadersDeduplicateByRequestId() throws Exception {
        List<RequestRecord> batch = Records.batch("dup", 5, MAY_1);
        try (LogSink sink = sink()) {
            sink.write(batch);
            sink.write(batch);
        }
        List<JsonNode> lines = read(logs().resolve("requests-2024-05-01.jsonl"));
        assertThat(lines).hasSize(10);
        assertThat(lines.stream().map(n -> n.get("request_id").asText()).distinct()).hasSize(5);
        assertThat(lines.subList(5, 10)).isEqualTo(lines.subList(0, 5));
    }

    @Test
    void aFolderThatCannotBeWrittenFailsTheWriteNotTheStartAndRecoversOnceFixed() throws Exception {
        Path blocker = data.resolve("not-a-folder");
        Files.writeString(blocker, "a file where the sink wants a folder");
        Path dir = blocker.resolve("logs");
        try (LogSink sink = sink(Map.of("dir", dir.toString()))) {
            assertThatThrownBy(() -> sink.write(List.of(Records.full("r1", MAY_1)))).isInstanceOf(IOException.class);

            Files.delete(blocker);
            sink.write(List.of(Records.full("r2", MAY_1)));
        }
        assertThat(read(dir.resolve("requests-2024-05-01.jsonl"))).extracting(n -> n.get("request_id").asText())
                .containsExactly("r2");
    }

    @Test
    void deletesTheFilesOfDaysPastTheRetentionAtStartAndWhenTheDayChanges() throws Exception {
        Files.createDirectories(logs());
        for (String name : List.of("requests-2024-04-20.jsonl", "requests-2024-04-20.1.jsonl", "requests-2024-04-23.jsonl",
                "requests-2024-04-24.jsonl", "requests-2024-04-25.jsonl", "notes.txt", "requests-latest.jsonl")) {
            Files.writeString(logs().resolve(name), "{}\n");
        }
        time.setInstant(Instant.parse("2024-05-01T08:00:00Z"));
        try (LogSink sink = sink(Map.of("retention_days", 7))) {
            assertThat(fileNames()).as("at start").containsExactly("notes.txt", "requests-2024-04-24.jsonl",
                    "requests-2024-04-25.jsonl", "requests-latest.jsonl");

            time.setInstant(Instant.parse("2024-05-02T00:00:01Z"));
            sink.write(List.of(Records.full("r", time.instant())));
        }
        assertThat(fileNames()).as("the next day").containsExactly("notes.txt", "requests-2024-04-25.jsonl",
                "requests-2024-05-02.jsonl", "requests-latest.jsonl");
    }

    @Test
    void retentionZeroKeepsEveryFile() throws Exception {
        Files.createDirectories(logs());
        Files.writeString(logs().resolve("requests-2001-01-01.jsonl"), "{}\n");
        try (LogSink sink = sink(Map.of("retention_days", 0))) {
            sink.write(List.of(Records.full("r", MAY_1)));
        }
        assertThat(fileNames()).containsExactly("requests-2001-01-01.jsonl", "requests-2024-05-01.jsonl");
    }

    @Test
    void fsyncNeverStillWritesEveryBatch() throws Exception {
        try (LogSink sink = sink(Map.of("fsync", "never"))) {
            sink.write(Records.batch("n", 4, MAY_1));
        }
        assertThat(read(logs().resolve("requests-2024-05-01.jsonl"))).hasSize(4);
    }

    @Test
    void aClosedSinkRefusesWritesWithAnError() {
        LogSink sink = sink();
        sink.close();
        assertThatThrownBy(() -> sink.write(List.of(Records.full("r", MAY_1)))).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }

    private Path writeOnce(RequestRecord r) throws Exception {
        Map<String, Object> none = new HashMap<>();
        try (LogSink sink = sink(none)) {
            sink.write(List.of(r));
        }
        return logs().resolve("requests-2024-05-01.jsonl");
    }
}
