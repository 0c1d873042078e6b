package dev.tollgate.bench.load;

/**
 * Incremental HTTP/1.1 response parser for the load generator: status line, headers (Content-Length,
 * Transfer-Encoding: chunked, Connection: close), then a fixed-length, chunked or read-until-close body. It copies
 * nothing but the header block, and can count SSE events ({@code data:} at the start of a line) in the body.
 *
 * <p>Use: {@link #reset()} before each response, then {@link #feed} bytes as they arrive until {@link #isComplete()}.
 */
public final class ResponseParser {

    private static final int HEAD = 0, FIXED = 1, CHUNK_SIZE = 2, CHUNK_DATA = 3, CHUNK_DATA_END = 4,
            TRAILER = 5, UNTIL_CLOSE = 6, DONE = 7;
    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};

    private final boolean countEvents;
    private byte[] head = new byte[1024];
    private int headLen;
    private int crlfMatch;   // progress through "\r\n\r\n" at the end of the header block

    private int state;
    private int status;
    private boolean chunked;
    private boolean close;
    private long remaining;  // body bytes (FIXED) or chunk bytes (CHUNK_DATA) still due
    private long chunkSize;
    private boolean chunkSizeDigits;
    private boolean chunkExt;
    private int lineLen;     // bytes on the current trailer line

    private boolean lineStart;
    private int dataMatch;
    private int events;
    private int eventsInLastFeed;
    private long bodyBytes;

    public ResponseParser(boolean countEvents) {
        this.countEvents = countEvents;
        reset();
    }

    public void reset() {
        headLen = 0;
        crlfMatch = 0;
        state = HEAD;
        status = 0;
        chunked = false;
        close = false;
        remaining = 0;
        chunkSize = 0;
        chunkSizeDigits = false;
        chunkExt = false;
        lineLen = 0;
        lineStart = true;
        dataMatch = 0;
        events = 0;
        eventsInLastFeed = 0;
        bodyBytes = 0;
    }

    /**
     * Consumes bytes of the response. Returns how many were consumed: all of them unless the response completed
     * inside the range (the rest would belong to a next response). Throws {@link ProtocolException} on bytes that
     * are not HTTP.
     */
    public int feed(byte[] b, int off, int len) throws ProtocolException {
        eventsInLastFeed = 0;
        int i = off;
        int end = off + len;
        while (i < end && state != DONE) {
            switch (state) {
                case HEAD -> i = head(b, i, end);
                case FIXED -> {
                    int n = (int) Math.min(remaining, end - i);
                    payload(b, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) state = DONE;
                }
                case UNTIL_CLOSE -> {
                    payload(b, i, end - i);
                    i = end;
                }
                case CHUNK_SIZE -> i = chunkSize(b, i, end);
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    payload(b, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = CHUNK_DATA_END;
                        lineLen = 0;
                    }
                }
                case CHUNK_DATA_END -> {
                    byte c = b[i++];
                    if (c == '\n') {
                        state = CHUNK_SIZE;
                        resetChunkSize();
                    } else if (c != '\r') {
                        throw new ProtocolException("no CRLF after chunk data");
                    }
                }
                case TRAILER -> {
                    byte c = b[i++];
                    if (c == '\n') {
                        if (lineLen == 0) state = DONE;
                        lineLen = 0;
                    } else if (c != '\r') {
                        lineLen++;
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return i - off;
    }

    /** The peer closed the connection: completes a read-until-close body. */
    public void endOfInput() {
        if (state == UNTIL_CLOSE) state = DONE;
    }

    public boolean isComplete() {
        return state == DONE;
    }

    public boolean headersDone() {
        return state != HEAD;
    }

    public int status() {
        return status;
    }

    /** The server asked to close the connection after this response (or it is HTTP/1.0 or read-until-close). */
    public boolean connectionClose() {
        return close;
    }

    public int events() {
        return events;
    }

    public int eventsInLastFeed() {
        return eventsInLastFeed;
    }

    public long bodyBytes() {
        return bodyBytes;
    }

    private void payload(byte[] b, int off, int n) {
        bodyBytes += n;
        if (!countEvents) return;
        int found = 0;
        boolean ls = lineStart;
        int m = dataMatch;
        for (int i = off, e = off + n; i < e; i++) {
            byte c = b[i];
            if (m > 0 || ls) {
                if (c == DATA[m]) {
                    if (++m == DATA.length) {
                        found++;
                        m = 0;
                    }
                } else {
                    m = 0;
                }
            }
            ls = c == '\n';
        }
        lineStart = ls;
        dataMatch = m;
        events += found;
        eventsInLastFeed += found;
    }

    private void resetChunkSize() {
        chunkSize = 0;
        chunkSizeDigits = false;
        chunkExt = false;
    }

    private int chunkSize(byte[] b, int i, int end) throws ProtocolException {
        while (i < end) {
            byte c = b[i++];
            if (c == '\n') {
                if (!chunkSizeDigits) throw new ProtocolException("empty chunk size");
                if (chunkSize == 0) {
                    state = TRAILER;
                    lineLen = 0;
                } else {
                    state = CHUNK_DATA;
                    remaining = chunkSize;
                }
                return i;
            }
            if (c == '\r' || chunkExt) continue;
            if (c == ';' || c == ' ' || c == '\t') {
                chunkExt = true;
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0) throw new ProtocolException("bad chunk size byte " + c);
            chunkSize = (chunkSize << 4) | d;
            chunkSizeDigits = true;
            if (chunkSize > (1L << 40)) throw new ProtocolException("chunk too large");
        }
        return i;
    }

    private int head(byte[] b, int i, int end) throws ProtocolException {
        int start = i;
        int m = crlfMatch;
        while (i < end) {
            byte c = b[i++];
            // m: 0 inside a line, 1 after CR, 2 at a line end, 3 after CR at a line end
            if (c == '\n') {
                if (m >= 2) {
                    m = 4;
                    break;
                }
                m = 2;
            } else if (c == '\r') {
                m = (m == 2) ? 3 : 1;
            } else {
                m = 0;
            }
        }
        append(b, start, i - start);
        crlfMatch = m;
        if (m == 4) parseHead();
        return i;
    }

    private void append(byte[] b, int off, int n) throws ProtocolException {
        if (headLen + n > head.length) {
            if (headLen + n > 64 * 1024) throw new ProtocolException("header block over 64 KiB");
            byte[] bigger = new byte[Math.max(head.length * 2, headLen + n)];
            System.arraycopy(head, 0, bigger, 0, headLen);
            head = bigger;
        }
        System.arraycopy(b, off, head, headLen, n);
        headLen += n;
    }

    private void parseHead() throws ProtocolException {
        byte[] h = head;
        int n = headLen;
        if (n < 12 || h[0] != 'H' || h[1] != 'T' || h[2] != 'T' || h[3] != 'P' || h[4] != '/') {
            throw new ProtocolException("not an HTTP response");
        }
        boolean http10 = h[5] == '1' && h[6] == '.' && h[7] == '0';
        int s = 0;
        for (int k = 9; k < 12; k++) {
            int d = h[k] - '0';
            if (d < 0 || d > 9) throw new ProtocolException("bad status code");
            s = s * 10 + d;
        }
        status = s;
        long contentLength = -1;
        boolean keepAlive = false;
        int p = indexOf(h, 0, n, (byte) '\n') + 1;
        while (p < n) {
            int eol = indexOf(h, p, n, (byte) '\n');
            if (eol < 0) eol = n;
            int lineEnd = eol > p && h[eol - 1] == '\r' ? eol - 1 : eol;
            if (lineEnd == p) break; // empty line: end of headers
            int colon = indexOf(h, p, lineEnd, (byte) ':');
            if (colon > p) {
                int vs = colon + 1;
                while (vs < lineEnd && (h[vs] == ' ' || h[vs] == '\t')) vs++;
                int ve = lineEnd;
                while (ve > vs && (h[ve - 1] == ' ' || h[ve - 1] == '\t')) ve--;
                if (nameIs(h, p, colon, "content-length")) {
                    long v = 0;
                    for (int k = vs; k < ve; k++) {
                        int d = h[k] - '0';
                        if (d < 0 || d > 9) throw new ProtocolException("bad Content-Length");
                        v = v * 10 + d;
                    }
                    contentLength = v;
                } else if (nameIs(h, p, colon, "transfer-encoding")) {
                    if (containsIgnoreCase(h, vs, ve, "chunked")) chunked = true;
                } else if (nameIs(h, p, colon, "connection")) {
                    if (containsIgnoreCase(h, vs, ve, "close")) close = true;
                    if (containsIgnoreCase(h, vs, ve, "keep-alive")) keepAlive = true;
                }
            }
            p = eol + 1;
        }
        if (http10 && !keepAlive) close = true;
        if (s == 204 || s == 304 || (s >= 100 && s < 200)) {
            state = DONE;
        } else if (chunked) {
            state = CHUNK_SIZE;
            resetChunkSize();
        } else if (contentLength >= 0) {
            remaining = contentLength;
            state = contentLength == 0 ? DONE : FIXED;
        } else {
            close = true;
            state = UNTIL_CLOSE;
        }
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) return i;
        }
        return -1;
    }

    private static boolean nameIs(byte[] b, int from, int to, String lower) {
        int len = to - from;
        if (len != lower.length()) return false;
        for (int i = 0; i < len; i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != lower.charAt(i)) return false;
        }
        return true;
    }

    private static boolean containsIgnoreCase(byte[] b, int from, int to, String lower) {
        int n = lower.length();
        outer:
        for (int i = from; i + n <= to; i++) {
            for (int k = 0; k < n; k++) {
                int c = b[i + k];
                if (c >= 'A' && c <= 'Z') c += 32;
                if (c != lower.charAt(k)) continue outer;
            }
            return true;
        }
        return false;
    }

    /** Bytes that are not a valid HTTP/1.1 response. */
    public static final class ProtocolException extends Exception {
        public ProtocolException(String message) {
            super(message);
        }
    }
}
