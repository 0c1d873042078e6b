package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The unpacked distribution started with {@code bin/tollgate} as a real process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DistributionProcessTest {

    private static final Duration READY_LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path defaultWorkDir;

    private static GatewayProcess defaults;
    private static int defaultPort;
    private static final HttpClient CLIENT = Dist.client();

    /** One gateway with the shipped configuration, started from an unrelated working directory. */
    @BeforeAll
    static void startWithShippedConfiguration() throws InterruptedException {
        defaultPort = Dist.freePort();
        defaults = GatewayProcess.start(defaultWorkDir, Map.of(), "--port", String.valueOf(defaultPort));
        try {
            defaults.awaitReady(defaultPort, READY_LIMIT);
        } catch (RuntimeException | Error | InterruptedException e) {
            defaults.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (defaults != null) {
            defaults.close();
        }
    }

    @Test
    void isLiveAndReady() throws Exception {
        HttpResponse<String> live = Dist.get(CLIENT, defaultPort, "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        HttpResponse<String> ready = Dist.get(CLIENT, defaultPort, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
    }

    @Test
    void listsTheMockModelOfTheShippedConfiguration() throws Exception {
        HttpResponse<String> r = Dist.get(CLIENT, defaultPort, "/v1/models");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = Dist.json(r.body());
        assertThat(list.path("object").asText()).isEqualTo("list");
        assertThat(list.path("data").findValuesAsText("id")).contains("mock");
    }

    @Test
    void answersANonStreamedCompletionFromTheMockModel() throws Exception {
        HttpResponse<String> r = CLIENT.send(Dist.chatRequest(defaultPort, "mock", false), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        JsonNode body = Dist.json(r.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("mock");
        assertThat(body.path("id").asText()).isNotBlank();
        JsonNode choice = body.path("choices").path(0);
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isNotBlank();
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = body.path("usage");
        assertThat(usage.path("prompt_tokens").asLong()).isPositive();
        // the shipped configuration answers 24 words
        assertThat(usage.path("completion_tokens").asLong()).isEqualTo(24);
        assertThat(usage.path("total_tokens").asLong())
                .isEqualTo(usage.path("prompt_tokens").asLong() + usage.path("completion_tokens").asLong());
    }

    @Test
    void streamsACompletionFromTheMockModel() throws Exception {
        HttpResponse<InputStream> r = CLIENT.send(Dist.chatRequest(defaultPort, "mock", true), HttpResponse.BodyHandlers.ofInputStream());
        try (SseStream sse = new SseStream(r.body())) {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
            List<String> events = sse.readAll();
            assertThat(events).isNotEmpty();
            assertThat(events.getLast()).isEqualTo(SseStream.DONE);
            assertThat(events.subList(0, events.size() - 1))
                    .allSatisfy(e -> assertThat(Dist.json(e).path("object").asText()).isEqualTo("chat.completion.chunk"));
            assertThat(SseStream.content(events).trim().split("\\s+")).hasSize(24);
        }
    }

    /**
     * SIGTERM during a slow stream: readiness turns 503, new connections are refused or answered 503,
     * the stream in flight still finishes whole, and the process exits 0 within the grace period.
     */
    @Test
    void sigtermDrainsTheStreamInFlightAndExitsZero(@TempDir Path dir) throws Exception {
        int port = Dist.freePort();
        Duration grace = Duration.ofSeconds(10);
        Path config = dir.resolve("slow.yaml");
        Files.writeString(config, """
                server:
                  host: 127.0.0.1
                  port: %d
                  shutdown_grace: %ds
                plugins: [provider-mock]
                models:
                  slow:
                    deployments:
                      - provider: mock
                        model: mock-slow
                        config:
                          ttft: 100ms
                          tokens_per_second: 10
                          response_tokens: 30
                """.formatted(port, grace.toSeconds()));
        GatewayProcess gateway = GatewayProcess.start(dir, Map.of(), "--config", config.toString());
        try {
            gateway.awaitReady(port, READY_LIMIT);
            HttpClient client = Dist.client();
            // leaves an idle keep-alive connection in the client's pool for the readiness checks below
            assertThat(Dist.get(client, port, "/health/ready").statusCode()).isEqualTo(200);

            HttpResponse<InputStream> stream = client.send(Dist.chatRequest(port, "slow", true), HttpResponse.BodyHandlers.ofInputStream());
            try (SseStream sse = new SseStream(stream.body())) {
                assertThat(stream.statusCode()).isEqualTo(200);
                assertThat(sse.next()).as("first event").isNotNull().isNotEqualTo(SseStream.DONE);

                assertThat(gateway.process().toHandle().supportsNormalTermination()).isTrue();
                long signalled = System.nanoTime();
                assertThat(gateway.process().toHandle().destroy()).as("SIGTERM sent").isTrue();

                awaitNotReady(client, port, Duration.ofSeconds(2), gateway);
                assertNewConnectionRefusedOr503(port, gateway);

                List<String> events = restOfStream(sse, gateway);
                assertThat(events.getLast()).as("the stream in flight ends normally").isEqualTo(SseStream.DONE);
                assertThat(events).noneSatisfy(e -> assertThat(e).contains("\"error\""));
                assertThat(SseStream.content(events).trim().split("\\s+")).as("every word of the stream arrived").hasSize(30);

                int exit = gateway.awaitExit(grace.plusSeconds(5));
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                assertThat(exit).as("exit code after SIGTERM\n" + gateway.output()).isZero();
                assertThat(tookMillis).as("exit within the grace period").isLessThan(grace.toMillis());
            }
        } finally {
            gateway.close();
        }
    }

    /** The events of the stream in flight; fails with the gateway's log when the drain cut it off. */
    private static List<String> restOfStream(SseStream sse, GatewayProcess gateway) throws InterruptedException {
        try {
            return sse.readAll();
        } catch (IOException cut) {
            gateway.process().waitFor(5, TimeUnit.SECONDS);
            fail("the stream in flight was cut off during the drain after " + sse.received() + " event(s) (" + cut
                    + (cut.getCause() == null ? "" : ", " + cut.getCause()) + "); gateway "
                    + (gateway.process().isAlive() ? "still running" : "exited with " + gateway.process().exitValue())
                    + "\n" + gateway.output());
            return List.of();
        }
    }

    /** Readiness must turn to 503 (or the connection be refused) shortly after the signal. */
    private static void awaitNotReady(HttpClient client, int port, Duration limit, GatewayProcess gateway) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = Dist.get(client, port, "/health/ready").statusCode();
                if (last == 503) {
                    return;
                }
            } catch (IOException refused) {
                return;
            }
            Thread.sleep(50);
        }
        fail("/health/ready still answered " + last + " " + limit + " after SIGTERM\n" + gateway.output());
    }

    /**
     * A brand-new TCP connection during the drain must be refused, closed unanswered, or answered
     * 503; it must not be accepted and then left without an answer.
     */
    private static void assertNewConnectionRefusedOr503(int port, GatewayProcess gateway) throws IOException {
        String body = "{\"model\":\"slow\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException refused) {
                return;
            }
            s.setSoTimeout(2000);
            String statusLine;
            try {
                OutputStream out = s.getOutputStream();
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                statusLine = readLine(s.getInputStream());
            } catch (SocketTimeoutException parked) {
                fail("a new connection during the drain was accepted at the TCP level but got no answer within 2 s "
                        + "(neither refused nor 503)\n" + gateway.output());
                return;
            } catch (SocketException reset) {
                return;
            }
            if (statusLine.isEmpty()) {
                return; // closed without an answer: the client sees a failed connection, as with a refusal
            }
            assertThat(statusLine).as("status line of a request on a new connection during the drain").startsWith("HTTP/1.1 503");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
