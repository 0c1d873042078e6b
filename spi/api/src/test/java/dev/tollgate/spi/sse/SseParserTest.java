package dev.tollgate.spi.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private static List<String> parse(String stream, int pieceSize) {
        List<String> out = new ArrayList<>();
        SseParser p = new SseParser(e -> out.add((e.event() == null ? "" : e.event() + "|") + e.data().utf8()));
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += pieceSize) {
            p.feed(ByteBuffer.wrap(bytes, i, Math.min(pieceSize, bytes.length - i)));
        }
        p.finish();
        return out;
    }

    @Test
    void givesTheSameEventsWhereverTheBytesAreSplit() {
        String stream = "data: {\"a\":1}\n\ndata: {\"b\":\"ü€\"}\r\n\r\nevent: error\ndata: x\n\n: keep-alive\n\ndata: [DONE]\n\n";
        List<String> whole = parse(stream, Integer.MAX_VALUE);
        assertThat(whole).containsExactly("{\"a\":1}", "{\"b\":\"ü€\"}", "error|x", "[DONE]");
        for (int size = 1; size <= 9; size++) {
            assertThat(parse(stream, size)).as("pieces of %d bytes", size).isEqualTo(whole);
        }
    }

    @Test
    void joinsMultipleDataLinesWithNewlines() {
        assertThat(parse("data: one\ndata: two\ndata:three\n\n", 3)).containsExactly("one\ntwo\nthree");
    }

    @Test
    void acceptsCrOnlyLineEndings() {
        assertThat(parse("data: a\r\rdata: b\r\r", 1)).containsExactly("a", "b");
    }

    @Test
    void ignoresCommentsIdsRetriesAndEventsWithoutData() {
        assertThat(parse(": hello\nid: 5\nretry: 100\n\nevent: ping\n\ndata: real\n\n", 2)).containsExactly("real");
    }

    @Test
    void dropsAnEventNotEndedByABlankLine() {
        assertThat(parse("data: done\n\ndata: partial", 4)).containsExactly("done");
    }

    @Test
    void refusesAnEventLargerThanItsLimit() {
        SseParser p = new SseParser(e -> {}, 64);
        assertThatThrownBy(() -> p.feed(("data: " + "x".repeat(100) + "\n\n").getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("64");
    }
}
