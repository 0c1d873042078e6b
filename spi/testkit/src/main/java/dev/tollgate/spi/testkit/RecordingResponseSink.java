package dev.tollgate.spi.testkit;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.provider.Observation;
import dev.tollgate.spi.provider.ResponseSink;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ResponseSink} that records the one answer an adapter delivered (translated, native held
 * whole, or native relayed) and checks that exactly one terminal call happened.
 */
public final class RecordingResponseSink<T> implements ResponseSink<T> {

    /** How the answer came. */
    public enum Kind { TRANSLATED, NATIVE, RELAYED, FAILED }

    private final CountDownLatch ended = new CountDownLatch(1);
    private Kind kind;
    private T response;
    private Bytes nativeBody;
    private final ByteArrayOutputStream relayed = new ByteArrayOutputStream();
    private long declaredLength = -1;
    private Observation observed = Observation.NONE;
    private Headers headers = Headers.EMPTY;
    private GatewayException error;
    private String contractViolation;
    private boolean relaying;

    @Override
    public synchronized void respond(T response, Headers headers) {
        terminal(Kind.TRANSLATED);
        this.response = response;
        this.headers = headers;
    }

    @Override
    public synchronized void respondNative(Bytes body, Observation observed, Headers headers) {
        terminal(Kind.NATIVE);
        this.nativeBody = body;
        this.observed = observed;
        this.headers = headers;
    }

    @Override
    public synchronized NativeBody startNative(Headers headers, long contentLength) {
        if (kind != null || relaying) {
            violation("startNative after the answer started");
        }
        relaying = true;
        this.headers = headers;
        this.declaredLength = contentLength;
        return new NativeBody() {
            @Override
            public void write(ByteBuffer chunk) {
                synchronized (RecordingResponseSink.this) {
                    if (kind != null) {
                        violation("write after the body ended");
                    }
                    byte[] copy = new byte[chunk.remaining()];
                    chunk.get(copy);
                    relayed.writeBytes(copy);
                }
            }

            @Override
            public void end(Observation o) {
                synchronized (RecordingResponseSink.this) {
                    terminal(Kind.RELAYED);
                    observed = o;
                }
            }

            @Override
            public void fail(GatewayException e) {
                synchronized (RecordingResponseSink.this) {
                    terminal(Kind.FAILED);
                    error = e;
                }
            }
        };
    }

    @Override
    public synchronized void fail(GatewayException error) {
        if (relaying) {
            violation("fail on the sink after startNative (fail the NativeBody instead)");
        }
        terminal(Kind.FAILED);
        this.error = error;
    }

    private void terminal(Kind k) {
        if (kind != null) {
            violation(k + " after " + kind);
            return;
        }
        kind = k;
        ended.countDown();
    }

    private void violation(String what) {
        if (contractViolation == null) {
            contractViolation = what;
        }
    }

    /** Waits for the terminal call; fails the test on a contract violation. */
    public RecordingResponseSink<T> awaitEnd(Duration timeout) {
        try {
            if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no answer within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        synchronized (this) {
            if (contractViolation != null) {
                throw new AssertionError("ResponseSink contract violated: " + contractViolation);
            }
        }
        return this;
    }

    public synchronized Kind kind() {
        return kind;
    }

    /** The translated answer, or null. */
    public synchronized T response() {
        return response;
    }

    /** The native body, held whole or relayed, or null for a translated or failed answer. */
    public synchronized Bytes body() {
        if (kind == Kind.NATIVE) {
            return nativeBody;
        }
        return relaying ? Bytes.wrapOwned(relayed.toByteArray()) : null;
    }

    /** Whether the body was relayed as it arrived rather than held whole. */
    public synchronized boolean relayed() {
        return relaying;
    }

    public synchronized long declaredLength() {
        return declaredLength;
    }

    public synchronized Observation observed() {
        return observed;
    }

    public synchronized Headers headers() {
        return headers;
    }

    public synchronized GatewayException error() {
        return error;
    }
}
