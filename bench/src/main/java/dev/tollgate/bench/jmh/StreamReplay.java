package dev.tollgate.bench.jmh;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.chat.StreamEvent;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ProviderCall;
import dev.tollgate.spi.provider.StreamSink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.openjdk.jmh.infra.Blackhole;

/** What the provider stream benchmarks share: an upstream that replays one answer, and a sink that consumes it. */
public final class StreamReplay {

    private StreamReplay() {}

    /** A call whose upstream answers every stream at once, on the calling thread, with the same headers and pieces. */
    public record ReplayingCall(Headers headers, ByteBuffer[] pieces) implements ProviderCall, UpstreamHttp {
        @Override
        public String requestId() {
            return "req-bench";
        }

        @Override
        public UpstreamHttp http() {
            return this;
        }

        @Override
        public void schedule(Duration delay, Runnable task) {
            throw new UnsupportedOperationException("the adapters schedule nothing on a stream");
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
            throw new UnsupportedOperationException("streams only");
        }

        @Override
        public void stream(UpstreamRequest request, ResponseHandler handler) {
            handler.onHeaders(200, headers);
            for (ByteBuffer b : pieces) {
                handler.onBody(b.rewind());
            }
            handler.onComplete();
        }
    }

    /** Hands everything to the blackhole; a failed stream fails the benchmark. */
    public record Sink(Blackhole bh) implements StreamSink {
        @Override
        public void headers(Headers headers) {
            bh.consume(headers);
        }

        @Override
        public void event(StreamEvent event) {
            bh.consume(event);
        }

        @Override
        public void nativeEvent(String name, Bytes data) {
            bh.consume(data);
        }

        @Override
        public void observe(Observation observation) {
            bh.consume(observation);
        }

        @Override
        public void complete() {
            bh.consume(true);
        }

        @Override
        public void fail(GatewayException error) {
            throw error;
        }
    }
}
