package dev.tollgate.plugin.openai;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * {@link TopLevel}'s job for a body that is relayed as it arrives instead of held whole: follows
 * the JSON structure byte by byte (strings, escapes, nesting), records the top-level member names,
 * and keeps the bytes of the top-level {@code usage} and {@code id} values (bounded) so that usage
 * and the answer's id can be read at the end. It checks structure, not every detail of JSON grammar.
 */
final class StreamingScan {

    static final int MAX_USAGE_BYTES = 64 * 1024;
    private static final int MAX_ID_BYTES = 1024;
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
    private ByteArrayOutputStream id;
    /** The value being kept: {@link #usage} or {@link #id}; null when none. */
    private ByteArrayOutputStream capturing;
    private int captureLimit;

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
        if (capturing != null && depth >= 1) {
            boolean endsValue = !inString && depth == 1 && (b == ',' || b == '}');
            if (!endsValue) {
                if (capturing.size() < captureLimit) {
                    capturing.write(b);
                } else {
                    // too large to be what it should: dropped, so it reads as absent
                    if (capturing == usage) {
                        usage = null;
                    } else {
                        id = null;
                    }
                    capturing = null;
                }
            } else {
                capturing = null;
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

    /** The first byte of a top-level value: start keeping it when it is {@code usage}'s or {@code id}'s. */
    private void startValue(byte first) {
        if (depth == 1 && afterColon) {
            afterColon = false;
            if ("usage".equals(lastKey) && usage == null) {
                usage = new ByteArrayOutputStream(128);
                capturing = usage;
                captureLimit = MAX_USAGE_BYTES;
            } else if ("id".equals(lastKey) && id == null && first == '"') {
                id = new ByteArrayOutputStream(64);
                capturing = id;
                captureLimit = MAX_ID_BYTES;
            } else {
                return;
            }
            capturing.write(first);
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

    /** The top-level {@code id} string, or {@code null} when absent, not a string or too long. */
    String id() {
        if (id == null || capturing == id) {
            return null;
        }
        byte[] b = id.toByteArray();
        int end = b.length;
        while (end > 0 && whitespace(b[end - 1])) {
            end--;
        }
        if (end < 2 || b[end - 1] != '"') {
            return null;
        }
        try {
            return Json.string(b, 0, end);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The bytes of the top-level {@code usage} value, or {@code null} when absent or too large. */
    byte[] usageBytes() {
        return usage == null ? null : usage.toByteArray();
    }
}
