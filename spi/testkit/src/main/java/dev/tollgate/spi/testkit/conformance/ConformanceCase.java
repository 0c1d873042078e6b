package dev.tollgate.spi.testkit.conformance;

import dev.tollgate.spi.chat.StopReason;

/**
 * The cases of the provider conformance suite. Each is one upstream exchange the adapter must
 * translate (or relay) correctly; {@link ProviderFixtures} maps each to the provider's wire bytes and
 * the golden canonical result, or marks it not applicable with a reason.
 */
public enum ConformanceCase {
    TEXT("text, not streamed", false, Kind.ANSWER, null, Request.PLAIN),
    TEXT_STREAM("text, streamed", true, Kind.ANSWER, null, Request.PLAIN),
    TOOL_CALL("one tool call, not streamed", false, Kind.ANSWER, StopReason.TOOL_USE, Request.TOOLS),
    TOOL_CALL_STREAM_SPLIT_ARGUMENTS("a streamed tool call whose arguments arrive in several pieces", true, Kind.ANSWER,
            StopReason.TOOL_USE, Request.TOOLS),
    PARALLEL_TOOL_CALLS("two tool calls in one answer", false, Kind.ANSWER, StopReason.TOOL_USE, Request.TOOLS),
    PARALLEL_TOOL_CALLS_STREAM("two tool calls in one streamed answer", true, Kind.ANSWER, StopReason.TOOL_USE, Request.TOOLS),
    USAGE_CACHED_TOKENS("usage with prompt-cache reads", false, Kind.ANSWER, null, Request.PLAIN),
    USAGE_REASONING_TOKENS("usage with reasoning tokens", false, Kind.ANSWER, null, Request.PLAIN),
    STOP_END_TURN("stop reason: end of turn", false, Kind.ANSWER, StopReason.END_TURN, Request.PLAIN),
    STOP_MAX_TOKENS("stop reason: output limit", false, Kind.ANSWER, StopReason.MAX_TOKENS, Request.PLAIN),
    STOP_STOP_SEQUENCE("stop reason: stop sequence", false, Kind.ANSWER, StopReason.STOP_SEQUENCE, Request.STOP),
    STOP_TOOL_USE("stop reason: tool use", false, Kind.ANSWER, StopReason.TOOL_USE, Request.TOOLS),
    STOP_CONTENT_FILTER("stop reason: content filter", false, Kind.ANSWER, StopReason.CONTENT_FILTER, Request.PLAIN),
    STOP_REFUSAL("stop reason: refusal", false, Kind.ANSWER, StopReason.REFUSAL, Request.PLAIN),
    STOP_PAUSE("stop reason: pause", false, Kind.ANSWER, StopReason.PAUSE, Request.PLAIN),
    STOP_UNKNOWN("an unknown stop reason is OTHER, logged and counted", false, Kind.SURFACED, StopReason.OTHER, Request.PLAIN),
    UNKNOWN_CONTENT_BLOCK("an unknown content block is kept or logged and counted", false, Kind.SURFACED, null, Request.PLAIN),
    UNKNOWN_CONTENT_BLOCK_STREAM("an unknown streamed block is logged and counted", true, Kind.SURFACED, null, Request.PLAIN),
    ERROR_INVALID_REQUEST("error: request rejected (400)", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_CONTEXT_WINDOW("error: prompt too long for the context window", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_AUTHENTICATION("error: the gateway's credentials rejected", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_NOT_FOUND("error: model not found (404)", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_RATE_LIMITED("error: rate limited (429)", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_OVERLOADED("error: provider overloaded or unavailable", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_SERVER("error: provider failure (500)", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_TIMEOUT("error: provider timeout", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_CONTENT_POLICY("error: prompt blocked by the provider's content policy", false, Kind.ERROR, null, Request.PLAIN),
    ERROR_IN_STREAM("error reported inside a stream", true, Kind.ERROR, null, Request.PLAIN),
    INTERRUPTED_STREAM("a stream cut off before its end", true, Kind.ERROR, null, Request.PLAIN);

    /** What the suite checks for a case. */
    public enum Kind {
        /** An answer that must equal the golden one. */
        ANSWER,
        /** An answer in which something the translation did not understand must be surfaced, never dropped. */
        SURFACED,
        /** A failure that must be classified as the case says. */
        ERROR
    }

    /** The request the suite sends for a case. */
    enum Request {
        /** A system prompt and one user message. */
        PLAIN,
        /** The same with one tool, {@code get_weather}. */
        TOOLS,
        /** The plain request with the stop sequence {@code END}. */
        STOP
    }

    private final String description;
    private final boolean stream;
    private final Kind kind;
    private final StopReason requiredStop;
    private final Request request;

    ConformanceCase(String description, boolean stream, Kind kind, StopReason requiredStop, Request request) {
        this.description = description;
        this.stream = stream;
        this.kind = kind;
        this.requiredStop = requiredStop;
        this.request = request;
    }

    public String description() {
        return description;
    }

    /** Whether the case streams. */
    public boolean stream() {
        return stream;
    }

    public Kind kind() {
        return kind;
    }

    /** The stop reason the answer must have whatever the fixture says, or {@code null}. */
    public StopReason requiredStop() {
        return requiredStop;
    }

    Request request() {
        return request;
    }

    /** The case's name in results and the compatibility matrix: {@code tool_call_stream_split_arguments}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
