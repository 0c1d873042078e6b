package dev.tollgate.kernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.kernel.KernelHarness;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BadInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KernelHarness gateway;

    @BeforeAll
    static void start() {
        gateway = KernelHarness.withFakeModel("", Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @AfterEach
    void serverKeepsServing() throws Exception {
        HttpResponse<String> ok = gateway.post("/v1/chat/completions", KernelHarness.chat("m"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("echo:up-m");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not JSON                 | not json at all                                                           | 400 |
            a JSON array             | [1,2,3]                                                                   | 400 |
            an empty body            | ''                                                                        | 400 |
            missing model            | {"messages":[{"role":"user","content":"x"}]}                              | 400 | model
            empty model              | {"model":"","messages":[{"role":"user","content":"x"}]}                   | 400 | model
            model not a string       | {"model":42,"messages":[{"role":"user","content":"x"}]}                   | 400 | model
            missing messages         | {"model":"m"}                                                             | 400 | messages
            messages not an array    | {"model":"m","messages":"hello"}                                          | 400 | messages
            message not an object    | {"model":"m","messages":["hello"]}                                        | 400 | messages[0]
            message without role     | {"model":"m","messages":[{"content":"x"}]}                                | 400 | messages[0].role
            stream not a boolean     | {"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}   | 400 | stream
            temperature not a number | {"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"} | 400 | temperature
            max_tokens not integer   | {"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5} | 400 | max_tokens
            stream_options not obj   | {"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":1} | 400 | stream_options
            trailing garbage         | {"model":"m","messages":[{"role":"user","content":"x"}]} {}               | 400 |
            unknown model            | {"model":"gpt-9","messages":[{"role":"user","content":"x"}]}              | 404 | model
            """)
    void rejectsABadChatBodyWithItsStatusAndOpenAiErrorJson(String name, String body, int status, String param) throws Exception {
        HttpResponse<String> r = gateway.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).as(name).isEqualTo(status);
        JsonNode error = openAiError(r);
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
            assertThat(error.get("message").asText()).contains(param.replaceAll("\\[.*", ""));
        }
        if (status == 404) {
            assertThat(error.get("code").asText()).isEqualTo("model_not_found");
        }
        assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void rejectsEmbeddingsWithoutInputNamingTheField() throws Exception {
        HttpResponse<String> r = gateway.post("/v1/embeddings", "{\"model\":\"m\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(openAiError(r).get("param").asText()).isEqualTo("input");
    }

    @Test
    void rejectsAWrongContentTypeWith415() throws Exception {
        String reply = raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(reply).startsWith("HTTP/1.1 415");
        assertThat(reply).contains("\"type\":\"invalid_request_error\"").contains("application/json");
    }

    @Test
    void rejectsGetOnAPostEndpointWith405AndAllow() throws Exception {
        HttpResponse<String> r = gateway.get("/v1/chat/completions");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("POST");
        assertThat(openAiError(r).get("code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void rejectsAnUnknownPathWith404() throws Exception {
        HttpResponse<String> r = gateway.get("/v2/unknown");
        assertThat(r.statusCode()).isEqualTo(404);
        openAiError(r);
    }

    @Test
    void rejectsAFiveMebibyteBodyWith413BeforeReadingIt() throws Exception {
        int size = 5 * 1024 * 1024;
        try (Socket s = new Socket("127.0.0.1", gateway.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + size
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write("{\"model\":\"m\",\"messages\":[".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The answer arrives although almost none of the declared body was sent.
            String head = readResponse(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 413");
            assertThat(head).contains("\"code\":\"request_too_large\"");
        }
    }

    @Test
    void rejectsAChunkedBodyThatGrowsPastTheLimitWith413() throws Exception {
        byte[] chunk = new byte[1024 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        try (Socket s = new Socket("127.0.0.1", gateway.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            try {
                for (int i = 0; i < 5; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedEarly) {
                // the gateway may close the connection once it answered
            }
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void rejectsA64KibHeaderWith431() throws Exception {
        String big = "a".repeat(64 * 1024);
        String reply = raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Big: " + big
                + "\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(reply).startsWith("HTTP/1.1 431");
        assertThat(reply).contains("\"code\":\"request_headers_too_large\"");
    }

    @Test
    void echoesASaneClientRequestIdAndReplacesAnInsaneOne() throws Exception {
        String sane = raw("GET /health/live HTTP/1.1\r\nHost: x\r\nx-request-id: abc-123_X.y:z\r\n\r\n");
        assertThat(sane).containsIgnoringCase("x-request-id: abc-123_X.y:z");
        String insane = raw("GET /health/live HTTP/1.1\r\nHost: x\r\nx-request-id: <script>\r\n\r\n");
        assertThat(insane).doesNotContain("<script>").containsIgnoringCase("x-request-id: ");
    }

    private static JsonNode openAiError(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error).as("OpenAI error object in %s", r.body()).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("code").asText()).isNotBlank();
        return error;
    }

    private static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gateway.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readResponse(s.getInputStream());
        }
    }

    /** Reads one response (headers and a Content-Length body). */
    private static String readResponse(InputStream in) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int contentLength = -1;
        int headerEnd = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            buf.write(b);
            String s = buf.toString(StandardCharsets.ISO_8859_1);
            if (headerEnd < 0 && s.endsWith("\r\n\r\n")) {
                headerEnd = s.length();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(s);
                contentLength = m.find() ? Integer.parseInt(m.group(1)) : 0;
            }
            if (headerEnd >= 0 && buf.size() >= headerEnd + contentLength) {
                break;
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
