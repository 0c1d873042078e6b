package dev.tollgate.plugin.gemini;

import static dev.tollgate.spi.testkit.conformance.ConformanceCase.*;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.conformance.ProviderConformanceSuite;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Exchange;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Golden;
import java.util.Map;

/** provider-gemini against the conformance suite, on the fixtures in {@code fixtures/gemini/}. */
class GeminiConformanceTest extends ProviderConformanceSuite {

    static final String KEY = "AIzaSy-TEST-SECRET-0123456789abcdef";
    static final String MODEL = "gemini-2.5-flash";
    private static final String GENERATE = "/v1beta/models/" + MODEL + ":generateContent";
    private static final String STREAM = "/v1beta/models/" + MODEL + ":streamGenerateContent";
    private static final String HELLO = "Hello! How can I help you today?";

    @Override
    protected ProviderFactory factory() {
        return new GeminiProviderFactory();
    }

    @Override
    protected Map<String, ?> config() {
        return Map.of("api_key", KEY);
    }

    @Override
    protected ProviderFixtures fixtures() {
        return ProviderFixtures.builder("gemini", MODEL, GeminiConformanceTest.class, "/fixtures/gemini/")
                .answer(TEXT, json("text.response.json").expectBodyContains(
                                "\"systemInstruction\":{\"parts\":[{\"text\":\"You are a concise assistant.\"}]}",
                                "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Say hello.\"}]}]",
                                "\"generationConfig\":{\"maxOutputTokens\":512}"),
                        Golden.answer().text(HELLO).stop(StopReason.END_TURN).usage(Usage.of(9, 9)).noToolCalls())
                .answer(TEXT_STREAM, sse("text.stream.sse"),
                        Golden.answer().text(HELLO).stop(StopReason.END_TURN).usage(Usage.of(9, 9)))
                .answer(TOOL_CALL, json("tool_call.response.json").expectBodyContains(
                                "\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"description\":\"Current weather for a city\","
                                        + "\"parametersJsonSchema\":{\"type\":\"object\","),
                        Golden.answer().toolCall(null, "get_weather", "{\"city\":\"Paris\"}").usage(Usage.of(64, 15)))
                .notApplicable(TOOL_CALL_STREAM_SPLIT_ARGUMENTS, "Gemini streams each functionCall whole, in one chunk")
                .answer(PARALLEL_TOOL_CALLS, json("parallel_tool_calls.response.json"), parallel())
                .answer(PARALLEL_TOOL_CALLS_STREAM, sse("parallel_tool_calls.stream.sse"), parallel())
                .answer(USAGE_CACHED_TOKENS, json("usage.response.json"), usage())
                .answer(USAGE_REASONING_TOKENS, json("usage.response.json"), usage())
                .answer(STOP_END_TURN, json("text.response.json"), Golden.answer().text(HELLO))
                .answer(STOP_MAX_TOKENS, json("max_tokens.response.json"), Golden.answer().text("Hello! Here is a long"))
                .notApplicable(STOP_STOP_SEQUENCE, "Gemini reports a matched stop sequence as STOP (end of turn)")
                .answer(STOP_TOOL_USE, json("tool_call.response.json"),
                        Golden.answer().toolCall(null, "get_weather", "{\"city\":\"Paris\"}"))
                .answer(STOP_CONTENT_FILTER, json("safety.response.json"), Golden.answer().text("").usage(Usage.of(9, 0)))
                .notApplicable(STOP_REFUSAL, "Gemini has no refusal finish reason (a refusal is SAFETY or text)")
                .notApplicable(STOP_PAUSE, "Gemini does not pause turns")
                .answer(STOP_UNKNOWN, json("unknown_finish_reason.response.json"), Golden.answer().text(HELLO))
                .answer(UNKNOWN_CONTENT_BLOCK, json("unknown_part.response.json"), Golden.answer().text("Hello!"))
                .answer(UNKNOWN_CONTENT_BLOCK_STREAM, sse("unknown_part.stream.sse"), Golden.answer().text("Hello!"))
                .error(ERROR_INVALID_REQUEST, json(400, "error.invalid_argument.json"), Golden.error().code("invalid_argument"))
                .error(ERROR_CONTEXT_WINDOW, json(400, "error.context_window.json"), Golden.error().code("context_length_exceeded"))
                .error(ERROR_AUTHENTICATION, json(400, "error.api_key_invalid.json"), Golden.error().code("upstream_auth_failed"))
                .error(ERROR_NOT_FOUND, json(404, "error.not_found.json"), Golden.error().code("not_found"))
                .error(ERROR_RATE_LIMITED, json(429, "error.resource_exhausted.json"), Golden.error().retryAfterSeconds(37))
                .error(ERROR_OVERLOADED, json(503, "error.unavailable.json"), Golden.error().status(503))
                .error(ERROR_SERVER, json(500, "error.internal.json"), Golden.error().status(502).code("upstream_error"))
                .error(ERROR_TIMEOUT, json(504, "error.deadline_exceeded.json"), Golden.error())
                .error(ERROR_CONTENT_POLICY, json("blocked.response.json"),
                        Golden.error().errorType(ErrorType.UPSTREAM_CLIENT).status(400).code("content_policy_violation"))
                .error(ERROR_IN_STREAM, sse("error_mid_stream.sse"), Golden.error().status(503).text("Once upon"))
                .error(INTERRUPTED_STREAM, sse("interrupted.stream.sse").thenFail(ScriptedUpstreamHttp.reset()),
                        Golden.error().text("Hello! How can I"))
                .build();
    }

    private static Golden parallel() {
        return Golden.answer().text("I'll look up both cities.")
                .toolCall(null, "get_weather", "{\"city\":\"Paris\"}")
                .toolCall(null, "get_weather", "{\"city\":\"Tokyo\"}")
                .usage(Usage.of(64, 31));
    }

    private static Golden usage() {
        return Golden.answer().text("Hello!").thinking("The user wants a greeting. Keep it short.")
                .usage(Usage.builder().inputTokens(2100).cachedInputTokens(2048).outputTokens(127).reasoningTokens(124).build());
    }

    private static Exchange json(String file) {
        return json(200, file);
    }

    private static Exchange json(int status, String file) {
        return Exchange.json(status, file).expectPathEndsWith(GENERATE).expectHeader("x-goog-api-key", KEY);
    }

    private static Exchange sse(String file) {
        return Exchange.sse(file).expectPathEndsWith(STREAM).expectHeader("x-goog-api-key", KEY)
                .expect(r -> {
                    if (!"alt=sse".equals(r.uri().getRawQuery())) {
                        throw new AssertionError("a stream must ask for alt=sse, got " + r.uri().getRawQuery());
                    }
                });
    }

}
