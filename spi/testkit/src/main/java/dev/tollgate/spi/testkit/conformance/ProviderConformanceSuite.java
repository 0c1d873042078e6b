package dev.tollgate.spi.testkit.conformance;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.FailureReason;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderFactory;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.sse.SseParser;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import dev.tollgate.spi.testkit.ScriptedUpstreamHttp;
import dev.tollgate.spi.testkit.TestRequests;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Entry;
import dev.tollgate.spi.testkit.conformance.ProviderFixtures.Golden;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The provider conformance suite as JUnit 5 tests. Extend it, say which factory and config make the
 * adapter and which {@link ProviderFixtures} hold the provider's wire exchanges, and every
 * {@link ConformanceCase} runs against the adapter for each inbound API ({@link #inboundFormats()}):
 *
 * <pre>{@code
 * class GeminiConformanceTest extends ProviderConformanceSuite {
 *     protected ProviderFactory factory() { return new GeminiProviderFactory(); }
 *     protected Map<String, ?> config() { return Map.of("api_key", "test-key"); }
 *     protected ProviderFixtures fixtures() { return GeminiFixtures.all(); }
 * }
 * }</pre>
 *
 * No network: the adapter's upstream is a {@link ScriptedUpstreamHttp} serving the fixture's bytes
 * (streams whole and in 5-byte pieces) and its call a {@link FakeProviderCall}, which runs callbacks on
 * one thread as the kernel does. A format the adapter lists in {@code nativeFormats()} is checked as
 * pass-through (the provider's bytes reach the client unchanged, usage is observed); any other as a
 * translation, compared with the golden canonical result. After the run, the results go to
 * {@code target/conformance/<provider>.json} (system property {@code tollgate.conformance.dir}
 * overrides the directory), from which {@code docs/compatibility.md} is generated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ProviderConformanceSuite {

    private static final String REQUEST_ID = "conformance-1";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
    /** Streams are delivered whole and in pieces this small, so events split anywhere. */
    private static final int SMALL_PIECES = 5;

    private final Map<String, ConformanceResults.Result> results = new ConcurrentHashMap<>();
    private ProviderFixtures fixtures;

    /** The factory that makes the adapter under test. */
    protected abstract ProviderFactory factory();

    /** The deployment's {@code config} block, secrets as plain values (they must never reach a message). */
    protected abstract Map<String, ?> config();

    /** The provider's exchanges and golden results. */
    protected abstract ProviderFixtures fixtures();

    /** The client APIs to run every case for; by default OpenAI Chat Completions and Anthropic Messages. */
    protected Set<WireFormat> inboundFormats() {
        return Set.of(WireFormat.OPENAI_CHAT, WireFormat.ANTHROPIC_MESSAGES);
    }

    /** Where the results file goes. */
    protected Path resultsDirectory() {
        return Path.of(System.getProperty("tollgate.conformance.dir", "target/conformance"));
    }

    @TestFactory
    Stream<DynamicNode> conformance() {
        fixtures = fixtures();
        List<DynamicNode> formats = new ArrayList<>();
        for (WireFormat format : WireFormat.values()) {
            if (!inboundFormats().contains(format)) {
                continue;
            }
            List<DynamicNode> cases = new ArrayList<>();
            for (ConformanceCase c : ConformanceCase.values()) {
                Entry entry = fixtures.entry(c).orElse(null);
                if (entry != null && entry.notApplicable() != null) {
                    // no test that cannot fail: the case goes into the results (and the matrix) as not applicable, with its reason
                    record(c, format, mode(format), ConformanceResults.Outcome.NOT_APPLICABLE, entry.notApplicable());
                    continue;
                }
                cases.add(DynamicTest.dynamicTest(c.id() + " (" + c.description() + ")", () -> run(c, format)));
            }
            formats.add(DynamicContainer.dynamicContainer(fixtures.provider() + " <- " + format, cases));
        }
        return formats.stream();
    }

    @AfterAll
    void writeResults() {
        if (fixtures != null && !results.isEmpty()) {
            new ConformanceResults(fixtures.provider(), List.copyOf(results.values())).write(resultsDirectory());
        }
    }

    private String mode(WireFormat format) {
        try (ProviderAdapter probe = adapter(new FakePluginContext())) {
            return probe.nativeFormats().contains(format) ? "pass-through" : "translated";
        } catch (Exception e) {
            throw new IllegalStateException("the adapter under test could not be created: " + e, e);
        }
    }

    private void run(ConformanceCase c, WireFormat format) throws Exception {
        Entry entry = fixtures.entry(c).orElse(null);
        String mode = mode(format);
        boolean passThrough = mode.equals("pass-through");
        if (entry == null) {
            record(c, format, mode, ConformanceResults.Outcome.FAIL, "no fixture");
            throw new AssertionError("the fixtures say nothing about " + c
                    + ": map it to an exchange, or mark it notApplicable with the reason");
        }
        try {
            int[] pieces = entry.exchange().inPieces() ? new int[] {Integer.MAX_VALUE, SMALL_PIECES} : new int[] {Integer.MAX_VALUE};
            for (int size : pieces) {
                try {
                    runOnce(c, format, passThrough, entry, size);
                } catch (AssertionError e) {
                    String how = size == Integer.MAX_VALUE ? "" : " (stream in " + size + "-byte pieces)";
                    AssertionError wrapped = new AssertionError(c.id() + " from " + format + " " + mode + how + ": " + e.getMessage());
                    wrapped.initCause(e);
                    throw wrapped;
                }
            }
            record(c, format, mode, ConformanceResults.Outcome.PASS, "");
        } catch (Throwable t) {
            String first = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
            record(c, format, mode, ConformanceResults.Outcome.FAIL, first);
            throw t;
        }
    }

    private void record(ConformanceCase c, WireFormat format, String mode, ConformanceResults.Outcome outcome, String note) {
        results.put(c.id() + "/" + format, new ConformanceResults.Result(c.id(), format.name(), mode, outcome, note));
    }

    private ProviderAdapter adapter(FakePluginContext context) {
        ProviderFactory factory = factory();
        return factory.create(PluginConfig.of("models.conformance-model.deployments[0].config", config(), factory.secretKeys()), context);
    }

    private void runOnce(ConformanceCase c, WireFormat format, boolean passThrough, Entry entry, int pieceSize) {
        FakePluginContext context = new FakePluginContext(fixtures.provider(), CLOCK, null);
        ScriptedUpstreamHttp http = ScriptedUpstreamHttp.always(entry.exchange().reply(pieceSize));
        ProviderRequest request = request(c, format, passThrough);
        try (ProviderAdapter adapter = adapter(context); FakeProviderCall call = new FakeProviderCall(REQUEST_ID, http)) {
            if (c.stream()) {
                RecordingStreamSink sink = new RecordingStreamSink();
                call.runOnCallThread(() -> {
                    try {
                        adapter.streamChat(request, call, sink);
                    } catch (GatewayException e) {
                        sink.fail(e);
                    }
                });
                sink.awaitEnd(WAIT);
                checkRequest(http, entry, passThrough);
                checkStream(c, entry, passThrough, sink, context);
            } else {
                RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
                call.runOnCallThread(() -> {
                    try {
                        adapter.chat(request, call, sink);
                    } catch (GatewayException e) {
                        sink.fail(e);
                    }
                });
                sink.awaitEnd(WAIT);
                checkRequest(http, entry, passThrough);
                checkAnswer(c, entry, passThrough, sink, context);
            }
        }
    }

    private ProviderRequest request(ConformanceCase c, WireFormat format, boolean passThrough) {
        ChatRequest chat = CaseRequests.canonical(c);
        if (!passThrough) {
            return TestRequests.translated(REQUEST_ID, format, chat, fixtures.upstreamModel());
        }
        RequestFacts facts = RequestFacts.builder(format, chat.model()).stream(c.stream()).includeUsage(c.stream())
                .maxTokens(CaseRequests.MAX_TOKENS).usesTools(!chat.tools().isEmpty()).messageCount(chat.messages().size()).build();
        return TestRequests.passThrough(REQUEST_ID, facts, Bytes.utf8(CaseRequests.nativeBody(c, format)), fixtures.upstreamModel());
    }

    private static void checkRequest(ScriptedUpstreamHttp http, Entry entry, boolean passThrough) {
        List<UpstreamRequest> sent = http.requests();
        if (sent.isEmpty()) {
            throw new AssertionError("the adapter sent no upstream request");
        }
        entry.exchange().check(sent.get(0), !passThrough);
    }

    // ---- non-streamed answers ----

    private void checkAnswer(ConformanceCase c, Entry entry, boolean passThrough, RecordingResponseSink<ChatResponse> sink,
            FakePluginContext context) {
        Golden g = entry.golden();
        if (c.kind() == ConformanceCase.Kind.ERROR) {
            if (sink.kind() != RecordingResponseSink.Kind.FAILED) {
                throw new AssertionError("expected a failure, got a " + sink.kind() + " answer");
            }
            checkError(c, g, sink.error());
            return;
        }
        if (sink.kind() == RecordingResponseSink.Kind.FAILED) {
            throw new AssertionError("expected an answer, got " + describe(sink.error()));
        }
        if (passThrough) {
            if (sink.kind() != RecordingResponseSink.Kind.NATIVE && sink.kind() != RecordingResponseSink.Kind.RELAYED) {
                throw new AssertionError("a pass-through request must be answered with the provider's bytes, got " + sink.kind());
            }
            if (!Arrays.equals(sink.body().toArray(), entry.exchange().body())) {
                throw new AssertionError("the pass-through answer differs from the provider's bytes");
            }
            checkObserved(c, g, sink.observed().observedUsage().orElse(null), sink.observed().stopReason().orElse(null));
            return;
        }
        if (sink.kind() != RecordingResponseSink.Kind.TRANSLATED) {
            throw new AssertionError("a translated request must be answered with a canonical response, got " + sink.kind());
        }
        ChatResponse r = sink.response();
        List<ContentBlock.ToolUse> calls = new ArrayList<>();
        StringBuilder thinking = new StringBuilder();
        boolean opaque = false;
        for (ContentBlock b : r.content()) {
            switch (b) {
                case ContentBlock.ToolUse u -> calls.add(u);
                case ContentBlock.Thinking t -> thinking.append(t.thinking());
                case ContentBlock.Opaque o -> opaque = true;
                default -> { }
            }
        }
        checkCanonical(c, g, r.text(), thinking.toString(), calls, r.stopReason(), r.usage().orElse(null));
        if (c == ConformanceCase.UNKNOWN_CONTENT_BLOCK && !opaque) {
            checkSurfaced(context, "an unknown content block");
        }
        if (c == ConformanceCase.STOP_UNKNOWN) {
            checkSurfaced(context, "an unknown stop reason");
        }
    }

    // ---- streamed answers ----

    private void checkStream(ConformanceCase c, Entry entry, boolean passThrough, RecordingStreamSink sink, FakePluginContext context) {
        Golden g = entry.golden();
        if (passThrough) {
            if (!sink.events().isEmpty()) {
                throw new AssertionError("a pass-through stream must relay the provider's events, not canonical ones");
            }
            checkSubsequence(sink.nativeTexts(), sseData(entry.exchange().body()));
        }
        if (c.kind() == ConformanceCase.Kind.ERROR) {
            if (sink.error() == null) {
                throw new AssertionError("expected the stream to fail, it completed");
            }
            checkError(c, g, sink.error());
            if (!passThrough && g.text() != null && !sink.text().equals(g.text())) {
                throw new AssertionError("before the failure the client should have had text \"" + g.text() + "\", got \"" + sink.text()
                        + "\"");
            }
            return;
        }
        if (sink.error() != null) {
            throw new AssertionError("expected the stream to complete, it failed with " + describe(sink.error()));
        }
        if (!sink.completed()) {
            throw new AssertionError("the stream did not complete");
        }
        if (passThrough) {
            if (sink.nativeEvents().isEmpty()) {
                throw new AssertionError("the pass-through stream relayed no event");
            }
            checkObserved(c, g, sink.observed().observedUsage().orElse(null), sink.observed().stopReason().orElse(null));
            return;
        }
        List<StreamEvent> events = sink.events();
        if (events.isEmpty() || !(events.getLast() instanceof StreamEvent.MessageEnd end)) {
            throw new AssertionError("a translated stream must end with MessageEnd");
        }
        StringBuilder thinking = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.ThinkingDelta d) {
                thinking.append(d.thinking());
            } else if (e instanceof StreamEvent.BlockStart s && s.block() instanceof ContentBlock.Thinking t) {
                thinking.append(t.thinking());
            }
        }
        checkCanonical(c, g, sink.text(), thinking.toString(), sink.toolCalls(), end.stopReason(), end.usage());
        if (c == ConformanceCase.TOOL_CALL_STREAM_SPLIT_ARGUMENTS) {
            checkSplitArguments(events);
        }
        if (c == ConformanceCase.UNKNOWN_CONTENT_BLOCK_STREAM) {
            checkSurfaced(context, "an unknown streamed block");
        }
    }

    /** At least one tool call's arguments came in two or more non-empty deltas, and were reassembled. */
    private static void checkSplitArguments(List<StreamEvent> events) {
        Map<Integer, Integer> pieces = new java.util.HashMap<>();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.ToolArgumentsDelta d && !d.json().isEmpty()) {
                pieces.merge(d.index(), 1, Integer::sum);
            }
        }
        if (pieces.values().stream().noneMatch(n -> n >= 2)) {
            throw new AssertionError("no tool call's arguments arrived in two or more deltas (got " + pieces
                    + "): deltas must be relayed as they come, not buffered into one");
        }
    }

    // ---- comparisons ----

    private static void checkCanonical(ConformanceCase c, Golden g, String text, String thinking, List<ContentBlock.ToolUse> calls,
            StopReason stop, Usage usage) {
        StopReason wanted = c.requiredStop() != null ? c.requiredStop() : g.stop();
        if (g.stop() != null && c.requiredStop() != null && g.stop() != c.requiredStop()) {
            throw new AssertionError("fixture error: " + c + " requires stop " + c.requiredStop() + ", the golden says " + g.stop());
        }
        if (wanted != null && stop != wanted) {
            throw new AssertionError("stop reason " + stop + ", expected " + wanted);
        }
        if (g.text() != null && !g.text().equals(text)) {
            throw new AssertionError("text \"" + text + "\", expected \"" + g.text() + "\"");
        }
        if (g.thinking() != null && !g.thinking().equals(thinking)) {
            throw new AssertionError("thinking \"" + thinking + "\", expected \"" + g.thinking() + "\"");
        }
        List<Golden.ToolCall> golden = g.toolCalls();
        if (golden == null && (c == ConformanceCase.TOOL_CALL || c == ConformanceCase.TOOL_CALL_STREAM_SPLIT_ARGUMENTS
                || c == ConformanceCase.PARALLEL_TOOL_CALLS || c == ConformanceCase.PARALLEL_TOOL_CALLS_STREAM)) {
            throw new AssertionError("fixture error: a tool case needs golden tool calls");
        }
        if (golden != null) {
            checkToolCalls(golden, calls);
        }
        if ((c == ConformanceCase.PARALLEL_TOOL_CALLS || c == ConformanceCase.PARALLEL_TOOL_CALLS_STREAM) && calls.size() < 2) {
            throw new AssertionError("expected two or more tool calls, got " + calls.size());
        }
        checkUsage(c, g, usage);
    }

    private static void checkToolCalls(List<Golden.ToolCall> golden, List<ContentBlock.ToolUse> calls) {
        if (golden.size() != calls.size()) {
            throw new AssertionError(calls.size() + " tool calls " + calls + ", expected " + golden.size());
        }
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < golden.size(); i++) {
            Golden.ToolCall want = golden.get(i);
            ContentBlock.ToolUse got = calls.get(i);
            if (got.id().isEmpty() || !ids.add(got.id())) {
                throw new AssertionError("tool call " + i + " needs an id of its own, got \"" + got.id() + "\"");
            }
            if (want.id() != null && !want.id().equals(got.id())) {
                throw new AssertionError("tool call " + i + " id " + got.id() + ", expected " + want.id());
            }
            if (!want.name().equals(got.name())) {
                throw new AssertionError("tool call " + i + " name " + got.name() + ", expected " + want.name());
            }
            if (!Json.compact(want.arguments()).equals(Json.compact(got.arguments()))) {
                throw new AssertionError("tool call " + i + " arguments " + got.arguments() + ", expected " + want.arguments());
            }
        }
    }

    private static void checkUsage(ConformanceCase c, Golden g, Usage usage) {
        if (c == ConformanceCase.USAGE_CACHED_TOKENS && (g.usage() == null || g.usage().cachedInputTokens() == 0)) {
            throw new AssertionError("fixture error: " + c + " needs a golden usage with cached input tokens");
        }
        if (c == ConformanceCase.USAGE_REASONING_TOKENS && (g.usage() == null || g.usage().reasoningTokens() == 0)) {
            throw new AssertionError("fixture error: " + c + " needs a golden usage with reasoning tokens");
        }
        if (g.expectsNoUsage() && usage != null) {
            throw new AssertionError("the provider reported no usage, the answer says " + usage);
        }
        if (g.usage() != null && !g.usage().equals(usage)) {
            throw new AssertionError("usage " + usage + ", expected " + g.usage());
        }
    }

    /** What a pass-through adapter observed must be what the provider said, for cost and limits. */
    private static void checkObserved(ConformanceCase c, Golden g, Usage usage, StopReason stop) {
        if (g.usage() != null && !g.usage().equals(usage)) {
            throw new AssertionError("observed usage " + usage + ", expected " + g.usage() + " (the gateway accounts with it)");
        }
        StopReason wanted = c.requiredStop() != null ? c.requiredStop() : g.stop();
        if (wanted != null && stop != null && stop != wanted) {
            throw new AssertionError("observed stop reason " + stop + ", expected " + wanted);
        }
    }

    private static void checkSurfaced(FakePluginContext context, String what) {
        if (context.metrics().counterTotal() == 0) {
            throw new AssertionError(what + " was not counted in any metric: it must be surfaced, never dropped silently");
        }
        if (context.logLines().isEmpty()) {
            throw new AssertionError(what + " was not logged: it must be surfaced, never dropped silently");
        }
    }

    private void checkError(ConformanceCase c, Golden g, GatewayException e) {
        switch (c) {
            case ERROR_INVALID_REQUEST -> expect(e, ErrorType.UPSTREAM_CLIENT, 400, null, g);
            case ERROR_CONTEXT_WINDOW -> expect(e, ErrorType.UPSTREAM_CLIENT, 400, FailureReason.CONTEXT_WINDOW_EXCEEDED, g);
            case ERROR_AUTHENTICATION -> expect(e, ErrorType.UPSTREAM_SERVER, 502, null, g);
            case ERROR_NOT_FOUND -> expect(e, ErrorType.UPSTREAM_CLIENT, 404, null, g);
            case ERROR_RATE_LIMITED -> {
                expect(e, ErrorType.RATE_LIMITED, 429, null, g);
                if (!e.retryable()) {
                    throw new AssertionError("a rate limit must be retryable");
                }
            }
            case ERROR_OVERLOADED -> {
                expect(e, ErrorType.UPSTREAM_SERVER, -1, null, g);
                if (!e.retryable()) {
                    throw new AssertionError("an overloaded provider must be retryable");
                }
            }
            case ERROR_SERVER -> expect(e, ErrorType.UPSTREAM_SERVER, -1, null, g);
            case ERROR_TIMEOUT -> expect(e, ErrorType.UPSTREAM_SERVER, 504, FailureReason.TIMEOUT, g);
            case ERROR_CONTENT_POLICY -> expect(e, null, -1, FailureReason.CONTENT_POLICY, g);
            case ERROR_IN_STREAM, INTERRUPTED_STREAM -> expect(e, ErrorType.UPSTREAM_SERVER, -1, null, g);
            default -> throw new IllegalStateException(c + " is not an error case");
        }
        if (g.status() != null && e.status() != g.status()) {
            throw new AssertionError("status " + e.status() + ", expected " + g.status() + " (" + describe(e) + ")");
        }
        if (g.code() != null && !g.code().equals(e.code())) {
            throw new AssertionError("code " + e.code() + ", expected " + g.code());
        }
        if (g.reason() != null && e.reason() != g.reason()) {
            throw new AssertionError("reason " + e.reason() + ", expected " + g.reason());
        }
        if (g.retryable() != null && e.retryable() != g.retryable()) {
            throw new AssertionError("retryable " + e.retryable() + ", expected " + g.retryable());
        }
        if (g.retryAfterSeconds() != null
                && !e.retryAfter().map(Duration::toSeconds).equals(java.util.Optional.of(g.retryAfterSeconds()))) {
            throw new AssertionError("retry after " + e.retryAfter() + ", expected " + g.retryAfterSeconds() + " s");
        }
        checkNoSecret(e);
    }

    private static void expect(GatewayException e, ErrorType type, int status, FailureReason reason, Golden g) {
        ErrorType wantType = g.errorType() != null ? g.errorType() : type;
        if (wantType != null && e.type() != wantType) {
            throw new AssertionError("error type " + e.type() + ", expected " + wantType + " (" + describe(e) + ")");
        }
        if (status > 0 && g.status() == null && e.status() != status) {
            throw new AssertionError("status " + e.status() + ", expected " + status + " (" + describe(e) + ")");
        }
        if (status < 0 && (e.status() < 500 || e.status() > 599) && wantType == ErrorType.UPSTREAM_SERVER) {
            throw new AssertionError("a provider failure must be a 5xx, got " + describe(e));
        }
        if (reason != null && e.reason() != reason) {
            throw new AssertionError("failure reason " + e.reason() + ", expected " + reason + " (" + describe(e) + ")");
        }
    }

    private void checkNoSecret(GatewayException e) {
        Set<String> secretKeys = factory().secretKeys();
        for (Map.Entry<String, ?> en : config().entrySet()) {
            if (secretKeys.contains(en.getKey()) && en.getValue() instanceof String s && s.length() >= 4
                    && (String.valueOf(e.getMessage()).contains(s) || e.code().contains(s))) {
                throw new AssertionError("the error message reveals the secret " + en.getKey());
            }
        }
    }

    private static void checkSubsequence(List<String> relayed, List<String> upstream) {
        int at = 0;
        for (String r : relayed) {
            while (at < upstream.size() && !upstream.get(at).equals(r)) {
                at++;
            }
            if (at == upstream.size()) {
                throw new AssertionError("relayed an event the provider did not send (or out of order): " + r);
            }
            at++;
        }
    }

    private static List<String> sseData(byte[] stream) {
        List<String> out = new ArrayList<>();
        SseParser parser = new SseParser(e -> out.add(e.data().utf8()));
        parser.feed(stream);
        parser.finish();
        return out;
    }

    private static String describe(GatewayException e) {
        return e.type() + " " + e.status() + " " + e.code() + " (" + e.reason() + "): " + e.getMessage();
    }
}
