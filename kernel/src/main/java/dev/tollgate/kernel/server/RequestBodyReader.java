package dev.tollgate.kernel.server;

import dev.tollgate.kernel.client.Responses;
import dev.tollgate.kernel.codec.ErrorFormat;
import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.metrics.Metrics;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;

/**
 * Reads a request body without blocking and hands it whole to a callback on the exchange's I/O
 * thread; answers every failure itself.
 *
 * <p>Memory follows what arrived, never what was declared: the buffer grows with the bytes
 * received (to exactly {@code Content-Length} at most), each growth reserved from the process-wide
 * {@link RequestMemory}; a body that would pass it gets 503 {@code server_busy}. The reservation
 * is given back once when the exchange completes or its connection closes, whichever comes first.
 * A declared body over the limit gets 413 unread; a chunked one that grows past it is discarded
 * (not buffered) to its end, then 413, so that a client still uploading can read the answer; past
 * {@link #DRAIN_CAP} the connection is closed instead. Stalled, malformed and shut-down bodies
 * come as a {@link FramingException} from the connection guard and get its status.
 */
final class RequestBodyReader {

    /** Receives a complete body. */
    interface Callback {
        void onBody(HttpServerExchange exchange, byte[] body);
    }

    /** Bytes of an oversized body read and discarded before the connection is closed instead. */
    static final long DRAIN_CAP = 64L * 1024 * 1024;
    private static final Logger clientIo = LoggerFactory.getLogger("tollgate.client-io");
    private static final byte[] EMPTY = new byte[0];
    private static final int FIRST_CHUNK = 4096;

    private final long maxBytes;
    private final RequestMemory memory;
    private final Metrics.Counter busy;

    RequestBodyReader(long maxBytes, RequestMemory memory, Metrics.Counter busy) {
        this.maxBytes = maxBytes;
        this.memory = memory;
        this.busy = busy;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Reads the body; every refusal answers in {@code errors}, the shape of the endpoint's API. */
    void read(HttpServerExchange exchange, String requestId, ErrorFormat errors, Callback callback) {
        long declared = exchange.getRequestContentLength();
        if (declared > maxBytes) {
            tooLarge(exchange, requestId, errors);
            return;
        }
        if (declared == 0 || exchange.isRequestComplete()) {
            callback.onBody(exchange, EMPTY);
            return;
        }
        RequestMemory.Share share = memory.share();
        exchange.addExchangeCompleteListener(share);
        GuardedConnection guarded = GuardedConnection.of(exchange);
        if (guarded != null) {
            guarded.holds(share);
        }
        StreamSourceChannel channel = exchange.getRequestChannel();
        if (channel == null) {
            Responses.error(exchange, requestId, errors, GatewayException.internal("the request body was already read", null));
            return;
        }
        Read read = new Read(exchange, requestId, errors, callback, share, declared, channel, guarded);
        if (guarded != null) {
            guarded.watchBody(read);
        }
        read.readSome(channel);
    }

    private void tooLarge(HttpServerExchange exchange, String id, ErrorFormat errors) {
        Responses.reject(exchange, id, errors, GatewayException.builder(ErrorType.CLIENT, 413, "request_too_large")
                .message("the request body is larger than the limit of " + maxBytes + " bytes").build());
    }

    private final class Read implements ChannelListener<StreamSourceChannel>, Consumer<Rejection> {

        private final HttpServerExchange exchange;
        private final String id;
        private final ErrorFormat errors;
        private final Callback callback;
        private final RequestMemory.Share share;
        private final long limit;
        private final StreamSourceChannel channel;
        private final GuardedConnection guarded;
        private boolean done;
        private byte[] body;
        private int length;
        private long discarded = -1;

        Read(HttpServerExchange exchange, String id, ErrorFormat errors, Callback callback, RequestMemory.Share share, long declared,
                StreamSourceChannel channel, GuardedConnection guarded) {
            this.errors = errors;
            this.channel = channel;
            this.guarded = guarded;
            this.exchange = exchange;
            this.id = id;
            this.callback = callback;
            this.share = share;
            this.limit = declared >= 0 ? declared : maxBytes;
        }

        @Override
        public void handleEvent(StreamSourceChannel channel) {
            readSome(channel);
        }

        /** The connection guard cut the body: malformed, stalled or shutting down. */
        @Override
        public void accept(Rejection rejection) {
            if (done) {
                return;
            }
            stop();
            share.release();
            Responses.reject(exchange, id, errors, rejection.toException());
        }

        private void stop() {
            done = true;
            if (guarded != null) {
                guarded.unwatchBody(this);
            }
            channel.getReadSetter().set(null);
            channel.suspendReads();
        }

        void readSome(StreamSourceChannel channel) {
            if (done) {
                return;
            }
            PooledByteBuffer pooled = exchange.getConnection().getByteBufferPool().allocate();
            try {
                ByteBuffer buffer = pooled.getBuffer();
                while (true) {
                    buffer.clear();
                    int n;
                    try {
                        n = channel.read(buffer);
                    } catch (IOException e) {
                        stop();
                        failed(e);
                        return;
                    }
                    if (n == 0) {
                        channel.getReadSetter().set(this);
                        channel.resumeReads();
                        return;
                    }
                    if (n < 0) {
                        stop();
                        finished();
                        return;
                    }
                    buffer.flip();
                    if (!take(buffer)) {
                        stop();
                        return;
                    }
                }
            } finally {
                pooled.close();
            }
        }

        /** Keeps the bytes read; false when the request was answered instead. */
        private boolean take(ByteBuffer data) {
            int n = data.remaining();
            if (discarded >= 0) {
                discarded += n;
                if (discarded > DRAIN_CAP) {
                    clientIo.debug("request {}: oversized chunked body, closing", id);
                    IoUtils.safeClose(exchange.getConnection());
                    return false;
                }
                return true;
            }
            if (length + (long) n > maxBytes) {
                discarded = n;
                body = null;
                share.release();
                return true;
            }
            int needed = length + n;
            int capacity = body == null ? 0 : body.length;
            if (needed > capacity) {
                int grown = (int) Math.min(limit, Math.max(needed, Math.max(capacity * 2L, FIRST_CHUNK)));
                grown = Math.max(grown, needed);
                if (!share.grow(grown - capacity)) {
                    busy.increment();
                    share.release();
                    Responses.reject(exchange, id, errors, Rejection.BUSY.toException());
                    return false;
                }
                body = body == null ? new byte[grown] : Arrays.copyOf(body, grown);
            }
            data.get(body, length, n);
            length = needed;
            return true;
        }

        private void finished() {
            if (discarded >= 0) {
                tooLarge(exchange, id, errors);
                return;
            }
            if (body == null) {
                callback.onBody(exchange, EMPTY);
                return;
            }
            callback.onBody(exchange, length == body.length ? body : Arrays.copyOf(body, length));
        }

        private void failed(IOException error) {
            share.release();
            if (error instanceof FramingException f) {
                Responses.reject(exchange, id, errors, f.rejection().toException());
            } else if (error instanceof RequestTooBigException) {
                tooLarge(exchange, id, errors);
            } else {
                clientIo.debug("request {}: reading the body failed: {}", id, error.toString());
                IoUtils.safeClose(exchange.getConnection());
            }
        }
    }
}
