package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code max_header_bytes} and the field limit hold while the head is parsed, on every path. */
class RequestHeadLimitsTest {

    private static KernelHarness gateway;

    @BeforeAll
    static void start() {
        gateway = KernelHarness.withFakeModel("", Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/health/live", "/metrics", "/v1/models", "/v1/chat/completions"})
    void rejectsAHeadOverMaxHeaderBytesWith431OnEveryPath(String path) throws Exception {
        String wire = RawHttp.exchange(gateway.port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(900 * 1024)
                + "\r\n\r\n");
        assertThat(RawHttp.statuses(wire)).containsExactly(431);
        assertThat(wire).contains("\"code\":\"request_headers_too_large\"").contains("\"type\":\"invalid_request_error\"")
                .containsIgnoringCase("connection: close").containsIgnoringCase("x-request-id: ");
    }

    @Test
    void rejectsMoreThan200HeaderFieldsWith431Json() throws Exception {
        StringBuilder head = new StringBuilder("GET /health/live HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 200; i++) {
            head.append("X-H").append(i).append(": v\r\n");
        }
        String wire = RawHttp.exchange(gateway.port(), head + "\r\n");
        assertThat(RawHttp.statuses(wire)).containsExactly(431);
        assertThat(wire).contains("\"code\":\"request_headers_too_large\"").contains("200 header fields");
    }

    @Test
    void accepts200HeaderFields() throws Exception {
        StringBuilder head = new StringBuilder("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for (int i = 0; i < 198; i++) {
            head.append("X-H").append(i).append(": v\r\n");
        }
        assertThat(RawHttp.statuses(RawHttp.exchange(gateway.port(), head + "\r\n"))).containsExactly(200);
    }

    @Test
    void rejectsARequestLineOverTheLimitWith414() throws Exception {
        String wire = RawHttp.exchange(gateway.port(), "GET /" + "a".repeat(40 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(RawHttp.statuses(wire)).containsExactly(414);
        assertThat(wire).contains("\"code\":\"uri_too_long\"");
    }

    @Test
    void answersAnUnfinishedOversizeHeadWith431WithoutWaitingForItsEnd() throws Exception {
        try (Socket s = RawHttp.connect(gateway.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ".getBytes(StandardCharsets.US_ASCII));
            out.write("a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = RawHttp.readResponse(s.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 431").contains("\"code\":\"request_headers_too_large\"");
        }
    }

    @Test
    void servesAHeadThatArrivesOneByteAtATime() throws Exception {
        byte[] request = ("GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: " + "b".repeat(300) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket s = RawHttp.connect(gateway.port())) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            for (int round = 0; round < 2; round++) {
                for (byte b : request) {
                    out.write(b);
                    out.flush();
                }
                assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200").contains("\"status\":\"live\"");
            }
        }
    }

    @Test
    void answersPipelinedRequestsInOrderThenTheRejectionLast() throws Exception {
        String wire = RawHttp.exchange(gateway.port(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /health/live HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n"
                + "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(RawHttp.statuses(wire)).containsExactly(200, 200, 400);
    }

    @Test
    void refusesAnUnsupportedHttpVersionWith505() throws Exception {
        String wire = RawHttp.exchange(gateway.port(), "GET /health/live HTTP/1.2\r\nHost: x\r\n\r\n");
        assertThat(RawHttp.statuses(wire)).containsExactly(505);
        assertThat(wire).contains("\"code\":\"http_version_not_supported\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET * HTTP/1.1", "GET /a%zz HTTP/1.1", "GET /caf\u00e9 HTTP/1.1", "GET  /x HTTP/1.1", "G(T / HTTP/1.1", "GET / HTTP/1.1 x"})
    void refusesAMalformedRequestLineWith400Json(String line) throws Exception {
        String wire = RawHttp.exchange(gateway.port(), line + "\r\nHost: x\r\n\r\n");
        assertThat(RawHttp.statuses(wire)).containsExactly(400);
        assertThat(wire).contains("\"code\":\"invalid_request\"").contains("malformed request line");
    }
}
