package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.security.SecureRandom;
import java.util.List;

/**
 * An API key only of letters and digits, which a JSON parser quotes whole in "Unrecognized token
 * '…'", and the upstream answers that reflect it where provider-openai parses what it gets.
 */
public final class KeyReflections {

    public static final String MODEL = "gpt-canary";
    public static final String UPSTREAM_MODEL = "canary-model";

    private KeyReflections() {}

    /**
     * One reflection: the upstream's answer, and the status and error code the client must get.
     *
     * @param stream whether the client asks for a stream
     */
    /** @param code the error code the client gets, or {@code null} for an answer (whose key must arrive masked) */
    public record Case(String name, boolean stream, ResponseDefinitionBuilder upstream, int status, String code) {}

    /** 40 random letters and digits, new for every run: no "-" or "_" for a parser to stop at. */
    public static String canary() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder("k");
        while (b.length() < 40) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** The YAML of model {@link #MODEL} on provider-openai at {@code apiBase}, its key from {@code ${env:CANARY_KEY}}. */
    public static String modelYaml(String apiBase) {
        return """
                models:
                  %s:
                    deployments:
                      - provider: openai
                        model: %s
                        config:
                          api_base: %s
                          api_key: ${env:CANARY_KEY}
                          read_timeout: 2s
                """.formatted(MODEL, UPSTREAM_MODEL, apiBase);
    }

    public static List<Case> cases(String key) {
        String role = "data: " + Upstreams.roleChunk(UPSTREAM_MODEL) + "\n\n";
        return List.of(
                new Case("200 body whose error is the bare key", false, json(200, "{\"error\":" + key + "}"),
                        502, "upstream_malformed_response"),
                new Case("200 body that is only the key", false, json(200, key), 502, "upstream_malformed_response"),
                new Case("first data line whose error is the bare key", true, sse("data: {\"error\":" + key + "}\n\n"),
                        502, "upstream_malformed_response"),
                new Case("data line whose error is the bare key, after the first chunk", true,
                        sse(role + "data: {\"error\":" + key + "}\n\n"), 200, "upstream_malformed_response"),
                new Case("broken usage line after the first chunk", true,
                        sse(role + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + key + "}}\n\n"),
                        200, "upstream_malformed_response"),
                new Case("500 error message", false, json(500, Upstreams.openAiError("bad key " + key, "server_error", null, null)),
                        502, "upstream_error"),
                new Case("500 error message, stream", true,
                        json(500, Upstreams.openAiError("bad key " + key, "server_error", null, null)), 502, "upstream_error"),
                new Case("503 plain-text body", false, aResponse().withStatus(503).withHeader("Content-Type", "text/plain")
                        .withBody(key), 502, "upstream_error"),
                new Case("400 error message", false,
                        json(400, Upstreams.openAiError("key " + key + " is not allowed", "invalid_request_error", key, key)),
                        400, "***"),
                new Case("401 error message", true,
                        json(401, Upstreams.openAiError("Incorrect API key provided: " + key, "invalid_request_error", null,
                                "invalid_api_key")), 502, "upstream_auth_failed"),
                new Case("429 error message", false,
                        json(429, Upstreams.openAiError("Rate limit for " + key, "requests", null, "rate_limit_exceeded")),
                        429, "rate_limit_exceeded"),
                new Case("stream error event", true,
                        sse(role + "data: " + Upstreams.openAiError("overloaded for " + key, "server_error", null, null) + "\n\n"),
                        200, "upstream_stream_error"),
                new Case("a valid 200 answer whose text holds the key", false, json(200,
                        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + UPSTREAM_MODEL + "\","
                                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"your key is " + key
                                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":4,\"total_tokens\":5}}"),
                        200, null),
                new Case("a valid stream whose text holds the key", true, sse(role
                        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + UPSTREAM_MODEL
                        + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"key " + key + "\"},\"finish_reason\":\"stop\"}]}\n\n"
                        + "data: [DONE]\n\n"), 200, null));
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static ResponseDefinitionBuilder sse(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(body);
    }
}
