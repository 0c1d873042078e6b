package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.awaitFailure;
import static dev.tollgate.plugin.mock.MockFixture.chatFailure;
import static dev.tollgate.plugin.mock.MockFixture.chatRequest;
import static dev.tollgate.plugin.mock.MockFixture.embeddingsFailure;
import static dev.tollgate.plugin.mock.MockFixture.stream;
import static dev.tollgate.plugin.mock.MockFixture.userPrompt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.testkit.FakeProviderCall;
import dev.tollgate.spi.testkit.RecordingChunkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockErrorsTest {

    private static final String PROMPT = userPrompt("hello");

    @ParameterizedTest
    @CsvSource({
        "rate_limit,  429, RATE_LIMITED,    rate_limit_exceeded,   true",
        "server,      502, UPSTREAM_SERVER, upstream_error,        true",
        "timeout,     504, UPSTREAM_SERVER, upstream_timeout,      true",
        "bad_request, 400, UPSTREAM_CLIENT, invalid_request_error, false",
    })
    void everyRequestFailsWithTheErrorKindsStatusTypeAndCode(String kind, int status, ErrorType type, String code,
            boolean fallbackAllowed) {
        ProviderAdapter adapter = adapter(Map.of("error_rate", 1, "error_kind", kind));

        List<GatewayException> failures = List.of(
                chatFailure(adapter, PROMPT),
                stream(adapter, PROMPT).error(),
                embeddingsFailure(adapter, "{\"input\":\"x\"}"));

        assertThat(failures).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.type()).isEqualTo(type);
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.fallbackAllowed()).isEqualTo(fallbackAllowed);
            assertThat(e.retryAfter()).isEqualTo(kind.equals("rate_limit") ? Optional.of(Duration.ofSeconds(1)) : Optional.empty());
        });
    }

    @Test
    void aFailingStreamSendsNoChunk() {
        RecordingChunkSink sink = stream(adapter(Map.of("error_rate", 1)), PROMPT);

        assertThat(sink.chunks()).isEmpty();
        assertThat(sink.usage()).isNull();
        assertThat(sink.error().status()).isEqualTo(502);
    }

    @Test
    void timeoutsArriveAfterTtft() {
        ProviderAdapter adapter = adapter(Map.of("error_rate", 1, "error_kind", "timeout", "ttft", "120ms"));
        long start = System.nanoTime();

        GatewayException e = chatFailure(adapter, PROMPT);

        assertThat(e.status()).isEqualTo(504);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(110_000_000L);
    }

    @Test
    void otherErrorsDoNotWaitForTtft() {
        ProviderAdapter adapter = adapter(Map.of("error_rate", 1, "error_kind", "server", "ttft", "1h"));
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            AtomicReference<CompletionStage<ProviderResult>> stage = new AtomicReference<>();
            call.runOnCallThread(() -> stage.set(adapter.chat(chatRequest(PROMPT, false), call)));

            assertThat(awaitFailure(stage.get()).status()).isEqualTo(502);
        }
    }

    @Test
    void errorRateZeroFailsNothing() {
        assertThat(pattern(adapter(Map.of("error_rate", 0)), 200)).doesNotContain(true);
    }

    @Test
    void halfErrorRateFailsAReproducibleShare() {
        List<Boolean> first = pattern(adapter(Map.of("error_rate", 0.5, "seed", 42)), 200);
        List<Boolean> second = pattern(adapter(Map.of("error_rate", 0.5, "seed", 42)), 200);
        List<Boolean> otherSeed = pattern(adapter(Map.of("error_rate", 0.5, "seed", 43)), 200);

        long failed = first.stream().filter(f -> f).count();
        assertThat(failed).isBetween(60L, 140L);
        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void defaultSeedGivesTheSamePatternAsSeed42() {
        assertThat(pattern(adapter(Map.of("error_rate", 0.3)), 50))
                .isEqualTo(pattern(adapter(Map.of("error_rate", 0.3, "seed", 42)), 50));
    }

    /** Which of {@code n} consecutive chat requests failed, all started on one call thread. */
    private static List<Boolean> pattern(ProviderAdapter adapter, int n) {
        List<CompletableFuture<ProviderResult>> stages = new ArrayList<>();
        try (FakeProviderCall call = FakeProviderCall.withoutUpstream("req-1")) {
            call.runOnCallThread(() -> {
                for (int i = 0; i < n; i++) {
                    stages.add(adapter.chat(chatRequest(PROMPT, false), call).toCompletableFuture());
                }
            });
            List<Boolean> failed = new ArrayList<>();
            for (CompletableFuture<ProviderResult> s : stages) {
                try {
                    s.handle((r, e) -> e != null).get(10, TimeUnit.SECONDS);
                    failed.add(s.isCompletedExceptionally());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            return failed;
        }
    }
}
