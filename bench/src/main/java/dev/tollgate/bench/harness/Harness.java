package dev.tollgate.bench.harness;

import dev.tollgate.bench.load.LoadCli;
import dev.tollgate.bench.load.LoadGenerator;
import dev.tollgate.bench.load.LoadResult;
import dev.tollgate.bench.load.LoadSpec;
import dev.tollgate.bench.load.RequestTemplate;
import dev.tollgate.bench.proc.ProcStats;
import dev.tollgate.bench.proc.ResourceSampler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

/** Starts the stub and the targets, runs every scenario against every target, prints and writes the report. */
public final class Harness {

    static final int STREAM_EVENTS = 20;
    static final int STREAM_INTERVAL_MS = 5;
    static final int HOLD_INTERVAL_MS = 1000;
    /** Events every complete stream carries besides its content events: finish, usage, [DONE]. */
    static final int TAIL_EVENTS = 3;

    private final Options o;
    private final List<ManagedProcess> started = new CopyOnWriteArrayList<>();
    private final long selfPid = ProcessHandle.current().pid();
    private Path tmp;

    public Harness(Options o) {
        this.o = o;
    }

    public int run() throws Exception {
        Scenario.Profile profile = o.profile.equals("full") ? Scenario.full() : Scenario.quick();
        List<Scenario> scenarios = new ArrayList<>();
        for (Scenario s : profile.scenarios()) {
            if (o.scenarios.isEmpty() || o.scenarios.stream().anyMatch(p -> s.id().startsWith(p))) {
                scenarios.add(o.scale == 1.0 ? s : s.scaled(o.scale));
            }
        }
        int holdEvents = Math.max(2, (int) Math.round(profile.holdSeconds() * o.scale));
        String started0 = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        String loadAtStart = loadAvg();
        System.out.printf("Tollgate bench, profile %s, targets %s, %d scenarios%s%n", profile.name(),
                String.join(",", o.targets), scenarios.size(), o.scale != 1.0 ? ", durations x" + o.scale : "");
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
                + loadAtStart + ", java " + Runtime.version());

        long maxHold = scenarios.stream().filter(s -> s.kind() == Scenario.Kind.HOLD)
                .mapToLong(Scenario::connections).max().orElse(0);
        long fdLimit = openFileLimit();
        if (maxHold > 0 && fdLimit > 0 && fdLimit < maxHold + 2048) {
            System.out.println("WARNING: open-file limit " + fdLimit + " is too low for " + maxHold
                    + " streams; the S4 runs will fail. Raise it with 'ulimit -n 65536' (the run-*.sh scripts do).");
        }

        preflight();
        tmp = Files.createTempDirectory("tollgate-bench-");
        Thread hook = new Thread(() -> {
            System.out.println("\nbench: interrupted, stopping the stub and the targets");
            stopAll();
            if (!o.keepTemp) deleteTree(tmp);
        }, "bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok = false;
        try {
            int stubPort = Launchers.freePort();
            List<String> stubOpts = new ArrayList<>(o.stubJvmOpts);
            ManagedProcess stub = Launchers.startStub(tmp, stubPort, o.stubIoThreads, STREAM_EVENTS,
                    STREAM_INTERVAL_MS, holdEvents, HOLD_INTERVAL_MS, stubOpts);
            started.add(stub);
            System.out.println("stub: pid " + stub.process.pid() + ", port " + stubPort + ", " + o.stubIoThreads
                    + " IO threads, " + String.join(" ", stubOpts));

            List<Target> targets = new ArrayList<>();
            String chat = "/v1/chat/completions";
            String hold = "/hold/v1/chat/completions";
            String model = RequestTemplate.DEFAULT_MODEL;
            if (o.targets.contains(Target.STUB)) {
                targets.add(new Target(Target.STUB, stubPort, chat, hold, model, model, List.of(), false, stub));
            }
            if (o.targets.contains(Target.NGINX)) {
                int port = Launchers.freePort();
                ManagedProcess nginx = Launchers.startNginx(o.nginx, tmp, port, stubPort, 25_000);
                started.add(nginx);
                targets.add(new Target(Target.NGINX, port, chat, hold, model, model, List.of(), false, nginx));
                System.out.println("nginx: pid " + nginx.process.pid() + " (+ workers), port " + port + ", "
                        + nginxVersion());
            }
            if (o.targets.contains(Target.GATEWAY)) {
                int port = Launchers.freePort();
                String cfg = o.gatewayConfig == null ? Launchers.gatewayConfig(port, stubPort, o.s4H2c)
                        : Launchers.expandTemplate(Files.readString(o.gatewayConfig), port, stubPort);
                ManagedProcess gw = Launchers.startGateway(Target.GATEWAY, o.gatewayHome.toAbsolutePath(), tmp, port,
                        cfg, o.gatewayReadyTimeoutMs);
                started.add(gw);
                targets.add(new Target(Target.GATEWAY, port, chat, chat, model, "bench-hold", List.of(), false, gw));
                System.out.println("gateway: pid " + gw.samplePid + ", port " + port + ", "
                        + o.gatewayHome.toAbsolutePath() + "/bin/tollgate"
                        + (o.gatewayConfig != null ? ", config " + o.gatewayConfig : "")
                        + (o.s4H2c ? ", S4 streams to the stub over h2c" : ""));
            }
            if (o.s5Config != null) {
                int port = Launchers.freePort();
                String cfg = Launchers.expandTemplate(Files.readString(o.s5Config), port, stubPort);
                ManagedProcess gw = Launchers.startGateway(Target.GATEWAY_S5, o.gatewayHome.toAbsolutePath(), tmp,
                        port, cfg, o.gatewayReadyTimeoutMs);
                started.add(gw);
                targets.add(new Target(Target.GATEWAY_S5, port, chat, chat, model, "bench-hold",
                        List.copyOf(o.s5Headers), true, gw));
                System.out.println("gateway-s5: pid " + gw.samplePid + ", port " + port + ", config " + o.s5Config);
            }
            if (targets.isEmpty()) throw new IllegalArgumentException("no targets");

            Duration warm = Duration.ofMillis(Math.max(1000, (long) (profile.warmup().toMillis() * Math.min(1, o.scale))));
            Duration jvmWarm = o.warmupSeconds >= 0 ? Duration.ofSeconds(o.warmupSeconds)
                    : Duration.ofMillis((long) (profile.jvmWarmup().toMillis() * Math.min(1, o.scale)));
            // The gateways first: their warm-up is long and also warms the stub behind them. The targets stay up
            // from here to the end of the run, so what the JIT compiled now is what the scenarios measure.
            Map<String, String> warmNotes = new LinkedHashMap<>();
            for (Target t : targets) {
                if (t.jvm() && jvmWarm.toMillis() >= 1000) warmNotes.put(t.name(), jvmWarmUp(t, jvmWarm));
            }
            for (Target t : targets) {
                if (!warmNotes.containsKey(t.name())) warmUp(t, warm);
            }

            List<Row> rows = new ArrayList<>();
            int total = scenarios.size() * targets.size(), n = 0;
            for (Scenario s : scenarios) {
                System.out.printf("%n%s: %s, %d s%n", s.id(), s.description(), s.duration().toSeconds());
                for (Target t : targets) {
                    n++;
                    checkAlive(targets, stub);
                    awaitQuiet();
                    Row r = runOne(s, t, holdEvents);
                    rows.add(r);
                    System.out.printf("  [%d/%d] %s%n", n, total, r.result().summary());
                    Thread.sleep(s.kind() == Scenario.Kind.HOLD ? 2_000 : 500);
                }
            }

            Report report = new Report(rows);
            System.out.print(report.text());
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("started", started0);
            meta.put("profile", profile.name() + (o.scale != 1.0 ? " (durations x" + o.scale + ")" : ""));
            meta.put("targets", String.join(", ", targets.stream().map(Target::name).toList()));
            meta.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs, "
                    + (Runtime.getRuntime().maxMemory() > 0 ? memTotal() : "") + ", kernel " + System.getProperty("os.version"));
            meta.put("load average at start / end", loadAtStart + " / " + loadAvg());
            meta.put("generator JVM", Runtime.version() + " " + String.join(" ",
                    ManagementFactory.getRuntimeMXBean().getInputArguments()));
            meta.put("warm-up", warmupSummary(targets, warm, warmNotes.isEmpty() ? Duration.ZERO : jvmWarm));
            for (Map.Entry<String, String> e : warmNotes.entrySet()) meta.put("warm-up " + e.getKey(), e.getValue());
            meta.put("stub", o.stubIoThreads + " IO threads, " + String.join(" ", stubOpts));
            if (o.targets.contains(Target.NGINX)) meta.put("nginx", nginxVersion() + ", 2 workers, keepalive 64");
            String commit = gitCommit();
            if (!commit.isEmpty()) meta.put("commit", commit);
            Path out = writeMarkdown(report.markdown(meta, scenarios));
            System.out.println("\nwritten: " + out);
            ok = true;
            return 0;
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
            if (o.keepTemp || !ok) {
                System.out.println("configs and logs kept in " + tmp);
            } else {
                deleteTree(tmp);
            }
        }
    }

    /** Fails fast, before anything starts, when a selected target cannot be started. */
    private void preflight() {
        if (o.targets.contains(Target.NGINX)) Launchers.checkNginx(o.nginx);
        if (o.targets.contains(Target.GATEWAY) || o.s5Config != null) {
            Launchers.checkGateway(o.gatewayHome.toAbsolutePath());
        }
        for (Path p : new Path[] {o.gatewayConfig, o.s5Config}) {
            if (p != null && !Files.isReadable(p)) throw new IllegalArgumentException("cannot read " + p);
        }
    }

    private Row runOne(Scenario s, Target t, int holdEvents) throws IOException, InterruptedException {
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), t.port());
        String hostPort = "127.0.0.1:" + t.port();
        LoadSpec spec = switch (s.kind()) {
            case CONSTANT -> LoadSpec.openLoop(addr, RequestTemplate.chat(hostPort, t.chatPath(), t.model(), false,
                            t.unique(), t.headers()), s.rate(), LoadCli.defaultPool(s.rate()), s.duration(), 0)
                    .withSpinNanos(o.spinMicros * 1000);
            case MAX -> LoadSpec.closedLoop(addr, RequestTemplate.chat(hostPort, t.chatPath(), t.model(), false,
                    t.unique(), t.headers()), s.connections(), s.duration(), o.closedLoops);
            case STREAM -> LoadSpec.openLoop(addr, RequestTemplate.chat(hostPort, t.chatPath(), t.model(), true,
                            t.unique(), t.headers()), s.rate(), (int) Math.max(32, s.rate() / 4), s.duration(),
                            STREAM_EVENTS + TAIL_EVENTS)
                    .withSpinNanos(o.spinMicros * 1000);
            case HOLD -> LoadSpec.hold(addr, RequestTemplate.chat(hostPort, t.holdPath(), t.holdModel(), true,
                            t.unique(), t.headers()), s.connections(),
                    Duration.ofMillis((long) holdEvents * HOLD_INTERVAL_MS), holdEvents + TAIL_EVENTS, o.holdRamp);
        };
        ResourceSampler sampler = new ResourceSampler(t::pids, this::ourPids, 250);
        LoadResult r;
        try {
            r = LoadGenerator.run(t.name(), spec);
        } finally {
            sampler.close();
        }
        return new Row(s, t.name(), r, sampler.finish());
    }

    private void warmUp(Target t, Duration d) throws IOException, InterruptedException {
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), t.port());
        String hostPort = "127.0.0.1:" + t.port();
        LoadResult a = LoadGenerator.run(t.name(), LoadSpec.closedLoop(addr, RequestTemplate.chat(hostPort,
                t.chatPath(), t.model(), false, t.unique(), t.headers()), 16, d, o.closedLoops));
        LoadResult b = LoadGenerator.run(t.name(), LoadSpec.openLoop(addr, RequestTemplate.chat(hostPort,
                t.chatPath(), t.model(), true, t.unique(), t.headers()), 200, 32, Duration.ofSeconds(1), 0));
        System.out.printf("warm-up %s: %d requests, %d streams, %d failed%n", t.name(), a.ok, b.ok,
                a.failures() + b.failures());
        if (a.ok == 0) {
            throw new IllegalStateException("warm-up of " + t.name() + " got no successful answer: "
                    + a.summary());
        }
    }

    /**
     * Connections of the warm-up's mixed phase sending non-stream requests back to back. Few, so that the JIT's
     * compiler threads keep a share of the two cores; more did not warm faster: S2-c64 right after a 20 s warm-up
     * cost the gateway 73-91 us CPU per request with 16 such connections, 60-80 us with 2 (quiet machine).
     */
    static final int WARM_PLAIN_CONNECTIONS = 2;
    /**
     * Connections of the warm-up's mixed phase sending S3-like streams (20 events 5 ms apart), each the next as
     * soon as the last ends: ~140 streams/s, S3's rate; their ~3,000 events/s about match the non-stream answers.
     */
    static final int WARM_STREAM_CONNECTIONS = 16;
    /** Connections of the warm-up's closing burst, as in S2-c64 (three quarters of it) and S2-c500 (the rest). */
    static final int WARM_BURST_CONNECTIONS = 64;
    static final int WARM_WIDE_CONNECTIONS = 500;

    /**
     * Phases of a gateway warm-up of length {@code d}: mixed traffic for 70 %, a max-throughput burst for 20 %,
     * and up to 10 % waiting for the JIT compiler threads to finish their queue.
     */
    record WarmupPlan(Duration mixed, Duration burst, Duration settleMax) {
        static WarmupPlan of(Duration d) {
            long ms = d.toMillis();
            return new WarmupPlan(Duration.ofMillis(ms * 7 / 10), Duration.ofMillis(ms * 2 / 10),
                    Duration.ofMillis(ms - ms * 7 / 10 - ms * 2 / 10));
        }
    }

    static String warmupSummary(List<Target> targets, Duration shortWarm, Duration jvmWarm) {
        List<String> jvm = targets.stream().filter(Target::jvm).map(Target::name).toList();
        List<String> other = targets.stream().filter(t -> !t.jvm() || jvmWarm.isZero()).map(Target::name).toList();
        List<String> parts = new ArrayList<>();
        if (!jvmWarm.isZero() && !jvm.isEmpty()) {
            WarmupPlan p = WarmupPlan.of(jvmWarm);
            parts.add(String.format(Locale.ROOT, "%s %d s each (%.1f s mixed, closed loop: %d connections "
                            + "non-stream + %d connections S3-like streams; %.1f s burst, 3/4 at %d connections and 1/4 "
                            + "at %d; up to %.1f s for the JIT to settle)", String.join(", ", jvm), jvmWarm.toSeconds(),
                    p.mixed().toMillis() / 1e3, WARM_PLAIN_CONNECTIONS, WARM_STREAM_CONNECTIONS,
                    p.burst().toMillis() / 1e3, WARM_BURST_CONNECTIONS, WARM_WIDE_CONNECTIONS,
                    p.settleMax().toMillis() / 1e3));
        }
        if (!other.isEmpty()) {
            parts.add(String.format(Locale.ROOT, "%s %.0f s non-stream + 1 s streams",
                    String.join(", ", other), shortWarm.toMillis() / 1e3));
        }
        return String.join("; ", parts);
    }

    /**
     * The long warm-up of a gateway JVM, so that its scenarios measure C1/C2-compiled code and not the interpreter.
     * Every path measured later runs: non-stream requests and S3-like streams at the same time (so the JIT's
     * profiles see both kinds), then a burst of back-to-back requests like S2-c64 and S2-c500. Then it waits, at
     * most the rest of the warm-up, until the target's CPU falls quiet: the compiler threads have worked off
     * their queue. Only the S4 hold streams stay out: they idle, their cost is not in compiled code.
     *
     * @return what the warm-up did, for the report's header
     */
    private String jvmWarmUp(Target t, Duration d) throws IOException, InterruptedException {
        WarmupPlan plan = WarmupPlan.of(d);
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), t.port());
        String hostPort = "127.0.0.1:" + t.port();
        RequestTemplate plain = RequestTemplate.chat(hostPort, t.chatPath(), t.model(), false, t.unique(), t.headers());
        RequestTemplate stream = RequestTemplate.chat(hostPort, t.chatPath(), t.model(), true, t.unique(), t.headers());
        System.out.printf("warm-up %s: %d s (mixed %.1f s, burst %.1f s)%n", t.name(), d.toSeconds(),
                plan.mixed().toMillis() / 1e3, plan.burst().toMillis() / 1e3);

        FutureTask<LoadResult> streams = new FutureTask<>(() ->
                LoadGenerator.run(t.name(), LoadSpec.closedLoop(addr, stream, WARM_STREAM_CONNECTIONS, plan.mixed(), 1)
                        .withExpectedEvents(STREAM_EVENTS + TAIL_EVENTS)));
        Thread st = new Thread(streams, "warmup-streams");
        st.start();
        LoadResult mixed = LoadGenerator.run(t.name(), LoadSpec.closedLoop(addr, plain, WARM_PLAIN_CONNECTIONS,
                plan.mixed(), o.closedLoops));
        LoadResult mixedStreams;
        try {
            mixedStreams = streams.get();
        } catch (ExecutionException e) {
            throw new IOException("warm-up streams of " + t.name() + " failed", e.getCause());
        }

        Duration narrow = Duration.ofMillis(plan.burst().toMillis() * 3 / 4);
        long cpu0 = ProcStats.cpuTicks(t.pids());
        LoadResult burst = LoadGenerator.run(t.name(), LoadSpec.closedLoop(addr, plain, WARM_BURST_CONNECTIONS,
                narrow, o.closedLoops));
        double burstCpu = (ProcStats.cpuTicks(t.pids()) - cpu0) * 1e6 / ProcStats.clockTicks() / Math.max(1, burst.ok);
        LoadResult wide = LoadGenerator.run(t.name(), LoadSpec.closedLoop(addr, plain, WARM_WIDE_CONNECTIONS,
                plan.burst().minus(narrow), o.closedLoops));

        long settled = settle(t, plan.settleMax());
        long failed = mixed.failures() + mixedStreams.failures() + burst.failures() + wide.failures();
        String note = String.format(Locale.ROOT, "%d s: %d requests + %d streams mixed, then %d requests at %d "
                        + "connections (%.0f rps, %.0f us CPU/req) and %d at %d; waited %.1f s for the JIT to "
                        + "settle%s; %d failed",
                d.toSeconds(), mixed.ok, mixedStreams.ok, burst.ok, WARM_BURST_CONNECTIONS, burst.throughput(),
                burstCpu, wide.ok, WARM_WIDE_CONNECTIONS, Math.abs(settled) / 1e3, settled < 0 ? " (still busy)" : "",
                failed);
        System.out.println("warm-up " + t.name() + " " + note);
        if (failed > 0) {
            String first = null;
            for (LoadResult r : List.of(mixed, mixedStreams, burst, wide)) {
                if (first == null) first = r.firstError;
            }
            System.out.println("  warm-up failures: " + mixed.failures() + " non-stream, " + mixedStreams.failures()
                    + " streams, " + (burst.failures() + wide.failures()) + " burst"
                    + (first != null ? "; first: " + first : ""));
        }
        if (mixed.ok == 0 || burst.ok == 0) {
            throw new IllegalStateException("warm-up of " + t.name() + " got no successful answer: "
                    + (mixed.ok == 0 ? mixed.summary() : burst.summary()));
        }
        return note;
    }

    /**
     * Waits, at most {@code max}, until the target uses under 10 % of a core for 500 ms.
     *
     * @return the milliseconds waited, negative when the target was still busy at the end
     */
    private static long settle(Target t, Duration max) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        long windowNs = 500_000_000L;
        while (System.nanoTime() + windowNs <= deadline) {
            long c0 = ProcStats.cpuTicks(t.pids());
            long w0 = System.nanoTime();
            Thread.sleep(windowNs / 1_000_000);
            double cores = (ProcStats.cpuTicks(t.pids()) - c0) * 1e9 / ProcStats.clockTicks()
                    / (System.nanoTime() - w0);
            if (cores < 0.10) return (System.nanoTime() - start) / 1_000_000;
        }
        return -Math.max(1, (System.nanoTime() - start) / 1_000_000);
    }

    /** With --quiet-wait: waits until processes other than ours use less than the threshold of the CPU. */
    private void awaitQuiet() throws InterruptedException {
        if (o.quietWaitSeconds <= 0) return;
        long end = System.nanoTime() + o.quietWaitSeconds * 1_000_000_000L;
        boolean told = false;
        while (true) {
            ResourceSampler probe = new ResourceSampler(List::of, this::ourPids, 1000);
            Thread.sleep(1000);
            double other = probe.finish().otherCpuPercent();
            if (Double.isNaN(other) || other < o.quietPercent) return;
            if (System.nanoTime() > end) {
                System.out.printf("  other processes still use %.0f %% of the CPU; running anyway%n", other);
                return;
            }
            if (!told) {
                System.out.printf("  waiting for the machine to calm down (other processes use %.0f %% of the CPU)%n",
                        other);
                told = true;
            }
        }
    }

    private List<Long> ourPids() {
        List<Long> p = new ArrayList<>();
        p.add(selfPid);
        for (ManagedProcess m : started) p.addAll(m.pids());
        return p;
    }

    private void checkAlive(List<Target> targets, ManagedProcess stub) {
        if (!stub.alive()) throw new IllegalStateException("the stub exited:\n" + stub.logTail(30));
        for (Target t : targets) {
            if (t.process() != null && !t.process().alive()) {
                throw new IllegalStateException(t.name() + " exited:\n" + t.process().logTail(30));
            }
        }
    }

    private void stopAll() {
        List<ManagedProcess> rev = new ArrayList<>(started);
        java.util.Collections.reverse(rev);
        for (ManagedProcess m : rev) {
            m.stop(m.name.startsWith("gateway") ? 15_000 : 5_000);
        }
        started.clear();
    }

    private Path writeMarkdown(String md) throws IOException {
        Files.createDirectories(o.resultsDir);
        String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path p = o.resultsDir.resolve("results-" + ts + ".md");
        Files.writeString(p, md, StandardCharsets.UTF_8);
        return p.toAbsolutePath();
    }

    static long openFileLimit() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    String[] f = l.substring("Max open files".length()).trim().split(" +");
                    return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // unknown
        }
        return -1;
    }

    private static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            long kb = ProcStats.parseMemTotalKb(Files.readString(Path.of("/proc/meminfo")));
            return kb > 0 ? (kb / 1024 / 1024) + " GiB" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private String nginxVersion() {
        return commandOutput(List.of(o.nginx.toString(), "-v")).replace("nginx version: ", "");
    }

    private static String gitCommit() {
        return commandOutput(List.of("git", "rev-parse", "--short", "HEAD"));
    }

    private static String commandOutput(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static void deleteTree(Path p) {
        if (p == null) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
