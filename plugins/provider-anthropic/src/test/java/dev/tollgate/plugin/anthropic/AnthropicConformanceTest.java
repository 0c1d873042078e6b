package dev.tollgate.plugin.anthropic;

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
 * provider-anthropic against the conformance suite, on the fixtures in {@code fixtures/anthropic/} (the
 * same files its other tests use). Anthropic clients pass through; OpenAI clients are translated.
 */
class AnthropicConformanceTest extends ProviderConformanceSuite {

    private static final String BONJOUR = "Bonjour ! Comment puis-je vous aider aujourd'hui ?";
    private static final Usage CACHED = Usage.builder().inputTokens(2025).cachedInputTokens(1800).cacheWriteTokens(200)
            .outputTokens(15).build();
    private static final Usage SMALL = Usage.of(21, 9);

    @Override
    protected ProviderFactory factory() {
        return new AnthropicProviderFactory();
    }

    @Override
    protected Map<String, ?> config() {
        return Map.of("api_key", TestSupport.KEY);
    }

    @Override
    protected ProviderFixtures fixtures() {
        return ProviderFixtures.builder("anthropic", TestSupport.UPSTREAM_MODEL, AnthropicConformanceTest.class, "/fixtures/anthropic/")
                .answer(TEXT, json("text.response.json").expectBodyContains("\"system\":\"You are a concise assistant.\"",
                                "\"max_tokens\":512"),
                        Golden.answer().text(BONJOUR).stop(StopReason.END_TURN).usage(CACHED).noToolCalls())
                .answer(TEXT_STREAM, sse("text.stream.sse"), Golden.answer().text(BONJOUR).stop(StopReason.END_TURN).usage(CACHED))
                .answer(TOOL_CALL, json("tool_use_single.response.json").expectBodyContains("\"name\":\"get_weather\"",
                                "\"input_schema\":{\"type\":\"object\""),
                        Golden.answer().toolCall("toolu_01T1x8fJ9d2pQ7Lz", "get_weather", "{\"city\":\"Paris\"}").usage(SMALL))
                .answer(TOOL_CALL_STREAM_SPLIT_ARGUMENTS, sse("tool_use.stream.sse"), twoCalls())
                .answer(PARALLEL_TOOL_CALLS, json("tool_use.response.json"), twoCalls())
                .answer(PARALLEL_TOOL_CALLS_STREAM, sse("tool_use.stream.sse"), twoCalls())
                .answer(USAGE_CACHED_TOKENS, json("text.response.json"), Golden.answer().usage(CACHED))
                .notApplicable(USAGE_REASONING_TOKENS, "Anthropic counts thinking inside output_tokens and reports no separate figure")
                .answer(STOP_END_TURN, json("text.response.json"), Golden.answer().text(BONJOUR))
                .answer(STOP_MAX_TOKENS, json("max_tokens.response.json"), Golden.answer().text("Hello! Here is a long").usage(SMALL))
                .answer(STOP_STOP_SEQUENCE, json("stop_sequence.response.json"), Golden.answer().text("Hello"))
                .answer(STOP_TOOL_USE, json("tool_use_single.response.json"),
                        Golden.answer().toolCall("toolu_01T1x8fJ9d2pQ7Lz", "get_weather", "{\"city\":\"Paris\"}"))
                .notApplicable(STOP_CONTENT_FILTER, "Anthropic reports withheld output as the refusal stop reason")
                .answer(STOP_REFUSAL, json("refusal.response.json"), Golden.answer().text(""))
                .answer(STOP_PAUSE, json("pause_turn.response.json"), Golden.answer().text("Let me keep searching."))
                .answer(STOP_UNKNOWN, json("unknown_stop.response.json"), Golden.answer().text("Hello!"))
                .answer(UNKNOWN_CONTENT_BLOCK, json("unknown_block.response.json"), Golden.answer().text("Hello!"))
                .answer(UNKNOWN_CONTENT_BLOCK_STREAM, sse("unknown_block.stream.sse"), Golden.answer().text("Hello!"))
                .error(ERROR_INVALID_REQUEST, json(400, "error.invalid_request_error.json"), Golden.error().code("invalid_request_error"))
                .error(ERROR_CONTEXT_WINDOW, json(400, "error.prompt_too_long.json"), Golden.error().code("context_length_exceeded"))
                .error(ERROR_AUTHENTICATION, json(401, "error.authentication_error.json"), Golden.error().code("upstream_auth_failed"))
                .error(ERROR_NOT_FOUND, json(404, "error.not_found_error.json"), Golden.error())
                .error(ERROR_RATE_LIMITED, json(429, "error.rate_limit_error.json").withHeader("retry-after", "12"),
                        Golden.error().retryAfterSeconds(12))
                .error(ERROR_OVERLOADED, json(529, "error.overloaded_error.json"), Golden.error().status(503))
                .error(ERROR_SERVER, json(500, "error.api_error.json"), Golden.error().status(502))
                .error(ERROR_TIMEOUT, json(504, "error.timeout_error.json"), Golden.error())
                .error(ERROR_CONTENT_POLICY, json(400, "error.content_filtering.json"), Golden.error().status(400))
                .error(ERROR_IN_STREAM, sse("error_mid_stream.sse"), Golden.error().status(503).text("Once upon"))
                .error(INTERRUPTED_STREAM, sse("interrupted.stream.sse").thenFail(ScriptedUpstreamHttp.reset()),
                        Golden.error().text(BONJOUR))
                .build();
    }

    private static Golden twoCalls() {
        return Golden.answer().text("I'll check both cities.")
                .toolCall("toolu_01A09q90qw90lq917835lq9", "get_weather", "{\"location\": \"San Francisco, CA\", \"unit\": \"celsius\"}")
                .toolCall("toolu_01B18r81rx81mr826724mr8", "get_weather", "{\"location\": \"Paris, France\", \"unit\": \"celsius\"}")
                .usage(Usage.of(472, 118));
    }

    private static Exchange json(String file) {
        return json(200, file);
    }

    private static Exchange json(int status, String file) {
        return Exchange.json(status, file).expectPathEndsWith("/v1/messages").expectHeader("x-api-key", TestSupport.KEY);
    }

    private static Exchange sse(String file) {
        return Exchange.sse(file).expectPathEndsWith("/v1/messages").expectHeader("x-api-key", TestSupport.KEY);
    }
}
