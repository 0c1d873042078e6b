package dev.tollgate.it.dist;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One streamed chat request on a raw socket, and what came back first: the status and, for a 200,
 * the first SSE event, or for an error the body. A raw socket shows a client that got nothing at
 * all, which an HTTP client library would turn into a timeout of its own.
 */
final class RawClientStream implements AutoCloseable {

    private final Socket socket = new Socket();
    private volatile int status = -1;
    private volatile String firstEvent;
    private volatile String errorBody;

    /** Connects and sends a streamed request for {@code model} whose user message is {@code content}. */
    RawClientStream(int port, String model, String content) throws IOException {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + content
                + "\"}]}";
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n";
        socket.getOutputStream().write((head + body).getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /**
     * Reads until the status and the first event (200) or the error body arrived, at most
     * {@code limit}; returns whether anything was answered.
     */
    boolean awaitAnswer(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            InputStream in = socket.getInputStream();
            String headers = readUntil(in, "\r\n\r\n", deadline);
            if (headers == null) {
                return false;
            }
            status = Integer.parseInt(headers.substring(9, 12));
            if (status == 200) {
                String event = readUntil(in, "\n\n", deadline);
                firstEvent = event;
                return event != null;
            }
            int length = 0;
            for (String line : headers.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            errorBody = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return true;
        } catch (SocketTimeoutException e) {
            return status > 0 && status != 200;
        } catch (IOException e) {
            return false;
        }
    }

    private String readUntil(InputStream in, String end, long deadline) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] tail = end.getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        while (matched < tail.length) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int c;
            try {
                c = in.read();
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (c < 0) {
                return null;
            }
            b.write(c);
            matched = c == tail[matched] ? matched + 1 : (c == tail[0] ? 1 : 0);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    int status() {
        return status;
    }

    /** Streaming: a 200 whose first event arrived. */
    boolean streaming() {
        return status == 200 && firstEvent != null;
    }

    String firstEvent() {
        return firstEvent;
    }

    String errorBody() {
        return errorBody;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return status < 0 ? "no answer" : status + (errorBody != null ? " " + errorBody : "");
    }
}
