package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The framing state machine alone: message boundaries across keep-alive requests, in any split. */
class RequestFramingTest {

    private static final String TWO_MESSAGES = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n3 \r\nabc\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET /health/live?x=%20 HTTP/1.0\r\nHost: x\r\nX-Empty:\r\n\r\n";

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void followsMessageBoundariesWhereverTheBytesAreSplit(boolean direct) {
        byte[] bytes = TWO_MESSAGES.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(bytes.length).put(bytes).flip() : ByteBuffer.wrap(bytes);
        for (int split = 0; split <= bytes.length; split++) {
            RequestFraming f = new RequestFraming(32 * 1024);
            assertThat(f.scan(buffer, 0, split)).as("split at %d", split).isEqualTo(split);
            assertThat(f.scan(buffer, split, bytes.length)).as("split at %d: %s", split, f.violation()).isEqualTo(bytes.length);
            assertThat(f.violation()).isNull();
            assertThat(f.betweenMessages()).isTrue();
        }
    }

    @Test
    void tellsWhereAnUnfinishedHeadBegan() {
        byte[] bytes = "GET / HTTP/1.1\r\n\r\nGET /next HT".getBytes(StandardCharsets.US_ASCII);
        RequestFraming f = new RequestFraming(1024);
        f.scan(ByteBuffer.wrap(bytes), 0, bytes.length);
        assertThat(f.inHead()).isTrue();
        assertThat(f.headBeganAt()).isEqualTo(18);
    }

    @Test
    void skipsAContentLengthBodyWhateverItHolds() {
        String body = "GET /smuggled HTTP/1.1\r\n\r\n";
        byte[] bytes = ("POST / HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        RequestFraming f = new RequestFraming(1024);
        assertThat(f.scan(ByteBuffer.wrap(bytes), 0, bytes.length)).isEqualTo(bytes.length);
        assertThat(f.betweenMessages()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1023, 1024})
    void countsTheWholeHeadAgainstTheLimit(int limit) {
        String head = "GET / HTTP/1.1\r\nX: " + "a".repeat(1024 - 16 - 3 - 4) + "\r\n\r\n";
        assertThat(head).hasSize(1024);
        RequestFraming f = new RequestFraming(limit);
        f.scan(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)), 0, head.length());
        assertThat(f.violation() == null).isEqualTo(limit == 1024);
    }

    @ParameterizedTest(name = "direct={0}")
    @ValueSource(booleans = {false, true})
    void refusesTheMessageAtTheByteThatBreaksIt(boolean direct) {
        byte[] bytes = "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\nBad\u0001: x\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(bytes.length + 3).position(3).put(bytes).flip().position(3).slice()
                : ByteBuffer.wrap(bytes);
        RequestFraming f = new RequestFraming(1024);
        assertThat(f.scan(buffer, 0, bytes.length)).isEqualTo(40 + 19);
        assertThat(f.violation()).isEqualTo(Rejection.HEADER_NAME);
        assertThat(f.headBeganAt()).isEqualTo(40);
    }
}
