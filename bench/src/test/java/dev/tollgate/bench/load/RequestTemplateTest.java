package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestTemplateTest {

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    @Test
    void buildsAKeepAliveRequestWithACorrectContentLength() {
        RequestTemplate t = RequestTemplate.chat("127.0.0.1:8080", "/v1/chat/completions", "bench", false, false,
                List.of("Authorization: Bearer k"));
        String s = new String(t.bytes(), StandardCharsets.UTF_8);
        assertThat(s).startsWith("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n");
        assertThat(s).contains("\r\nAuthorization: Bearer k\r\n").doesNotContain("Connection: close");
        String body = s.substring(s.indexOf("\r\n\r\n") + 4);
        assertThat(s).contains("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n");
        assertThat(body).startsWith("{\"model\":\"bench\"").doesNotContain("\"stream\"");
        assertThat(body.length()).isBetween(200, 400);
        assertThat(t.stream()).isFalse();
    }

    @Test
    void streamRequestsAskForAStreamWithUsage() {
        RequestTemplate t = RequestTemplate.chat("h:1", "/p", "m", true, false, List.of());
        assertThat(new String(t.bytes(), StandardCharsets.UTF_8))
                .contains("\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        assertThat(t.stream()).isTrue();
    }

    @Test
    void uniqueRequestsCarryTheirSequenceNumber() {
        RequestTemplate t = RequestTemplate.chat("h:1", "/p", "m", false, true, List.of());
        ByteBuffer b = t.newBuffer();
        t.write(b, 42);
        assertThat(text(b)).contains("Request 0000000000000042.");
        t.write(b, 1234567);
        assertThat(text(b)).contains("Request 0000000001234567.");
        assertThat(b.remaining()).isEqualTo(t.length());
    }

    @Test
    void plainRequestsAreByteIdentical() {
        RequestTemplate t = RequestTemplate.chat("h:1", "/p", "m", false, false, List.of());
        ByteBuffer b = t.newBuffer();
        t.write(b, 99);
        assertThat(text(b)).contains("Request 0000000000000000.");
    }
}
