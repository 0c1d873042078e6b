package dev.tollgate.plugin.openai;

import static dev.tollgate.spi.testkit.conformance.ConformanceCase.*;

import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.conformance.ProviderConformanceSuite;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Exchange;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Golden;
import java.util.Map;

/**
 * provider-openai against the conformance suite, on the fixtures in {@code fixtures/openai/}. OpenAI
 * clients pass through; Anthropic clients are translated.
 */
class OpenAiConformanceTest extends ProviderConformanceSuite {

    private static final String HELLO = "Hello! How can I help you today?";
    private static final String PATH = "/v1/chat/completions";

    @Override
    protected ProviderFactory factory() {
        return new OpenAiProviderFactory();
    }

    @Override
    protected Map<String, ?> config() {
        return Map.of("api_key", TestSupport.KEY);
    }

    @Override
    protected ProviderFixtures fixtures() {
        return ProviderFixtures.builder("openai", TestSupport.UPSTREAM_MODEL, OpenAiConformanceTest.class, "/fixtures/openai/")
                .answer(TEXT, json("text.response.json").expectBodyContains(
                                "{\"role\":\"system\",\"content\":\"You are a concise assistant.\"}"),
                        Golden.answer().text(HELLO).stop(StopReason.END_TURN).usage(Usage.of(19, 9)).noToolCalls())
                .answer(TEXT_STREAM, json("text.stream.sse", true),
                        Golden.answer().text(HELLO).stop(StopReason.END_TURN).usage(Usage.of(19, 9)))
                .answer(TOOL_CALL, json("tool_call.response.json").expectBodyContains("\"name\":\"get_weather\""),
                        Golden.answer().toolCall("call_Qx7mT2aPz9LrW4bN", "get_weather", "{\"city\":\"Paris\"}").usage(Usage.of(64, 15)))
                .answer(TOOL_CALL_STREAM_SPLIT_ARGUMENTS, json("tool_call_split.stream.sse", true),
                        Golden.answer().toolCall("call_Qx7mT2aPz9LrW4bN", "get_weather", "{\"city\":\"Paris\"}").usage(Usage.of(64, 15)))
                .answer(PARALLEL_TOOL_CALLS, json("parallel_tool_calls.response.json"), parallel())
                .answer(PARALLEL_TOOL_CALLS_STREAM, json("parallel_tool_calls.stream.sse", true), parallel())
                .answer(USAGE_CACHED_TOKENS, json("usage.response.json"), usage())
                .answer(USAGE_REASONING_TOKENS, json("usage.response.json"), usage())
                .answer(STOP_END_TURN, json("text.response.json"), Golden.answer().text(HELLO))
                .answer(STOP_MAX_TOKENS, json("max_tokens.response.json"), Golden.answer().text("Hello! Here is a long"))
                .notApplicable(STOP_STOP_SEQUENCE, "OpenAI reports a matched stop sequence as finish_reason stop (end of turn)")
                .answer(STOP_TOOL_USE, json("tool_call.response.json"),
                        Golden.answer().toolCall("call_Qx7mT2aPz9LrW4bN", "get_weather", "{\"city\":\"Paris\"}"))
                .answer(STOP_CONTENT_FILTER, json("content_filter.response.json"), Golden.answer().text(""))
                .notApplicable(STOP_REFUSAL, "OpenAI puts a refusal in the message's refusal field and finishes with stop")
                .notApplicable(STOP_PAUSE, "OpenAI Chat Completions does not pause turns")
                .answer(STOP_UNKNOWN, json("unknown_finish_reason.response.json"), Golden.answer().text(HELLO))
                .answer(UNKNOWN_CONTENT_BLOCK, json("unknown_field.response.json"), Golden.answer().text("Hello!"))
                .answer(UNKNOWN_CONTENT_BLOCK_STREAM, json("unknown_field.stream.sse", true), Golden.answer().text("Hello!"))
                .error(ERROR_INVALID_REQUEST, json(400, "error.invalid_request.json"), Golden.error())
                .error(ERROR_CONTEXT_WINDOW, json(400, "error.context_length_exceeded.json"), Golden.error())
                .error(ERROR_AUTHENTICATION, json(401, "error.invalid_api_key.json"), Golden.error().code("upstream_auth_failed"))
                .error(ERROR_NOT_FOUND, json(404, "error.model_not_found.json"), Golden.error())
                .error(ERROR_RATE_LIMITED, json(429, "error.rate_limit_exceeded.json").withHeader("retry-after", "2"),
                        Golden.error().retryAfterSeconds(2))
                .error(ERROR_OVERLOADED, json(503, "error.overloaded.json"), Golden.error())
                .error(ERROR_SERVER, json(500, "error.server_error.json"), Golden.error().status(502))
                .error(ERROR_TIMEOUT, json(504, "error.timeout.json"), Golden.error())
                .error(ERROR_CONTENT_POLICY, json(400, "error.content_policy_violation.json"), Golden.error().status(400))
                .error(ERROR_IN_STREAM, json("error_mid_stream.sse", true), Golden.error().text("Once upon"))
                .error(INTERRUPTED_STREAM, json("interrupted.stream.sse", true).thenFail(ScriptedUpstreamHttp.reset()),
                        Golden.error().text("Hello! How can I"))
                .build();
    }

    private static Golden parallel() {
        return Golden.answer()
                .toolCall("call_Qx7mT2aPz9LrW4bN", "get_weather", "{\"city\":\"Paris\"}")
                .toolCall("call_Jk3vH8sYc1DqF6eU", "get_weather", "{\"city\":\"Tokyo\"}")
                .usage(Usage.of(64, 47));
    }

    private static Golden usage() {
        return Golden.answer().text("Hello!")
                .usage(Usage.builder().inputTokens(2006).cachedInputTokens(1024).outputTokens(80).reasoningTokens(64).build());
    }

    private static Exchange json(String file) {
        return json(200, file);
    }

    private static Exchange json(String file, boolean stream) {
        return Exchange.sse(file).expectPathEndsWith(PATH).expectHeader("Authorization", "Bearer " + TestSupport.KEY);
    }

    private static Exchange json(int status, String file) {
        return Exchange.json(status, file).expectPathEndsWith(PATH).expectHeader("Authorization", "Bearer " + TestSupport.KEY);
    }
}
