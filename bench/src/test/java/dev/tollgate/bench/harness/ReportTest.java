package dev.tollgate.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.load.LoadMode;
import dev.tollgate.bench.load.LoadResult;
import dev.tollgate.bench.proc.ProcStats;
import dev.tollgate.bench.proc.ResourceSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static Histogram hist(long p50Micros, long p99Micros) {
        Histogram h = new Histogram(1_000L, 600_000_000_000L, 3);
        h.recordValueWithCount(p50Micros * 1000, 98);
        h.recordValueWithCount(p99Micros * 1000, 2);
        return h;
    }

    private static final Scenario S1 = Scenario.constant("S1-1k", 1000, 10);
    private static final Scenario S2 = Scenario.max("S2-c64", "S2-c64", 64, 10);
    private static final Scenario S3 = Scenario.stream(100, 10);
    private static final Scenario S4 = Scenario.hold(10_000, 30);
    private static final Scenario S2_500 = Scenario.max("S2-c500", "S2-c500", 500, 5);

    private static Row s1(String target, long p50, long p99) {
        return new Row(S1, target, LoadResult.of(LoadMode.OPEN_LOOP, target, 10_000_000_000L, 10_000, 0,
                hist(p50, p99), null, null, 20, 0, 0), ResourceSampler.Figures.NONE);
    }

    /** rps over 10 s, target CPU ticks for the whole run. */
    private static Row s2(Scenario s, String target, long rps, long cpuTicks, long rssKb) {
        LoadResult r = LoadResult.of(LoadMode.CLOSED_LOOP, target, 10_000_000_000L, rps * 10, 0, hist(1000, 5000),
                null, null, 64, 0, 0);
        return new Row(s, target, r, new ResourceSampler.Figures(cpuTicks, 0, rssKb, 10, 70, 0, 10_000_000_000L));
    }

    private static Row s3(String target, long ttfeP99) {
        LoadResult r = LoadResult.of(LoadMode.OPEN_LOOP, target, 10_000_000_000L, 1000, 0, hist(100_000, 110_000),
                hist(200, ttfeP99), hist(100_000, 110_000), 32, 0, 0);
        return new Row(S3, target, r, ResourceSampler.Figures.NONE);
    }

    private static Row s4(String target, int held, long errors) {
        LoadResult r = LoadResult.of(LoadMode.HOLD, target, 40_000_000_000L, held, errors, null, hist(500, 900),
                null, 10_000, held, held);
        return new Row(S4, target, r, ResourceSampler.Figures.NONE);
    }

    private static Report.Budget budget(List<Report.Budget> bs, String nameStart) {
        return bs.stream().filter(b -> b.name().startsWith(nameStart)).findFirst().orElseThrow();
    }

    @Test
    void budgetsCompareTheGatewayWithDirectAndNginx() {
        long tck = ProcStats.clockTicks();
        List<Row> rows = new ArrayList<>();
        rows.add(s1("stub", 150, 400));
        rows.add(s1("nginx", 230, 900));
        rows.add(s1("gateway", 240, 1600));
        // nginx 30k rps at 30 us/req; gateway 18k rps at 60 us/req (2.0x): 300k requests x 30 us = 9 s of CPU
        rows.add(s2(S2, "stub", 60_000, 0, 100_000));
        rows.add(s2(S2, "nginx", 30_000, 9 * tck, 20_000));
        rows.add(s2(S2, "gateway", 18_000, (long) (10.8 * tck), 200_000));
        rows.add(s2(S2_500, "gateway", 17_000, tck, 300 * 1024));
        rows.add(s3("stub", 1200));
        rows.add(s3("gateway", 3000));
        rows.add(s4("gateway", 10_000, 0));

        List<Report.Budget> g = new Report(rows).budgets("gateway");
        assertThat(budget(g, "S1-1k added P50").verdict()).isEqualTo(Report.Verdict.PASS);
        assertThat(budget(g, "S1-1k added P50").figure()).isEqualTo("+90 us");
        assertThat(budget(g, "S1-1k added P99").verdict()).isEqualTo(Report.Verdict.MISS);
        assertThat(budget(g, "S2 CPU per request").verdict()).isEqualTo(Report.Verdict.PASS);
        assertThat(budget(g, "S2 CPU per request").figure()).startsWith("2.00x");
        assertThat(budget(g, "S2 max throughput").verdict()).isEqualTo(Report.Verdict.PASS);
        assertThat(budget(g, "S2 max throughput").figure()).startsWith("60 %");
        assertThat(budget(g, "S3 added time to first event").verdict()).isEqualTo(Report.Verdict.MISS);
        assertThat(budget(g, "S4 10,000").verdict()).isEqualTo(Report.Verdict.PASS);
        assertThat(budget(g, "RSS").verdict()).isEqualTo(Report.Verdict.MISS);

        List<Report.Budget> n = new Report(rows).budgets("nginx");
        assertThat(n).noneMatch(b -> b.name().startsWith("S2 CPU"));
        assertThat(budget(n, "S4 10,000").verdict()).isEqualTo(Report.Verdict.SKIP);
    }

    @Test
    void aHoldRunWithErrorsMissesAndTablesRender() {
        List<Row> rows = List.of(s1("stub", 150, 400), s1("gateway", 200, 600), s4("gateway", 9_990, 10));
        Report r = new Report(rows);
        assertThat(budget(r.budgets("gateway"), "S4 10,000").verdict()).isEqualTo(Report.Verdict.MISS);
        String text = r.text();
        assertThat(text).contains("+50 us", "held 9990/10000", "PASS", "MISS");
        String md = r.markdown(java.util.Map.of("profile", "test"), List.of(S1, S4));
        assertThat(md).contains("| S1-1k | latency | gateway |", "### Budgets");
    }

    @Test
    void formatsMicroseconds() {
        assertThat(Report.fmtMicros(123.4)).isEqualTo("123 us");
        assertThat(Report.fmtMicros(12_345)).isEqualTo("12.3 ms");
        assertThat(Report.fmtMicros(2_500_000)).isEqualTo("2.50 s");
        assertThat(Report.fmtSigned(-42)).isEqualTo("-42 us");
        assertThat(Report.ratio(3, 2)).isEqualTo("1.50x");
        assertThat(Scenario.quick().scenarios()).extracting(Scenario::id)
                .containsExactly("S1-1k", "S1-5k", "S2-c64", "S2-c500", "S3", "S4-2000");
        assertThat(Scenario.full().scenarios().stream().mapToLong(s -> s.duration().toSeconds()).sum())
                .isLessThan(Duration.ofMinutes(5).toSeconds());
    }

    @Test
    void generatesTheContractGatewayConfigAndExpandsTemplates() {
        String cfg = Launchers.gatewayConfig(8480, 9999, false);
        assertThat(cfg).contains("plugins: [provider-openai]", "  bench:\n", "api_base: http://127.0.0.1:9999/v1\n",
                "api_base: http://127.0.0.1:9999/hold/v1", "port: 8480").doesNotContain("http_version", "max_connections");
        assertThat(Launchers.expandTemplate("p: ${PORT} s: ${STUB_PORT}", 1, 2)).isEqualTo("p: 1 s: 2");
        String nginx = Launchers.nginxConfig(java.nio.file.Path.of("/tmp/x"), 81, 82, 1000);
        assertThat(nginx).contains("daemon off;", "keepalive 64;", "proxy_http_version 1.1;",
                "proxy_set_header Connection \"\";", "proxy_buffering off;", "access_log off;",
                "pid /tmp/x/nginx.pid;", "server 127.0.0.1:82;", "listen 127.0.0.1:81");
    }

    @Test
    void s4OverH2cSetsTheVersionOfTheHoldModelOnly() {
        String cfg = Launchers.gatewayConfig(8480, 9999, true);
        dev.tollgate.kernel.config.GatewayConfig parsed = new dev.tollgate.kernel.config.ConfigLoader(
                new dev.tollgate.kernel.config.References(name -> null, java.nio.file.Path.of(".")), java.nio.file.Path.of("."))
                .parse(cfg, null);

        assertThat(parsed.models().get("bench-hold").deployments().getFirst().config()).containsEntry("http_version", "h2c");
        assertThat(parsed.models().get("bench").deployments().getFirst().config()).doesNotContainKey("http_version");
        assertThat(parsed.server().maxConnections()).as("10,000 held clients fit past the HTTP/1.1 default of 8192").isEqualTo(12000);
        assertThat(Options.parse(new String[] {"--s4-h2c"}).s4H2c).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.parse(new String[] {"--s4-h2c", "--gateway-config", "x.yaml"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http_version: h2c");
    }

    @Test
    void parsesOptions() {
        Options o = Options.parse(new String[] {"--targets", "stub,nginx", "--profile", "full", "--scale", "0.5",
                "--s5-header", "Authorization: Bearer x"});
        assertThat(o.targets).containsExactly("stub", "nginx");
        assertThat(o.profile).isEqualTo("full");
        assertThat(o.s5Headers).containsExactly("Authorization: Bearer x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.parse(new String[] {"--targets", "x"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
