package dev.tollgate.kernel.tracing;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A W3C Trace Context ({@code traceparent}, version 00) taken from a client request. Each upstream
 * attempt is a child: same trace id and flags, a fresh span id, so the provider's spans hang under
 * the gateway's. A header that does not parse is ignored, as the specification asks.
 *
 * @param traceId  32 lower-case hex digits, not all zero
 * @param parentId the client's span, 16 lower-case hex digits, not all zero; {@code null} when the gateway started the trace
 * @param flags    two hex digits ({@code 01}: sampled)
 * @param state    the client's {@code tracestate}, passed on unchanged, or {@code null}
 */
public record TraceContext(String traceId, String parentId, String flags, String state) {

    private static final int MAX_STATE = 512;

    /** Parses a {@code traceparent} header (and its {@code tracestate}); empty when absent or malformed. */
    public static Optional<TraceContext> parse(String traceparent, String tracestate) {
        if (traceparent == null) {
            return Optional.empty();
        }
        String v = traceparent.trim();
        // version 00 is exactly 55 characters; a later version may append fields after a dash
        if (v.length() < 55 || (v.length() > 55 && v.charAt(55) != '-') || v.charAt(2) != '-' || v.charAt(35) != '-'
                || v.charAt(52) != '-') {
            return Optional.empty();
        }
        String version = v.substring(0, 2);
        String trace = v.substring(3, 35);
        String parent = v.substring(36, 52);
        String flags = v.substring(53, 55);
        if (!hex(version) || version.equals("ff") || (version.equals("00") && v.length() != 55) || !hex(trace) || !hex(parent)
                || !hex(flags) || zeros(trace) || zeros(parent)) {
            return Optional.empty();
        }
        String state = tracestate == null || tracestate.length() > MAX_STATE || !printable(tracestate) ? null : tracestate.trim();
        return Optional.of(new TraceContext(trace, parent, flags, state == null || state.isEmpty() ? null : state));
    }

    /** A trace the gateway starts for a request that came without one: sampled, no parent. */
    public static TraceContext start() {
        return new TraceContext(newTraceId(), null, "01", null);
    }

    /** The {@code traceparent} of a new child span. */
    public String childHeader() {
        return header(newSpanId());
    }

    /** The {@code traceparent} naming {@code spanId} as the parent. */
    public String header(String spanId) {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }

    static String newTraceId() {
        return newSpanId() + newSpanId();
    }

    /** 16 random lower-case hex digits, not all zero. */
    public static String newSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return String.format(Locale.ROOT, "%016x", id);
    }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
