package dev.tollgate.bench.jmh;

import dev.tollgate.kernel.codec.OpenAiChatFacts;
import dev.tollgate.kernel.codec.RequestBody;
import dev.tollgate.spi.request.RequestFacts;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.sse.SseEvent;
import dev.tollgate.spi.sse.SseParser;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/** Hot paths of the kernel and the SPI that every request or stream goes through. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class KernelBench {

    byte[] chatRequest;
    ByteBuffer[] ssePieces;
    String[] headers;

    @Setup
    public void setup() {
        chatRequest = Fixtures.utf8(Fixtures.CHAT_REQUEST);
        ssePieces = Fixtures.pieces(Fixtures.utf8(Fixtures.SSE_STREAM), 1024);
        headers = Fixtures.HEADERS.clone();
    }

    /** Validates a chat request in one pass and gathers its facts (model, stream, limits, prompt estimate). */
    @Benchmark
    public RequestFacts requestFactsChat() {
        return OpenAiChatFacts.parse(RequestBody.of(chatRequest));
    }

    /** Splits the 20-event stream, arriving in 1 KiB pieces, into events. */
    @Benchmark
    public int sseParse20Events(Blackhole bh) {
        int[] count = new int[1];
        SseParser p = new SseParser((SseEvent e) -> {
            count[0]++;
            bh.consume(e);
        });
        for (ByteBuffer b : ssePieces) {
            p.feed(b.rewind());
        }
        p.finish();
        return count[0];
    }

    /** Builds the headers of a request from 10 name/value pairs and looks up three of them. */
    @Benchmark
    public void headersBuildAndLookup(Blackhole bh) {
        String[] h = headers;
        Headers.Builder b = Headers.builder();
        for (int i = 0; i < h.length; i += 2) {
            b.add(h[i], h[i + 1]);
        }
        Headers built = b.build();
        bh.consume(built.first("content-type"));
        bh.consume(built.first("authorization"));
        bh.consume(built.first("x-request-id"));
    }
}
