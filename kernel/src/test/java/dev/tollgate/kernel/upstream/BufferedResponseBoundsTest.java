package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.config.UpstreamSettings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/** {@code send} buffers within a per-response bound and a bound shared by all responses in flight. */
class BufferedResponseBoundsTest {

    private static final int MIB = 1024 * 1024;

    private XnioWorker worker;
    private UpstreamClient client;
    private RawUpstream upstream;

    private void start(long maxResponse, long maxBuffered) throws Exception {
        worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        client = new UpstreamClient(worker, null, 8, 30_000, new UpstreamSettings(maxResponse, maxBuffered, 100, 0));
    }

    @AfterEach
    void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (client != null) {
            client.close();
        }
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    /** Byte {@code i} of every test body. */
    private static byte pattern(int i) {
        return (byte) ('a' + i % 26);
    }

    private static void writeBody(OutputStream out, int from, int to) throws Exception {
        byte[] chunk = new byte[64 * 1024];
        for (int i = from; i < to; ) {
            int n = Math.min(chunk.length, to - i);
            for (int j = 0; j < n; j++) {
                chunk[j] = pattern(i + j);
            }
            out.write(chunk, 0, n);
            i += n;
        }
        out.flush();
    }

    /** Answers each request on a connection with a body whose size is the request path: {@code /bytes/N}. */
    private void sized() {
        upstream = new RawUpstream((socket, index) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String request;
            while ((request = RawUpstream.readRequest(in)) != null) {
                int size = Integer.parseInt(request.substring(request.indexOf("/bytes/") + 7, request.indexOf(" HTTP/1.1")));
                out.write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n"));
                writeBody(out, 0, size);
            }
        });
    }

    private CompletableFuture<UpstreamResponse> send(String path, UpstreamClient.Handle[] handle) {
        UpstreamRequest request = UpstreamRequest.postJson(upstream.uri(path), Headers.EMPTY, Bytes.utf8("{}"));
        XnioIoThread thread = worker.getIoThread(0);
        CompletableFuture<UpstreamResponse> out = new CompletableFuture<>();
        thread.execute(() -> client.send(thread, request, handle).whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        }));
        return out;
    }

    private static GatewayException failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(GatewayException.class);
            return (GatewayException) e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    private static void assertPattern(Bytes body, int size) {
        assertThat(body.length()).isEqualTo(size);
        for (int i = 0; i < size; i += 4093) {
            assertThat(body.byteAt(i)).isEqualTo(pattern(i));
        }
        assertThat(body.byteAt(size - 1)).isEqualTo(pattern(size - 1));
    }

    @Test
    void anAnswerOverThePerResponseBoundIs502AndItsConnectionIsNotReused() throws Exception {
        start(MIB, 8L * MIB);
        sized();

        GatewayException e = failure(send("/bytes/" + (2 * MIB), null));
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("upstream_response_too_large");
        assertThat(e.getMessage()).contains("upstream.max_response_bytes (1048576 bytes)").contains("127.0.0.1:" + upstream.port());

        UpstreamResponse next = send("/bytes/100", null).get(10, TimeUnit.SECONDS);
        assertPattern(next.body(), 100);
        assertThat(upstream.accepted()).isEqualTo(2);
        assertThat(client.bufferedResponseBytes()).isZero();
    }

    @Test
    void anAnswerOfExactlyThePerResponseBoundIsDeliveredWhole() throws Exception {
        start(MIB, 8L * MIB);
        sized();

        assertPattern(send("/bytes/" + MIB, null).get(10, TimeUnit.SECONDS).body(), MIB);
        assertThat(client.bufferedResponseBytes()).isZero();
    }

    @Test
    void aDeclaredLengthOverTheBoundFailsBeforeTheBodyIsRead() throws Exception {
        start(MIB, 8L * MIB);
        CountDownLatch closed = new CountDownLatch(1);
        upstream = new RawUpstream((socket, index) -> {
            RawUpstream.readRequest(socket.getInputStream());
            socket.getOutputStream().write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n"));
            socket.getOutputStream().flush();
            if (socket.getInputStream().read() < 0) {
                closed.countDown();
            }
        });

        GatewayException e = failure(send("/x", null));
        assertThat(e.code()).isEqualTo("upstream_response_too_large");
        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aDeclaredLengthDoesNotSizeTheBufferBeyondWhatArrived() throws Exception {
        start(16L * MIB, 64L * MIB);
        CountDownLatch rest = new CountDownLatch(1);
        int size = 10 * MIB;
        upstream = new RawUpstream((socket, index) -> {
            RawUpstream.readRequest(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n"));
            writeBody(out, 0, 1000);
            rest.await(10, TimeUnit.SECONDS);
            writeBody(out, 1000, size);
        });

        CompletableFuture<UpstreamResponse> r = send("/x", null);
        Eventually.await(Duration.ofSeconds(5), () -> client.bufferedResponseBytes() > 0);
        assertThat(client.bufferedResponseBytes()).isLessThanOrEqualTo(UpstreamClient.PRESIZE);
        rest.countDown();

        assertPattern(r.get(10, TimeUnit.SECONDS).body(), size);
        assertThat(client.bufferedResponseBytes()).isZero();
    }

    @Test
    void concurrentAnswersPastTheSharedBoundFailWhileTheOthersArriveWhole() throws Exception {
        int n = 6;
        int size = 3 * MIB;
        int firstPart = 3 * MIB / 2;
        start(4L * MIB, 6L * MIB);
        // every answer sends its first half, then waits until all have: 6 x 1.5 MiB in flight
        // at once cannot fit in 6 MiB, so some must fail
        CountDownLatch halves = new CountDownLatch(n);
        upstream = new RawUpstream((socket, index) -> {
            try {
                RawUpstream.readRequest(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                out.write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n"));
                writeBody(out, 0, firstPart);
            } finally {
                halves.countDown();
            }
            halves.await(10, TimeUnit.SECONDS);
            writeBody(socket.getOutputStream(), firstPart, size);
            socket.getInputStream().read();
        });

        List<CompletableFuture<UpstreamResponse>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(send("/x", null));
        }
        int ok = 0;
        int tooLarge = 0;
        for (CompletableFuture<UpstreamResponse> f : all) {
            try {
                assertPattern(f.get(20, TimeUnit.SECONDS).body(), size);
                ok++;
            } catch (ExecutionException e) {
                GatewayException g = (GatewayException) e.getCause();
                assertThat(g.code()).isEqualTo("upstream_response_too_large");
                assertThat(g.getMessage()).contains("upstream.max_buffered_response_bytes (6291456 bytes)");
                tooLarge++;
            }
        }
        assertThat(ok).isPositive();
        assertThat(tooLarge).isPositive();
        assertThat(ok + tooLarge).isEqualTo(n);
        assertThat(client.bufferedResponseBytes()).isZero();
    }

    @Test
    void cancellingABufferedExchangeGivesItsBytesBack() throws Exception {
        start(16L * MIB, 64L * MIB);
        upstream = new RawUpstream((socket, index) -> {
            RawUpstream.readRequest(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + (4 * MIB) + "\r\n\r\n"));
            writeBody(out, 0, MIB);
            socket.getInputStream().read();
        });

        UpstreamClient.Handle[] handle = new UpstreamClient.Handle[1];
        CompletableFuture<UpstreamResponse> r = send("/x", handle);
        Eventually.await(Duration.ofSeconds(5), () -> client.bufferedResponseBytes() >= MIB);
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        worker.getIoThread(0).execute(() -> {
            handle[0].cancel();
            cancelled.complete(null);
        });
        cancelled.get(5, TimeUnit.SECONDS);

        assertThat(client.bufferedResponseBytes()).isZero();
    }
}
