package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway process on its default heap (256 MB, exit on OutOfMemoryError) in front of an
 * upstream whose answers are huge: six concurrent 24 MB embeddings answers, two concurrent 50 MB
 * chat answers and two 50 MB answers to Anthropic clients, 344 MB together. It stays alive and
 * serving. Chat answers in the client's own format are relayed as they arrive, so both arrive whole;
 * embeddings arrive whole or get 502 {@code upstream_response_too_large} when buffering them would
 * pass the gateway's bound; an answer that must be translated is buffered, and 50 MB is over the
 * default 32 MiB {@code max_response_bytes}: 502 in Anthropic's error shape.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LargeAnswersTest {

    private static final int EMBEDDINGS = 6;
    private static final int CHATS = 2;
    private static final int TRANSLATED = 2;

    @TempDir
    Path dir;

    /** A result of one client: its status and body size, and for an error its code. */
    private record Outcome(String kind, int status, long bytes, String errorCode, String message) {}

    @Test
    void hugeAnswersNeverTakeTheGatewayDown() throws Exception {
        byte[] embeddings = embeddingsBody(24_000_000);
        byte[] chat = chatBody(50_000_000);
        try (BigUpstream upstream = new BigUpstream(embeddings, chat)) {
            int port = Dist.freePort();
            Path config = dir.resolve("tollgate.yaml");
            Files.writeString(config, """
                    server:
                      host: 127.0.0.1
                    plugins: [provider-openai]
                    models:
                      big:
                        deployments:
                          - provider: openai
                            model: big-upstream
                            config:
                              api_base: http://127.0.0.1:%d/v1
                              auth: none
                    """.formatted(upstream.port()));
            try (GatewayProcess g = GatewayProcess.start(dir, Map.of(), "--config", config.toString(), "--port",
                    String.valueOf(port))) {
                g.awaitReady(port, Duration.ofSeconds(30));
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                List<Outcome> outcomes = new CopyOnWriteArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> all = new ArrayList<>();
                    for (int i = 0; i < EMBEDDINGS; i++) {
                        all.add(pool.submit(() -> outcomes.add(call(client, port, "/v1/embeddings",
                                "{\"model\":\"big\",\"input\":\"hello\"}", "embeddings"))));
                    }
                    for (int i = 0; i < CHATS; i++) {
                        all.add(pool.submit(() -> outcomes.add(call(client, port, "/v1/chat/completions",
                                "{\"model\":\"big\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "chat"))));
                    }
                    for (int i = 0; i < TRANSLATED; i++) {
                        all.add(pool.submit(() -> outcomes.add(call(client, port, "/v1/messages",
                                "{\"model\":\"big\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                "messages"))));
                    }
                    for (Future<?> f : all) {
                        f.get(120, TimeUnit.SECONDS);
                    }
                }
                System.out.println("outcomes: " + outcomes);

                assertThat(g.process().isAlive()).as("the gateway process is alive; output:%n%s", g.output()).isTrue();
                assertThat(Dist.get(Dist.client(), port, "/health/live").statusCode()).isEqualTo(200);
                assertThat(outcomes).hasSize(EMBEDDINGS + CHATS + TRANSLATED);
                assertThat(outcomes).filteredOn(o -> o.kind().equals("chat")).allSatisfy(o -> {
                    assertThat(o.status()).as("a pass-through answer is relayed, not buffered: %s", o).isEqualTo(200);
                    assertThat(o.bytes()).as("%s", o).isEqualTo(chat.length);
                });
                assertThat(outcomes).filteredOn(o -> o.kind().equals("embeddings")).allSatisfy(o -> {
                    if (o.status() == 200) {
                        assertThat(o.bytes()).as("%s", o).isGreaterThanOrEqualTo(embeddings.length - 1024);
                    } else {
                        assertThat(o.status()).as("%s", o).isEqualTo(502);
                        assertThat(o.errorCode()).as("%s", o).isEqualTo("upstream_response_too_large");
                    }
                });
                assertThat(outcomes).filteredOn(o -> o.kind().equals("messages")).allSatisfy(o -> {
                    assertThat(o.status()).as("a translated answer over max_response_bytes: %s", o).isEqualTo(502);
                    assertThat(o.errorCode()).as("Anthropic's error type: %s", o).isEqualTo("api_error");
                    assertThat(o.message()).as("%s", o).contains("max_response_bytes");
                });
                assertThat(outcomes).filteredOn(o -> o.kind().equals("embeddings") && o.status() == 200).isNotEmpty();
            }
        }
    }

    private static Outcome call(HttpClient client, int port, String path, String body, String kind) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                JsonNode error = Dist.json(new String(in.readAllBytes(), StandardCharsets.UTF_8)).path("error");
                String code = error.has("code") ? error.path("code").asText() : error.path("type").asText();
                return new Outcome(kind, r.statusCode(), 0, code, error.path("message").asText());
            }
            byte[] buf = new byte[64 * 1024];
            long n = 0;
            int read;
            while ((read = in.read(buf)) >= 0) {
                n += read;
            }
            return new Outcome(kind, 200, n, null, null);
        }
    }

    private static byte[] embeddingsBody(int size) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(size + 256);
        b.writeBytes("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[".getBytes(StandardCharsets.US_ASCII));
        String tail = "]}],\"model\":\"big-upstream\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}";
        byte[] number = "0.0123456,".getBytes(StandardCharsets.US_ASCII);
        while (b.size() + number.length + tail.length() < size) {
            b.writeBytes(number);
        }
        b.writeBytes("0.5".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(tail.getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    private static byte[] chatBody(int size) {
        String head = "{\"id\":\"chatcmpl-big\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"big-upstream\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
        String tail = "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";
        byte[] out = new byte[size];
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] t = tail.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, out, 0, h.length);
        Arrays.fill(out, h.length, size - t.length, (byte) 'a');
        System.arraycopy(t, 0, out, size - t.length, t.length);
        return out;
    }

    /** Answers {@code /v1/embeddings} and {@code /v1/chat/completions} with fixed large bodies, one connection per virtual thread. */
    private static final class BigUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        BigUpstream(byte[] embeddings, byte[] chat) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        Thread.ofVirtual().start(() -> serve(s, embeddings, chat));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private static void serve(Socket s, byte[] embeddings, byte[] chat) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String request;
                while ((request = readRequest(in)) != null) {
                    byte[] body = request.startsWith("POST /v1/embeddings") ? embeddings : chat;
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // the gateway hung up (a cancelled answer)
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.append((char) b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(line.substring(15).trim()));
                }
            }
            return head.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
