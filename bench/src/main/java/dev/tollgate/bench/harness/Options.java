package dev.tollgate.bench.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Command line of the harness. */
public final class Options {
    public String profile = "quick";
    public List<String> targets = new ArrayList<>(List.of(Target.STUB, Target.NGINX, Target.GATEWAY));
    public List<String> scenarios = new ArrayList<>(); // empty: all of the profile
    public Path gatewayHome = Path.of("distribution/target/tollgate");
    public Path gatewayConfig;   // template; null: generated
    public Path s5Config;        // template for the "everything on" gateway; null: no S5 target
    /** The generated gateway config's S4 model (bench-hold) talks to the stub over h2c instead of HTTP/1.1. */
    public boolean s4H2c;
    public List<String> s5Headers = new ArrayList<>();
    public Path nginx = Path.of("/usr/sbin/nginx");
    public Path resultsDir = Path.of("bench/target");
    public double scale = 1.0;
    public int stubIoThreads = 2;
    public List<String> stubJvmOpts = new ArrayList<>(List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
            "-Xss512k"));
    public long spinMicros = 50;
    public int closedLoops = 2;
    public int holdRamp = 2000;
    public long gatewayReadyTimeoutMs = 60_000;
    public boolean keepTemp;
    /** Warm-up of each gateway target in seconds; -1: the profile's (20 s quick, 45 s full). */
    public int warmupSeconds = -1;
    /** Before each run, wait up to this long for other processes to use less than {@link #quietPercent} of the CPU. */
    public int quietWaitSeconds = 0;
    public double quietPercent = 15;

    public static final String USAGE = """
            Tollgate bench harness: runs scenarios against the upstream stub directly, nginx and the gateway.

              --profile quick|full          scenario set (quick <= 3 min; full ~16 min)        [quick]
              --targets stub,nginx,gateway  targets to run (the stub always runs as upstream)  [all three]
              --scenarios S1,S3             only scenarios whose id starts with one of these  [all]
              --gateway-home DIR            unpacked distribution       [distribution/target/tollgate]
              --gateway-config FILE         gateway YAML template instead of the generated one;
                                            ${PORT} and ${STUB_PORT} are replaced
              --s4-h2c                      the generated gateway config sends S4's streams (model
                                            bench-hold) to the stub over HTTP/2 with prior knowledge
                                            (http_version: h2c): many streams per connection
              --s5-config FILE              adds target gateway-s5 ("everything on"), started with this
                                            template; its requests carry --s5-header and unique bodies
              --s5-header 'K: V'            header for gateway-s5 requests (repeatable)
              --nginx PATH                  nginx binary                               [/usr/sbin/nginx]
              --results-dir DIR             where results-<timestamp>.md goes                [bench/target]
              --scale X                     multiply every scenario's duration (e.g. 0.3 for a smoke run)
              --warmup S                    warm-up of each gateway target before its first scenario:
                                            mixed stream/non-stream load, then a max-throughput
                                            burst (0: only the short one nginx and the stub get)
                                                                                 [20 quick, 45 full]
              --stub-io-threads N           IO threads of the stub                                  [2]
              --spin-us N                   open loop: spin the last N us before each send time    [50]
              --quiet-wait S                before each run wait up to S s until other processes use
                                            < 15 % of the machine's CPU (shared machines)           [0]
              --keep-temp                   keep the temp dir with configs and logs
            """;

    public static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--profile" -> { o.profile = need(a, v); i++; }
                case "--quick" -> o.profile = "quick";
                case "--full" -> o.profile = "full";
                case "--targets" -> { o.targets = csv(need(a, v)); i++; }
                case "--scenarios" -> { o.scenarios = csv(need(a, v)); i++; }
                case "--gateway-home" -> { o.gatewayHome = Path.of(need(a, v)); i++; }
                case "--gateway-config" -> { o.gatewayConfig = Path.of(need(a, v)); i++; }
                case "--s5-config" -> { o.s5Config = Path.of(need(a, v)); i++; }
                case "--s4-h2c" -> o.s4H2c = true;
                case "--s5-header" -> { o.s5Headers.add(need(a, v)); i++; }
                case "--nginx" -> { o.nginx = Path.of(need(a, v)); i++; }
                case "--results-dir" -> { o.resultsDir = Path.of(need(a, v)); i++; }
                case "--scale" -> { o.scale = Double.parseDouble(need(a, v)); i++; }
                case "--stub-io-threads" -> { o.stubIoThreads = Integer.parseInt(need(a, v)); i++; }
                case "--spin-us" -> { o.spinMicros = Long.parseLong(need(a, v)); i++; }
                case "--closed-loops" -> { o.closedLoops = Integer.parseInt(need(a, v)); i++; }
                case "--hold-ramp" -> { o.holdRamp = Integer.parseInt(need(a, v)); i++; }
                case "--keep-temp" -> o.keepTemp = true;
                case "--warmup" -> { o.warmupSeconds = Integer.parseInt(need(a, v)); i++; }
                case "--quiet-wait" -> { o.quietWaitSeconds = Integer.parseInt(need(a, v)); i++; }
                case "-h", "--help" -> throw new HelpRequested();
                default -> throw new IllegalArgumentException("unknown option " + a + "\n\n" + USAGE);
            }
        }
        for (String t : o.targets) {
            if (!List.of(Target.STUB, Target.NGINX, Target.GATEWAY).contains(t)) {
                throw new IllegalArgumentException("unknown target " + t + " (stub, nginx, gateway)");
            }
        }
        if (!o.profile.equals("quick") && !o.profile.equals("full")) {
            throw new IllegalArgumentException("--profile is quick or full");
        }
        if (o.warmupSeconds < -1 || o.warmupSeconds > 600) {
            throw new IllegalArgumentException("--warmup out of [0, 600]");
        }
        if (o.scale <= 0 || o.scale > 10) throw new IllegalArgumentException("--scale out of (0, 10]");
        if (o.s4H2c && o.gatewayConfig != null) {
            throw new IllegalArgumentException("--s4-h2c shapes the generated config; with --gateway-config set "
                    + "http_version: h2c in the template's bench-hold deployment instead");
        }
        return o;
    }

    private static String need(String opt, String v) {
        if (v == null) throw new IllegalArgumentException(opt + " needs a value");
        return v;
    }

    private static List<String> csv(String s) {
        List<String> out = new ArrayList<>();
        for (String p : Arrays.asList(s.split(","))) {
            if (!p.isBlank()) out.add(p.strip());
        }
        return out;
    }

    /** -h / --help. */
    public static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(null, null, false, false);
        }
    }
}
