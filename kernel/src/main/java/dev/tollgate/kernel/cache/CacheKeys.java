package dev.tollgate.kernel.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.spi.chat.WireFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The cache key of a chat request: SHA-256 over the inbound format, the scope (a team, a key, or
 * nothing) and a canonical form of the body. The canonical form is the body's JSON with the keys
 * of every object sorted and numbers written one way ({@code 1}, {@code 1.0} and {@code 1e0} are
 * the same), in an unambiguous tagged encoding: two bodies get one key exactly when they ask the
 * same thing. Everything the answer may depend on is in it (model, messages, tools, response
 * format, sampling, stop, max tokens, any field the gateway does not know); only the top-level
 * fields that change how an answer is delivered or attributed, never what it says, are left out:
 * {@code stream}, {@code stream_options}, {@code user}, {@code metadata} and {@code store}.
 *
 * <p>Some requests ask for answers the canonical response cannot carry (several choices, log
 * probabilities, audio); they are not cacheable, and {@link #of} says so instead of returning a key.
 *
 * <p>One pass with Jackson's streaming parser; no tree is built. Not thread-safe: one instance per
 * thread ({@link #forThisThread()}).
 */
public final class CacheKeys {

    /** Top-level fields that do not change the answer's content. */
    static final Set<String> IGNORED = Set.of("stream", "stream_options", "user", "metadata", "store");
    /** Top-level fields that, unless at their neutral value, ask for what a cached answer cannot replay. */
    static final Set<String> UNCACHEABLE = Set.of("n", "logprobs", "top_logprobs", "audio", "web_search_options");

    private static final JsonFactory JSON = new JsonFactory();
    private static final ThreadLocal<CacheKeys> PER_THREAD = ThreadLocal.withInitial(CacheKeys::new);
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] VERSION = "tollgate-cache-v1".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha256;
    private byte[] buf = new byte[2048];
    private int len;
    /** Why the body being read is not cacheable, or null. */
    private String uncacheable;

    private CacheKeys() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static CacheKeys forThisThread() {
        return PER_THREAD.get();
    }

    /** A key, or why the request cannot be cached. */
    public record Result(String key, String uncacheable) {
        public boolean cacheable() {
            return key != null;
        }
    }

    /**
     * The key of {@code body} (a JSON object the codec already validated) for {@code format} in
     * {@code scope}. A body that does not parse is not cacheable (the codec refuses it anyway).
     */
    public Result of(WireFormat format, String scope, byte[] body, int offset, int length) {
        len = 0;
        uncacheable = null;
        try (JsonParser p = JSON.createParser(body, offset, length)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                return new Result(null, "the body is not a JSON object");
            }
            object(p, true);
        } catch (IOException | RuntimeException e) {
            return new Result(null, "the body is not valid JSON");
        }
        if (uncacheable != null) {
            return new Result(null, uncacheable);
        }
        MessageDigest d = sha256;
        d.reset();
        d.update(VERSION);
        d.update((byte) 0);
        d.update(format.name().getBytes(StandardCharsets.US_ASCII));
        d.update((byte) 0);
        d.update(scope.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(buf, 0, len);
        if (buf.length > 1 << 20) {
            buf = new byte[2048]; // do not keep a huge body's buffer for the thread's life
        }
        return new Result(HEX.formatHex(d.digest()), null);
    }

    private void value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> object(p, false);
            case START_ARRAY -> {
                put('[');
                JsonToken x;
                while ((x = p.nextToken()) != JsonToken.END_ARRAY) {
                    value(p, x);
                }
                put(']');
            }
            case VALUE_STRING -> string('s', p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(p);
            case VALUE_TRUE -> put('t');
            case VALUE_FALSE -> put('f');
            case VALUE_NULL -> put('z');
            default -> throw new IOException("unexpected " + t);
        }
    }

    private record Field(String name, int start, int end) {}

    private void object(JsonParser p, boolean top) throws IOException {
        put('{');
        int start = len;
        List<Field> fields = null;
        boolean sorted = true;
        String last = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (top) {
                if (IGNORED.contains(name)) {
                    p.skipChildren();
                    continue;
                }
                if (UNCACHEABLE.contains(name)) {
                    checkNeutral(name, v, p);
                }
            }
            int fieldStart = len;
            string('k', name);
            value(p, v);
            if (fields == null) {
                fields = new ArrayList<>(8);
            }
            fields.add(new Field(name, fieldStart, len));
            if (last != null && last.compareTo(name) > 0) {
                sorted = false;
            }
            last = name;
        }
        if (!sorted) {
            fields.sort((a, b) -> a.name.compareTo(b.name));
            byte[] region = Arrays.copyOfRange(buf, start, len);
            len = start;
            for (Field f : fields) {
                int n = f.end - f.start;
                System.arraycopy(region, f.start - start, buf, len, n);
                len += n;
            }
        }
        put('}');
    }

    /** {@code n: 1}, {@code logprobs: false} and nulls ask for nothing special; anything else is not cacheable. */
    private void checkNeutral(String name, JsonToken v, JsonParser p) throws IOException {
        boolean neutral = v == JsonToken.VALUE_NULL || v == JsonToken.VALUE_FALSE
                || (name.equals("n") && v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() == 1)
                || (name.equals("top_logprobs") && v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() == 0);
        if (!neutral && uncacheable == null) {
            uncacheable = "the request asks for " + name + ", which a cached answer cannot replay";
        }
    }

    private void number(JsonParser p) throws IOException {
        String text = p.getText();
        String canonical;
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && text.length() < 16 && !text.endsWith("0")) {
            canonical = text; // the common case (max_tokens: 256): already canonical
        } else {
            BigDecimal d = new BigDecimal(text).stripTrailingZeros();
            canonical = d.signum() == 0 ? "0" : d.toString();
        }
        put('n');
        ascii(canonical);
    }

    private void string(char tag, String s) {
        ensure(8 + s.length() * 3);
        buf[len++] = (byte) tag;
        varint(s.length());
        for (int i = 0; i < s.length(); i++) {
            utf8(s.charAt(i));
        }
    }

    private void string(char tag, char[] chars, int offset, int length) {
        ensure(8 + length * 3);
        buf[len++] = (byte) tag;
        varint(length);
        for (int i = offset; i < offset + length; i++) {
            utf8(chars[i]);
        }
    }

    /** Each UTF-16 unit as 1-3 bytes (surrogates alone): not standard UTF-8, but one-to-one, which is all a key needs. */
    private void utf8(char c) {
        if (c < 0x80) {
            buf[len++] = (byte) c;
        } else if (c < 0x800) {
            buf[len++] = (byte) (0xC0 | (c >> 6));
            buf[len++] = (byte) (0x80 | (c & 0x3F));
        } else {
            buf[len++] = (byte) (0xE0 | (c >> 12));
            buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            buf[len++] = (byte) (0x80 | (c & 0x3F));
        }
    }

    private void ascii(String s) {
        ensure(6 + s.length());
        varint(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void varint(int v) {
        while ((v & ~0x7F) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    private void put(char c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
