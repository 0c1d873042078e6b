package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.KernelHarness;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Request bodies cost the bytes that arrived, under one process-wide cap, given back on every path. */
class RequestMemoryTest {

    private static final int CAP = 512 * 1024;
    private static KernelHarness gateway;

    @BeforeAll
    static void start() {
        gateway = KernelHarness.withFakeModel("""
                server:
                  max_buffered_request_bytes: 512KiB
                  body_read_timeout: 500ms
                """, Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void holdsBodiesDeclaredLargeAtTheBytesThatArrived() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                Socket s = RawHttp.connect(gateway.port());
                held.add(s);
                s.getOutputStream().write(head(4 * 1024 * 1024).concat("{").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            Eventually.await(Duration.ofSeconds(5), () -> buffered() >= 60);
            // 60 declared 4 MiB each (240 MiB) against a cap of 512 KiB: each holds its first small chunk only
            assertThat(buffered()).isLessThanOrEqualTo(60 * 4096);
            HttpResponse<String> ok = gateway.post("/v1/chat/completions", KernelHarness.chat("m"));
            assertThat(ok.statusCode()).isEqualTo(200);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        Eventually.await(Duration.ofSeconds(5), () -> buffered() == 0);
    }

    @Test
    void answers503ServerBusyWhenABodyWouldPassTheCap() throws Exception {
        try (Socket hog = RawHttp.connect(gateway.port())) {
            hog.getOutputStream().write((head(1024 * 1024) + " ".repeat(300 * 1024)).getBytes(StandardCharsets.US_ASCII));
            hog.getOutputStream().flush();
            Eventually.await(Duration.ofSeconds(5), () -> buffered() >= 300 * 1024);
            String wire = RawHttp.exchange(gateway.port(), withBody(chatOf(300 * 1024)));
            assertThat(RawHttp.statuses(wire)).containsExactly(503);
            assertThat(wire).contains("\"code\":\"server_busy\"").contains("Retry-After: 1").containsIgnoringCase("connection: close");
        }
        Eventually.await(Duration.ofSeconds(5), () -> buffered() == 0);
        assertThat(RawHttp.statuses(RawHttp.exchange(gateway.port(), withBody(chatOf(300 * 1024))))).containsExactly(200);
    }

    @Test
    void givesBackEveryBufferedByteWhateverEndsTheRequest() throws Exception {
        assertThat(RawHttp.statuses(RawHttp.exchange(gateway.port(), withBody(chatOf(100 * 1024))))).containsExactly(200);
        assertThat(RawHttp.statuses(RawHttp.exchange(gateway.port(), withBody("{not json" + " ".repeat(50_000)))))
                .containsExactly(400);
        try (Socket gone = RawHttp.connect(gateway.port())) {
            gone.getOutputStream().write((head(200_000) + " ".repeat(100_000)).getBytes(StandardCharsets.US_ASCII));
            gone.getOutputStream().flush();
            Eventually.await(Duration.ofSeconds(5), () -> buffered() >= 100_000);
        }
        Eventually.await(Duration.ofSeconds(5), () -> buffered() == 0);
        try (Socket stalled = RawHttp.connect(gateway.port())) {
            stalled.getOutputStream().write((head(200_000) + " ".repeat(100_000)).getBytes(StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            assertThat(RawHttp.readResponse(stalled.getInputStream())).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"");
        }
        String chunkedPastTheCap = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + "100000\r\n" + " ".repeat(0x100000) + "\r\n"
                + "100000\r\n" + " ".repeat(0x100000) + "\r\n" + "100000\r\n" + " ".repeat(0x100000) + "\r\n"
                + "100000\r\n" + " ".repeat(0x100000) + "\r\n" + "100000\r\n" + " ".repeat(0x100000) + "\r\n0\r\n\r\n";
        assertThat(RawHttp.statuses(RawHttp.exchange(gateway.port(), chunkedPastTheCap))).containsExactly(503);
        Eventually.await(Duration.ofSeconds(5), () -> buffered() == 0);
    }

    private static String head(int contentLength) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + contentLength + "\r\n\r\n";
    }

    private static String withBody(String body) {
        return head(body.length()).replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n") + body;
    }

    private static String chatOf(int size) {
        String prefix = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"";
        String suffix = "\"}]}";
        return prefix + "x".repeat(size - prefix.length() - suffix.length()) + suffix;
    }

    private static long buffered() {
        try {
            String metrics = gateway.get("/metrics").body();
            Matcher m = Pattern.compile("(?m)^tollgate_server_request_buffered_bytes (\\d+)$").matcher(metrics);
            if (!m.find()) {
                throw new AssertionError("no tollgate_server_request_buffered_bytes in /metrics:\n" + metrics);
            }
            return Long.parseLong(m.group(1));
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

}
