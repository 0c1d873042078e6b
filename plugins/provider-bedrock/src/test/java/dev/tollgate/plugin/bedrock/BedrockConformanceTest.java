package dev.tollgate.plugin.bedrock;

import static dev.tollgate.spi.testkit.conformance.ConformanceCase.*;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.testkit.conformance.ProviderConformanceSuite;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Exchange;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Golden;
import java.util.Map;

/**
 * provider-bedrock against the conformance suite, on the fixtures in {@code fixtures/bedrock/}. Every
 * client API is translated to Converse. Streams are the {@code *.events} files framed as AWS
 * event-stream by {@link EventStreamFrames} and served as raw bytes ({@link Exchange#bytes}); errors
 * carry {@code x-amzn-ErrorType} as Bedrock sends it.
 */
class BedrockConformanceTest extends ProviderConformanceSuite {

    private static final String BONJOUR = "Bonjour ! Comment puis-je vous aider aujourd'hui ?";
    private static final String TOOL_A = "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q";
    private static final String TOOL_B = "tooluse_9xQWq3WbT0SddJ8GJ7Y4hw";
    private static final String ARGS_A = "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}";
    private static final String ARGS_B = "{\"location\":\"Paris, France\",\"unit\":\"celsius\"}";

    @Override
    protected ProviderFactory factory() {
        return new BedrockProviderFactory();
    }

    @Override
    protected Map<String, ?> config() {
        return TestSupport.withKey();
    }

    @Override
    protected ProviderFixtures fixtures() {
        return ProviderFixtures.builder("bedrock", TestSupport.UPSTREAM_MODEL, BedrockConformanceTest.class, "/fixtures/bedrock/")
                .answer(TEXT, converse("text.response.json").expectBodyContains("\"system\":[{\"text\":\"You are a concise assistant.\"}]"),
                        Golden.answer().text(BONJOUR).stop(StopReason.END_TURN).usage(Usage.of(25, 15)).noToolCalls())
                .answer(TEXT_STREAM, stream("text.events"), Golden.answer().text(BONJOUR).stop(StopReason.END_TURN)
                        .usage(Usage.builder().inputTokens(2025).outputTokens(15).cachedInputTokens(1800).cacheWriteTokens(200).build()))
                .answer(TOOL_CALL, converse("tool_use_one.response.json").expectBodyContains("\"name\":\"get_weather\""),
                        Golden.answer().toolCall(TOOL_A, "get_weather", ARGS_A).usage(Usage.of(412, 61)))
                .answer(TOOL_CALL_STREAM_SPLIT_ARGUMENTS, stream("tool_use.events"), twoCalls())
                .answer(PARALLEL_TOOL_CALLS, converse("tool_use.response.json"), twoCalls())
                .answer(PARALLEL_TOOL_CALLS_STREAM, stream("tool_use.events"), twoCalls())
                .answer(USAGE_CACHED_TOKENS, converse("usage_cache.response.json"), Golden.answer().text("The contract ends on 31 March.")
                        .usage(Usage.builder().inputTokens(2025).outputTokens(15).cachedInputTokens(1800).cacheWriteTokens(200).build()))
                .notApplicable(USAGE_REASONING_TOKENS, "Converse counts reasoning inside outputTokens and reports no separate figure")
                .answer(STOP_END_TURN, converse("stop.end_turn.response.json"), Golden.answer().text("Partial answer"))
                .answer(STOP_MAX_TOKENS, converse("stop.max_tokens.response.json"), Golden.answer().text("Partial answer"))
                .answer(STOP_STOP_SEQUENCE, converse("stop.stop_sequence.response.json"), Golden.answer().text("Partial answer"))
                .answer(STOP_TOOL_USE, converse("tool_use_one.response.json"), Golden.answer().toolCall(TOOL_A, "get_weather", ARGS_A))
                .answer(STOP_CONTENT_FILTER, converse("stop.content_filtered.response.json"), Golden.answer().text("Partial answer"))
                .notApplicable(STOP_REFUSAL, "Converse has no refusal stop reason (a guardrail's intervention is a content filter)")
                .notApplicable(STOP_PAUSE, "Converse does not pause turns")
                .answer(STOP_UNKNOWN, converse("stop.unknown.response.json"), Golden.answer().text("Partial answer"))
                .answer(UNKNOWN_CONTENT_BLOCK, converse("unknown_block.response.json"), Golden.answer().text("Bonjour !"))
                .answer(UNKNOWN_CONTENT_BLOCK_STREAM, stream("unknown_block.events"), Golden.answer().text("Bonjour !"))
                .error(ERROR_INVALID_REQUEST, error(400, "ValidationException", "error.ValidationException.json"), Golden.error())
                .error(ERROR_CONTEXT_WINDOW, error(400, "ValidationException", "error.context_window.json"),
                        Golden.error().code("context_length_exceeded"))
                .error(ERROR_AUTHENTICATION, error(403, "AccessDeniedException", "error.AccessDeniedException.json"),
                        Golden.error().code("upstream_auth_failed"))
                .error(ERROR_NOT_FOUND, error(404, "ResourceNotFoundException", "error.ResourceNotFoundException.json"),
                        Golden.error().code("model_not_found"))
                .error(ERROR_RATE_LIMITED, error(429, "ThrottlingException", "error.ThrottlingException.json").withHeader("Retry-After", "4"),
                        Golden.error().retryAfterSeconds(4))
                .error(ERROR_OVERLOADED, error(503, "ServiceUnavailableException", "error.ServiceUnavailableException.json"),
                        Golden.error().status(503))
                .error(ERROR_SERVER, error(500, "InternalServerException", "error.InternalServerException.json"), Golden.error().status(502))
                .error(ERROR_TIMEOUT, error(408, "ModelTimeoutException", "error.ModelTimeoutException.json"), Golden.error())
                .notApplicable(ERROR_CONTENT_POLICY, "Bedrock answers a blocked prompt with stopReason guardrail_intervened or"
                        + " content_filtered (a content filter stop), not with an error")
                .error(ERROR_IN_STREAM, stream("exception_mid_stream.events"),
                        Golden.error().errorType(ErrorType.RATE_LIMITED).status(429).text("Bonjour"))
                .error(INTERRUPTED_STREAM, stream("interrupted.events"), Golden.error().code("upstream_stream_truncated").text("Bonjour"))
                .build();
    }

    private static Golden twoCalls() {
        return Golden.answer().toolCall(TOOL_A, "get_weather", ARGS_A).toolCall(TOOL_B, "get_weather", ARGS_B).usage(Usage.of(412, 118));
    }

    private static Exchange converse(String file) {
        return signed(Exchange.json(200, file), "/converse");
    }

    private static Exchange stream(String file) {
        return signed(Exchange.bytes(200, BedrockAdapter.EVENT_STREAM, () -> EventStreamFrames.stream(TestSupport.fixture(file))),
                "/converse-stream");
    }

    private static Exchange error(int status, String type, String file) {
        return signed(Exchange.json(status, file).withHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/"),
                "/converse");
    }

    /** Every request goes to the deployment's model and is signed with the configured key for us-east-1. */
    private static Exchange signed(Exchange e, String operation) {
        return e.expectPathEndsWith("/model/" + TestSupport.UPSTREAM_MODEL.replace(":", "%3A") + operation)
                .expect(r -> {
                    String auth = r.headers().first("authorization").orElse("");
                    if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=" + TestSupport.KEY_ID + "/")
                            || !auth.contains("/us-east-1/bedrock/aws4_request")) {
                        throw new AssertionError("the request is not signed with the configured key for us-east-1: " + auth);
                    }
                });
    }
}
