package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.KernelHarness;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The guard follows message boundaries over long keep-alive connections, whatever the framing of each request. */
class KeepAliveFramingTest {

    @Test
    void servesMixedFramingsOnOneKeepAliveConnection() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel("", Map.of());
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            URI chat = URI.create("http://127.0.0.1:" + g.port() + "/v1/chat/completions");
            byte[] body = KernelHarness.chat("m").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 300; i++) {
                HttpRequest.BodyPublisher publisher = i % 3 == 0
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body);
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(chat).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10)).POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void servesPipelinedRequestsWithBodiesInOrder() throws Exception {
        try (KernelHarness g = KernelHarness.withFakeModel("", Map.of()); Socket s = RawHttp.connect(g.port())) {
            String body = KernelHarness.chat("m");
            String fixed = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body;
            String chunked = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
            s.getOutputStream().write((fixed + chunked + fixed + chunked).getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 4; i++) {
                assertThat(RawHttp.readResponse(in)).as("response %d", i).startsWith("HTTP/1.1 200").contains("echo:up-m");
            }
        }
    }
}
