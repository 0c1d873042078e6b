package dev.tollgate.kernel.upstream;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.HttpProtocol;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamRequest;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.protocols.http2.Http2StreamSinkChannel;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One request/response exchange with an upstream, confined to one I/O thread: takes a pooled
 * connection, a stream on a shared HTTP/2 connection, or opens a connection; writes the request,
 * streams the response to the handler, and gives the connection (or stream) back when the response
 * ended cleanly. A request that fails on a reused connection before any response arrived is retried
 * once on a fresh connection (the upstream may have closed the idle connection just then).
 *
 * <p>Its one {@link Deadlines} entry holds the earliest of two deadlines: the current phase's
 * (connect, response headers, idle between reads) and the total one of the whole exchange.
 */
final class UpstreamExchange extends Deadlines.Entry implements UpstreamClient.Handle {

    private static final HttpString CONTENT_LENGTH = new HttpString("Content-Length");
    private static final HttpString HOST = new HttpString("Host");

    private final UpstreamClient client;
    private final XnioIoThread thread;
    private final ConnectionPools pools;
    private final Deadlines deadlines;
    private final UpstreamRequest request;
    private final ResponseHandler handler;
    private final Origin origin;
    private final long totalNanos;

    private ClientConnection connection;
    /** The HTTP/2 connection this exchange holds a stream on (or waits for), else {@code null}. */
    private ConnectionPools.Multiplexed slot;
    /** This exchange's HTTP/2 stream, to reset it when the exchange ends before its response. */
    private Http2StreamSinkChannel stream;
    private StreamSourceChannel source;
    private ByteBuffer body;
    private UpstreamFailure phase;
    private long phaseNanos;
    private long phaseDeadlineNanos;
    private long idleDeadlineNanos;
    private long totalDeadlineNanos;
    private boolean reused;
    private boolean retried;
    private boolean requestWritten;
    private boolean headersReceived;
    private boolean keepAlive = true;
    private boolean paused;
    private boolean done;

    UpstreamExchange(UpstreamClient client, XnioIoThread thread, ConnectionPools pools, Deadlines deadlines,
            UpstreamRequest request, ResponseHandler handler) {
        this.client = client;
        this.thread = thread;
        this.pools = pools;
        this.deadlines = deadlines;
        this.request = request;
        this.handler = handler;
        Origin o = pools.origin(request.uri());
        this.origin = request.protocol() == HttpProtocol.H2C_PRIOR_KNOWLEDGE ? o.withPriorKnowledge() : o;
        this.totalNanos = request.totalTimeout().toNanos();
    }

    Origin origin() {
        return origin;
    }

    void start() {
        long now = deadlines.now();
        if (totalNanos > 0) {
            totalDeadlineNanos = now + totalNanos;
        }
        open(now);
    }

    private void open(long now) {
        if (origin.h2c() || origin.https()) {
            ConnectionPools.Multiplexed m = pools.reserveStream(origin, now);
            if (m != null) {
                slot = m;
                if (m.connecting()) {
                    awaitConnection(m);
                } else {
                    reused = true;
                    send(m.connection);
                }
                return;
            }
        }
        if (!origin.h2c()) {
            ClientConnection pooled = pools.take(origin, now);
            if (pooled != null) {
                reused = true;
                send(pooled);
                return;
            }
        }
        connect();
    }

    private void connect() {
        reused = false;
        if (!client.acquireConnection(pools)) {
            fail(UpstreamFailure.NO_DESCRIPTORS.toException(origin, (Throwable) null));
            return;
        }
        ConnectionPools.Multiplexed pending = origin.h2c() ? pools.connecting(origin) : null;
        if (pending != null) {
            slot = pending;
            awaitConnection(pending);
        } else {
            arm(request.connectTimeout().toNanos(), UpstreamFailure.CONNECT_TIMEOUT);
        }
        ClientCallback<ClientConnection> callback = new ClientCallback<>() {
            @Override
            public void completed(ClientConnection c) {
                client.track(c);
                if (pending != null) {
                    pools.connected(pending, c);
                    for (UpstreamExchange w : takeWaiters(pending)) {
                        w.connected(c);
                    }
                    return;
                }
                if (done) {
                    IoUtils.safeClose(c);
                    return;
                }
                clearPhase();
                slot = pools.shareIfMultiplexed(origin, c);
                send(c);
            }

            @Override
            public void failed(IOException e) {
                client.connectionFailed();
                if (pending != null) {
                    pools.connectFailed(pending);
                    for (UpstreamExchange w : takeWaiters(pending)) {
                        w.connectFailed(e);
                    }
                    return;
                }
                clearPhase();
                fail(UpstreamFailure.ofConnect(e).toException(origin, e));
            }
        };
        try {
            client.connect(origin, thread, callback);
        } catch (RuntimeException e) {
            callback.failed(new IOException(e));
        }
    }

    private static List<UpstreamExchange> takeWaiters(ConnectionPools.Multiplexed m) {
        List<UpstreamExchange> w = new ArrayList<>(m.waiting);
        m.waiting.clear();
        return w;
    }

    /** Waits, with the connect limit, for the HTTP/2 connection being opened to {@code m}'s origin. */
    private void awaitConnection(ConnectionPools.Multiplexed m) {
        m.waiting.add(this);
        arm(request.connectTimeout().toNanos(), UpstreamFailure.CONNECT_TIMEOUT);
    }

    private void connected(ClientConnection c) {
        if (done) {
            return;
        }
        clearPhase();
        send(c);
    }

    private void connectFailed(IOException e) {
        if (done) {
            return;
        }
        slot = null;
        clearPhase();
        fail(UpstreamFailure.ofConnect(e).toException(origin, e));
    }

    private void send(ClientConnection c) {
        connection = c;
        ClientRequest cr = new ClientRequest().setMethod(Methods.fromString(request.method())).setPath(path());
        HeaderMap h = cr.getRequestHeaders();
        h.put(HOST, origin.hostHeader());
        Headers headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            h.add(HttpString.tryFromString(headers.name(i)), headers.value(i));
        }
        body = request.body().asByteBuffer();
        if (body.hasRemaining() || !"GET".equals(request.method())) {
            h.put(CONTENT_LENGTH, body.remaining());
        }
        arm(request.responseTimeout().toNanos(), UpstreamFailure.RESPONSE_TIMEOUT);
        // Callbacks of a connection this exchange has left (after a retry) are ignored: Undertow may
        // report one failure both to the request callback and to the response listener.
        c.sendRequest(cr, new ClientCallback<>() {
            @Override
            public void completed(ClientExchange exchange) {
                if (done || connection != c) {
                    return;
                }
                if (slot != null && exchange.getRequestChannel() instanceof Http2StreamSinkChannel s) {
                    stream = s;
                    pools.attachChannel(slot, s.getChannel());
                }
                exchange.setResponseListener(new ClientCallback<>() {
                    @Override
                    public void completed(ClientExchange ex) {
                        if (connection == c) {
                            onResponse(ex);
                        }
                    }

                    @Override
                    public void failed(IOException e) {
                        if (connection == c) {
                            retryOrFail(e);
                        }
                    }
                });
                StreamSinkChannel sink = exchange.getRequestChannel();
                sink.getWriteSetter().set(ch -> {
                    if (connection == c) {
                        writeBody(ch);
                    } else {
                        ch.suspendWrites();
                    }
                });
                writeBody(sink);
            }

            @Override
            public void failed(IOException e) {
                if (connection == c) {
                    retryOrFail(e);
                }
            }
        });
    }

    private String path() {
        String p = request.uri().getRawPath();
        if (p == null || p.isEmpty()) {
            p = "/";
        }
        String q = request.uri().getRawQuery();
        return q == null ? p : p + "?" + q;
    }

    private void writeBody(StreamSinkChannel sink) {
        if (done || requestWritten) {
            sink.suspendWrites();
            return;
        }
        try {
            while (body.hasRemaining()) {
                if (sink.write(body) == 0) {
                    sink.resumeWrites();
                    return;
                }
            }
            sink.shutdownWrites();
            if (!sink.flush()) {
                sink.resumeWrites();
                return;
            }
            sink.suspendWrites();
            requestWritten = true;
        } catch (IOException e) {
            retryOrFail(e);
        }
    }

    private void retryOrFail(IOException e) {
        if (done) {
            return;
        }
        if (reused && !retried && !headersReceived) {
            retried = true;
            // leave the connection before closing it: closing reports the failure again, synchronously
            ClientConnection old = connection;
            ConnectionPools.Multiplexed oldSlot = slot;
            Http2StreamSinkChannel oldStream = stream;
            connection = null;
            slot = null;
            stream = null;
            requestWritten = false;
            if (oldSlot != null) {
                reset(oldSlot, old, null, oldStream);
                pools.releaseStream(oldSlot, deadlines.now());
            } else {
                IoUtils.safeClose(old);
            }
            clearPhase();
            if (origin.h2c()) {
                open(deadlines.now());
            } else {
                connect();
            }
            return;
        }
        UpstreamFailure kind = UpstreamFailure.ofExchange(e);
        if (kind == UpstreamFailure.RESET && !reused && !headersReceived) {
            if (origin.https()) {
                // Undertow's TLS conduit reports a failed handshake (untrusted certificate, wrong host
                // name) only as a closed channel on the fresh connection's first exchange.
                kind = UpstreamFailure.TLS;
            } else if (origin.h2c()) {
                kind = UpstreamFailure.H2C_RESET;
            }
        }
        fail(kind.toException(origin, e));
    }

    private void onResponse(ClientExchange exchange) {
        if (done) {
            return;
        }
        headersReceived = true;
        if (slot != null) {
            pools.settle(slot);
        }
        ClientResponse response = exchange.getResponse();
        HeaderMap rh = response.getResponseHeaders();
        String conn = rh.getFirst("Connection");
        keepAlive = conn == null || !conn.equalsIgnoreCase("close");
        source = exchange.getResponseChannel();
        source.getReadSetter().set(ch -> read());
        armIdle();
        handler.onHeaders(response.getResponseCode(), toHeaders(rh));
        if (done) {
            return;
        }
        read();
    }

    private void read() {
        if (done) {
            return;
        }
        if (paused) {
            source.suspendReads();
            return;
        }
        PooledByteBuffer pooled = client.buffers().allocate();
        try {
            ByteBuffer b = pooled.getBuffer();
            while (true) {
                b.clear();
                int n = source.read(b);
                if (n > 0) {
                    idleDeadlineNanos = deadlines.now() + phaseNanos;
                    b.flip();
                    handler.onBody(b);
                    if (done) {
                        return;
                    }
                    if (paused) {
                        source.suspendReads();
                        return;
                    }
                } else if (n == 0) {
                    source.resumeReads();
                    return;
                } else {
                    finish();
                    return;
                }
            }
        } catch (IOException e) {
            fail(UpstreamFailure.ofExchange(e).toException(origin, e));
        } finally {
            pooled.close();
        }
    }

    private void finish() {
        done = true;
        deadlines.remove(this);
        source.suspendReads();
        if (slot != null) {
            releaseSlot();
        } else if (keepAlive && requestWritten && connection.isOpen()) {
            pools.release(origin, connection, deadlines.now());
        } else {
            IoUtils.safeClose(connection);
        }
        handler.onComplete();
    }

    private void fail(GatewayException error) {
        if (done) {
            return;
        }
        done = true;
        deadlines.remove(this);
        abort();
        handler.onError(error);
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        done = true;
        deadlines.remove(this);
        abort();
    }

    /**
     * Ends this exchange at once. Undertow's {@code close()} is a clean close that drains the
     * response for up to 10 s, which never ends for a stream, so an HTTP/1.1 connection is taken
     * over ({@code performUpgrade}) and closed hard. On an HTTP/2 connection only this exchange's
     * stream is reset; the connection goes on serving the others.
     */
    private void abort() {
        if (slot != null) {
            reset(slot, connection, source, stream);
            releaseSlot();
            return;
        }
        if (connection == null) {
            return;
        }
        try {
            IoUtils.safeClose(connection.performUpgrade());
        } catch (IOException | RuntimeException notUpgradable) {
            IoUtils.safeClose(connection);
        }
    }

    /** Resets this exchange's HTTP/2 stream, or leaves the queue of a connection being opened. */
    private void reset(ConnectionPools.Multiplexed m, ClientConnection c, StreamSourceChannel response,
            Http2StreamSinkChannel requestStream) {
        if (c == null) {
            m.waiting.remove(this);
        } else if (response != null) {
            // closing a response channel that has not been read to its end sends RST_STREAM(CANCEL)
            IoUtils.safeClose(response);
        } else if (requestStream != null) {
            requestStream.getChannel().sendRstStream(requestStream.getStreamId(), Http2Channel.ERROR_CANCEL);
        }
    }

    private void releaseSlot() {
        pools.releaseStream(slot, deadlines.now());
        slot = null;
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (source != null && !done) {
            thread.execute(this::read);
        }
    }

    private void arm(long nanos, UpstreamFailure kind) {
        phase = kind;
        phaseNanos = nanos;
        phaseDeadlineNanos = deadlines.now() + nanos;
        schedule();
    }

    private void armIdle() {
        phase = UpstreamFailure.IDLE_TIMEOUT;
        phaseNanos = request.idleTimeout().toNanos();
        idleDeadlineNanos = deadlines.now() + phaseNanos;
        phaseDeadlineNanos = idleDeadlineNanos;
        schedule();
    }

    private void clearPhase() {
        phase = null;
        schedule();
    }

    /** Puts the one entry of this exchange at the earliest of its phase and total deadlines. */
    private void schedule() {
        boolean total = totalNanos > 0;
        if (done || phase == null && !total) {
            deadlines.remove(this);
            return;
        }
        long at = phase != null ? phaseDeadlineNanos : totalDeadlineNanos;
        if (phase != null && total && totalDeadlineNanos - at < 0) {
            at = totalDeadlineNanos;
        }
        deadlines.add(this, at);
    }

    @Override
    void onDeadline(long nowNanos) {
        if (done) {
            deadlines.remove(this);
            return;
        }
        if (totalNanos > 0 && totalDeadlineNanos - nowNanos <= 0) {
            fail(UpstreamFailure.TOTAL_TIMEOUT.toException(origin, Duration.ofNanos(totalNanos)));
            return;
        }
        if (phase == UpstreamFailure.IDLE_TIMEOUT && (paused || idleDeadlineNanos - nowNanos > 0)) {
            phaseDeadlineNanos = paused ? nowNanos + phaseNanos : idleDeadlineNanos;
            schedule();
            return;
        }
        if (phase != null && phaseDeadlineNanos - nowNanos <= 0) {
            fail(phase.toException(origin, Duration.ofNanos(phaseNanos)));
            return;
        }
        schedule();
    }

    static Headers toHeaders(HeaderMap map) {
        Headers.Builder b = Headers.builder();
        for (HeaderValues values : map) {
            String name = values.getHeaderName().toString();
            for (String v : values) {
                b.add(name, v);
            }
        }
        return b.build();
    }
}
