package dev.tollgate.bench.harness;

import dev.tollgate.bench.load.LoadResult;
import dev.tollgate.bench.proc.ResourceSampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/** Turns the rows of a run into the three tables and the budget lines. */
public final class Report {

    /** Budget thresholds of the performance issue. */
    static final double ADDED_P50_MAX_US = 100;
    static final double ADDED_P99_MAX_US = 1000;
    static final double CPU_VS_NGINX_MAX = 2.5;
    static final double RPS_VS_NGINX_MIN = 0.5;
    static final double ADDED_TTFE_P99_MAX_US = 1000;
    static final int HOLD_BUDGET_STREAMS = 10_000;
    static final double RSS_MAX_MB = 256;

    public enum Verdict { PASS, MISS, SKIP }

    public record Budget(String target, String name, String figure, Verdict verdict) {
        String line() {
            return String.format(Locale.ROOT, "%-4s  %-10s  %-58s %s", verdict, target, name, figure);
        }
    }

    private final List<Row> rows;

    public Report(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    // ---------------------------------------------------------------------------------------------- metrics

    record Metric(String name, Histogram histogram) {}

    static List<Metric> metrics(Row r) {
        LoadResult x = r.result();
        return switch (r.scenario().kind()) {
            case CONSTANT, MAX -> List.of(new Metric("latency", x.latency));
            case STREAM -> List.of(new Metric("first event", x.firstEvent), new Metric("last event", x.lastEvent));
            case HOLD -> List.of(new Metric("first event", x.firstEvent));
        };
    }

    static Histogram metric(Row r, String name) {
        for (Metric m : metrics(r)) {
            if (m.name().equals(name)) return m.histogram();
        }
        return null;
    }

    Row find(String scenarioId, String target) {
        for (Row r : rows) {
            if (r.scenario().id().equals(scenarioId) && r.target().equals(target)) return r;
        }
        return null;
    }

    List<Row> group(String group, String target) {
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            if (r.scenario().group().equals(group) && r.target().equals(target)) out.add(r);
        }
        return out;
    }

    private Set<String> targets() {
        Set<String> t = new LinkedHashSet<>();
        for (Row r : rows) t.add(r.target());
        return t;
    }

    // ----------------------------------------------------------------------------------------------- tables

    public List<Table> tables() {
        Table lat = new Table("Latency and throughput (open loop: from the intended send time)", 3,
                "scenario", "metric", "target", "ok", "failed", "rps", "P50", "P90", "P99", "P99.9", "max", "notes");
        Table cmp = new Table("Against direct (stub) and nginx: added latency and ratios", 3,
                "scenario", "metric", "target", "rps x direct", "rps x nginx", "+P50 vs direct", "+P99 vs direct",
                "+P99.9 vs direct", "+P50 vs nginx", "+P99 vs nginx", "P50 x nginx", "P99 x nginx");
        Table res = new Table("Target process (for 'stub' the stub itself): CPU, memory, threads, sockets", 2,
                "scenario", "target", "CPU us/req", "CPU x nginx", "peak RSS MB", "threads", "sockets",
                "generator CPU us/req", "other CPU %");
        for (Row r : rows) {
            LoadResult x = r.result();
            String sc = r.scenario().id();
            Row direct = find(sc, Target.STUB);
            Row nginx = find(sc, Target.NGINX);
            for (Metric m : metrics(r)) {
                Histogram h = m.histogram();
                String notes = notes(r);
                boolean hold = r.scenario().kind() == Scenario.Kind.HOLD;
                lat.add(sc, m.name(), r.target(), Long.toString(x.ok), Long.toString(x.failures()),
                        hold ? "-" : fmtRate(x.throughput()), us(h, 50), us(h, 90), us(h, 99), us(h, 99.9), us(h, 100), notes);
                if (!r.target().equals(Target.STUB)) {
                    Histogram hd = direct == null ? null : metric(direct, m.name());
                    Histogram hn = nginx == null || r.target().equals(Target.NGINX) ? null : metric(nginx, m.name());
                    cmp.add(sc, m.name(), r.target(),
                            hold ? "-" : ratio(x.throughput(), direct == null ? Double.NaN : direct.result().throughput()),
                            hold ? "-" : ratio(x.throughput(), hn == null ? Double.NaN : nginx.result().throughput()),
                            delta(h, hd, 50), delta(h, hd, 99), delta(h, hd, 99.9),
                            delta(h, hn, 50), delta(h, hn, 99),
                            ratio(pct(h, 50), pct(hn, 50)), ratio(pct(h, 99), pct(hn, 99)));
                }
            }
            ResourceSampler.Figures f = r.figures();
            long reqs = r.scenario().kind() == Scenario.Kind.HOLD ? x.ok + x.failures() : x.ok;
            double cpu = f.cpuMicrosPerRequest(reqs);
            double cpuNginx = Double.NaN;
            if (nginx != null && !r.target().equals(Target.NGINX)) {
                LoadResult nx = nginx.result();
                long nreqs = r.scenario().kind() == Scenario.Kind.HOLD ? nx.ok + nx.failures() : nx.ok;
                cpuNginx = nginx.figures().cpuMicrosPerRequest(nreqs);
            }
            res.add(sc, r.target(), fmt1(cpu), ratio(cpu, cpuNginx),
                    f.peakRssKb() < 0 ? "-" : fmt1(f.peakRssKb() / 1024.0),
                    f.peakThreads() < 0 ? "-" : Long.toString(f.peakThreads()),
                    f.peakSockets() < 0 ? "-" : Long.toString(f.peakSockets()),
                    fmt1(f.generatorCpuMicrosPerRequest(reqs)), fmt1(f.otherCpuPercent()));
        }
        List<Table> out = new ArrayList<>(List.of(lat));
        if (!cmp.isEmpty()) out.add(cmp);
        out.add(res);
        return out;
    }

    private static String notes(Row r) {
        LoadResult x = r.result();
        List<String> n = new ArrayList<>();
        if (r.scenario().kind() == Scenario.Kind.HOLD) {
            n.add("held " + x.heldToEnd + "/" + x.connections + ", peak open " + x.peakOpenStreams);
        }
        if (x.errors > 0) n.add(x.errors + " errors");
        if (x.non2xx > 0) n.add(x.non2xx + " non-2xx (first " + x.firstNon2xxStatus + ")");
        if (x.badStreams > 0) n.add(x.badStreams + " short streams");
        if (x.unfinished > 0) n.add(x.unfinished + " unanswered");
        if (x.firstError != null && (x.errors > 0 || x.badStreams > 0 || x.unfinished > 0)) {
            n.add("first: " + x.firstError);
        }
        if (x.maxQueued > 0 && r.scenario().kind() != Scenario.Kind.MAX) n.add("queued max " + x.maxQueued);
        return String.join("; ", n);
    }

    // ---------------------------------------------------------------------------------------------- budgets

    /** Budget lines for every target but the stub. */
    public List<Budget> budgets() {
        List<Budget> out = new ArrayList<>();
        for (String t : targets()) {
            if (t.equals(Target.STUB)) continue;
            out.addAll(budgets(t));
        }
        return out;
    }

    List<Budget> budgets(String t) {
        List<Budget> out = new ArrayList<>();
        boolean isNginx = t.equals(Target.NGINX);
        // added latency at 1k-5k rps
        Map<String, Row> s1 = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.scenario().kind() == Scenario.Kind.CONSTANT && r.target().equals(t)) s1.put(r.scenario().id(), r);
        }
        if (s1.isEmpty()) {
            out.add(new Budget(t, "added latency vs direct (S1)", "not run", Verdict.SKIP));
        }
        for (Row r : s1.values()) {
            Row d = find(r.scenario().id(), Target.STUB);
            String sc = r.scenario().id();
            if (d == null) {
                out.add(new Budget(t, sc + " added P50/P99 vs direct", "no direct run", Verdict.SKIP));
                continue;
            }
            double a50 = pct(r.result().latency, 50) - pct(d.result().latency, 50);
            double a99 = pct(r.result().latency, 99) - pct(d.result().latency, 99);
            boolean clean = r.result().failures() == 0;
            out.add(new Budget(t, sc + " added P50 vs direct <= " + (int) ADDED_P50_MAX_US + " us",
                    fmtSigned(a50) + failNote(r), verdict(clean && a50 <= ADDED_P50_MAX_US)));
            out.add(new Budget(t, sc + " added P99 vs direct <= 1 ms",
                    fmtSigned(a99) + failNote(r), verdict(clean && a99 <= ADDED_P99_MAX_US)));
        }
        // max throughput: CPU per request and rps against nginx
        if (!isNginx) {
            Agg a = agg("S2-c64", t);
            Agg n = agg("S2-c64", Target.NGINX);
            if (a == null || n == null) {
                out.add(new Budget(t, "S2 CPU per request <= 2.5x nginx", a == null ? "not run" : "no nginx run",
                        Verdict.SKIP));
                out.add(new Budget(t, "S2 max throughput >= 50 % of nginx", a == null ? "not run" : "no nginx run",
                        Verdict.SKIP));
            } else {
                double cr = a.cpuPerReq / n.cpuPerReq;
                out.add(new Budget(t, "S2 CPU per request <= 2.5x nginx",
                        String.format(Locale.ROOT, "%.2fx (%.1f vs %.1f us/req)", cr, a.cpuPerReq, n.cpuPerReq),
                        Double.isNaN(cr) ? Verdict.SKIP : verdict(cr <= CPU_VS_NGINX_MAX)));
                double rr = a.rps / n.rps;
                out.add(new Budget(t, "S2 max throughput >= 50 % of nginx",
                        String.format(Locale.ROOT, "%.0f %% (%.0f vs %.0f rps)", rr * 100, a.rps, n.rps)
                                + (a.failures > 0 ? ", " + a.failures + " failed" : ""),
                        verdict(rr >= RPS_VS_NGINX_MIN && a.failures == 0)));
            }
        }
        // streams: added time to first event
        Row s3 = find("S3", t);
        Row s3d = find("S3", Target.STUB);
        if (s3 == null || s3d == null) {
            out.add(new Budget(t, "S3 added time to first event P99 <= 1 ms", s3 == null ? "not run" : "no direct run",
                    Verdict.SKIP));
        } else {
            double a = pct(s3.result().firstEvent, 99) - pct(s3d.result().firstEvent, 99);
            out.add(new Budget(t, "S3 added time to first event P99 <= 1 ms", fmtSigned(a) + failNote(s3),
                    verdict(s3.result().failures() == 0 && a <= ADDED_TTFE_P99_MAX_US)));
        }
        // 10,000 streams
        Row s4 = find("S4-" + HOLD_BUDGET_STREAMS, t);
        if (s4 == null) {
            out.add(new Budget(t, "S4 10,000 concurrent streams with no error", "not run (full run only)",
                    Verdict.SKIP));
        } else {
            LoadResult x = s4.result();
            out.add(new Budget(t, "S4 10,000 concurrent streams with no error",
                    x.heldToEnd + " held to the end, peak open " + x.peakOpenStreams + ", " + x.failures() + " failed",
                    verdict(x.failures() == 0 && x.heldToEnd == HOLD_BUDGET_STREAMS)));
        }
        // RSS with 500 in flight
        List<Row> c500 = group("S2-c500", t);
        if (c500.isEmpty()) {
            out.add(new Budget(t, "RSS < 256 MB with 500 in flight (S2-c500)", "not run", Verdict.SKIP));
        } else {
            long kb = 0;
            for (Row r : c500) kb = Math.max(kb, r.figures().peakRssKb());
            out.add(new Budget(t, "RSS < 256 MB with 500 in flight (S2-c500)",
                    kb < 0 ? "not measured" : fmt1(kb / 1024.0) + " MB peak",
                    kb <= 0 ? Verdict.SKIP : verdict(kb / 1024.0 < RSS_MAX_MB)));
        }
        return out;
    }

    private record Agg(double rps, double cpuPerReq, long failures) {}

    private Agg agg(String group, String target) {
        List<Row> g = group(group, target);
        if (g.isEmpty()) return null;
        double rps = 0;
        long ticks = 0, reqs = 0, fails = 0;
        boolean cpuKnown = true;
        for (Row r : g) {
            rps += r.result().throughput();
            reqs += r.result().ok;
            fails += r.result().failures();
            if (r.figures().targetCpuTicks() < 0) cpuKnown = false;
            ticks += r.figures().targetCpuTicks();
        }
        double cpu = cpuKnown && reqs > 0 ? ticks * 1e6 / dev.tollgate.bench.proc.ProcStats.clockTicks() / reqs
                : Double.NaN;
        return new Agg(rps / g.size(), cpu, fails);
    }

    private static String failNote(Row r) {
        long f = r.result().failures();
        return f == 0 ? "" : " (" + f + " failed)";
    }

    private static Verdict verdict(boolean ok) {
        return ok ? Verdict.PASS : Verdict.MISS;
    }

    // ------------------------------------------------------------------------------------------- formatting

    /** Percentile in microseconds, NaN when absent. */
    static double pct(Histogram h, double p) {
        if (h == null) return Double.NaN;
        return LoadResult.micros(h, p);
    }

    static String us(Histogram h, double p) {
        return fmtMicros(pct(h, p));
    }

    static String fmtMicros(double us) {
        if (Double.isNaN(us)) return "-";
        double a = Math.abs(us);
        if (a < 10_000) return String.format(Locale.ROOT, "%.0f us", us);
        if (a < 1_000_000) return String.format(Locale.ROOT, "%.1f ms", us / 1000);
        return String.format(Locale.ROOT, "%.2f s", us / 1e6);
    }

    static String fmtSigned(double us) {
        if (Double.isNaN(us)) return "-";
        return (us >= 0 ? "+" : "") + fmtMicros(us);
    }

    static String delta(Histogram h, Histogram base, double p) {
        if (base == null || base.getTotalCount() == 0 || h.getTotalCount() == 0) return "-";
        return fmtSigned(pct(h, p) - pct(base, p));
    }

    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) return "-";
        return String.format(Locale.ROOT, "%.2fx", a / b);
    }

    static String fmtRate(double r) {
        return String.format(Locale.ROOT, "%.0f", r);
    }

    static String fmt1(double v) {
        if (Double.isNaN(v) || v < 0) return "-";
        return String.format(Locale.ROOT, "%.1f", v);
    }

    // ---------------------------------------------------------------------------------------------- output

    /** Above this share of the machine's CPU used by other processes during a run, its figures are suspect. */
    static final double NOISY_PERCENT = 15;

    /** A warning naming runs during which other processes used much CPU, or "" when there were none. */
    String noiseWarning() {
        List<String> noisy = new ArrayList<>();
        for (Row r : rows) {
            double o = r.figures().otherCpuPercent();
            if (!Double.isNaN(o) && o > NOISY_PERCENT) {
                noisy.add(r.scenario().id() + "/" + r.target() + String.format(Locale.ROOT, " %.0f%%", o));
            }
        }
        if (noisy.isEmpty()) return "";
        return "WARNING: other processes used more than " + (int) NOISY_PERCENT + " % of the machine's CPU during "
                + noisy.size() + " of " + rows.size() + " runs (" + String.join(", ", noisy)
                + "): their figures are disturbed; rerun on a quiet machine or with --quiet-wait 60.";
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Table t : tables()) sb.append('\n').append(t.text());
        sb.append("\nBudgets (from the performance issue)\n");
        for (Budget b : budgets()) sb.append(b.line()).append('\n');
        String w = noiseWarning();
        if (!w.isEmpty()) sb.append('\n').append(w).append('\n');
        return sb.toString();
    }

    public String markdown(Map<String, String> meta, List<Scenario> scenarios) {
        StringBuilder sb = new StringBuilder("# Tollgate bench results\n\n");
        for (Map.Entry<String, String> e : meta.entrySet()) {
            sb.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        sb.append("\nScenarios:\n\n");
        for (Scenario s : scenarios) {
            sb.append("- ").append(s.id()).append(": ").append(s.description()).append(", ")
                    .append(s.duration().toSeconds()).append(" s\n");
        }
        String w = noiseWarning();
        if (!w.isEmpty()) sb.append("\n> ").append(w).append('\n');
        for (Table t : tables()) sb.append('\n').append(t.markdown());
        sb.append("\n### Budgets\n\n| verdict | target | budget | figure |\n|---|---|---|---|\n");
        for (Budget b : budgets()) {
            sb.append("| ").append(b.verdict()).append(" | ").append(b.target()).append(" | ")
                    .append(b.name().replace("<=", "≤").replace(">=", "≥")).append(" | ").append(b.figure())
                    .append(" |\n");
        }
        return sb.toString();
    }
}
