package dev.tollgate.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The load generator on its own, for ad-hoc runs against anything on loopback:
 * <pre>
 * java -cp ... dev.tollgate.bench.load.LoadCli --url http://127.0.0.1:8090/v1/chat/completions \
 *     --mode open|closed|hold [--rate 1000] [--connections N] [--duration 10] [--stream] [--events 23]
 *     [--model bench] [--header 'Authorization: Bearer x'] [--unique] [--loops 1] [--spin-us 50] [--ramp 2000]
 *     [--sample-pid PID]   (prints that process's CPU per request too)
 * </pre>
 */
public final class LoadCli {

    private LoadCli() {}

    public static void main(String[] args) throws Exception {
        String url = null, mode = "open", model = RequestTemplate.DEFAULT_MODEL;
        double rate = 1000, ramp = 2000;
        int connections = -1, loops = -1, events = -1;
        double seconds = 10;
        long spinUs = 50, samplePid = -1;
        boolean stream = false, unique = false;
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> { url = v; i++; }
                case "--mode" -> { mode = v; i++; }
                case "--rate" -> { rate = Double.parseDouble(v); i++; }
                case "--connections" -> { connections = Integer.parseInt(v); i++; }
                case "--duration" -> { seconds = Double.parseDouble(v); i++; }
                case "--loops" -> { loops = Integer.parseInt(v); i++; }
                case "--events" -> { events = Integer.parseInt(v); i++; }
                case "--model" -> { model = v; i++; }
                case "--header" -> { headers.add(v); i++; }
                case "--spin-us" -> { spinUs = Long.parseLong(v); i++; }
                case "--ramp" -> { ramp = Double.parseDouble(v); i++; }
                case "--sample-pid" -> { samplePid = Long.parseLong(v); i++; }
                case "--stream" -> stream = true;
                case "--unique" -> unique = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null) throw new IllegalArgumentException("--url is required");
        URI u = URI.create(url);
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName(u.getHost()), u.getPort());
        String path = u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
        RequestTemplate req = RequestTemplate.chat(u.getHost() + ":" + u.getPort(), path, model,
                stream || mode.equals("hold"), unique, headers);
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        LoadSpec spec = switch (mode) {
            case "open" -> LoadSpec.openLoop(addr, req, rate,
                    connections > 0 ? connections : defaultPool(rate), d, Math.max(0, events));
            case "closed" -> LoadSpec.closedLoop(addr, req, connections > 0 ? connections : 64, d,
                    loops > 0 ? loops : 2);
            case "hold" -> LoadSpec.hold(addr, req, connections > 0 ? connections : 100, d, Math.max(0, events), ramp);
            default -> throw new IllegalArgumentException("mode is open, closed or hold");
        };
        if (loops > 0) spec = spec.withLoops(loops);
        if (spinUs > 0) spec = spec.withSpinNanos(spinUs * 1000);
        long self = ProcessHandle.current().pid();
        long g0 = dev.tollgate.bench.proc.ProcStats.cpuTicks(self);
        long t0 = samplePid > 0 ? dev.tollgate.bench.proc.ProcStats.cpuTicks(samplePid) : 0;
        LoadResult r = LoadGenerator.run(u.getHost() + ":" + u.getPort(), spec);
        double tick = 1e6 / dev.tollgate.bench.proc.ProcStats.clockTicks();
        long n = Math.max(1, r.ok + r.failures());
        String cpu = String.format(java.util.Locale.ROOT, " | generator CPU %.1f us/req",
                (dev.tollgate.bench.proc.ProcStats.cpuTicks(self) - g0) * tick / n);
        if (samplePid > 0) {
            cpu += String.format(java.util.Locale.ROOT, ", pid %d CPU %.1f us/req", samplePid,
                    (dev.tollgate.bench.proc.ProcStats.cpuTicks(samplePid) - t0) * tick / n);
        }
        System.out.println(r.summary() + cpu);
    }

    /** Open-loop pool size for a rate: enough for 20 ms of requests, at least 16. */
    public static int defaultPool(double rate) {
        return (int) Math.max(16, Math.min(1000, Math.ceil(rate / 50)));
    }
}
