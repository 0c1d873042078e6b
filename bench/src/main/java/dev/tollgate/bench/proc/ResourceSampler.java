package dev.tollgate.bench.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Samples a target's processes while a scenario runs: CPU ticks at start and end, peak RSS, threads and sockets
 * every {@code periodMs}; plus the machine's busy CPU and that of our own processes, so that CPU used by anything
 * else during the run (a build next door) shows up as "other CPU".
 */
public final class ResourceSampler implements AutoCloseable {

    /** Figures of one run. {@code -1} where not measured. */
    public record Figures(long targetCpuTicks, long generatorCpuTicks, long peakRssKb, long peakThreads,
                          long peakSockets, double otherCpuPercent, long elapsedNanos) {
        public static final Figures NONE = new Figures(-1, -1, -1, -1, -1, Double.NaN, 0);

        /** Target CPU in microseconds per request. */
        public double cpuMicrosPerRequest(long requests) {
            if (targetCpuTicks < 0 || requests <= 0) return Double.NaN;
            return targetCpuTicks * 1e6 / ProcStats.clockTicks() / requests;
        }

        public double generatorCpuMicrosPerRequest(long requests) {
            if (generatorCpuTicks < 0 || requests <= 0) return Double.NaN;
            return generatorCpuTicks * 1e6 / ProcStats.clockTicks() / requests;
        }
    }

    private final Supplier<List<Long>> targetPids;
    private final Supplier<List<Long>> ourPids;
    private final long periodMs;
    private final Thread thread;
    private final long selfPid = ProcessHandle.current().pid();
    private final long t0;
    private final long cpu0;
    private final long self0;
    private final long machine0;
    private final long ours0;
    private volatile boolean stop;
    private long peakRss = -1;
    private long peakThreads = -1;
    private long peakSockets = -1;

    /**
     * @param targetPids the processes whose figures are reported (empty: none)
     * @param ourPids    every process of this run (generator, stub, targets), for the "other CPU" figure
     */
    public ResourceSampler(Supplier<List<Long>> targetPids, Supplier<List<Long>> ourPids, long periodMs) {
        this.targetPids = targetPids;
        this.ourPids = ourPids;
        this.periodMs = periodMs;
        this.t0 = System.nanoTime();
        this.cpu0 = ProcStats.cpuTicks(targetPids.get());
        this.self0 = ProcStats.cpuTicks(selfPid);
        this.machine0 = ProcStats.machineBusyTicks();
        this.ours0 = ProcStats.cpuTicks(ourPids.get());
        sample();
        this.thread = new Thread(this::loop, "resource-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        long cost = 0;
        while (!stop) {
            try {
                // reading 20,000 fd links takes tens of ms: keep the sampler's own cost under ~5 % of a core
                Thread.sleep(Math.max(periodMs, cost * 20 / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
            long t = System.nanoTime();
            sample();
            cost = System.nanoTime() - t;
        }
    }

    private synchronized void sample() {
        List<Long> pids = targetPids.get();
        if (pids.isEmpty()) return;
        long rss = 0, threads = 0, sockets = 0;
        for (long p : pids) {
            rss += Math.max(0, ProcStats.rssKb(p));
            threads += Math.max(0, ProcStats.threads(p));
            sockets += Math.max(0, ProcStats.sockets(p));
        }
        peakRss = Math.max(peakRss, rss);
        peakThreads = Math.max(peakThreads, threads);
        peakSockets = Math.max(peakSockets, sockets);
    }

    /** Stops sampling and returns the figures since construction. */
    public Figures finish() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        long elapsed = System.nanoTime() - t0;
        List<Long> pids = targetPids.get();
        long cpu = pids.isEmpty() ? -1 : ProcStats.cpuTicks(pids) - cpu0;
        long self = ProcStats.cpuTicks(selfPid) - self0;
        long machine = ProcStats.machineBusyTicks() - machine0;
        long ours = ProcStats.cpuTicks(new ArrayList<>(ourPids.get())) - ours0;
        int cpus = Runtime.getRuntime().availableProcessors();
        double other = machine0 < 0 ? Double.NaN
                : Math.max(0, (machine - ours) * 100.0 / (elapsed / 1e9 * ProcStats.clockTicks() * cpus));
        synchronized (this) {
            return new Figures(cpu, self, peakRss, peakThreads, peakSockets, other, elapsed);
        }
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
