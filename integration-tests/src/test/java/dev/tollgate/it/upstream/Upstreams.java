package dev.tollgate.it.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.tollgate.it.TestGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Shared pieces of the upstream tests: canned OpenAI payloads, a plain HTTP client, SSE and error parsing. */
final class Upstreams {

    /** The API key every upstream test configures; it must never come back out of the gateway. */
    static final String KEY = "sk-test-SECRET-123";
    static final String KEY_SUFFIX = "SECRET-123";

    static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private Upstreams() {}

    static HttpClient http() {
        return HTTP;
    }

    /** The official OpenAI SDK pointed at {@code g}: no retries, so a test sees the first answer. */
    static OpenAIClient openAiSdk(TestGateway g) {
        return OpenAIOkHttpClient.builder().baseUrl(g.baseUrl()).apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(10)).build();
    }

    /** The official Anthropic SDK pointed at {@code g}: no retries, so a test sees the first answer. */
    static AnthropicClient anthropicSdk(TestGateway g) {
        return AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + g.port()).apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(10)).build();
    }

    // ---- requests ---------------------------------------------------------------------------

    static String chatBody(String model, boolean stream) {
        return chatBody(model, stream, null);
    }

    /** A chat request; {@code streamOptions} is a JSON object text or {@code null} for none. */
    static String chatBody(String model, boolean stream, String streamOptions) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]"
                + (stream ? ",\"stream\":true" : "")
                + (streamOptions != null ? ",\"stream_options\":" + streamOptions : "")
                + ",\"temperature\":0.5}";
    }

    static HttpRequest post(TestGateway g, String path, String body) {
        return HttpRequest.newBuilder(g.uri(path))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static HttpResponse<String> send(TestGateway g, String path, String body) {
        try {
            return HTTP.send(post(g, path, body), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> chat(TestGateway g, String model, boolean stream) {
        return send(g, "/v1/chat/completions", chatBody(model, stream));
    }

    // ---- canned upstream payloads ------------------------------------------------------------

    static String completion(String model, String content) {
        return """
                {"id":"chatcmpl-up-1","object":"chat.completion","created":1700000000,"model":"%s",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"%s","refusal":null},\
                "logprobs":null,"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}""".formatted(model, content);
    }

    static String roleChunk(String model) {
        return "{\"id\":\"chatcmpl-up-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}";
    }

    static String contentChunk(String model, String text) {
        return "{\"id\":\"chatcmpl-up-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}";
    }

    static String finishChunk(String model) {
        return "{\"id\":\"chatcmpl-up-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    }

    static String usageChunk(String model, int prompt, int completion) {
        return "{\"id\":\"chatcmpl-up-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + "}}";
    }

    /** A whole SSE body: role chunk, one chunk per word, finish chunk, usage chunk, [DONE]. */
    static String sseBody(String model, String... words) {
        StringBuilder b = new StringBuilder();
        b.append("data: ").append(roleChunk(model)).append("\n\n");
        for (String w : words) {
            b.append("data: ").append(contentChunk(model, w)).append("\n\n");
        }
        b.append("data: ").append(finishChunk(model)).append("\n\n");
        b.append("data: ").append(usageChunk(model, 9, words.length)).append("\n\n");
        b.append("data: [DONE]\n\n");
        return b.toString();
    }

    static String openAiError(String message, String type, String param, String code) {
        return "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type) + ",\"param\":" + quote(param)
                + ",\"code\":" + quote(code) + "}}";
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- responses -----------------------------------------------------------------------------

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** The payloads of the {@code data:} lines of an SSE body, in order. */
    static List<String> sseData(String body) {
        List<String> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                out.add(line.substring(5).trim());
            }
        }
        return out;
    }

    /** The text content of a chat.completion.chunk, or "" when its delta carries none. */
    static String deltaContent(JsonNode chunk) {
        JsonNode choices = chunk.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            return "";
        }
        JsonNode c = choices.get(0).path("delta").path("content");
        return c.isTextual() ? c.asText() : "";
    }

    static boolean isUsageChunk(JsonNode chunk) {
        return chunk.has("usage") && chunk.path("choices").isArray() && chunk.path("choices").isEmpty();
    }

    /**
     * Asserts {@code body} is an OpenAI error document with a non-blank message, type and code,
     * and returns its {@code error} object.
     */
    static JsonNode assertOpenAiError(String body) {
        JsonNode root = parse(body);
        assertThat(root.has("error")).as("error document: %s", body).isTrue();
        JsonNode e = root.get("error");
        assertThat(e.path("message").isTextual() && !e.path("message").asText().isBlank()).as("message in %s", body).isTrue();
        assertThat(e.path("type").isTextual() && !e.path("type").asText().isBlank()).as("type in %s", body).isTrue();
        assertThat(e.path("code").isTextual() && !e.path("code").asText().isBlank()).as("code in %s", body).isTrue();
        assertThat(e.has("param")).as("param in %s", body).isTrue();
        return e;
    }

    /** Waits up to {@code timeout} for the gateway to count no request in flight, and asserts it does. */
    static void assertNothingInFlight(TestGateway g, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (g.gateway().inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(g.gateway().inFlight()).as("requests the gateway still counts in flight").isZero();
    }

    /** A loopback port on which nothing listens (bound once, then released). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The YAML of one openai deployment under {@code models:}. */
    static String openAiModel(String name, String upstreamModel, String apiBase, String readTimeout) {
        return """
                  %s:
                    deployments:
                      - provider: openai
                        model: %s
                        config:
                          api_base: %s
                          api_key: ${env:UPSTREAM_KEY}
                          read_timeout: %s
                """.formatted(name, upstreamModel, apiBase, readTimeout);
    }
}
