package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.JsonFactory;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ChunkSink;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderResult;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.provider.Usage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A fake model that answers without any I/O, deterministically.
 *
 * <p><b>Tokenizer.</b> A token is a whitespace-separated word. Prompt tokens are the words over the
 * text of every message (string content and the {@code text} of content parts) plus 3 per message;
 * completion tokens are the words of the answer, which is also the number of content chunks of its
 * stream. For embeddings, prompt tokens are the words of each string input plus the length of each
 * token-array input.
 *
 * <p><b>Answers.</b> The configured {@code reply}, or words drawn from a small vocabulary with a
 * generator seeded by a hash of the messages' roles and texts: the same messages get the same answer
 * on every instance. {@code max_tokens} and {@code max_completion_tokens} cut it to a prefix with
 * finish reason {@code length}.
 *
 * <p><b>Failures.</b> Every call (chat, stream or embeddings) takes the next number of a counter of
 * this instance; whether call {@code n} fails depends only on {@code n} and {@code seed}, so a fresh
 * instance fails the same calls. {@code timeout} failures arrive after {@code ttft}, the others at once.
 *
 * <p><b>Streams.</b> After {@code ttft}: a role chunk and the first word; then one word per
 * {@code 1/tokens_per_second}; right after the last word a chunk with the finish reason, the usage
 * chunk through {@link ChunkSink#usage} and the end. With {@code tokens_per_second} 0 all of it is
 * sent by one scheduled task.
 */
final class MockAdapter implements ProviderAdapter, SupportsEmbeddings {

    private static final int TOKENS_PER_MESSAGE = 3;

    private final MockSettings settings;
    private final Clock clock;
    private final JsonFactory json = new JsonFactory();
    private final CompletionWriter writer = new CompletionWriter(json);
    private final AtomicLong calls = new AtomicLong();

    MockAdapter(MockSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public CompletionStage<ProviderResult> chat(ChatRequest request, ProviderCall call) {
        long n = calls.incrementAndGet();
        ChatBody body;
        try {
            body = ChatBody.parse(json, request.body());
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<ProviderResult> result = new CompletableFuture<>();
        if (fails(n)) {
            failLater(call, n, result::completeExceptionally);
            return result;
        }
        Answer answer = Answer.of(settings, body);
        Usage usage = usage(body, answer);
        String id = id(n);
        long created = created();
        call.schedule(settings.ttft(), () -> result.complete(
                ProviderResult.of(writer.completion(id, created, request.model(), answer, usage), usage)));
        return result;
    }

    @Override
    public void streamChat(ChatRequest request, ProviderCall call, ChunkSink sink) {
        long n = calls.incrementAndGet();
        ChatBody body;
        try {
            body = ChatBody.parse(json, request.body());
        } catch (GatewayException e) {
            sink.error(e);
            return;
        }
        if (fails(n)) {
            failLater(call, n, sink::error);
            return;
        }
        Answer answer = Answer.of(settings, body);
        GatewayException midStream = settings.failAfterTokens() >= 0 ? settings.errorKind().exception(n) : null;
        MockStream stream = new MockStream(call, sink, new ChunkWriter(id(n), created(), request.model()), answer,
                usage(body, answer), settings.tokenIntervalNanos(), settings.failAfterTokens(), midStream);
        call.schedule(settings.ttft(), stream);
    }

    @Override
    public CompletionStage<ProviderResult> embeddings(EmbeddingsRequest request, ProviderCall call) {
        long n = calls.incrementAndGet();
        EmbeddingsBody body;
        try {
            body = EmbeddingsBody.parse(json, request.body());
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<ProviderResult> result = new CompletableFuture<>();
        if (fails(n)) {
            failLater(call, n, result::completeExceptionally);
            return result;
        }
        int dimensions = body.dimensions() > 0 ? body.dimensions() : settings.embeddingDimensions();
        List<float[]> vectors = new ArrayList<>(body.inputs().size());
        long tokens = 0;
        for (EmbeddingsBody.Input input : body.inputs()) {
            vectors.add(Vectors.unit(input.hash(), dimensions));
            tokens += input.tokens();
        }
        Usage usage = Usage.of(tokens, 0);
        ProviderResult answer = ProviderResult.of(writer.embeddings(request.model(), vectors, body.base64(), tokens), usage);
        call.schedule(settings.ttft(), () -> result.complete(answer));
        return result;
    }

    private boolean fails(long n) {
        double rate = settings.errorRate();
        return rate > 0 && TextHash.unit(TextHash.splitMix(settings.seed() + n * 0x9e3779b97f4a7c15L)) < rate;
    }

    private void failLater(ProviderCall call, long n, Consumer<GatewayException> fail) {
        GatewayException error = settings.errorKind().exception(n);
        if (settings.errorKind() == ErrorKind.TIMEOUT) {
            call.schedule(settings.ttft(), () -> fail.accept(error));
        } else {
            fail.accept(error);
        }
    }

    private static Usage usage(ChatBody body, Answer answer) {
        return Usage.of(body.promptWords() + (long) TOKENS_PER_MESSAGE * body.messages(), answer.length());
    }

    private static String id(long n) {
        return "chatcmpl-mock-" + n;
    }

    private long created() {
        return clock.instant().getEpochSecond();
    }
}
