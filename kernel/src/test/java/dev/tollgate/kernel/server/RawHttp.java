package dev.tollgate.kernel.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Raw-socket HTTP/1.1 for tests that must see exactly what goes over the wire. */
final class RawHttp {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)");

    private RawHttp() {}

    static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code request} and reads until the server closes (or 10 s pass). */
    static String exchange(int port, String request) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readToClose(s.getInputStream());
        }
    }

    /** Everything the server sends until it closes; fails when it keeps the connection open for 10 s. */
    static String readToClose(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open; received so far:\n" + out.toString(StandardCharsets.ISO_8859_1));
        } catch (SocketException reset) {
            // a reset after the answer still shows what was read
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads exactly one response (head and Content-Length body) without waiting for the close. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int contentLength = -1;
        int headEnd = -1;
        while (headEnd < 0 || buf.size() < headEnd + contentLength) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            buf.write(b);
            if (headEnd < 0 && buf.size() >= 4) {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                if (s.endsWith("\r\n\r\n")) {
                    headEnd = s.length();
                    Matcher m = CONTENT_LENGTH.matcher(s);
                    contentLength = m.find() ? Integer.parseInt(m.group(1)) : 0;
                }
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /**
     * The status codes of the responses in {@code wire}, in order, each framed by its
     * {@code Content-Length}; anything after the last whole response that is not one counts as -1.
     */
    static List<Integer> statuses(String wire) {
        List<Integer> out = new ArrayList<>();
        int at = 0;
        while (at < wire.length()) {
            Matcher status = STATUS_LINE.matcher(wire).region(at, wire.length());
            int headEnd = wire.indexOf("\r\n\r\n", at);
            if (!status.lookingAt() || headEnd < 0) {
                out.add(-1);
                break;
            }
            out.add(Integer.parseInt(status.group(1)));
            Matcher length = CONTENT_LENGTH.matcher(wire.substring(at, headEnd));
            at = headEnd + 4 + (length.find() ? Integer.parseInt(length.group(1)) : 0);
        }
        return out;
    }
}
