package com.example.quill;

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
 * The whole conformance suite against the quill adapter: every case is either answered from a fixture
 * in {@code fixtures/quill/} and compared with its golden result, or marked not applicable with why.
 */
class QuillConformanceTest extends ProviderConformanceSuite {

    private static final String KEY = "quill-test-key-0123";
    private static final String HELLO = "Hello! How can I help you today?";
    private static final String NO_TOOLS = "the Quill API has no tools";
    private static final String NO_STREAMS = "the Quill API does not stream: a stream is its answer in one delta";

    @Override
    protected ProviderFactory factory() {
        return new QuillPlugin().providers().getFirst();
    }

    @Override
    protected Map<String, ?> config() {
        return Map.of("api_key", KEY, "api_base", "http://quill.test/");
    }

    @Override
    protected ProviderFixtures fixtures() {
        return ProviderFixtures.builder("quill", "quill-2", QuillConformanceTest.class, "/fixtures/quill/")
                .answer(TEXT, ok("text.json").expectBodyContains("\"system\":\"You are a concise assistant.\"",
                                "\"turns\":[{\"speaker\":\"user\",\"text\":\"Say hello.\"}]", "\"limit\":512", "\"model\":\"quill-2\""),
                        Golden.answer().text(HELLO).stop(StopReason.END_TURN).usage(Usage.of(19, 9)).noToolCalls())
                .answer(TEXT_STREAM, ok("text.json"), Golden.answer().text(HELLO).stop(StopReason.END_TURN).usage(Usage.of(19, 9)))
                .notApplicable(TOOL_CALL, NO_TOOLS)
                .notApplicable(TOOL_CALL_STREAM_SPLIT_ARGUMENTS, NO_TOOLS)
                .notApplicable(PARALLEL_TOOL_CALLS, NO_TOOLS)
                .notApplicable(PARALLEL_TOOL_CALLS_STREAM, NO_TOOLS)
                .notApplicable(USAGE_CACHED_TOKENS, "the Quill API has no prompt cache")
                .notApplicable(USAGE_REASONING_TOKENS, "the Quill API does not report reasoning tokens")
                .answer(STOP_END_TURN, ok("text.json"), Golden.answer().text(HELLO))
                .answer(STOP_MAX_TOKENS, ok("limit.json"), Golden.answer().text("Hello! Here is a long").usage(Usage.of(19, 512)))
                .notApplicable(STOP_STOP_SEQUENCE, "the Quill API has no stop sequences")
                .notApplicable(STOP_TOOL_USE, NO_TOOLS)
                .answer(STOP_CONTENT_FILTER, ok("blocked.json"), Golden.answer().text(""))
                .notApplicable(STOP_REFUSAL, "the Quill API has no refusal end")
                .notApplicable(STOP_PAUSE, "the Quill API does not pause turns")
                .answer(STOP_UNKNOWN, ok("unknown_end.json"), Golden.answer().text("Hello!"))
                .notApplicable(UNKNOWN_CONTENT_BLOCK, "a Quill answer is one text, it has no blocks")
                .notApplicable(UNKNOWN_CONTENT_BLOCK_STREAM, NO_STREAMS)
                .error(ERROR_INVALID_REQUEST, error(400, "invalid"), Golden.error().code("invalid_request"))
                .error(ERROR_CONTEXT_WINDOW, error(400, "too_long"), Golden.error().code("context_length_exceeded"))
                .error(ERROR_AUTHENTICATION, error(401, "unauthorized"), Golden.error().code("upstream_auth_failed"))
                .error(ERROR_NOT_FOUND, error(404, "no_such_model"), Golden.error().code("model_not_found"))
                .error(ERROR_RATE_LIMITED, error(429, "slow_down").withHeader("Retry-After", "3"), Golden.error().retryAfterSeconds(3))
                .error(ERROR_OVERLOADED, error(503, "busy"), Golden.error().status(503))
                .error(ERROR_SERVER, error(500, "broken"), Golden.error().status(502))
                .error(ERROR_TIMEOUT, error(504, "timeout"), Golden.error())
                .error(ERROR_CONTENT_POLICY, error(400, "blocked"), Golden.error().status(400).code("content_policy_violation"))
                .notApplicable(ERROR_IN_STREAM, NO_STREAMS)
                .error(INTERRUPTED_STREAM, Exchange.transportFailure(ScriptedUpstreamHttp.reset()), Golden.error())
                .build();
    }

    private static Exchange ok(String file) {
        return Exchange.json(200, file).expectPathEndsWith("/v1/complete").expectHeader("X-Quill-Key", KEY);
    }

    private static Exchange error(int status, String type) {
        return Exchange.json(status, "error." + type + ".json").expectPathEndsWith("/v1/complete").expectHeader("X-Quill-Key", KEY);
    }
}
