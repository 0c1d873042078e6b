package dev.tollgate.kernel.upstream;

import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.ResponseHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/** Records what an exchange delivers; the futures complete on the I/O thread. */
final class RecordingHandler implements ResponseHandler {

    final CompletableFuture<Integer> headers = new CompletableFuture<>();
    /** Completes with the whole body at onComplete, or exceptionally at onError. */
    final CompletableFuture<String> done = new CompletableFuture<>();
    final LinkedBlockingQueue<String> chunks = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    volatile GatewayException error;

    @Override
    public void onHeaders(int status, Headers h) {
        headers.complete(status);
    }

    @Override
    public void onBody(ByteBuffer chunk) {
        byte[] b = new byte[chunk.remaining()];
        chunk.get(b);
        synchronized (body) {
            body.writeBytes(b);
        }
        chunks.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void onComplete() {
        synchronized (body) {
            done.complete(body.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Override
    public void onError(GatewayException e) {
        error = e;
        headers.completeExceptionally(e);
        done.completeExceptionally(e);
    }
}
