package dev.tollgate.it.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tollgate.it.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that hangs up in the middle of a stream frees the upstream too: the gateway closes its
 * upstream connection soon after, instead of reading the rest of an answer nobody will get.
 */
class ClientDisconnectTest {

    @Test
    void upstreamConnectionIsClosedWithinOneSecondOfTheClientHangingUp() throws Exception {
        // up to 20 s of events, 100 ms apart: far longer than the test lasts unless the gateway hangs up
        RawSseUpstream.Script script = RawSseUpstream.Script.paced(200, 100,
                i -> Upstreams.contentChunk("endless-model", "w" + i), RawSseUpstream.Ending.HOLD);
        try (RawSseUpstream upstream = new RawSseUpstream(script);
                TestGateway g = TestGateway.start("plugins: [provider-openai]\nmodels:\n"
                        + Upstreams.openAiModel("gpt-test", "endless-model", upstream.apiBase(), "5s"),
                        Map.of("UPSTREAM_KEY", Upstreams.KEY))) {
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                long clientClosed;
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
                    sendChat(client, g, true);
                    String received = readUntilFirstEvent(client.getInputStream());
                    assertThat(received).startsWith("HTTP/1.1 200").contains("data: {");
                    client.close();
                    clientClosed = System.nanoTime();
                }

                RawSseUpstream.Exchange ex = upstream.nextExchange(Duration.ofSeconds(1));
                assertThat(ex.awaitPeerClose(Duration.ofSeconds(3)))
                        .as("the gateway closed the upstream connection after the client left").isTrue();
                long afterMillis = TimeUnit.NANOSECONDS.toMillis(ex.closedByPeerNanos() - clientClosed);
                System.out.printf("upstream connection closed %d ms after the client's, after %d events%n",
                        afterMillis, ex.sentNanos.size());
                assertThat(afterMillis).as("ms from the client's close to the upstream's").isLessThan(1_000);
                assertThat(ex.sentNanos.size()).as("events the upstream got to send").isLessThan(200);
                Upstreams.assertNothingInFlight(g, Duration.ofSeconds(1));
            });
        }
    }

    /**
     * A client that gives up while the gateway still waits for the upstream's first event (streamed)
     * or its whole answer (not streamed) frees the upstream as well: nothing will ever be written to
     * that client, so the gateway must notice the hang-up without a failed write.
     */
    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {true, false})
    void upstreamConnectionIsClosedWithinOneSecondOfTheClientHangingUpBeforeTheFirstEvent(boolean stream)
            throws Exception {
        // headers at once, the first event only after 8 s
        RawSseUpstream.Script script = new RawSseUpstream.Script(List.of(
                new RawSseUpstream.Step(8_000, Upstreams.contentChunk("slow-model", "late")),
                new RawSseUpstream.Step(0, Upstreams.finishChunk("slow-model")),
                new RawSseUpstream.Step(0, "[DONE]")), RawSseUpstream.Ending.COMPLETE);
        try (RawSseUpstream upstream = new RawSseUpstream(script);
                TestGateway g = TestGateway.start("plugins: [provider-openai]\nmodels:\n"
                        + Upstreams.openAiModel("gpt-test", "slow-model", upstream.apiBase(), "20s"),
                        Map.of("UPSTREAM_KEY", Upstreams.KEY))) {
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                long clientClosed;
                RawSseUpstream.Exchange ex;
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
                    sendChat(client, g, stream);
                    ex = upstream.nextExchange(Duration.ofSeconds(2));
                    Thread.sleep(200);
                    client.close();
                    clientClosed = System.nanoTime();
                }

                boolean closed = ex.awaitPeerClose(Duration.ofSeconds(3));
                System.out.printf("hang-up before the first event (stream=%s): upstream closed %s%n", stream,
                        closed ? TimeUnit.NANOSECONDS.toMillis(ex.closedByPeerNanos() - clientClosed) + " ms after the client"
                                : "not within 3 s");
                assertThat(closed).as("the gateway closed the upstream connection after the client left").isTrue();
                assertThat(TimeUnit.NANOSECONDS.toMillis(ex.closedByPeerNanos() - clientClosed))
                        .as("ms from the client's close to the upstream's").isLessThan(1_000);
                Upstreams.assertNothingInFlight(g, Duration.ofSeconds(1));
            });
        }
    }

    private static void sendChat(Socket client, TestGateway g, boolean stream) throws java.io.IOException {
        client.setSoTimeout(5_000);
        byte[] body = Upstreams.chatBody("gpt-test", stream).getBytes(StandardCharsets.UTF_8);
        OutputStream out = client.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + g.port()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** Reads the raw response until the end of its first SSE event. */
    private static String readUntilFirstEvent(InputStream in) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        while (true) {
            int n = in.read(buf);
            if (n < 0) {
                throw new AssertionError("the gateway closed the response before any event: " + seen);
            }
            seen.write(buf, 0, n);
            String s = seen.toString(StandardCharsets.UTF_8);
            int data = s.indexOf("data: ");
            if (data >= 0 && s.indexOf("\n\n", data) >= 0) {
                return s;
            }
        }
    }
}
