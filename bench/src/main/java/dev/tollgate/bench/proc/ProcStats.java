package dev.tollgate.bench.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads a process's figures from /proc (Linux). Every reader returns -1 when the process is gone. */
public final class ProcStats {

    private ProcStats() {}

    private static volatile long clkTck;

    /** Clock ticks per second of utime/stime ({@code getconf CLK_TCK}, 100 almost everywhere). */
    public static long clockTicks() {
        long t = clkTck;
        if (t > 0) return t;
        t = 100;
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0) t = Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        }
        clkTck = t;
        return t;
    }

    /** utime + stime of a process (all its threads), in clock ticks. */
    public static long cpuTicks(long pid) {
        try {
            return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime from the text of /proc/PID/stat; the command name may hold spaces and parentheses. */
    static long parseCpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        String[] f = stat.substring(close + 2).trim().split(" +");
        // f[0] is field 3 (state); utime is field 14, stime field 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Parent pid from /proc/PID/stat, or -1. */
    public static long parentPid(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** VmRSS in KiB. */
    public static long rssKb(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** Live threads. */
    public static long threads(long pid) {
        return statusField(pid, "Threads:");
    }

    private static long statusField(long pid, String name) {
        try {
            return parseStatusField(Files.readString(Path.of("/proc", Long.toString(pid), "status")), name);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long parseStatusField(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                String v = line.substring(name.length()).trim();
                int sp = v.indexOf(' ');
                return Long.parseLong(sp > 0 ? v.substring(0, sp) : v);
            }
        }
        return -1;
    }

    /** Open sockets: entries of /proc/PID/fd that link to {@code socket:[...]}. */
    public static long sockets(long pid) {
        long n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path p : ds) {
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("socket:")) n++;
                } catch (IOException ignored) {
                    // fd closed meanwhile
                }
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Command line with NULs as spaces, or "" when gone. */
    public static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The process and its direct children (nginx: master and workers). */
    public static List<Long> withChildren(long pid) {
        List<Long> out = new ArrayList<>();
        out.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.children().forEach(c -> out.add(c.pid())));
        return out;
    }

    /** Sum of cpuTicks over processes, ignoring those gone. */
    public static long cpuTicks(Collection<Long> pids) {
        long sum = 0;
        for (long p : pids) {
            long t = cpuTicks(p);
            if (t > 0) sum += t;
        }
        return sum;
    }

    /** Busy ticks of the whole machine (all CPUs) from the first line of /proc/stat: all but idle and iowait. */
    public static long machineBusyTicks() {
        try {
            return parseMachineBusy(Files.readAllLines(Path.of("/proc/stat")).get(0));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long parseMachineBusy(String cpuLine) {
        String[] f = cpuLine.trim().split(" +");
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        long busy = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            if (i == 4 || i == 5) continue;
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }

    /** MemTotal in KiB from the text of /proc/meminfo. */
    public static long parseMemTotalKb(String meminfo) {
        return parseStatusField(meminfo, "MemTotal:");
    }
}
