package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

/** An answer followed by a close must reach a client that is still sending: the close lingers instead of resetting. */
class LingeringCloseTest {

    private static KernelHarness gateway;

    @BeforeAll
    static void start() {
        gateway = KernelHarness.withFakeModel("", Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @RepeatedTest(10)
    void aClientThatWritesAFiveMebibyteBodyInOneGoReadsThe413() throws Exception {
        byte[] head = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + (5 * 1024 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + 5 * 1024 * 1024);
        Arrays.fill(request, head.length, request.length, (byte) ' ');
        try (Socket s = RawHttp.connect(gateway.port())) {
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            String wire = RawHttp.readToClose(s.getInputStream());
            assertThat(RawHttp.statuses(wire)).containsExactly(413);
            assertThat(wire).contains("\"code\":\"request_too_large\"");
        }
    }

    @RepeatedTest(3)
    void aClientThatWritesAnOversizeChunkedBodyInOneGoReadsThe413() throws Exception {
        StringBuilder body = new StringBuilder();
        String chunk = " ".repeat(1024 * 1024);
        for (int i = 0; i < 5; i++) {
            body.append("100000\r\n").append(chunk).append("\r\n");
        }
        body.append("0\r\n\r\n");
        try (Socket s = RawHttp.connect(gateway.port())) {
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(RawHttp.statuses(RawHttp.readToClose(s.getInputStream()))).containsExactly(413);
        }
    }
}
