package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.UPSTREAM_MODEL;
import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.chat;
import static dev.tollgate.plugin.mock.MockFixture.startStream;
import static dev.tollgate.plugin.mock.MockFixture.stream;
import static dev.tollgate.plugin.mock.MockFixture.untranslatable;
import static dev.tollgate.plugin.mock.MockFixture.userPrompt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.StopReason;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MockStreamTest {

    private static final ChatRequest PROMPT = userPrompt("Tell me about gateways");

    private static List<StreamEvent> deltas(RecordingStreamSink sink) {
        return sink.events().stream().filter(StreamEvent.TextDelta.class::isInstance).toList();
    }

    @Test
    void streamIsMessageStartThenATextBlockOfOneDeltaPerWordThenMessageEndWithUsage() {
        RecordingStreamSink sink = stream(adapter(Map.of()), PROMPT);
        List<StreamEvent> events = sink.events();

        assertThat(sink.completed()).isTrue();
        assertThat(sink.error()).isNull();
        assertThat(events).hasSize(2 + 16 + 2);
        assertThat(events.get(0)).as("the prompt's tokens at the start, like Anthropic's message_start")
                .isEqualTo(new StreamEvent.MessageStart("mock-1", UPSTREAM_MODEL, Usage.of(4 + 3, 0)));
        assertThat(events.get(1)).isEqualTo(new StreamEvent.BlockStart(0, ContentBlock.Text.of("")));
        assertThat(events.subList(2, 18)).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(StreamEvent.TextDelta.class,
                d -> {
                    assertThat(d.index()).isZero();
                    assertThat(d.text()).isNotBlank();
                }));
        assertThat(events.get(18)).isEqualTo(new StreamEvent.BlockStop(0));
        assertThat(events.get(19)).isEqualTo(new StreamEvent.MessageEnd(StopReason.END_TURN, null, Usage.of(4 + 3, 16)));
    }

    @Test
    void deltasCarryOneWordWithALeadingSpaceExceptTheFirst() {
        RecordingStreamSink sink = stream(adapter(Map.of("reply", "alpha beta gamma")), PROMPT);

        assertThat(deltas(sink)).extracting(e -> ((StreamEvent.TextDelta) e).text()).containsExactly("alpha", " beta", " gamma");
    }

    @Test
    void streamedTextAndUsageEqualTheNonStreamAnswer() {
        ProviderAdapter adapter = adapter(Map.of());
        ChatResponse whole = chat(adapter, PROMPT);

        RecordingStreamSink sink = stream(adapter, PROMPT);

        assertThat(sink.text()).isEqualTo(whole.text());
        assertThat(sink.usage()).isEqualTo(whole.usage().orElseThrow());
    }

    @Test
    void maxTokensCutsTheStreamAndEndsItWithMaxTokens() {
        RecordingStreamSink sink = stream(adapter(Map.of()), PROMPT.toBuilder().maxTokens(4).build());

        assertThat(deltas(sink)).hasSize(4);
        assertThat(sink.events().getLast()).isInstanceOfSatisfying(StreamEvent.MessageEnd.class,
                m -> assertThat(m.stopReason()).isEqualTo(StopReason.MAX_TOKENS));
        assertThat(sink.usage().outputTokens()).isEqualTo(4);
    }

    @Test
    void firstEventsWaitForTtftThenWordsArePacedByTokensPerSecond() {
        ObservedCall call = new ObservedCall();
        ProviderAdapter adapter = adapter(Map.of("ttft", "60ms", "tokens_per_second", 50, "response_tokens", 6), call.ticker());
        RecordingStreamSink sink = new RecordingStreamSink();

        startStream(adapter, PROMPT, call, sink);
        assertThat(sink.events()).isEmpty();
        assertThat(call.delays()).containsExactly(Duration.ofMillis(60));

        call.runNext();
        assertThat(sink.events()).hasSize(3).last().isInstanceOf(StreamEvent.TextDelta.class);
        for (int word = 2; word <= 5; word++) {
            call.runNext();
            assertThat(deltas(sink)).hasSize(word);
        }
        call.runNext();

        Duration word = Duration.ofMillis(20);
        assertThat(call.delays()).containsExactly(Duration.ofMillis(60), word, word, word, word, word);
        assertThat(sink.awaitEnd(MockFixture.WAIT).completed()).isTrue();
        assertThat(deltas(sink)).hasSize(6);
        assertThat(call.pendingTasks()).isZero();
    }

    @Test
    void aLateWordShortensTheNextWaitSoDelaysDoNotAccumulate() {
        ObservedCall call = new ObservedCall();
        ProviderAdapter adapter = adapter(Map.of("tokens_per_second", 50, "response_tokens", 4), call.ticker());
        RecordingStreamSink sink = new RecordingStreamSink();
        startStream(adapter, PROMPT, call, sink);
        call.runNext();

        call.advance(Duration.ofMillis(25));
        call.runNext();
        call.advance(Duration.ofMillis(100));
        call.runNext();

        assertThat(call.delays()).containsExactly(Duration.ZERO, Duration.ofMillis(20), Duration.ofMillis(15), Duration.ZERO);
        call.runAll();
        assertThat(sink.awaitEnd(MockFixture.WAIT).completed()).isTrue();
    }

    @Test
    void withoutATokenRateTheWholeStreamIsOneScheduledTask() {
        ObservedCall call = new ObservedCall();
        RecordingStreamSink sink = new RecordingStreamSink();

        startStream(adapter(Map.of("response_tokens", 30), call.ticker()), PROMPT, call, sink);
        call.runNext();

        assertThat(call.scheduledTasks()).isEqualTo(1);
        assertThat(sink.awaitEnd(MockFixture.WAIT).completed()).isTrue();
        assertThat(sink.events()).hasSize(2 + 30 + 2);
    }

    /** The fourth event is the second word: all in the first task without a rate, in the second with one. */
    @ParameterizedTest
    @CsvSource({"0, 1", "200, 2"})
    void cancellationDuringAnEventStopsTheStream(int tokensPerSecond, int tasksUpToTheCancel) {
        ObservedCall call = new ObservedCall();
        ProviderAdapter adapter = adapter(Map.of("tokens_per_second", tokensPerSecond, "response_tokens", 20), call.ticker());
        CancellingSink sink = new CancellingSink(call, 4);

        startStream(adapter, PROMPT, call, sink);
        call.runAll();

        assertThat(sink.recorded.events()).hasSize(4);
        assertThat(sink.recorded.completed()).isFalse();
        assertThat(sink.recorded.error()).isNull();
        assertThat(sink.recorded.usage()).isNull();
        assertThat(call.scheduledTasks()).isEqualTo(tasksUpToTheCancel);
    }

    @Test
    void cancellationWhileWaitingForTheNextWordSendsNothingMore() {
        ObservedCall call = new ObservedCall();
        ProviderAdapter adapter = adapter(Map.of("tokens_per_second", 10, "response_tokens", 20), call.ticker());
        RecordingStreamSink sink = new RecordingStreamSink();
        startStream(adapter, PROMPT, call, sink);
        call.runNext();
        call.runNext();
        int sent = sink.events().size();

        call.cancel();
        call.runAll();

        assertThat(sent).isEqualTo(4);
        assertThat(sink.events()).hasSize(sent);
        assertThat(call.scheduledTasks()).isEqualTo(3);
        assertThat(sink.completed()).isFalse();
        assertThat(sink.error()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 16, 100})
    void failAfterTokensSendsThatManyWordsThenTheErrorKindsError(int failAfter) {
        RecordingStreamSink sink = stream(adapter(Map.of("fail_after_tokens", failAfter, "error_kind", "rate_limit")), PROMPT);

        List<StreamEvent> events = sink.events();
        int sent = Math.min(failAfter, 16);
        assertThat(events).hasSize(2 + sent);
        assertThat(events.get(0)).isInstanceOf(StreamEvent.MessageStart.class);
        assertThat(events.get(1)).isInstanceOf(StreamEvent.BlockStart.class);
        assertThat(deltas(sink)).hasSize(sent);
        assertThat(sink.completed()).isFalse();
        assertThat(sink.usage()).isNull();
        GatewayException e = sink.error();
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void failAfterTokensLeavesNonStreamedAnswersAlone() {
        ChatResponse r = chat(adapter(Map.of("fail_after_tokens", 2)), PROMPT);

        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(16);
        assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
    }

    @Test
    void untranslatableRequestFailsTheStreamBeforeAnyEvent() {
        GatewayException invalid = GatewayException.invalidRequest("messages", "'messages' must be an array");

        RecordingStreamSink sink = stream(adapter(Map.of()), untranslatable(invalid));

        assertThat(sink.events()).isEmpty();
        assertThat(sink.error()).isSameAs(invalid);
    }

    /** Records a stream and cancels the call when the n-th event arrives. */
    private static final class CancellingSink implements StreamSink {
        final RecordingStreamSink recorded = new RecordingStreamSink();
        private final ObservedCall call;
        private final int cancelAt;

        CancellingSink(ObservedCall call, int cancelAt) {
            this.call = call;
            this.cancelAt = cancelAt;
        }

        @Override
        public void headers(Headers headers) {
            recorded.headers(headers);
        }

        @Override
        public void event(StreamEvent event) {
            recorded.event(event);
            if (recorded.events().size() == cancelAt) {
                call.cancel();
            }
        }

        @Override
        public void nativeEvent(String name, Bytes data) {
            recorded.nativeEvent(name, data);
        }

        @Override
        public void observe(Observation observation) {
            recorded.observe(observation);
        }

        @Override
        public void complete() {
            recorded.complete();
        }

        @Override
        public void fail(GatewayException error) {
            recorded.fail(error);
        }
    }
}
