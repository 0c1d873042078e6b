package dev.tollgate.spi.testkit;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamHttp;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An {@link UpstreamHttp} that answers from a script instead of the network and records every
 * request. Streamed answers are delivered piece by piece, so adapters see bodies split the way a
 * network splits them.
 */
public final class ScriptedUpstreamHttp implements UpstreamHttp {

    private final Function<UpstreamRequest, Reply> script;
    private final List<UpstreamRequest> requests = new CopyOnWriteArrayList<>();

    private ScriptedUpstreamHttp(Function<UpstreamRequest, Reply> script) {
        this.script = requireNonNull(script, "script is null");
    }

    /** Answers every request with {@code reply}. */
    public static ScriptedUpstreamHttp always(Reply reply) {
        return new ScriptedUpstreamHttp(r -> reply);
    }

    /** Answers each request with what {@code script} returns for it. */
    public static ScriptedUpstreamHttp answering(Function<UpstreamRequest, Reply> script) {
        return new ScriptedUpstreamHttp(script);
    }

    /** Every request received so far, in order. */
    public List<UpstreamRequest> requests() {
        return List.copyOf(requests);
    }

    /** The only request received; fails if there was not exactly one. */
    public UpstreamRequest onlyRequest() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one upstream request, got " + requests.size());
        }
        return requests.get(0);
    }

    @Override
    public CompletionStage<UpstreamResponse> send(UpstreamRequest request) {
        requests.add(request);
        Reply reply = script.apply(request);
        if (reply.failure != null) {
            return CompletableFuture.failedFuture(reply.failure);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] piece : reply.pieces) {
            body.writeBytes(piece);
        }
        return CompletableFuture.completedFuture(
                new UpstreamResponse(reply.status, reply.headers, Bytes.wrapOwned(body.toByteArray())));
    }

    @Override
    public void stream(UpstreamRequest request, ResponseHandler handler) {
        requests.add(request);
        Reply reply = script.apply(request);
        if (reply.failure != null && reply.pieces.isEmpty()) {
            handler.onError(reply.failure);
            return;
        }
        handler.onHeaders(reply.status, reply.headers);
        for (byte[] piece : reply.pieces) {
            handler.onBody(ByteBuffer.wrap(piece).asReadOnlyBuffer());
        }
        if (reply.failure != null) {
            handler.onError(reply.failure);
        } else {
            handler.onComplete();
        }
    }

    /** A scripted answer: a status, headers and body pieces, optionally followed by a failure. */
    public static final class Reply {
        private final int status;
        private final Headers headers;
        private final List<byte[]> pieces;
        private final GatewayException failure;

        private Reply(int status, Headers headers, List<byte[]> pieces, GatewayException failure) {
            this.status = status;
            this.headers = headers;
            this.pieces = List.copyOf(pieces);
            this.failure = failure;
        }

        /** A JSON answer with {@code status}. */
        public static Reply json(int status, String body) {
            return new Reply(status, Headers.of("Content-Type", "application/json"),
                    List.of(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)), null);
        }

        /** An answer with explicit headers and body. */
        public static Reply of(int status, Headers headers, byte[] body) {
            return new Reply(status, headers, List.of(body.clone()), null);
        }

        /** An answer with explicit headers, its body delivered in the given pieces. */
        public static Reply of(int status, Headers headers, List<byte[]> pieces) {
            return new Reply(status, headers, copy(pieces), null);
        }

        /** A 200 event stream delivered in the given pieces. */
        public static Reply eventStream(List<byte[]> pieces) {
            return new Reply(200, Headers.of("Content-Type", "text/event-stream"), pieces, null);
        }

        /** A transport failure before any response (connect refused, timeout). */
        public static Reply failure(GatewayException error) {
            return new Reply(0, Headers.EMPTY, List.of(), requireNonNull(error, "error is null"));
        }

        /** This answer's pieces, then a transport failure (a reset mid-stream). */
        public Reply thenFail(GatewayException error) {
            return new Reply(status, headers, pieces, requireNonNull(error, "error is null"));
        }

        /** This answer with an extra header. */
        public Reply withHeader(String name, String value) {
            return new Reply(status, headers.toBuilder().add(name, value).build(), pieces, failure);
        }
    }

    /** Convenience for a 502 reset failure like the kernel's client reports. */
    public static GatewayException reset() {
        return GatewayException.builder(dev.tollgate.spi.ErrorType.UPSTREAM_SERVER, 502, "upstream_reset")
                .message("the connection to the provider was reset").build();
    }

    /** Convenience for a 504 timeout failure like the kernel's client reports. */
    public static GatewayException timeout(Duration after) {
        return GatewayException.builder(dev.tollgate.spi.ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout")
                .message("the provider did not answer within " + after.toMillis() + " ms").build();
    }

    static List<byte[]> copy(List<byte[]> pieces) {
        List<byte[]> out = new ArrayList<>();
        pieces.forEach(p -> out.add(p.clone()));
        return out;
    }
}
