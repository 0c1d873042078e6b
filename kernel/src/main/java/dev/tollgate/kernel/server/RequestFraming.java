package dev.tollgate.kernel.server;

import java.nio.ByteBuffer;

/**
 * The strict HTTP/1.1 request framing of one connection, fed every inbound byte in order before
 * Undertow's parser sees it. It follows message boundaries across keep-alive requests: it checks
 * each request head (request line and header lines up to the blank line, counted against the
 * head size and field limits), decides the body's framing from the head alone, skips a
 * {@code Content-Length} body, validates a chunked body as it streams through, then expects the
 * next head.
 *
 * <p>Strict where lenient parsing lets a second request hide inside a body behind a front proxy
 * that frames it differently: only {@code chunked} is accepted as a transfer coding, a head with
 * both framing headers or with differing or malformed lengths is refused, and every line must
 * end in CRLF (a bare LF or CR is refused: no client of an API needs it). Allocation-free;
 * confined to the connection's I/O thread. Public for the benchmark in bench/ only.
 */
public final class RequestFraming {

    static final int MAX_FIELDS = 200;
    /** Longest chunk-size line, extensions included. */
    static final int MAX_CHUNK_LINE = 1024;
    /** Chunk-extension bytes allowed in one message. */
    static final int MAX_CHUNK_EXTENSIONS = 16 * 1024;

    private static final int METHOD_START = 0;
    private static final int METHOD = 1;
    private static final int TARGET_START = 2;
    private static final int TARGET = 3;
    private static final int PERCENT_1 = 4;
    private static final int PERCENT_2 = 5;
    private static final int VERSION = 6;
    private static final int REQUEST_LINE_LF = 7;
    private static final int LINE_START = 8;
    private static final int NAME = 9;
    private static final int VALUE = 10;
    private static final int VALUE_LF = 11;
    private static final int HEAD_END_LF = 12;
    private static final int BODY = 13;
    private static final int CHUNK_SIZE_START = 14;
    private static final int CHUNK_SIZE = 15;
    private static final int CHUNK_BWS = 16;
    private static final int CHUNK_EXT = 17;
    private static final int CHUNK_SIZE_LF = 18;
    private static final int CHUNK_DATA = 19;
    private static final int CHUNK_DATA_CR = 20;
    private static final int CHUNK_DATA_LF = 21;

    private static final int OTHER_FIELD = 0;
    private static final int CONTENT_LENGTH_FIELD = 1;
    private static final int TRANSFER_ENCODING_FIELD = 2;

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "chunked".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final boolean[] TCHAR = new boolean[256];
    private static final byte[] HEX = new byte[256];
    /** Bytes allowed in a header value: visible, space, tab and obs-text. */
    private static final boolean[] FIELD_VCHAR = new boolean[256];
    private static final ThreadLocal<byte[]> WINDOW = ThreadLocal.withInitial(() -> new byte[4096]);

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = 0; c < 256; c++) {
            FIELD_VCHAR[c] = c == '\t' || (c >= 0x20 && c != 0x7f);
        }
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = 0; c < 16; c++) {
            HEX["0123456789abcdef".charAt(c)] = (byte) c;
            HEX["0123456789ABCDEF".charAt(c)] = (byte) c;
        }
    }

    private final int maxHeadBytes;

    private int state = METHOD_START;
    private int headBytes;
    private int headBeganAt = -1;
    private int fields;
    private int position;
    private boolean http10;
    private boolean trailer;
    private Rejection violation;

    private int field;
    private boolean nameMayBeContentLength;
    private boolean nameMayBeTransferEncoding;

    private boolean sawContentLength;
    private long contentLength;
    private int lengthDigits;
    private boolean lengthEnded;

    private boolean sawTransferEncoding;
    private int chunkedCount;
    private boolean otherCoding;
    private int tokenLength;
    private boolean tokenIsChunked;
    private boolean tokenEnded;

    private long remaining;
    private int chunkDigits;
    private int chunkLineBytes;
    private int extensionBytes;

    public RequestFraming(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    /**
     * Scans {@code buffer[from, to)} (absolute indexes, position untouched). Returns {@code to},
     * or the index of the first byte that breaks the framing, with {@link #violation()} set;
     * nothing may be scanned after a violation.
     */
    public int scan(ByteBuffer buffer, int from, int to) {
        headBeganAt = -1;
        if (buffer.hasArray()) {
            int offset = buffer.arrayOffset();
            return scanBytes(buffer.array(), from + offset, to + offset, -offset, false) - offset;
        }
        // Per-byte reads of a direct buffer cost several times those of an array: copy the framing
        // bytes into one (bodies are skipped, never copied).
        byte[] window = WINDOW.get();
        int i = from;
        while (i < to) {
            if (state == BODY || state == CHUNK_DATA) {
                i = skip(i, to);
                continue;
            }
            int n = Math.min(window.length, to - i);
            buffer.get(i, window, 0, n);
            int end = scanBytes(window, 0, n, i, true);
            if (violation != null) {
                return end + i;
            }
            i += end;
        }
        return to;
    }

    private int skip(int i, int to) {
        int n = (int) Math.min(remaining, to - i);
        remaining -= n;
        if (remaining == 0) {
            if (state == BODY) {
                endMessage();
            } else {
                state = CHUNK_DATA_CR;
            }
        }
        return i + n;
    }

    /** Scans {@code a[from, to)}; {@code base} turns its indexes into the caller's. Stops at a body when {@code stopAtBody}. */
    private int scanBytes(byte[] a, int from, int to, int base, boolean stopAtBody) {
        int i = from;
        while (i < to) {
            switch (state) {
                case BODY, CHUNK_DATA -> {
                    if (stopAtBody) {
                        return i;
                    }
                    i = skip(i, to);
                }
                case VALUE -> {
                    int end = valueRun(a, i, to);
                    if (end < 0) {
                        return -end - 1;
                    }
                    i = end;
                }
                case NAME -> {
                    int end = nameRun(a, i, to);
                    if (end < 0) {
                        return -end - 1;
                    }
                    i = end;
                }
                case TARGET -> {
                    int end = targetRun(a, i, to);
                    if (end < 0) {
                        return -end - 1;
                    }
                    i = end;
                }
                default -> {
                    if (state == METHOD_START) {
                        headBeganAt = i + base;
                    }
                    if (!step(a[i])) {
                        return i;
                    }
                    i++;
                }
            }
        }
        return to;
    }

    /** The index in the last scanned range where the unfinished head began, or -1 when it began before that range. */
    int headBeganAt() {
        return headBeganAt;
    }

    /** Whether a request head has begun and not ended (chunked trailers are part of the body). */
    boolean inHead() {
        return state != METHOD_START && state < BODY && !trailer;
    }

    /** Whether the scanned bytes end inside a message body. */
    boolean inBody() {
        return state >= BODY || trailer;
    }

    /** Whether the scanned bytes end exactly between two messages. */
    public boolean betweenMessages() {
        return state == METHOD_START;
    }

    Rejection violation() {
        return violation;
    }

    /** Consumes a run of header-name bytes up to the colon; the index after it, or {@code -(index + 1)} of a violating byte. */
    private int nameRun(byte[] a, int from, int to) {
        int i = from;
        boolean framingName = nameMayBeContentLength || nameMayBeTransferEncoding;
        while (i < to) {
            int c = a[i] & 0xff;
            if (!TCHAR[c]) {
                if (!count(i - from + 1) || !name(c)) {
                    return -(i + 1);
                }
                return i + 1;
            }
            if (framingName) {
                nameByte(c);
                framingName = nameMayBeContentLength || nameMayBeTransferEncoding;
            }
            i++;
        }
        return count(i - from) ? to : -to;
    }

    /** Consumes a run of request-target bytes; the index after it, or {@code -(index + 1)} of a violating byte. */
    private int targetRun(byte[] a, int from, int to) {
        int i = from;
        while (i < to) {
            int c = a[i] & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '%') {
                if (!count(i - from + 1) || !step0(c)) {
                    return -(i + 1);
                }
                return i + 1;
            }
            i++;
        }
        return count(i - from) ? to : -to;
    }

    /** Consumes a run of header-value bytes; the index after it, or {@code -(index + 1)} of a violating byte. */
    private int valueRun(byte[] a, int from, int to) {
        int i = from;
        boolean plain = field == OTHER_FIELD;
        while (i < to) {
            int c = a[i] & 0xff;
            if (plain && FIELD_VCHAR[c]) {
                i++;
                continue;
            }
            if (c == '\r') {
                if (!count(i - from + 1)) {
                    return -(i + 1);
                }
                if (!endValue()) {
                    return -(i + 1);
                }
                state = VALUE_LF;
                return i + 1;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                violation = c == '\n' ? Rejection.BARE_LINE_END : Rejection.HEADER_VALUE;
                return -(i + 1);
            }
            if (field != OTHER_FIELD && !valueByte(c)) {
                return -(i + 1);
            }
            i++;
        }
        if (!count(i - from)) {
            return -(to);
        }
        return to;
    }

    private boolean count(int n) {
        headBytes += n;
        if (headBytes > maxHeadBytes) {
            violation = state < LINE_START ? Rejection.uriTooLong(maxHeadBytes) : Rejection.headTooLarge(maxHeadBytes);
            return false;
        }
        return true;
    }

    private boolean fail(Rejection r) {
        violation = r;
        return false;
    }

    private boolean step(byte b) {
        int c = b & 0xff;
        if ((state < BODY || trailer) && !count(1)) {
            return false;
        }
        return step0(c);
    }

    private boolean step0(int c) {
        switch (state) {
            case METHOD_START, METHOD -> {
                if (TCHAR[c]) {
                    state = METHOD;
                    return true;
                }
                if (c == ' ' && state == METHOD) {
                    state = TARGET_START;
                    return true;
                }
                return fail(Rejection.MALFORMED_REQUEST_LINE);
            }
            case TARGET_START -> {
                // origin form, or absolute form (a scheme); Undertow refuses the asterisk form with its own 400
                if (c == '/' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
                    state = TARGET;
                    return true;
                }
                return fail(Rejection.MALFORMED_REQUEST_LINE);
            }
            case TARGET -> {
                if (c == '%') {
                    state = PERCENT_1;
                    return true;
                }
                if (c > 0x20 && c < 0x7f) {
                    state = TARGET;
                    return true;
                }
                if (c == ' ') {
                    state = VERSION;
                    position = 0;
                    return true;
                }
                return fail(Rejection.MALFORMED_REQUEST_LINE);
            }
            case PERCENT_1, PERCENT_2 -> {
                if (HEX[c] < 0) {
                    return fail(Rejection.MALFORMED_REQUEST_LINE);
                }
                state = state == PERCENT_1 ? PERCENT_2 : TARGET;
                return true;
            }
            case VERSION -> {
                return version(c);
            }
            case REQUEST_LINE_LF, VALUE_LF -> {
                if (c != '\n') {
                    return fail(Rejection.BARE_LINE_END);
                }
                state = LINE_START;
                return true;
            }
            case LINE_START -> {
                return lineStart(c);
            }
            case NAME -> {
                return name(c);
            }
            case HEAD_END_LF -> {
                if (c != '\n') {
                    return fail(Rejection.BARE_LINE_END);
                }
                return endHead();
            }
            default -> {
                return chunkFraming(c);
            }
        }
    }

    private boolean version(int c) {
        if (position < HTTP_1.length) {
            if (c != HTTP_1[position]) {
                return fail(position >= 5 && c >= '0' && c <= '9' ? Rejection.HTTP_VERSION : Rejection.MALFORMED_REQUEST_LINE);
            }
            position++;
            return true;
        }
        if (position == HTTP_1.length) {
            if (c != '0' && c != '1') {
                return fail(c >= '0' && c <= '9' ? Rejection.HTTP_VERSION : Rejection.MALFORMED_REQUEST_LINE);
            }
            http10 = c == '0';
            position++;
            return true;
        }
        if (c != '\r') {
            return fail(c >= '0' && c <= '9' ? Rejection.HTTP_VERSION
                    : c == '\n' ? Rejection.BARE_LINE_END : Rejection.MALFORMED_REQUEST_LINE);
        }
        state = REQUEST_LINE_LF;
        return true;
    }

    private boolean lineStart(int c) {
        if (c == '\r') {
            state = HEAD_END_LF;
            return true;
        }
        if (c == ' ' || c == '\t') {
            return fail(trailer ? Rejection.TRAILER : Rejection.OBS_FOLD);
        }
        if (!TCHAR[c]) {
            return fail(c == '\n' ? Rejection.BARE_LINE_END : trailer ? Rejection.TRAILER : Rejection.HEADER_NAME);
        }
        if (++fields > MAX_FIELDS) {
            return fail(Rejection.TOO_MANY_FIELDS);
        }
        state = NAME;
        position = 0;
        field = OTHER_FIELD;
        nameMayBeContentLength = !trailer;
        nameMayBeTransferEncoding = !trailer;
        return nameByte(c);
    }

    private boolean name(int c) {
        if (TCHAR[c]) {
            return nameByte(c);
        }
        if (c == ':') {
            if (nameMayBeContentLength && position == CONTENT_LENGTH.length) {
                if (sawContentLength) {
                    return fail(Rejection.DUPLICATE_CONTENT_LENGTH);
                }
                sawContentLength = true;
                field = CONTENT_LENGTH_FIELD;
                contentLength = 0;
                lengthDigits = 0;
                lengthEnded = false;
            } else if (nameMayBeTransferEncoding && position == TRANSFER_ENCODING.length) {
                sawTransferEncoding = true;
                field = TRANSFER_ENCODING_FIELD;
                tokenLength = 0;
                tokenIsChunked = true;
                tokenEnded = false;
            }
            state = VALUE;
            return true;
        }
        return fail(c == ' ' || c == '\t' ? Rejection.SPACE_BEFORE_COLON
                : c == '\r' || c == '\n' ? (trailer ? Rejection.TRAILER : Rejection.HEADER_NAME)
                : trailer ? Rejection.TRAILER : Rejection.HEADER_NAME);
    }

    private boolean nameByte(int c) {
        int lower = c | 0x20;
        if (nameMayBeContentLength && (position >= CONTENT_LENGTH.length || CONTENT_LENGTH[position] != lower)) {
            nameMayBeContentLength = false;
        }
        if (nameMayBeTransferEncoding && (position >= TRANSFER_ENCODING.length || TRANSFER_ENCODING[position] != lower)) {
            nameMayBeTransferEncoding = false;
        }
        position++;
        return true;
    }

    /** One byte of a Content-Length or Transfer-Encoding value. */
    private boolean valueByte(int c) {
        boolean space = c == ' ' || c == '\t';
        if (field == CONTENT_LENGTH_FIELD) {
            if (space) {
                lengthEnded = lengthDigits > 0;
                return true;
            }
            if (c < '0' || c > '9' || lengthEnded || lengthDigits == 18) {
                return fail(Rejection.CONTENT_LENGTH);
            }
            contentLength = contentLength * 10 + (c - '0');
            lengthDigits++;
            return true;
        }
        if (space) {
            tokenEnded = tokenLength > 0;
            return true;
        }
        if (c == ',') {
            endToken();
            return true;
        }
        if (tokenEnded || !TCHAR[c]) {
            otherCoding = true;
            tokenIsChunked = false;
            tokenLength++;
            return true;
        }
        if (tokenLength >= CHUNKED.length || CHUNKED[tokenLength] != (c | 0x20)) {
            tokenIsChunked = false;
        }
        tokenLength++;
        return true;
    }

    private void endToken() {
        if (tokenLength > 0) {
            if (tokenIsChunked && tokenLength == CHUNKED.length) {
                chunkedCount++;
            } else {
                otherCoding = true;
            }
        }
        tokenLength = 0;
        tokenIsChunked = true;
        tokenEnded = false;
    }

    private boolean endValue() {
        if (field == CONTENT_LENGTH_FIELD && lengthDigits == 0) {
            return fail(Rejection.CONTENT_LENGTH);
        }
        if (field == TRANSFER_ENCODING_FIELD) {
            endToken();
        }
        field = OTHER_FIELD;
        return true;
    }

    private boolean endHead() {
        if (trailer) {
            endMessage();
            return true;
        }
        if (sawTransferEncoding) {
            if (sawContentLength) {
                return fail(Rejection.LENGTH_AND_CHUNKED);
            }
            if (http10) {
                return fail(Rejection.TRANSFER_ENCODING_HTTP10);
            }
            if (otherCoding) {
                return fail(Rejection.UNSUPPORTED_TRANSFER_ENCODING);
            }
            if (chunkedCount == 0) {
                return fail(Rejection.EMPTY_TRANSFER_ENCODING);
            }
            if (chunkedCount > 1) {
                return fail(Rejection.CHUNKED_TWICE);
            }
            state = CHUNK_SIZE_START;
            startChunkLine();
            extensionBytes = 0;
            return true;
        }
        if (sawContentLength && contentLength > 0) {
            state = BODY;
            remaining = contentLength;
            return true;
        }
        endMessage();
        return true;
    }

    private void startChunkLine() {
        chunkDigits = 0;
        chunkLineBytes = 0;
        remaining = 0;
    }

    private boolean chunkFraming(int c) {
        if (state != CHUNK_DATA_CR && state != CHUNK_DATA_LF && ++chunkLineBytes > MAX_CHUNK_LINE) {
            return fail(Rejection.CHUNK_LINE);
        }
        switch (state) {
            case CHUNK_SIZE_START, CHUNK_SIZE -> {
                int digit = HEX[c];
                if (digit >= 0) {
                    if (++chunkDigits > 15) {
                        return fail(Rejection.CHUNK_SIZE);
                    }
                    remaining = remaining * 16 + digit;
                    state = CHUNK_SIZE;
                    return true;
                }
                if (state == CHUNK_SIZE) {
                    if (c == '\r') {
                        state = CHUNK_SIZE_LF;
                        return true;
                    }
                    if (c == ';') {
                        state = CHUNK_EXT;
                        return true;
                    }
                    if (c == ' ' || c == '\t') {
                        state = CHUNK_BWS;
                        return true;
                    }
                }
                return fail(c == '\n' ? Rejection.BARE_LINE_END : Rejection.CHUNK_SIZE);
            }
            case CHUNK_BWS -> {
                if (c == ' ' || c == '\t') {
                    return true;
                }
                if (c == ';') {
                    state = CHUNK_EXT;
                    return true;
                }
                if (c == '\r') {
                    state = CHUNK_SIZE_LF;
                    return true;
                }
                return fail(Rejection.CHUNK_SIZE);
            }
            case CHUNK_EXT -> {
                if (c == '\r') {
                    state = CHUNK_SIZE_LF;
                    return true;
                }
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    return fail(c == '\n' ? Rejection.BARE_LINE_END : Rejection.CHUNK_SIZE);
                }
                if (++extensionBytes > MAX_CHUNK_EXTENSIONS) {
                    return fail(Rejection.CHUNK_LINE);
                }
                return true;
            }
            case CHUNK_SIZE_LF -> {
                if (c != '\n') {
                    return fail(Rejection.BARE_LINE_END);
                }
                if (remaining == 0) {
                    trailer = true;
                    state = LINE_START;
                    headBytes = 0;
                    fields = 0;
                } else {
                    state = CHUNK_DATA;
                }
                return true;
            }
            case CHUNK_DATA_CR -> {
                if (c != '\r') {
                    return fail(Rejection.CHUNK_DATA_END);
                }
                state = CHUNK_DATA_LF;
                return true;
            }
            case CHUNK_DATA_LF -> {
                if (c != '\n') {
                    return fail(Rejection.CHUNK_DATA_END);
                }
                state = CHUNK_SIZE_START;
                startChunkLine();
                return true;
            }
            default -> throw new IllegalStateException("framing state " + state);
        }
    }

    private void endMessage() {
        state = METHOD_START;
        headBytes = 0;
        fields = 0;
        http10 = false;
        trailer = false;
        field = OTHER_FIELD;
        sawContentLength = false;
        sawTransferEncoding = false;
        chunkedCount = 0;
        otherCoding = false;
        remaining = 0;
    }
}
