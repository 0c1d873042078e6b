package dev.tollgate.kernel.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aChildKeepsTheTraceAndFlagsWithANewSpan() {
        TraceContext t = TraceContext.parse(VALID, "congo=t61rcWkgMzE").orElseThrow();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertEquals("00f067aa0ba902b7", t.parentId());
        assertEquals("congo=t61rcWkgMzE", t.state());
        String child = t.childHeader();
        assertTrue(child.matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"), child);
        assertNotEquals("00f067aa0ba902b7", child.substring(36, 52));
        assertNotEquals(child, t.childHeader(), "each attempt is a span of its own");
    }

    @Test
    void malformedHeadersAreIgnored() {
        for (String bad : new String[] {
                null, "", "garbage", VALID.toUpperCase(), VALID.replace("4bf92f3577b34da6a3ce929d0e0e4736", "0".repeat(32)),
                VALID.replace("00f067aa0ba902b7", "0".repeat(16)), "ff" + VALID.substring(2), VALID + "-extra",
                VALID.substring(0, 54), VALID.replace('-', '_'), "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"}) {
            assertEquals(Optional.empty(), TraceContext.parse(bad, null), String.valueOf(bad));
        }
    }

    @Test
    void aLaterVersionWithMoreFieldsIsReadAsVersionZero() {
        assertTrue(TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", null).isPresent());
    }

    @Test
    void aTracestateThatIsTooLongOrNotPrintableIsDropped() {
        assertNull(TraceContext.parse(VALID, "x=" + "a".repeat(600)).orElseThrow().state());
        assertNull(TraceContext.parse(VALID, "x=\u0001").orElseThrow().state());
    }
}
