package dev.tollgate.plugin.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import dev.tollgate.spi.testkit.FakePluginContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real clickhouse-server, started once for the class. */
class ClickHouseSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant MAY_31 = Instant.parse("2024-05-31T23:59:58.250000Z");
    private static final AtomicInteger TABLES = new AtomicInteger();

    private static ClickHouseServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ClickHouseServer.launch();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String newTable() {
        return "requests_" + TABLES.incrementAndGet();
    }

    private static LogSink sink(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of("url", server.url(), "password", ClickHouseServer.PASSWORD, "timeout", "5s"));
        config.putAll(overrides);
        return new ClickHouseSinkFactory().create(PluginConfig.of("logging.sinks[1].config", config), new FakePluginContext());
    }

    private static long scalar(String sql) throws Exception {
        return Long.parseLong(server.query(sql));
    }

    @Test
    void insertsExactlyOneRowPerRecordWithTheRecordsTokensAndCost() throws Exception {
        String table = newTable();
        List<RequestRecord> records = Records.batch("n", 250, Instant.parse("2024-05-31T23:59:59.900Z"));
        try (LogSink sink = sink(Map.of("database", "fresh_db", "table", table))) {
            sink.write(records.subList(0, 100));
            sink.write(records.subList(100, 180));
            sink.write(records.subList(180, 250));
        }
        String t = "fresh_db." + table;
        assertThat(scalar("SELECT count() FROM " + t + " FINAL")).isEqualTo(250);
        assertThat(scalar("SELECT uniqExact(request_id) FROM " + t)).isEqualTo(250);
        assertThat(scalar("SELECT sum(input_tokens) FROM " + t + " FINAL")).isEqualTo(sum(records, Usage::inputTokens));
        assertThat(scalar("SELECT sum(output_tokens) FROM " + t + " FINAL")).isEqualTo(sum(records, Usage::outputTokens));
        assertThat(scalar("SELECT sum(cached_input_tokens) FROM " + t + " FINAL")).isEqualTo(sum(records, Usage::cachedInputTokens));
        assertThat(scalar("SELECT sum(cache_write_tokens) FROM " + t + " FINAL")).isEqualTo(sum(records, Usage::cacheWriteTokens));
        assertThat(scalar("SELECT sum(reasoning_tokens) FROM " + t + " FINAL")).isEqualTo(sum(records, Usage::reasoningTokens));
        long cost = records.stream().filter(r -> r.cost().isKnown()).mapToLong(r -> r.cost().micros().getAsLong()).sum();
        assertThat(scalar("SELECT sum(cost_micros) FROM " + t + " FINAL")).isEqualTo(cost);
        long unpriced = records.stream().filter(r -> !r.cost().isKnown()).count();
        assertThat(scalar("SELECT countIf(cost_micros IS NULL) FROM " + t + " FINAL")).as("unknown cost is NULL, not 0").isEqualTo(unpriced);
        assertThat(scalar("SELECT countIf(cost_known = 0) FROM " + t + " FINAL")).isEqualTo(unpriced);
        assertThat(server.query("SELECT count() FROM " + t + " FINAL WHERE input_tokens IS NULL")).isEqualTo(Long.toString(unpriced));
        assertThat(server.query("SELECT toString(toDate(started_at)) FROM " + t + " GROUP BY toDate(started_at) ORDER BY 1"))
                .as("in UTC, whatever the server's zone").isEqualTo("2024-05-31\n2024-06-01");
    }

    @Test
    void answersSpendReportsFromTheTableCountingARepeatedBatchOnce() throws Exception {
        String table = newTable();
        List<RequestRecord> records = Records.batch("rep", 90, Instant.parse("2024-05-31T23:59:59.950Z"));
        try (LogSink sink = sink(Map.of("table", table))) {
            sink.write(records);
            sink.write(records.subList(0, 30)); // delivered twice: at least once
            var reports = (dev.tollgate.spi.sink.SpendReports) sink;
            var byModel = reports.spend(new dev.tollgate.spi.store.SpendQuery(dev.tollgate.spi.store.SpendQuery.GroupBy.MODEL, null, null));
            assertThat(byModel).extracting(r -> r.group()).containsExactly("claude", "gpt-4o-mini");
            for (var row : byModel) {
                List<RequestRecord> of = records.stream().filter(r -> r.model().orElse("").equals(row.group())).toList();
                assertThat(row.requests()).isEqualTo(of.size());
                assertThat(row.microUsd()).isEqualTo(of.stream().mapToLong(r -> r.cost().micros().orElse(0)).sum());
                assertThat(row.inputTokens()).isEqualTo(sum(of, Usage::inputTokens));
                assertThat(row.outputTokens()).isEqualTo(sum(of, Usage::outputTokens));
            }
            var byKey = reports.spend(new dev.tollgate.spi.store.SpendQuery(dev.tollgate.spi.store.SpendQuery.GroupBy.KEY, null, null));
            assertThat(byKey).extracting(r -> r.group()).containsExactly("key_0", "key_1");
            assertThat(byKey.stream().mapToLong(r -> r.requests()).sum()).as("unkeyed records are left out").isEqualTo(60);
            // the records straddle midnight UTC: 50 ms before it, the rest after
            var byDay = reports.spend(new dev.tollgate.spi.store.SpendQuery(dev.tollgate.spi.store.SpendQuery.GroupBy.DAY, null, null));
            assertThat(byDay).extracting(r -> r.group()).containsExactly("2024-05-31", "2024-06-01");
            assertThat(byDay.get(0).requests()).isEqualTo(50);
            var june = reports.spend(new dev.tollgate.spi.store.SpendQuery(dev.tollgate.spi.store.SpendQuery.GroupBy.DAY,
                    Instant.parse("2024-06-01T00:00:00Z"), Instant.parse("2024-06-01T00:00:00.010Z")));
            assertThat(june).singleElement().satisfies(r -> assertThat(r.requests()).as("from inclusive, to exclusive, to the µs").isEqualTo(10));
        }
    }

    private static long sum(List<RequestRecord> records, ToLongFunction<Usage> count) {
        return records.stream().flatMap(r -> r.usage().stream()).mapToLong(count).sum();
    }

    @Test
    void storesEveryFieldOfARecord() throws Exception {
        String table = newTable();
        try (LogSink sink = sink(Map.of("table", table))) {
            sink.write(List.of(Records.full("full-1", MAY_31), Records.minimal("min-1", MAY_31.plusSeconds(5))));
        }
        List<JsonNode> rows = new ArrayList<>();
        for (String line : server.query("SELECT * FROM tollgate." + table + " ORDER BY request_id FORMAT JSONEachRow").lines().toList()) {
            rows.add(JSON.readTree(line));
        }
        assertThat(rows).hasSize(2);
        JsonNode f = rows.get(0);
        assertThat(f.get("request_id").asText()).isEqualTo("full-1");
        assertThat(f.get("started_at").asText()).isEqualTo("2024-05-31 23:59:58");
        assertThat(f.get("started_at_us").asLong()).isEqualTo(250_000);
        assertThat(f.get("endpoint").asText()).isEqualTo("/v1/chat/completions");
        assertThat(f.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(f.get("deployment_id").asText()).isEqualTo("openai-eu");
        assertThat(f.get("provider").asText()).isEqualTo("openai");
        assertThat(f.get("provider_model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(f.get("error_type").asText()).isEmpty();
        assertThat(f.get("upstream_latency_micros").asLong()).isEqualTo(700_000);
        assertThat(f.get("gateway_overhead_micros").asLong()).isEqualTo(112_345);
        assertThat(f.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(f.get("span_id").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(f.get("parent_span_id").asText()).isEqualTo("a3ce929d0e0e4736");
        assertThat(f.get("attempt_span_ids")).extracting(JsonNode::asText).containsExactly("b7ad6b7169203331", "c7ad6b7169203331");
        assertThat(f.get("status").asInt()).isEqualTo(200);
        assertThat(f.get("error_code").asText()).isEmpty();
        assertThat(f.get("stream").asInt()).isEqualTo(1);
        assertThat(f.get("input_tokens").asLong()).isEqualTo(1200);
        assertThat(f.get("output_tokens").asLong()).isEqualTo(340);
        assertThat(f.get("cached_input_tokens").asLong()).isEqualTo(1000);
        assertThat(f.get("cache_write_tokens").asLong()).isEqualTo(150);
        assertThat(f.get("reasoning_tokens").asLong()).isEqualTo(90);
        assertThat(f.get("cost_micros").asLong()).isEqualTo(4_321);
        assertThat(f.get("cost_known").asInt()).isEqualTo(1);
        assertThat(f.get("cache_status").asText()).isEqualTo("miss");
        assertThat(f.get("latency_micros").asLong()).isEqualTo(812_345);
        assertThat(f.get("ttft_micros").asLong()).isEqualTo(123_456);
        assertThat(f.get("key_id").asText()).isEqualTo("key_01");
        assertThat(f.get("key_name").asText()).isEqualTo("ci-bot");
        assertThat(f.get("team_id").asText()).isEqualTo("team_7");
        assertThat(f.get("end_user").asText()).isEqualTo("user-42");
        assertThat(f.get("client_disconnected").asInt()).isZero();
        assertThat(f.get("attempt_count").asInt()).isEqualTo(2);
        JsonNode attempts = JSON.readTree(f.get("attempts").asText());
        assertThat(attempts.get(0).get("result").asText()).isEqualTo("failed");
        assertThat(attempts.get(0).get("error_code").asText()).isEqualTo("upstream_timeout");
        assertThat(attempts.get(0).get("ttft_micros").isNull()).isTrue();
        assertThat(attempts.get(1).get("latency_micros").asLong()).isEqualTo(500_123);
        assertThat(attempts.get(1).get("output_tokens").asLong()).isEqualTo(340);
        assertThat(f.get("metadata_keys")).extracting(JsonNode::asText).containsExactly("project", "ticket");
        assertThat(f.get("metadata_values")).extracting(JsonNode::asText).containsExactly("apollo", "ÄB-12 \"quoted\"");

        JsonNode m = rows.get(1);
        assertThat(m.get("request_id").asText()).isEqualTo("min-1");
        assertThat(m.get("started_at").asText()).isEqualTo("2024-06-01 00:00:03");
        assertThat(m.get("error_code").asText()).isEqualTo("invalid_api_key");
        assertThat(m.get("status").asInt()).isEqualTo(401);
        assertThat(m.get("error_type").asText()).isEqualTo("client");
        assertThat(m.get("gateway_overhead_micros").asLong()).isEqualTo(150);
        assertThat(m.get("trace_id").asText()).isEmpty();
        for (String unknown : List.of("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens",
                "cost_micros", "ttft_micros")) {
            assertThat(m.get(unknown).isNull()).as(unknown).isTrue();
        }
        assertThat(m.get("cost_known").asInt()).isZero();
        assertThat(m.get("model").asText()).isEmpty();
        assertThat(m.get("key_id").asText()).isEmpty();
        assertThat(m.get("attempts").asText()).isEqualTo("[]");
        assertThat(m.get("metadata_keys")).isEmpty();
    }

    @Test
    void aBatchDeliveredTwiceCountsOnceWithFinalAndCollapsesWhenPartsMerge() throws Exception {
        String table = newTable();
        List<RequestRecord> batch = Records.batch("dup", 40, MAY_31);
        try (LogSink sink = sink(Map.of("table", table))) {
            sink.write(batch);
            sink.write(batch);
        }
        String t = "tollgate." + table;
        assertThat(scalar("SELECT count() FROM " + t + " FINAL")).isEqualTo(40);
        server.query("OPTIMIZE TABLE " + t + " FINAL");
        assertThat(scalar("SELECT count() FROM " + t)).isEqualTo(40);
        assertThat(scalar("SELECT sum(cost_micros) FROM " + t))
                .isEqualTo(batch.stream().filter(r -> r.cost().isKnown()).mapToLong(r -> r.cost().micros().getAsLong()).sum());
    }

    @Test
    void aStoppedServerFailsTheWriteAndTheSameBatchLandsOnceItIsBack() throws Exception {
        String table = newTable();
        List<RequestRecord> batch = Records.batch("down", 10, MAY_31);
        try (LogSink sink = sink(Map.of("table", table, "timeout", "2s"))) {
            server.stop();
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> sink.write(batch))
                        .isInstanceOf(IOException.class).hasMessageContaining("cannot be reached"));
            } finally {
                server.start();
            }
            sink.write(batch);
        }
        assertThat(scalar("SELECT count() FROM tollgate." + table + " FINAL")).isEqualTo(10);
    }

    @Test
    void aServerThatStopsAnsweringFailsTheWriteAfterTheTimeout() throws Exception {
        String table = newTable();
        try (LogSink sink = sink(Map.of("table", table, "timeout", "500ms"))) {
            server.freeze();
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> sink.write(Records.batch("f", 3, MAY_31)))
                        .isInstanceOf(IOException.class).hasMessageContaining("did not answer").hasMessageContaining("within 500ms"));
            } finally {
                server.thaw();
            }
        }
    }

    @Test
    void aServerStartedAfterTheSinkGetsTheTableAtTheFirstWrite() throws Exception {
        String table = newTable();
        server.stop();
        LogSink sink;
        try {
            sink = sink(Map.of("table", table));
        } finally {
            server.start();
        }
        try (sink) {
            assertThat(server.query("EXISTS TABLE tollgate." + table)).isEqualTo("0");
            sink.write(Records.batch("late", 5, MAY_31));
        }
        assertThat(scalar("SELECT count() FROM tollgate." + table + " FINAL")).isEqualTo(5);
    }

    @Test
    void aWrongPasswordIsAClearErrorThatNeverShowsThePassword() throws Exception {
        String wrong = "wrong-canary-b9e1";
        try (LogSink sink = sink(Map.of("table", newTable(), "password", wrong))) {
            Throwable thrown = null;
            try {
                sink.write(Records.batch("pw", 2, MAY_31));
            } catch (IOException e) {
                thrown = e;
            }
            assertThat(thrown).isNotNull();
            assertThat(thrown.getMessage()).startsWith("ClickHouse answered ").containsIgnoringCase("password");
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            assertThat(trace.toString()).doesNotContain(wrong);
        }
    }

    @Test
    void addsTheColumnsAnOlderTableLacks() throws Exception {
        String table = newTable();
        server.query("CREATE DATABASE IF NOT EXISTS tollgate");
        server.query("CREATE TABLE tollgate." + table + " (request_id String, started_at DateTime('UTC'), started_at_us UInt32) "
                + "ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(started_at) ORDER BY (started_at, request_id)");
        try (LogSink sink = sink(Map.of("table", table))) {
            sink.write(Records.batch("old", 6, MAY_31));
        }
        assertThat(scalar("SELECT count() FROM system.columns WHERE database = 'tollgate' AND table = '" + table + "'"))
                .isEqualTo(Columns.ALL.size());
        assertThat(scalar("SELECT sum(cost_micros) FROM tollgate." + table + " FINAL")).isGreaterThan(0);
    }

    @Test
    void theDocumentedTableIsTheOneCreatedAndTheDocumentedQueriesRun() throws Exception {
        String doc = Files.readString(Path.of("../../docs/logging.md"));
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL).matcher(doc);
        while (m.find()) {
            blocks.add(m.group(1).replaceAll("\\s+", " ").replace("( ", "(").replace(" )", ")").strip());
        }
        assertThat(blocks.get(0)).isEqualTo(Columns.createTable("tollgate.requests"));

        List<RequestRecord> records = Records.batch("doc", 30, MAY_31);
        try (LogSink sink = sink(Map.of())) {
            sink.write(records);
            sink.write(records);
        }
        List<String> queries = blocks.subList(1, blocks.size());
        assertThat(queries).hasSize(3).allSatisfy(q -> assertThat(q).startsWith("SELECT"));
        for (String q : queries) {
            assertThat(server.query(q)).as(q).isNotEmpty();
        }
        String perKey = queries.get(0).replace("SELECT toDate(started_at) AS day, key_id,", "SELECT sum(requests), sum(usd) FROM (SELECT toDate(started_at) AS day, key_id,")
                + ")";
        long micros = records.stream().filter(r -> r.cost().isKnown()).mapToLong(r -> r.cost().micros().getAsLong()).sum();
        assertThat(server.query(perKey)).as("exact with every batch delivered twice").isEqualTo("30\t" + micros / 1_000_000.0);
    }

    @Test
    void aTableDroppedWhileRunningIsCreatedAgainByTheRetry() throws Exception {
        String table = newTable();
        try (LogSink sink = sink(Map.of("table", table))) {
            sink.write(Records.batch("a", 3, MAY_31));
            server.query("DROP TABLE tollgate." + table);
            assertThatThrownBy(() -> sink.write(Records.batch("b", 4, MAY_31))).isInstanceOf(IOException.class)
                    .hasMessageContaining("Code: 60");
            sink.write(Records.batch("b", 4, MAY_31));
        }
        assertThat(scalar("SELECT count() FROM tollgate." + table + " FINAL")).isEqualTo(4);
    }
}
