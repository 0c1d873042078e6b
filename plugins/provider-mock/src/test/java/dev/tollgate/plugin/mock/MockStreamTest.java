package dev.tollgate.plugin.mock;

import static dev.tollgate.plugin.mock.MockFixture.MODEL;
import static dev.tollgate.plugin.mock.MockFixture.NOW;
import static dev.tollgate.plugin.mock.MockFixture.adapter;
import static dev.tollgate.plugin.mock.MockFixture.chat;
import static dev.tollgate.plugin.mock.MockFixture.chatRequest;
import static dev.tollgate.plugin.mock.MockFixture.content;
import static dev.tollgate.plugin.mock.MockFixture.json;
import static dev.tollgate.plugin.mock.MockFixture.stream;
import static dev.tollgate.plugin.mock.MockFixture.userPrompt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ApiFormat;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.Usage;
import dev.tollgate.spi.testkit.RecordingChunkSink;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockStreamTest {

    private static final String PROMPT = userPrompt("Tell me about gateways");

    private static List<JsonNode> chunks(RecordingChunkSink sink) {
        return sink.chunks().stream().map(MockFixture::json).toList();
    }

    private static String streamedContent(RecordingChunkSink sink) {
        StringBuilder out = new StringBuilder();
        for (JsonNode c : chunks(sink)) {
            out.append(c.path("choices").path(0).path("delta").path("content").asText(""));
        }
        return out.toString();
    }

    @Test
    void streamIsRoleChunkThenOneChunkPerWordThenFinishThenUsageThenEnd() {
        RecordingChunkSink sink = stream(adapter(Map.of()), PROMPT);
        List<JsonNode> chunks = chunks(sink);

        assertThat(sink.completed()).isTrue();
        assertThat(sink.error()).isNull();
        assertThat(chunks).hasSize(1 + 16 + 1);
        for (JsonNode c : chunks) {
            assertThat(c.path("id").asText()).isEqualTo(chunks.get(0).path("id").asText()).startsWith("chatcmpl-mock-");
            assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.path("created").asLong()).isEqualTo(NOW.getEpochSecond());
            assertThat(c.path("model").asText()).isEqualTo(MODEL);
            assertThat(c.path("choices")).hasSize(1);
        }
        JsonNode first = chunks.get(0).path("choices").path(0);
        assertThat(first.path("delta").path("role").asText()).isEqualTo("assistant");
        assertThat(first.path("delta").path("content").asText()).isEmpty();
        assertThat(first.path("finish_reason").isNull()).isTrue();
        for (JsonNode c : chunks.subList(1, 17)) {
            assertThat(c.path("choices").path(0).path("delta").path("content").asText()).isNotBlank();
            assertThat(c.path("choices").path(0).path("finish_reason").isNull()).isTrue();
        }
        JsonNode last = chunks.get(17).path("choices").path(0);
        assertThat(last.path("delta").size()).isZero();
        assertThat(last.path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void contentChunksCarryOneWordWithALeadingSpaceExceptTheFirst() {
        RecordingChunkSink sink = stream(adapter(Map.of("reply", "alpha beta gamma")), PROMPT);

        assertThat(chunks(sink).subList(1, 4))
                .extracting(c -> c.path("choices").path(0).path("delta").path("content").asText())
                .containsExactly("alpha", " beta", " gamma");
    }

    @Test
    void streamedContentEqualsTheNonStreamAnswerAndUsageMatches() {
        ProviderAdapter adapter = adapter(Map.of());
        ProviderResult whole = chat(adapter, PROMPT);

        RecordingChunkSink sink = stream(adapter, PROMPT);

        assertThat(streamedContent(sink)).isEqualTo(content(whole));
        assertThat(sink.usage()).isEqualTo(whole.usage());
        assertThat(sink.usage()).isEqualTo(Usage.of(4 + 3, 16));
    }

    @Test
    void usageChunkIsHandedToSinkUsageNotSentAsAChunk() {
        RecordingChunkSink sink = stream(adapter(Map.of("response_tokens", 5)), PROMPT);

        JsonNode usageChunk = json(sink.usageChunk());
        assertThat(usageChunk.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(usageChunk.path("model").asText()).isEqualTo(MODEL);
        assertThat(usageChunk.path("id").asText()).isEqualTo(chunks(sink).get(0).path("id").asText());
        assertThat(usageChunk.path("choices")).isEmpty();
        assertThat(usageChunk.path("usage").path("prompt_tokens").asLong()).isEqualTo(7);
        assertThat(usageChunk.path("usage").path("completion_tokens").asLong()).isEqualTo(5);
        assertThat(usageChunk.path("usage").path("total_tokens").asLong()).isEqualTo(12);
        assertThat(sink.usage()).isEqualTo(Usage.of(7, 5));
        assertThat(sink.chunkTexts()).noneMatch(t -> t.contains("\"usage\""));
    }

    @Test
    void maxTokensCutsTheStreamAndFinishesWithLength() {
        RecordingChunkSink sink = stream(adapter(Map.of()),
                "{\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about gateways\"}]}");
        List<JsonNode> chunks = chunks(sink);

        assertThat(chunks).hasSize(1 + 4 + 1);
        assertThat(chunks.get(5).path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(sink.usage().completionTokens()).isEqualTo(4);
    }

    @Test
    void chunksArePacedByTokensPerSecondAfterTtft() {
        ProviderAdapter adapter = adapter(Map.of("ttft", "60ms", "tokens_per_second", 50, "response_tokens", 6));
        RecordingChunkSink sink = new RecordingChunkSink();
        long start;
        try (ObservedCall call = new ObservedCall()) {
            start = System.nanoTime();
            call.runOnCallThread(() -> adapter.streamChat(chatRequest(PROMPT, true), call, sink));
            sink.awaitEnd(MockFixture.WAIT);
        }
        List<Long> arrivals = sink.chunkArrivalNanos();

        long slack = 5_000_000L;
        assertThat(arrivals).hasSize(8);
        assertThat(arrivals.get(0) - start).isGreaterThanOrEqualTo(60_000_000L - slack);
        assertThat(arrivals.get(arrivals.size() - 1) - arrivals.get(0))
                .isGreaterThanOrEqualTo((6 - 1) * 1_000_000_000L / 50 - slack);
    }

    @Test
    void withoutATokenRateTheWholeStreamIsOneScheduledTask() {
        ProviderAdapter adapter = adapter(Map.of("response_tokens", 30));
        RecordingChunkSink sink = new RecordingChunkSink();
        try (ObservedCall call = new ObservedCall()) {
            call.runOnCallThread(() -> adapter.streamChat(chatRequest(PROMPT, true), call, sink));
            sink.awaitEnd(MockFixture.WAIT);

            assertThat(call.scheduledTasks()).isEqualTo(1);
            assertThat(sink.chunks()).hasSize(32);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 200})
    void cancellationStopsTheStream(int tokensPerSecond) throws InterruptedException {
        ProviderAdapter adapter = adapter(Map.of("tokens_per_second", tokensPerSecond, "response_tokens", 20));
        try (ObservedCall call = new ObservedCall()) {
            CancellingSink sink = new CancellingSink(call, 4);
            call.runOnCallThread(() -> adapter.streamChat(chatRequest(PROMPT, true), call, sink));
            sink.awaitCancelled();
            call.runOnCallThread(() -> {});
            int scheduledAtCancel = call.scheduledTasks();
            Thread.sleep(100);
            call.runOnCallThread(() -> {});

            assertThat(sink.recorded.chunks()).hasSize(4);
            assertThat(sink.recorded.completed()).isFalse();
            assertThat(sink.recorded.error()).isNull();
            assertThat(sink.recorded.usage()).isNull();
            assertThat(call.scheduledTasks()).isEqualTo(scheduledAtCancel);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 16, 100})
    void failAfterTokensSendsThatManyWordsThenTheErrorKindsError(int failAfter) {
        RecordingChunkSink sink = stream(adapter(Map.of("fail_after_tokens", failAfter, "error_kind", "rate_limit")), PROMPT);

        int sent = Math.min(failAfter, 16);
        assertThat(sink.chunks()).hasSize(1 + sent);
        assertThat(chunks(sink)).allSatisfy(c -> assertThat(c.path("choices").path(0).path("finish_reason").isNull()).isTrue());
        assertThat(sink.completed()).isFalse();
        assertThat(sink.usage()).isNull();
        GatewayException e = sink.error();
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(e.code()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void failAfterTokensLeavesNonStreamedAnswersAlone() {
        ProviderResult result = chat(adapter(Map.of("fail_after_tokens", 2)), PROMPT);

        assertThat(result.usage().completionTokens()).isEqualTo(16);
    }

    @Test
    void modelNamesAndRepliesAreEscapedInChunks() {
        ProviderAdapter adapter = adapter(Map.of("reply", "a\"b c\\d \u0001é"));
        RecordingChunkSink sink = new RecordingChunkSink();
        try (ObservedCall call = new ObservedCall()) {
            ChatRequest request = new ChatRequest("r", "we\"ird\\model", "u", true, true, ApiFormat.OPENAI_CHAT,
                    Bytes.utf8(PROMPT));
            call.runOnCallThread(() -> adapter.streamChat(request, call, sink));
            sink.awaitEnd(MockFixture.WAIT);
        }

        assertThat(chunks(sink)).allSatisfy(c -> assertThat(c.path("model").asText()).isEqualTo("we\"ird\\model"));
        assertThat(streamedContent(sink)).isEqualTo("a\"b c\\d \u0001é");
    }

    @Test
    void badBodyFailsTheStreamBeforeAnyChunk() {
        RecordingChunkSink sink = stream(adapter(Map.of()), "{\"messages\":7}");

        assertThat(sink.chunks()).isEmpty();
        assertThat(sink.error().status()).isEqualTo(400);
        assertThat(sink.error().param()).contains("messages");
    }

    /** Records a stream and cancels the call when the n-th chunk arrives. */
    private static final class CancellingSink implements ChunkSink {
        final RecordingChunkSink recorded = new RecordingChunkSink();
        private final ObservedCall call;
        private final int cancelAt;
        private final CountDownLatch cancelled = new CountDownLatch(1);

        CancellingSink(ObservedCall call, int cancelAt) {
            this.call = call;
            this.cancelAt = cancelAt;
        }

        @Override
        public void chunk(Bytes json) {
            recorded.chunk(json);
            if (recorded.chunks().size() == cancelAt) {
                call.cancel();
                cancelled.countDown();
            }
        }

        @Override
        public void usage(Usage usage, Bytes usageChunk) {
            recorded.usage(usage, usageChunk);
        }

        @Override
        public void complete() {
            recorded.complete();
        }

        @Override
        public void error(GatewayException error) {
            recorded.error(error);
        }

        void awaitCancelled() throws InterruptedException {
            assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
