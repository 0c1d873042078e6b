package dev.tollgate.plugin.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.sink.LogSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What goes over the wire and what an error says, against a stand-in that echoes what it got. */
class ClickHouseHttpTest {

    private static final String PASSWORD = "pw-canary-51d0";

    private HttpServer server;
    private final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add("user=" + exchange.getRequestHeaders().getFirst("X-ClickHouse-User") + " key="
                    + exchange.getRequestHeaders().getFirst("X-ClickHouse-Key") + " query="
                    + (query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8)) + " body=" + body);
            byte[] answer = status == 200 ? (body.startsWith("SELECT name FROM system.columns") ? columnNames() : new byte[0])
                    : ("Code: 516. DB::Exception: the request had key " + exchange.getRequestHeaders().getFirst("X-ClickHouse-Key")
                            + " and went wrong\n" + "x".repeat(500)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    private static byte[] columnNames() {
        return String.join("\n", Columns.ALL.stream().map(Columns.Column::name).toList()).getBytes(StandardCharsets.UTF_8);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private LogSink sink() {
        return new ClickHouseSinkFactory().create(PluginConfig.of("logging.sinks[1].config", Map.of("url",
                "http://127.0.0.1:" + server.getAddress().getPort(), "user", "tollgate", "password", PASSWORD, "table", "req")),
                new FakePluginContext());
    }

    @Test
    void preparesTheSchemaAtStartThenInsertsABatchAsOneJsonEachRowStatement() throws Exception {
        try (LogSink sink = sink()) {
            assertThat(seen).hasSize(3);
            assertThat(seen).element(0, org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .isEqualTo("user=tollgate key=" + PASSWORD + " query= body=CREATE DATABASE IF NOT EXISTS tollgate");
            assertThat(seen).element(1, org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("body=CREATE TABLE IF NOT EXISTS tollgate.req (request_id String, started_at DateTime('UTC')")
                    .endsWith("ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(started_at) ORDER BY (started_at, request_id)");
            seen.clear();
            sink.write(Records.batch("b", 3, Instant.parse("2024-05-01T00:00:00Z")));
        }
        assertThat(seen).hasSize(1);
        String insert = seen.peek();
        assertThat(insert).startsWith("user=tollgate key=" + PASSWORD + " query=query=INSERT INTO tollgate.req FORMAT JSONEachRow body=");
        assertThat(insert.substring(insert.indexOf("body=")).lines()).hasSize(3);
    }

    @Test
    void anErrorAnswerGivesTheStatusAndTheStartOfTheServersTextWithoutThePassword() {
        try (LogSink sink = sink()) {
            status = 500;
            assertThatThrownBy(() -> sink.write(List.of(Records.full("r", Instant.parse("2024-05-01T00:00:00Z")))))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("ClickHouse answered 500 to INSERT INTO tollgate.req FORMAT JSONEachRow: "
                            + "Code: 516. DB::Exception: the request had key *** and went wrong xxx")
                    .hasMessageNotContaining(PASSWORD)
                    .satisfies(e -> assertThat(e.getMessage().substring(e.getMessage().indexOf(": ") + 2))
                            .hasSize(ClickHouseHttp.ERROR_CHARS + 1).endsWith("…"));
        }
    }
}
