package dev.tollgate.plugin.mock;

import com.fasterxml.jackson.core.JsonFactory;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.ChatResponse;
import dev.tollgate.spi.chat.ContentBlock;
import dev.tollgate.spi.chat.Usage;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.EmbeddingsRequest;
import dev.tollgate.spi.provider.EmbeddingsResponse;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.provider.ResponseSink;
import dev.tollgate.spi.provider.StreamSink;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import dev.tollgate.spi.time.Ticker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A fake model that answers without any I/O, deterministically, in the canonical model: the
 * kernel renders its answers for every inbound API (it has no native format).
 *
 * <p><b>Tokenizer.</b> A token is a whitespace-separated word. Input tokens are the words of every
 * instruction, message text and tool result plus 3 per message; output tokens are the words of the
 * answer (for a tool call, of its arguments). For embeddings, input tokens are the words of each
 * string input plus the length of each token-array input.
 *
 * <p><b>Answers.</b> When the request offers tools and its last turn is not a tool result, the mock
 * calls a tool (the one {@code tool_choice} names, else the first; none with {@code tool_choice}
 * none) with the arguments its schema requires, each set to the last user text. After a tool
 * result it answers "The tool returned: …". Otherwise the configured {@code reply}, or words drawn
 * from a small vocabulary with a generator seeded by a hash of the messages' roles and texts: the
 * same messages get the same answer on every instance. {@code max_tokens} cuts a text answer to a
 * prefix with stop reason {@code MAX_TOKENS}.
 *
 * <p><b>Failures.</b> Every call (chat, stream or embeddings) takes the next number of a counter of
 * this instance; whether call {@code n} fails depends only on {@code n} and {@code seed}, so a fresh
 * instance fails the same calls. {@code timeout} failures arrive after {@code ttft}, the others at once.
 *
 * <p><b>Streams.</b> After {@code ttft}: the message start, the block start and the first word;
 * then one word per {@code 1/tokens_per_second}; right after the last word the block stop and the
 * message end with usage. With {@code tokens_per_second} 0 all of it is sent by one scheduled task.
 * A tool call streams its arguments in three pieces the same way.
 */
final class MockAdapter implements ProviderAdapter, SupportsEmbeddings {

    private static final int TOKENS_PER_MESSAGE = 3;

    private final MockSettings settings;
    private final Clock clock;
    private final Ticker ticker;
    private final JsonFactory json = new JsonFactory();
    private final AtomicLong calls = new AtomicLong();

    MockAdapter(MockSettings settings, Clock clock, Ticker ticker) {
        this.settings = settings;
        this.clock = clock;
        this.ticker = ticker;
    }

    @Override
    public void chat(ProviderRequest request, ProviderCall call, ResponseSink<ChatResponse> sink) {
        long n = calls.incrementAndGet();
        ChatBody body = ChatBody.of(request.canonical(), json);
        if (fails(n)) {
            failLater(call, n, sink::fail);
            return;
        }
        Answer answer = Answer.of(settings, body);
        Usage usage = usage(body, answer);
        ChatResponse.Builder response = ChatResponse.builder().id(id(n)).model(request.upstreamModel()).stopReason(answer.stopReason())
                .usage(usage).created(clock.instant().getEpochSecond());
        if (answer.isToolCall()) {
            response.addContent(new ContentBlock.ToolUse(toolCallId(n), answer.toolName(), answer.toolArguments()));
        } else {
            response.addContent(ContentBlock.Text.of(answer.text()));
        }
        ChatResponse r = response.build();
        call.schedule(settings.ttft(), () -> sink.respond(r, Headers.EMPTY));
    }

    @Override
    public void streamChat(ProviderRequest request, ProviderCall call, StreamSink sink) {
        long n = calls.incrementAndGet();
        ChatBody body = ChatBody.of(request.canonical(), json);
        if (fails(n)) {
            failLater(call, n, sink::fail);
            return;
        }
        Answer answer = Answer.of(settings, body);
        GatewayException midStream = settings.failAfterTokens() >= 0 ? settings.errorKind().exception(n) : null;
        MockStream stream = new MockStream(call, sink, ticker, id(n), toolCallId(n), request.upstreamModel(), answer,
                usage(body, answer), settings.tokenIntervalNanos(), settings.failAfterTokens(), midStream);
        call.schedule(settings.ttft(), stream);
    }

    @Override
    public void embeddings(EmbeddingsRequest request, ProviderCall call, ResponseSink<EmbeddingsResponse> sink) {
        long n = calls.incrementAndGet();
        EmbeddingsBody body = EmbeddingsBody.parse(json, request.body());
        if (fails(n)) {
            failLater(call, n, sink::fail);
            return;
        }
        int dimensions = body.dimensions() > 0 ? body.dimensions() : settings.embeddingDimensions();
        List<float[]> vectors = new ArrayList<>(body.inputs().size());
        long tokens = 0;
        for (EmbeddingsBody.Input input : body.inputs()) {
            vectors.add(Vectors.unit(input.hash(), dimensions));
            tokens += input.tokens();
        }
        EmbeddingsResponse answer = EmbeddingsResponse.of(request.upstreamModel(), vectors, Usage.of(tokens, 0));
        call.schedule(settings.ttft(), () -> sink.respond(answer, Headers.EMPTY));
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
        return "mock-" + n;
    }

    private static String toolCallId(long n) {
        return "call_mock_" + n;
    }
}
