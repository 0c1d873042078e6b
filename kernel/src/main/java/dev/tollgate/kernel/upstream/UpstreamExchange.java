package dev.tollgate.kernel.upstream;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import dev.tollgate.spi.http.UpstreamRequest;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One request/response exchange with an upstream, confined to one I/O thread: takes a pooled
 * connection or opens one, writes the request, streams the response to the handler, and returns the
 * connection to the pool when the response ended cleanly. A request that fails on a reused
 * connection before any response arrived is retried once on a fresh connection (the upstream may
 * have closed the idle connection just then).
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

    private ClientConnection connection;
    private StreamSourceChannel source;
    private ByteBuffer body;
    private UpstreamFailure onTimeout;
    private long timeoutNanos;
    private long idleDeadlineNanos;
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
        this.origin = pools.origin(request.uri());
    }

    void start() {
        ClientConnection pooled = pools.take(origin, System.nanoTime());
        if (pooled != null) {
            reused = true;
            send(pooled);
        } else {
            connect();
        }
    }

    private void connect() {
        reused = false;
        arm(request.connectTimeout().toNanos(), UpstreamFailure.CONNECT_TIMEOUT);
        client.connect(origin, thread, new ClientCallback<>() {
            @Override
            public void completed(ClientConnection c) {
                if (done) {
                    IoUtils.safeClose(c);
                    return;
                }
                disarm();
                pools.shareIfMultiplexed(origin, c);
                send(c);
            }

            @Override
            public void failed(IOException e) {
                disarm();
                fail(UpstreamFailure.ofConnect(e).toException(origin, e));
            }
        });
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
            disarm();
            IoUtils.safeClose(connection);
            connection = null;
            requestWritten = false;
            connect();
            return;
        }
        UpstreamFailure kind = UpstreamFailure.ofExchange(e);
        if (kind == UpstreamFailure.RESET && origin.https() && !reused && !headersReceived) {
            // Undertow's TLS conduit reports a failed handshake (untrusted certificate, wrong host
            // name) only as a closed channel on the fresh connection's first exchange.
            kind = UpstreamFailure.TLS;
        }
        fail(kind.toException(origin, e));
    }

    private void onResponse(ClientExchange exchange) {
        if (done) {
            return;
        }
        disarm();
        headersReceived = true;
        ClientResponse response = exchange.getResponse();
        HeaderMap rh = response.getResponseHeaders();
        String conn = rh.getFirst("Connection");
        keepAlive = conn == null || !conn.equalsIgnoreCase("close");
        handler.onHeaders(response.getResponseCode(), toHeaders(rh));
        if (done) {
            return;
        }
        source = exchange.getResponseChannel();
        source.getReadSetter().set(ch -> read());
        idleDeadlineNanos = System.nanoTime() + request.idleTimeout().toNanos();
        armIdle(request.idleTimeout().toNanos());
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
                    idleDeadlineNanos = System.nanoTime() + request.idleTimeout().toNanos();
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
        disarm();
        source.suspendReads();
        if (keepAlive && requestWritten && connection.isOpen()) {
            pools.release(origin, connection, System.nanoTime());
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
        disarm();
        abort();
        handler.onError(error);
    }

    @Override
    public void cancel() {
        if (done) {
            return;
        }
        done = true;
        disarm();
        abort();
    }

    /**
     * Ends this exchange at once. Undertow's {@code close()} is a clean close that drains the
     * response for up to 10 s, which never ends for a stream, so an HTTP/1.1 connection is taken
     * over ({@code performUpgrade}) and closed hard. On a multiplexed HTTP/2 connection only this
     * exchange's stream is closed; the connection serves others.
     */
    private void abort() {
        if (connection == null) {
            return;
        }
        if (connection.isMultiplexingSupported()) {
            IoUtils.safeClose(source);
            return;
        }
        try {
            IoUtils.safeClose(connection.performUpgrade());
        } catch (IOException | RuntimeException notUpgradable) {
            IoUtils.safeClose(connection);
        }
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
        onTimeout = kind;
        timeoutNanos = nanos;
        deadlines.add(this, System.nanoTime() + nanos);
    }

    private void armIdle(long nanos) {
        onTimeout = UpstreamFailure.IDLE_TIMEOUT;
        timeoutNanos = nanos;
        deadlines.add(this, idleDeadlineNanos);
    }

    @Override
    void onDeadline(long nowNanos) {
        if (done) {
            deadlines.remove(this);
            return;
        }
        if (onTimeout == UpstreamFailure.IDLE_TIMEOUT && (paused || idleDeadlineNanos - nowNanos > 0)) {
            deadlines.add(this, paused ? nowNanos + timeoutNanos : idleDeadlineNanos);
            return;
        }
        fail(onTimeout.toException(origin, java.time.Duration.ofNanos(timeoutNanos)));
    }

    private void disarm() {
        deadlines.remove(this);
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
