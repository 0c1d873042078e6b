package dev.tollgate.kernel.governance.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.kernel.governance.GovernedGateway;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.sink.LogSink;
import dev.tollgate.spi.sink.RequestRecord;
import dev.tollgate.spi.sink.SpendReports;
import dev.tollgate.spi.store.SpendQuery;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@code /admin/usage} answers from the sink {@code logging.usage_from} names; {@code /admin/spend} stays on the ledger. */
class UsageFromASinkTest {

    /** A sink that answers reports with one row per query it saw, so the test sees what reached it. */
    static final class ReportingSink implements LogSink, SpendReports {
        final List<SpendQuery> queries = new CopyOnWriteArrayList<>();
        volatile boolean broken;

        @Override
        public void write(List<RequestRecord> batch) {}

        @Override
        public List<SpendQuery.Row> spend(SpendQuery query) throws Exception {
            if (broken) {
                throw new java.io.IOException("database down");
            }
            queries.add(query);
            return List.of(SpendQuery.Row.builder("team_from_sink").microUsd(1_234_567).requests(42).unpricedRequests(2)
                    .inputTokens(1000).outputTokens(500).build());
        }
    }

    private static Map<String, TollgatePlugin> plugin(LogSink sink) {
        return dev.tollgate.kernel.records.MemorySinkPlugin.of("reporting", sink);
    }

    private static final String YAML = """
            admin: {master_key: '${env:TG_TEST_MASTER}'}
            logging:
              usage_from: %s
              sinks: [{name: reporting, id: analytics}]
            """;

    @Test
    void usageComesFromTheSinkAndSpendFromTheLedger() throws Exception {
        ReportingSink sink = new ReportingSink();
        try (GovernedGateway gw = GovernedGateway.start(YAML.formatted("analytics"), plugin(sink))) {
            JsonNode usage = GovernedGateway.json(gw.admin("GET", "/admin/usage?group_by=team&from=2030-01-01&to=2030-02-01", null).body());
            assertThat(usage.get("source").asText()).isEqualTo("analytics");
            assertThat(usage.get("data")).singleElement().satisfies(row -> {
                assertThat(row.get("group").asText()).isEqualTo("team_from_sink");
                assertThat(row.get("usd").asText()).isEqualTo("1.234567");
                assertThat(row.get("requests").asLong()).isEqualTo(42);
            });
            assertThat(sink.queries).singleElement().satisfies(q -> {
                assertThat(q.groupBy()).isEqualTo(SpendQuery.GroupBy.TEAM);
                assertThat(q.from()).hasToString("2030-01-01T00:00:00Z");
                assertThat(q.to()).hasToString("2030-02-01T00:00:00Z");
            });
            JsonNode spend = GovernedGateway.json(gw.admin("GET", "/admin/spend?group_by=team", null).body());
            assertThat(spend.get("source").asText()).isEqualTo("ledger");
            assertThat(spend.get("data")).isEmpty();

            sink.broken = true;
            var down = gw.admin("GET", "/admin/usage", null);
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("usage_source_unavailable").doesNotContain("database down");
        }
    }

    @Test
    void aSinkThatCannotReportOrNoSuchSinkStopsTheStart() {
        assertThatThrownBy(() -> GovernedGateway.start(YAML.formatted("nowhere"), plugin(new ReportingSink())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("logging.usage_from names no sink: 'nowhere'");
        LogSink plain = batch -> {};
        assertThatThrownBy(() -> GovernedGateway.start(YAML.formatted("analytics"), plugin(plain)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot answer usage reports");
    }
}
