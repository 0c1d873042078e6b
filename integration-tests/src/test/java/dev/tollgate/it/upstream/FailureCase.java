package dev.tollgate.it.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.tollgate.it.upstream.Upstreams.KEY;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One way an upstream can fail, the request that meets it, and what the client must see.
 *
 * @param name   for test reports
 * @param model  the gateway model the request names (each points at a differently configured upstream)
 * @param stream whether the client asks for a stream
 * @param stub   the WireMock stub that produces the failure (none for upstreams that are not WireMock)
 * @param expect what the client must get
 */
record FailureCase(String name, String model, boolean stream, Consumer<WireMockServer> stub, Expect expect) {

    /**
     * @param status        the HTTP status (200 for failures after the stream was committed)
     * @param codes         the acceptable error codes (one unless the failure may surface two ways)
     * @param type          the OpenAI error type
     * @param message       the exact message expected, or {@code null} when any non-blank message will do
     * @param retryAfter    the expected {@code Retry-After}, or {@code null} when there must be none
     * @param chunksBefore  for a failure after the stream started: the data chunks the client gets before the
     *                      error event; -1 when the failure comes as a plain JSON error response
     */
    record Expect(int status, Set<String> codes, String type, String message, String retryAfter, int chunksBefore) {

        static Expect json(int status, String code, String type, String message) {
            return new Expect(status, Set.of(code), type, message, null, -1);
        }

        Expect retryAfter(String value) {
            return new Expect(status, codes, type, message, value, chunksBefore);
        }

        static Expect midStream(int chunksBefore, String type, String message, String... codes) {
            return new Expect(200, Set.of(codes), type, message, null, chunksBefore);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** Upstream model names the fixture's gateway models point at. */
    static final String FAILING = "upstream-model";
    static final String SLOW = "slow-model";

    /**
     * Every failure, for non-streamed and streamed requests. With {@code echoKey} the upstream puts
     * the API key into every message it can (as some servers do), and the expected messages are the
     * redacted ones.
     */
    static List<FailureCase> all(boolean echoKey) {
        String leak = echoKey ? " (key " + KEY + ")" : "";
        String shown = echoKey ? " (key ***)" : "";
        List<FailureCase> out = new ArrayList<>();
        for (boolean stream : new boolean[] {false, true}) {
            String mode = stream ? "stream" : "non-stream";

            String m400 = "Invalid value for 'temperature': must be at most 2." + leak;
            out.add(wm("400 keeps status and message, " + mode, stream,
                    status(400, Upstreams.openAiError(m400, "invalid_request_error", "temperature", "invalid_value")),
                    Expect.json(400, "invalid_value", "invalid_request_error",
                            "Invalid value for 'temperature': must be at most 2." + shown)));

            String m404 = "The model `upstream-model` does not exist or you do not have access to it." + leak;
            out.add(wm("404 keeps status and message, " + mode, stream,
                    status(404, Upstreams.openAiError(m404, "invalid_request_error", null, "model_not_found")),
                    Expect.json(404, "model_not_found", "invalid_request_error",
                            "The model `upstream-model` does not exist or you do not have access to it." + shown)));

            String m422 = "Unprocessable: 'messages' must not be empty." + leak;
            out.add(wm("422 keeps status and message, " + mode, stream,
                    status(422, Upstreams.openAiError(m422, "invalid_request_error", "messages", "unprocessable")),
                    Expect.json(422, "unprocessable", "invalid_request_error",
                            "Unprocessable: 'messages' must not be empty." + shown)));

            out.add(wm("401 becomes 502 upstream_auth_failed without the key, " + mode, stream,
                    status(401, Upstreams.openAiError("Incorrect API key provided: " + KEY
                            + ". You can find your API key at https://platform.openai.com/account/api-keys.",
                            "invalid_request_error", null, "invalid_api_key")),
                    Expect.json(502, "upstream_auth_failed", "api_error", null)));

            out.add(wm("403 becomes 502 upstream_auth_failed, " + mode, stream,
                    status(403, Upstreams.openAiError("Project does not have access, key " + KEY,
                            "invalid_request_error", null, "unsupported_country_region_territory")),
                    Expect.json(502, "upstream_auth_failed", "api_error", null)));

            out.add(wm("429 keeps status and Retry-After, " + mode, stream,
                    status(429, Upstreams.openAiError("Rate limit reached for requests." + leak, "requests", null,
                            "rate_limit_exceeded")).withHeader("Retry-After", "7"),
                    Expect.json(429, "rate_limit_exceeded", "rate_limit_error", "Rate limit reached for requests." + shown)
                            .retryAfter("7")));

            out.add(wm("500 becomes 502, " + mode, stream,
                    status(500, Upstreams.openAiError("The server had an error while processing your request." + leak,
                            "server_error", null, null)),
                    Expect.json(502, "upstream_error", "api_error", null)));

            out.add(wm("200 with malformed JSON becomes 502, " + mode, stream,
                    aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody("{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"message\":" + leak.replace('"', '\'')),
                    Expect.json(502, "upstream_malformed_response", "api_error", null)));

            out.add(new FailureCase("response slower than read_timeout becomes 504, " + mode,
                    FailureFixture.SLOW_MODEL, stream,
                    w -> w.stubFor(post(urlEqualTo("/v1/chat/completions"))
                            .withRequestBody(matchingJsonPath("$.model", equalTo(SLOW)))
                            .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                                    .withBody(Upstreams.completion(SLOW, "too late")).withFixedDelay(1_500))),
                    Expect.json(504, "upstream_timeout", "api_error", null)));

            out.add(new FailureCase("nothing listening becomes 502 upstream_unreachable, " + mode,
                    FailureFixture.DOWN_MODEL, stream, w -> { },
                    Expect.json(502, "upstream_unreachable", "api_error", null)));

            out.add(wm("connection reset by peer becomes 502, " + mode, stream,
                    aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                    new Expect(502, Set.of("upstream_reset"), "api_error", null, null, -1)));

            out.add(new FailureCase("upstream silent mid-response beyond read_timeout becomes upstream_timeout, " + mode,
                    FailureFixture.STALL_MODEL, stream, w -> { },
                    stream ? Expect.midStream(1, "api_error", null, "upstream_timeout")
                            : Expect.json(504, "upstream_timeout", "api_error", null)));
        }

        out.add(new FailureCase("no first chunk within the deployment's ttft_timeout becomes 504 before the stream starts",
                FailureFixture.LATE_MODEL, true, w -> { },
                Expect.json(504, "upstream_timeout", "api_error", null)));

        out.add(new FailureCase("stream closed without finish reason or [DONE] ends with an SSE error event",
                FailureFixture.TRUNCATED_MODEL, true, w -> { },
                Expect.midStream(1, "api_error", null, "upstream_stream_truncated")));

        out.add(wm("error event mid-stream becomes an SSE error event", true,
                aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody("data: " + Upstreams.roleChunk(FAILING) + "\n\n"
                                + "data: " + Upstreams.contentChunk(FAILING, "Hel") + "\n\n"
                                + "data: {\"error\":{\"message\":\"The server is overloaded." + leak
                                + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"),
                Expect.midStream(2, "api_error", "The server is overloaded." + shown, "upstream_stream_error")));

        out.add(new FailureCase("reset after two chunks ends the stream with an SSE error event",
                FailureFixture.RESET_MODEL, true, w -> { },
                Expect.midStream(2, "api_error", null, "upstream_reset", "upstream_stream_truncated")));
        return out;
    }

    private static ResponseDefinitionBuilder status(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static FailureCase wm(String name, boolean stream, ResponseDefinitionBuilder response, Expect expect) {
        return new FailureCase(name, FailureFixture.FAILING_MODEL, stream,
                w -> w.stubFor(post(urlEqualTo("/v1/chat/completions"))
                        .withRequestBody(matchingJsonPath("$.model", equalTo(FAILING)))
                        .willReturn(response)),
                expect);
    }
}
