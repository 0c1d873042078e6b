package dev.tollgate.bench.harness;

import dev.tollgate.bench.proc.ProcStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A process the harness started: its log, the pid(s) to sample, and a stop by pid (SIGTERM, then SIGKILL). */
class ManagedProcess {
    final String name;
    final Process process;
    final Path log;
    /** The pid whose figures are sampled (the JVM for the gateway, the master for nginx). */
    volatile long samplePid;
    final boolean includeChildren;

    ManagedProcess(String name, Process process, Path log, boolean includeChildren) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.samplePid = process.pid();
        this.includeChildren = includeChildren;
    }

    List<Long> pids() {
        if (!process.isAlive()) return List.of();
        return includeChildren ? ProcStats.withChildren(samplePid) : List.of(samplePid);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The last lines of the process's log, for error messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM to the sampled pid and the started pid, wait, then SIGKILL. Idempotent. */
    void stop(long graceMs) {
        if (samplePid != process.pid()) {
            ProcessHandle.of(samplePid).ifPresent(ProcessHandle::destroy);
        }
        if (process.isAlive()) process.destroy();
        try {
            if (!process.waitFor(graceMs, TimeUnit.MILLISECONDS)) {
                ProcessHandle.of(samplePid).ifPresent(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        ProcessHandle.of(samplePid).ifPresent(h -> {
            if (h.isAlive()) h.destroyForcibly();
        });
    }
}
