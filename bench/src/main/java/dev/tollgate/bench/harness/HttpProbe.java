package dev.tollgate.bench.harness;

import dev.tollgate.bench.load.ResponseParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One blocking HTTP/1.1 request on a fresh connection, for readiness checks. */
final class HttpProbe {

    private HttpProbe() {}

    /** Status code of {@code GET path}, or -1 when nothing answers. */
    static int get(int port, String path, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            ResponseParser p = new ResponseParser(false);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n;
            while (!p.isComplete() && (n = in.read(buf)) > 0) p.feed(buf, 0, n);
            if (!p.isComplete()) p.endOfInput();
            return p.headersDone() ? p.status() : -1;
        } catch (IOException | ResponseParser.ProtocolException e) {
            return -1;
        }
    }

    /** Waits until {@code GET path} answers 200; false on timeout or when {@code alive} turns false. */
    static boolean awaitOk(int port, String path, long timeoutMs, java.util.function.BooleanSupplier alive)
            throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (get(port, path, 1_000) == 200) return true;
            if (!alive.getAsBoolean()) return false;
            Thread.sleep(100);
        }
        return false;
    }
}
