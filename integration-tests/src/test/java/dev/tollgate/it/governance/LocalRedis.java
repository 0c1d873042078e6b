package dev.tollgate.it.governance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of this test's own: free port, own folder, nothing saved; fails (never
 * skips) without the binary. It can be stopped and started again on the same port (empty again,
 * since nothing is saved), as an outage and its end.
 */
public final class LocalRedis implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    private LocalRedis(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static LocalRedis start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tollgate-it-redis-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LocalRedis redis = new LocalRedis(dir, port);
        redis.process = launch(dir, port);
        return redis;
    }

    /** Stops the server (its clients see their connections close); {@link #restart()} brings it back on the same port. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Starts a stopped server again on the same port, without the data it had. */
    public void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server is still running");
        }
        process = launch(dir, port);
    }

    private static Process launch(Path dir, int port) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("redis-server is not installed; install it: apt-get install -y redis-server", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (pong(port)) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
            }
            Thread.sleep(20);
        }
        p.destroyForcibly();
        throw new IOException("redis-server did not answer PING on port " + port + " within 10 s");
    }

    private static boolean pong(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] b = new byte[7];
            return in.readNBytes(b, 0, 7) == 7 && new String(b, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException notYet) {
            return false;
        }
    }

    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
