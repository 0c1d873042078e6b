package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseParserTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final String FIXED = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 5\r\n\r\nhello";

    private static String chunk(String data, String ext) {
        return Integer.toHexString(data.length()) + ext + "\r\n" + data + "\r\n";
    }

    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n"
            + chunk("data: {\"a\":1}\n\n", "")
            + chunk("data: {\"b\":\"x data: y\"}\n\nda", ";ext=1")
            + chunk("ta: [DONE]\n\n", "")
            + "0\r\nX-Trailer: 1\r\n\r\n";

    @Test
    void parsesAFixedLengthResponseInOneFeed() throws Exception {
        ResponseParser p = new ResponseParser(false);
        byte[] in = b(FIXED);
        assertThat(p.feed(in, 0, in.length)).isEqualTo(in.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.status()).isEqualTo(200);
        assertThat(p.bodyBytes()).isEqualTo(5);
        assertThat(p.connectionClose()).isFalse();
    }

    @Test
    void parsesAResponseFedOneByteAtATime() throws Exception {
        for (String r : new String[] {FIXED, CHUNKED}) {
            ResponseParser p = new ResponseParser(true);
            byte[] in = b(r);
            for (int i = 0; i < in.length; i++) {
                assertThat(p.isComplete()).as("complete early at %d", i).isFalse();
                assertThat(p.feed(in, i, 1)).isEqualTo(1);
            }
            assertThat(p.isComplete()).isTrue();
        }
    }

    @Test
    void countsServerSentEventsAtLineStartsOnly() throws Exception {
        ResponseParser p = new ResponseParser(true);
        byte[] in = b(CHUNKED);
        p.feed(in, 0, in.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.events()).isEqualTo(3);
        assertThat(p.eventsInLastFeed()).isEqualTo(3);
    }

    @Test
    void leavesBytesOfANextResponseUnconsumed() throws Exception {
        ResponseParser p = new ResponseParser(false);
        byte[] in = b(FIXED + "HTTP/1.1 200 OK");
        int used = p.feed(in, 0, in.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(used).isEqualTo(FIXED.length());
    }

    @Test
    void resetMakesItReusable() throws Exception {
        ResponseParser p = new ResponseParser(true);
        byte[] in = b(CHUNKED);
        p.feed(in, 0, in.length);
        p.reset();
        assertThat(p.isComplete()).isFalse();
        byte[] f = b(FIXED);
        p.feed(f, 0, f.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.events()).isZero();
    }

    @Test
    void readsUntilCloseWithoutLengthAndHonoursConnectionClose() throws Exception {
        ResponseParser p = new ResponseParser(false);
        byte[] in = b("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc");
        p.feed(in, 0, in.length);
        assertThat(p.isComplete()).isFalse();
        assertThat(p.connectionClose()).isTrue();
        p.endOfInput();
        assertThat(p.isComplete()).isTrue();
        assertThat(p.bodyBytes()).isEqualTo(3);
    }

    @Test
    void handlesNoBodyStatusesAndHttp10() throws Exception {
        ResponseParser p = new ResponseParser(false);
        byte[] in = b("HTTP/1.1 204 No Content\r\n\r\n");
        p.feed(in, 0, in.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.status()).isEqualTo(204);

        p.reset();
        in = b("HTTP/1.0 503 Busy\r\nContent-Length: 0\r\n\r\n");
        p.feed(in, 0, in.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.status()).isEqualTo(503);
        assertThat(p.connectionClose()).isTrue();
    }

    @Test
    void rejectsBytesThatAreNotHttp() {
        ResponseParser p = new ResponseParser(false);
        byte[] in = b("SSH-2.0-OpenSSH\r\n\r\n");
        assertThatThrownBy(() -> p.feed(in, 0, in.length)).isInstanceOf(ResponseParser.ProtocolException.class);
        ResponseParser q = new ResponseParser(false);
        byte[] bad = b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        assertThatThrownBy(() -> q.feed(bad, 0, bad.length)).isInstanceOf(ResponseParser.ProtocolException.class);
    }
}
