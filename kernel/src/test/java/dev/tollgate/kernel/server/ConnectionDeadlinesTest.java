package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every phase of a connection has a deadline: first request, head, body, keep-alive; and shutdown cuts uploads. */
class ConnectionDeadlinesTest {

    private static final String LIVE = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
    private static KernelHarness gateway;

    @BeforeAll
    static void start() {
        gateway = KernelHarness.withFakeModel("""
                server:
                  request_start_timeout: 300ms
                  header_timeout: 400ms
                  body_read_timeout: 400ms
                  idle_timeout: 500ms
                """, Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void closesAConnectionThatNeverSendsARequest() throws Exception {
        try (Socket s = RawHttp.connect(gateway.port())) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void answers408WhenTheHeadStopsArriving() throws Exception {
        try (Socket s = RawHttp.connect(gateway.port())) {
            send(s, "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Half: ");
            String wire = RawHttp.readToClose(s.getInputStream());
            assertThat(RawHttp.statuses(wire)).containsExactly(408);
            assertThat(wire).contains("\"code\":\"request_timeout\"").containsIgnoringCase("connection: close");
        }
    }

    @Test
    void answers408WhenTheBodyStopsArriving() throws Exception {
        try (Socket s = RawHttp.connect(gateway.port())) {
            send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"mo");
            String wire = RawHttp.readToClose(s.getInputStream());
            assertThat(RawHttp.statuses(wire)).containsExactly(408);
            assertThat(wire).contains("\"code\":\"request_timeout\"").contains("body");
        }
    }

    @Test
    void answers408WhenAChunkedBodyStopsArriving() throws Exception {
        try (Socket s = RawHttp.connect(gateway.port())) {
            send(s, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n4\r\n{\"mo\r\n");
            assertThat(RawHttp.statuses(RawHttp.readToClose(s.getInputStream()))).containsExactly(408);
        }
    }

    @Test
    void closesAKeepAliveConnectionIdleBetweenRequests() throws Exception {
        try (Socket s = RawHttp.connect(gateway.port())) {
            send(s, LIVE);
            InputStream in = s.getInputStream();
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200");
            send(s, LIVE);
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void drainAnswersUploadsStillArrivingWith503InsteadOfWaitingForThem() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel("", Map.of()); Socket upload = RawHttp.connect(g.port());
                Socket idle = RawHttp.connect(g.port())) {
            send(idle, LIVE);
            assertThat(RawHttp.readResponse(idle.getInputStream())).startsWith("HTTP/1.1 200");
            send(upload, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
            dev.tollgate.kernel.Eventually.await(Duration.ofSeconds(5), () -> g.gateway().inFlight() == 1);
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return g.gateway().drain(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            String wire = RawHttp.readToClose(upload.getInputStream());
            assertThat(RawHttp.statuses(wire)).containsExactly(503);
            assertThat(wire).contains("\"code\":\"shutting_down\"");
            assertThat(idle.getInputStream().read()).as("an idle keep-alive connection is closed").isEqualTo(-1);
            assertThat(drained.get(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
