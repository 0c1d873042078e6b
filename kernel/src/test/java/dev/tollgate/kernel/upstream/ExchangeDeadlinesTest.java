package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.config.UpstreamSettings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The phase and total deadlines of an exchange, on a clock the test moves and with sweeps the test
 * runs: nothing here waits for time to pass.
 */
class ExchangeDeadlinesTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final LinkedBlockingQueue<String> drips = new LinkedBlockingQueue<>();
    private final java.util.concurrent.Semaphore requestsRead = new java.util.concurrent.Semaphore(0);
    private XnioWorker worker;
    private XnioIoThread thread;
    private UpstreamClient client;
    private RawUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        thread = worker.getIoThread(0);
        client = new UpstreamClient(worker, null, 8, 30_000, UpstreamSettings.DEFAULTS, nanos::get, t -> (ms, task) -> { });
    }

    @AfterEach
    void stop() {
        if (upstream != null) {
            upstream.close();
        }
        client.close();
        worker.shutdownNow();
    }

    /** Answers with chunked headers, then writes one chunk per string the test puts in {@link #drips}. */
    private void dripping() {
        upstream = new RawUpstream((socket, index) -> {
            RawUpstream.readRequest(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
            out.flush();
            while (true) {
                String s = drips.take();
                out.write(RawUpstream.ascii(Integer.toHexString(s.length()) + "\r\n" + s + "\r\n"));
                out.flush();
            }
        });
    }

    /** Reads the request and never answers. */
    private void silent() {
        upstream = new RawUpstream((socket, index) -> {
            RawUpstream.readRequest(socket.getInputStream());
            requestsRead.release();
            drips.take();
        });
    }

    private RecordingHandler exchange(Duration response, Duration idle, Duration total) throws Exception {
        UpstreamRequest request = UpstreamRequest.postJson(upstream.uri("/v1/x"), Headers.EMPTY, Bytes.utf8("{}"))
                .withTimeouts(Duration.ofSeconds(5), response, idle)
                .withTotalTimeout(total);
        RecordingHandler h = new RecordingHandler();
        onThread(() -> client.exchange(thread, request, h));
        return h;
    }

    /** Moves the clock, runs one sweep, and returns once it has run. */
    private void sweepAfter(Duration elapsed) throws Exception {
        nanos.addAndGet(elapsed.toNanos());
        client.sweep(thread);
        onThread(() -> { });
    }

    private void onThread(Runnable r) throws Exception {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        thread.execute(() -> {
            r.run();
            ran.complete(null);
        });
        ran.get(5, TimeUnit.SECONDS);
    }

    private void drip(RecordingHandler h, String s) throws Exception {
        drips.add(s);
        assertThat(h.chunks.poll(5, TimeUnit.SECONDS)).isEqualTo(s);
    }

    @Test
    void bytesThatKeepTheIdleLimitSatisfiedDoNotResetTheTotalLimit() throws Exception {
        dripping();
        RecordingHandler h = exchange(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2));
        assertThat(h.headers.get(5, TimeUnit.SECONDS)).isEqualTo(200);

        drip(h, "a");
        sweepAfter(Duration.ofMillis(1500));
        assertThat(h.error).isNull();

        drip(h, "b");
        sweepAfter(Duration.ofMillis(600));
        assertThat(h.error).isNotNull();
        assertThat(h.error.status()).isEqualTo(504);
        assertThat(h.error.code()).isEqualTo("upstream_timeout");
        assertThat(h.error.getMessage()).contains("total time limit").contains("(2000 ms)").contains("127.0.0.1:" + upstream.port());
    }

    @Test
    void withoutATotalLimitADrippingStreamRunsAsLongAsItKeepsTheIdleLimit() throws Exception {
        dripping();
        RecordingHandler h = exchange(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ZERO);
        assertThat(h.headers.get(5, TimeUnit.SECONDS)).isEqualTo(200);

        for (int i = 0; i < 10; i++) {
            sweepAfter(Duration.ofSeconds(9));
            drip(h, "x" + i);
        }
        sweepAfter(Duration.ofSeconds(9));
        assertThat(h.error).isNull();
    }

    @Test
    void theIdleLimitStillEndsAStreamThatStopsSending() throws Exception {
        dripping();
        RecordingHandler h = exchange(Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(60));
        assertThat(h.headers.get(5, TimeUnit.SECONDS)).isEqualTo(200);
        drip(h, "a");

        sweepAfter(Duration.ofMillis(2900));
        assertThat(h.error).isNull();
        sweepAfter(Duration.ofMillis(200));
        assertThat(h.error).isNotNull();
        assertThat(h.error.getMessage()).contains("stopped sending").contains("(3000 ms)");
    }

    @Test
    void aResponseLimitEarlierThanTheTotalOneFiresFirst() throws Exception {
        silent();
        RecordingHandler h = exchange(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5));
        awaitRequestSent();

        sweepAfter(Duration.ofMillis(900));
        assertThat(h.error).isNull();
        sweepAfter(Duration.ofMillis(200));
        assertThat(h.error).isNotNull();
        assertThat(h.error.status()).isEqualTo(504);
        assertThat(h.error.getMessage()).contains("did not answer in time").contains("(1000 ms)");
    }

    @Test
    void aTotalLimitEarlierThanTheResponseOneFiresFirst() throws Exception {
        silent();
        RecordingHandler h = exchange(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1));
        awaitRequestSent();

        sweepAfter(Duration.ofMillis(900));
        assertThat(h.error).isNull();
        sweepAfter(Duration.ofMillis(200));
        assertThat(h.error).isNotNull();
        assertThat(h.error.getMessage()).contains("total time limit").contains("(1000 ms)");
    }

    /** Once the upstream has read the request, the client has armed its response limit. */
    private void awaitRequestSent() throws InterruptedException {
        assertThat(requestsRead.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
    }
}
