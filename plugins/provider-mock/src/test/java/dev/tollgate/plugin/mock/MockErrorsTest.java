package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.chatFailure;
import static dev.tollgate.plugin.mock.MockFixture.embeddingsFailure;
import static dev.tollgate.plugin.mock.MockFixture.startChat;
import static dev.tollgate.plugin.mock.MockFixture.startEmbeddings;
import static dev.tollgate.plugin.mock.MockFixture.startStream;
import static dev.tollgate.plugin.mock.MockFixture.stream;
import static dev.tollgate.plugin.mock.MockFixture.userPrompt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.testkit.RecordingResponseSink;
import dev.tollgate.spi.testkit.RecordingStreamSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockErrorsTest {

    private static final ChatRequest PROMPT = userPrompt("hello");
    private static final String EMBEDDINGS = "{\"input\":\"x\"}";

    @ParameterizedTest
    @CsvSource({
        "rate_limit,  429, RATE_LIMITED,    rate_limit_exceeded,   true",
        "server,      502, UPSTREAM_SERVER, upstream_error,        true",
        "timeout,     504, UPSTREAM_SERVER, upstream_timeout,      true",
        "bad_request, 400, UPSTREAM_CLIENT, invalid_request_error, false",
    })
    void everyCallFailsWithTheErrorKindsStatusTypeAndCode(String kind, int status, ErrorType type, String code,
            boolean fallbackAllowed) {
        ProviderAdapter adapter = adapter(Map.of("error_rate", 1, "error_kind", kind));

        List<GatewayException> failures = List.of(
                chatFailure(adapter, PROMPT),
                stream(adapter, PROMPT).error(),
                embeddingsFailure(adapter, EMBEDDINGS));

        assertThat(failures).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.type()).isEqualTo(type);
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.fallbackAllowed()).isEqualTo(fallbackAllowed);
            assertThat(e.retryAfter()).isEqualTo(kind.equals("rate_limit") ? Optional.of(Duration.ofSeconds(1)) : Optional.empty());
        });
    }

    @Test
    void failureMessagesNameTheMockCallNumber() {
        ProviderAdapter adapter = adapter(Map.of("error_rate", 1));

        assertThat(chatFailure(adapter, PROMPT).getMessage()).endsWith("(mock request 1)");
        assertThat(stream(adapter, PROMPT).error().getMessage()).endsWith("(mock request 2)");
        assertThat(embeddingsFailure(adapter, EMBEDDINGS).getMessage()).endsWith("(mock request 3)");
    }

    @Test
    void aFailingStreamFailsBeforeAnyEventSoTheKernelMayFallBack() {
        RecordingStreamSink sink = stream(adapter(Map.of("error_rate", 1)), PROMPT);

        assertThat(sink.events()).isEmpty();
        assertThat(sink.usage()).isNull();
        assertThat(sink.error().status()).isEqualTo(502);
    }

    @Test
    void timeoutsArriveOnlyAfterTtft() {
        ObservedCall call = new ObservedCall();
        ProviderAdapter adapter = adapter(Map.of("error_rate", 1, "error_kind", "timeout", "ttft", "120ms"), call.ticker());
        RecordingResponseSink<ChatResponse> chat = new RecordingResponseSink<>();
        RecordingStreamSink stream = new RecordingStreamSink();
        RecordingResponseSink<EmbeddingsResponse> embeddings = new RecordingResponseSink<>();

        startChat(adapter, PROMPT, call, chat);
        startStream(adapter, PROMPT, call, stream);
        startEmbeddings(adapter, EMBEDDINGS, call, embeddings);

        assertThat(chat.kind()).isNull();
        assertThat(stream.error()).isNull();
        assertThat(embeddings.kind()).isNull();
        assertThat(call.delays()).containsOnly(Duration.ofMillis(120)).hasSize(3);
        call.runAll();
        assertThat(List.of(chat.error(), stream.error(), embeddings.error()))
                .allSatisfy(e -> assertThat(e.status()).isEqualTo(504));
        assertThat(stream.events()).isEmpty();
    }

    @Test
    void otherErrorsDoNotWaitForTtft() {
        ObservedCall call = new ObservedCall();
        ProviderAdapter adapter = adapter(Map.of("error_rate", 1, "error_kind", "server", "ttft", "1h"), call.ticker());
        RecordingResponseSink<ChatResponse> chat = new RecordingResponseSink<>();
        RecordingStreamSink stream = new RecordingStreamSink();
        RecordingResponseSink<EmbeddingsResponse> embeddings = new RecordingResponseSink<>();

        startChat(adapter, PROMPT, call, chat);
        startStream(adapter, PROMPT, call, stream);
        startEmbeddings(adapter, EMBEDDINGS, call, embeddings);

        assertThat(List.of(chat.error(), stream.error(), embeddings.error()))
                .allSatisfy(e -> assertThat(e.status()).isEqualTo(502));
        assertThat(call.scheduledTasks()).isZero();
    }

    @Test
    void errorRateZeroFailsNothing() {
        assertThat(chatPattern(adapter(Map.of("error_rate", 0)), 200)).doesNotContain(true);
    }

    @Test
    void errorRateOneFailsEverything() {
        assertThat(chatPattern(adapter(Map.of("error_rate", 1)), 200)).doesNotContain(false);
    }

    @Test
    void halfErrorRateFailsAReproducibleShareDecidedBySeed() {
        List<Boolean> first = chatPattern(adapter(Map.of("error_rate", 0.5, "seed", 42)), 200);
        List<Boolean> second = chatPattern(adapter(Map.of("error_rate", 0.5, "seed", 42)), 200);
        List<Boolean> otherSeed = chatPattern(adapter(Map.of("error_rate", 0.5, "seed", 43)), 200);

        long failed = first.stream().filter(f -> f).count();
        assertThat(failed).isBetween(60L, 140L);
        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void defaultSeedGivesTheSamePatternAsSeed42() {
        assertThat(chatPattern(adapter(Map.of("error_rate", 0.3)), 50))
                .isEqualTo(chatPattern(adapter(Map.of("error_rate", 0.3, "seed", 42)), 50));
    }

    @Test
    void streamsAndEmbeddingsTakeTheirPlaceInTheSameFailurePattern() {
        Map<String, Object> config = Map.of("error_rate", 0.5, "seed", 7);
        List<Boolean> chats = chatPattern(adapter(config), 60);

        ProviderAdapter mixed = adapter(config);
        ObservedCall call = new ObservedCall();
        List<Boolean> failed = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            switch (i % 3) {
                case 0 -> {
                    RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
                    startChat(mixed, PROMPT, call, sink);
                    call.runAll();
                    failed.add(sink.error() != null);
                }
                case 1 -> {
                    RecordingStreamSink sink = new RecordingStreamSink();
                    startStream(mixed, PROMPT, call, sink);
                    call.runAll();
                    failed.add(sink.error() != null);
                }
                default -> {
                    RecordingResponseSink<EmbeddingsResponse> sink = new RecordingResponseSink<>();
                    startEmbeddings(mixed, EMBEDDINGS, call, sink);
                    call.runAll();
                    failed.add(sink.error() != null);
                }
            }
        }

        assertThat(failed).isEqualTo(chats);
    }

    /** Which of {@code n} consecutive chat calls failed. */
    private static List<Boolean> chatPattern(ProviderAdapter adapter, int n) {
        ObservedCall call = new ObservedCall();
        List<RecordingResponseSink<ChatResponse>> sinks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordingResponseSink<ChatResponse> sink = new RecordingResponseSink<>();
            startChat(adapter, PROMPT, call, sink);
            sinks.add(sink);
        }
        call.runAll();
        return sinks.stream().map(s -> {
            assertThat(s.kind()).isNotNull();
            return s.kind() == RecordingResponseSink.Kind.FAILED;
        }).toList();
    }
}
