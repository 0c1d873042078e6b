package dev.tollgate.kernel.records;

import dev.tollgate.spi.Bytes;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first {@code max} bytes of a body on its way to the client, for a request whose bodies are
 * logged; past that it only counts. Used on the request's I/O thread only.
 */
public final class BodyCapture {

    private final int max;
    private byte[] bytes = new byte[256];
    private int length;
    private long seen;

    public BodyCapture(int max) {
        this.max = max;
    }

    public void append(byte[] b, int offset, int n) {
        seen += n;
        int take = Math.min(n, max - length);
        if (take <= 0) {
            return;
        }
        if (length + take > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(max, Math.max(bytes.length * 2, length + take)));
        }
        System.arraycopy(b, offset, bytes, length, take);
        length += take;
    }

    public void append(byte[] b) {
        append(b, 0, b.length);
    }

    /** Copies what {@code view} holds without moving the caller's position. */
    public void append(ByteBuffer view) {
        ByteBuffer d = view.duplicate();
        int n = d.remaining();
        seen += n;
        int take = Math.min(n, max - length);
        if (take <= 0) {
            return;
        }
        if (length + take > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(max, Math.max(bytes.length * 2, length + take)));
        }
        d.get(bytes, length, take);
        length += take;
    }

    public void append(Bytes b) {
        append(b.asByteBuffer());
    }

    public boolean truncated() {
        return seen > length;
    }

    /** What was kept, as text (a character cut at the bound becomes U+FFFD), with a marker when bytes were left out. */
    public String text() {
        return text(bytes, length, seen);
    }

    /** The first {@code max} bytes of {@code body} as text, marked when cut. */
    public static String text(Bytes body, int max) {
        ByteBuffer view = body.asByteBuffer();
        int total = view.remaining();
        byte[] head = new byte[Math.min(max, total)];
        view.get(head);
        return text(head, head.length, total);
    }

    /** The first {@code max} bytes of {@code body} as text, marked when cut. */
    public static String text(byte[] body, int max) {
        return text(body, Math.min(max, body.length), body.length);
    }

    private static String text(byte[] b, int n, long total) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(b, 0, n));
            String s = chars.toString();
            return total > n ? s + "…[" + (total - n) + " more bytes not logged]" : s;
        } catch (java.nio.charset.CharacterCodingException e) {
            return "";
        }
    }
}
