package dev.tollgate.it.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/tollgate} of the unpacked distribution run as a real process, with stdout and stderr
 * captured to files in its working directory. {@link #close} always kills it.
 */
final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private GatewayProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code bin/tollgate args} in {@code workDir}. The child gets this environment without
     * {@code TOLLGATE_PORT}, {@code JAVA_HOME} pointing at the JDK running the tests, then
     * {@code env} on top (a {@code null} value removes a variable).
     */
    static GatewayProcess start(Path workDir, Map<String, String> env, String... args) {
        return start(workDir, env, List.of(), args);
    }

    /** Like {@link #start}, with the process's open-file limit lowered to {@code openFiles} first ({@code ulimit -n}). */
    static GatewayProcess startWithOpenFileLimit(Path workDir, Map<String, String> env, int openFiles, String... args) {
        return start(workDir, env, List.of("/bin/bash", "-c", "ulimit -n " + openFiles + " && exec \"$0\" \"$@\""), args);
    }

    private static GatewayProcess start(Path workDir, Map<String, String> env, List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(Dist.launcher().toString());
        command.addAll(List.of(args));
        return start(workDir, env, command);
    }

    private static GatewayProcess start(Path workDir, Map<String, String> env, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> e = pb.environment();
        e.remove("TOLLGATE_PORT");
        e.remove("TOLLGATE_JAVA_OPTS");
        e.put("JAVA_HOME", System.getProperty("java.home"));
        env.forEach((k, v) -> {
            if (v == null) {
                e.remove(k);
            } else {
                e.put(k, v);
            }
        });
        Path out = workDir.resolve("tollgate.out");
        Path err = workDir.resolve("tollgate.err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        try {
            return new GatewayProcess(pb.start(), out, err);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    /** Polls {@code GET /health/ready} until it answers 200; fails at once if the process exits. */
    void awaitReady(int port, Duration limit) throws InterruptedException {
        HttpClient client = Dist.client();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway exited with " + process.exitValue() + " before it was ready\n" + output());
            }
            try {
                HttpResponse<String> r = Dist.get(client, port, "/health/ready");
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gateway was not ready on port " + port + " within " + limit + "\n" + output());
    }

    /** Waits for the process to exit; the exit code, or fails with the output when it is still running. */
    int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the gateway did not exit within " + limit + "\n" + output());
        }
        return process.exitValue();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /** Both captured streams, for failure messages. */
    String output() {
        return "--- stdout ---\n" + tail(stdout()) + "\n--- stderr ---\n" + tail(stderr());
    }

    private static String tail(String s) {
        return s.length() <= 6000 ? s : "..." + s.substring(s.length() - 6000);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "<cannot read " + p + ": " + e + ">";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
