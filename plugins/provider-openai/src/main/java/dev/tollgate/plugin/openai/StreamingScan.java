package dev.tollgate.plugin.openai;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * {@link TopLevel}'s job for a body that is relayed as it arrives instead of held whole: follows
 * the JSON structure byte by byte (strings, escapes, nesting), records the top-level member names,
 * and keeps the bytes of the top-level {@code usage} value (bounded) so that usage can be read at
 * the end. It checks structure, not every detail of JSON grammar.
 */
final class StreamingScan {

    static final int MAX_USAGE_BYTES = 64 * 1024;
    private static final int MAX_KEY_BYTES = 64;
    private static final int MAX_KEYS = 64;

    private int depth;
    private boolean inString;
    private boolean escape;
    private boolean started;
    private boolean ended;
    private boolean broken;
    private boolean expectKey;
    private boolean inKey;
    private boolean afterColon;
    private final ByteArrayOutputStream key = new ByteArrayOutputStream(16);
    private String lastKey;
    private final Set<String> keys = new HashSet<>();
    private ByteArrayOutputStream usage;
    private boolean capturing;

    void feed(ByteBuffer chunk) {
        for (int i = chunk.position(); i < chunk.limit() && !broken; i++) {
            step(chunk.get(i));
        }
    }

    private void step(byte b) {
        if (ended) {
            if (!whitespace(b)) {
                broken = true;
            }
            return;
        }
        if (!started) {
            if (b == '{') {
                started = true;
                depth = 1;
                expectKey = true;
            } else if (!whitespace(b)) {
                broken = true;
            }
            return;
        }
        if (capturing && depth >= 1) {
            boolean endsValue = !inString && depth == 1 && (b == ',' || b == '}');
            if (!endsValue) {
                if (usage.size() < MAX_USAGE_BYTES) {
                    usage.write(b);
                } else {
                    capturing = false;
                    usage = null;
                }
            } else {
                capturing = false;
            }
        }
        if (inString) {
            if (escape) {
                escape = false;
            } else if (b == '\\') {
                escape = true;
            } else if (b == '"') {
                inString = false;
                if (inKey) {
                    inKey = false;
                    lastKey = key.toString(java.nio.charset.StandardCharsets.UTF_8);
                    if (keys.size() < MAX_KEYS) {
                        keys.add(lastKey);
                    }
                    return;
                }
            }
            if (inKey && key.size() < MAX_KEY_BYTES) {
                key.write(b);
            }
            return;
        }
        switch (b) {
            case '"' -> {
                inString = true;
                if (depth == 1 && expectKey) {
                    inKey = true;
                    expectKey = false;
                    key.reset();
                } else {
                    startValue(b);
                }
            }
            case ':' -> {
                if (depth == 1) {
                    afterColon = true;
                }
            }
            case ',' -> {
                if (depth == 1) {
                    expectKey = true;
                }
            }
            case '{', '[' -> {
                startValue(b);
                depth++;
            }
            case '}', ']' -> {
                depth--;
                if (depth == 0) {
                    ended = true;
                }
            }
            default -> {
                if (!whitespace(b)) {
                    startValue(b);
                }
            }
        }
    }

    /** The first byte of a top-level value: start keeping it when it is {@code usage}'s. */
    private void startValue(byte first) {
        if (depth == 1 && afterColon) {
            afterColon = false;
            if ("usage".equals(lastKey) && usage == null) {
                usage = new ByteArrayOutputStream(128);
                usage.write(first);
                capturing = true;
            }
        }
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** Whether the bytes so far were one complete JSON object (nothing but whitespace after it). */
    boolean complete() {
        return ended && !broken && !inString;
    }

    boolean has(String topLevelKey) {
        return keys.contains(topLevelKey);
    }

    /** The bytes of the top-level {@code usage} value, or {@code null} when absent or too large. */
    byte[] usageBytes() {
        return usage == null ? null : usage.toByteArray();
    }
}
