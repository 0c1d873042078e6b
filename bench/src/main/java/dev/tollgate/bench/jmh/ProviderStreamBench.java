package dev.tollgate.bench.jmh;

import dev.tollgate.formats.Warnings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.chat.ChatRequest;
import dev.tollgate.spi.chat.Message;
import dev.tollgate.spi.chat.WireFormat;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.ProviderRequest;
import dev.tollgate.spi.request.RequestFacts;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What the provider stream benchmarks ({@code *ProviderBench}, each in its plugin's package) share:
 * JMH's settings (inherited), the replayed upstream {@link #call}, and the requests they stream —
 * one translated from the same canonical greeting, one passed through as the client sent it. A
 * subclass builds its adapter and fills these in its {@code @Setup}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public abstract class ProviderStreamBench {

    /** Adapters' warnings go nowhere: a benchmark measures the path, not the log. */
    public static final Warnings NO_WARNINGS = (what, value) -> { };

    /** The upstream, answering every stream with the same pieces. */
    public StreamReplay.ReplayingCall call;

    /** The canonical greeting, for a client of another API than the provider's. */
    public ProviderRequest translatedStream;

    /** An upstream answering {@code stream} with {@code headers}, in 1 KiB pieces. */
    protected static StreamReplay.ReplayingCall replaying(Headers headers, byte[] stream) {
        return new StreamReplay.ReplayingCall(headers, Fixtures.pieces(stream, 1024));
    }

    /** A stream request of a {@code client}-format client, rendered from the canonical greeting. */
    protected static ProviderRequest translated(WireFormat client, String clientModel, String upstreamModel) {
        ChatRequest canonical = ChatRequest.builder().model(clientModel).addSystem("You are terse.")
                .addMessage(Message.user("Say hello in one short sentence please.")).temperature(0.7).maxTokens(64)
                .stream(true).build();
        return ProviderRequest.builder("req-bench", facts(client, clientModel), () -> canonical)
                .deployment(clientModel + "#0", upstreamModel).build();
    }

    /** A stream request whose {@code body} the provider relays as it came (only the model rewritten). */
    protected static ProviderRequest passThrough(WireFormat client, String clientModel, String upstreamModel, Bytes body) {
        return ProviderRequest.builder("req-bench", facts(client, clientModel), () -> {
            throw new IllegalStateException("a pass-through request is never translated");
        }).deployment(clientModel + "#0", upstreamModel).nativeBody(body).build();
    }

    /** A stream's facts; an Anthropic client always names {@code max_tokens}. */
    private static RequestFacts facts(WireFormat client, String clientModel) {
        RequestFacts.Builder facts = RequestFacts.builder(client, clientModel).stream(true);
        if (client == WireFormat.ANTHROPIC_MESSAGES) {
            facts.maxTokens(64);
        }
        return facts.build();
    }
}
