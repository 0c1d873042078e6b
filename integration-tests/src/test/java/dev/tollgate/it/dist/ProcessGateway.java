package dev.tollgate.it.dist;

import dev.tollgate.it.RunningGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The distribution's {@code bin/tollgate} as its own OS process, on a free port, with a
 * configuration written into {@code workDir}: for tests that need instances which share nothing
 * but the servers they are pointed at.
 */
public final class ProcessGateway implements RunningGateway {

    private final GatewayProcess process;
    private final int port;

    private ProcessGateway(GatewayProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts and waits until ready (at most 60 s), or fails with the process's output. */
    public static ProcessGateway start(Path workDir, String yaml, Map<String, String> env) {
        try {
            Files.createDirectories(workDir);
            Path config = workDir.resolve("tollgate.yaml");
            Files.writeString(config, yaml);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            GatewayProcess p = GatewayProcess.start(workDir, env, "--config", config.toString(), "--port", Integer.toString(port));
            try {
                p.awaitReady(port, Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.close();
                throw new IllegalStateException(e);
            } catch (RuntimeException | AssertionError e) {
                p.close();
                throw e;
            }
            return new ProcessGateway(p, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.close();
    }
}
