package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.config.UpstreamSettings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.UpstreamRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The cap on open upstream connections, which keeps descriptors for the accepting side: past it a
 * request fails at once with 503 instead of taking a descriptor the process does not have.
 */
class ConnectionLimitTest {

    private XnioWorker worker;
    private XnioIoThread thread;
    private UpstreamClient client;
    private final CountDownLatch release = new CountDownLatch(1);

    private void start(int maxConnections) throws Exception {
        worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        thread = worker.getIoThread(0);
        client = new UpstreamClient(worker, null, 8, 30_000, new UpstreamSettings(32L << 20, 96L << 20, 100, maxConnections));
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (client != null) {
            client.close();
        }
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    /** Keep-alive answers; each one is held until the test counts {@link #release} down. */
    private RawUpstream holding() {
        return new RawUpstream((socket, index) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (RawUpstream.readRequest(in) != null) {
                out.write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n"));
                out.flush();
                release.await(10, TimeUnit.SECONDS);
                out.write(RawUpstream.ascii("0\r\n\r\n"));
                out.flush();
            }
        });
    }

    private RecordingHandler exchange(RawUpstream upstream) {
        RecordingHandler h = new RecordingHandler();
        UpstreamRequest request = UpstreamRequest.postJson(upstream.uri("/v1/x"), Headers.EMPTY, Bytes.utf8("{}"));
        thread.execute(() -> client.exchange(thread, request, h));
        return h;
    }

    @Test
    void aRequestPastTheCapFailsAtOnceWith503AndTheOthersGoOn() throws Exception {
        start(2);
        try (RawUpstream upstream = holding()) {
            RecordingHandler a = exchange(upstream);
            RecordingHandler b = exchange(upstream);
            assertThat(a.headers.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(b.headers.get(5, TimeUnit.SECONDS)).isEqualTo(200);

            RecordingHandler c = exchange(upstream);
            Eventually.await(Duration.ofSeconds(5), () -> c.error != null);
            assertThat(c.error.status()).isEqualTo(503);
            assertThat(c.error.code()).isEqualTo("gateway_overloaded");
            assertThat(c.error.getMessage()).contains("file descriptor").contains("127.0.0.1:" + upstream.port());
            assertThat(upstream.accepted()).isEqualTo(2);

            release.countDown();
            assertThat(a.done.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(b.done.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            RecordingHandler d = exchange(upstream);
            assertThat(d.done.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(upstream.accepted()).isEqualTo(2);
            assertThat(client.openConnections()).isEqualTo(2);
        }
    }

    @Test
    void atTheCapAnIdlePooledConnectionMakesRoomForAnotherOrigin() throws Exception {
        start(1);
        release.countDown();
        CountDownLatch firstClosed = new CountDownLatch(1);
        try (RawUpstream first = new RawUpstream((socket, index) -> {
                    InputStream in = socket.getInputStream();
                    RawUpstream.readRequest(in);
                    socket.getOutputStream().write(RawUpstream.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                    socket.getOutputStream().flush();
                    if (in.read() < 0) {
                        firstClosed.countDown();
                    }
                });
                RawUpstream second = holding()) {
            assertThat(exchange(first).done.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(client.openConnections()).isEqualTo(1);

            assertThat(exchange(second).done.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(firstClosed.await(5, TimeUnit.SECONDS)).isTrue();
            Eventually.await(Duration.ofSeconds(5), () -> client.openConnections() == 1);
        }
    }

    @Test
    void closedConnectionsGiveTheirPermitsBack() throws Exception {
        start(8);
        try (RawUpstream upstream = holding()) {
            java.util.List<RecordingHandler> three = java.util.List.of(exchange(upstream), exchange(upstream), exchange(upstream));
            for (RecordingHandler h : three) {
                assertThat(h.headers.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            }
            release.countDown();
            Eventually.await(Duration.ofSeconds(5), () -> client.idleConnections() == 3);
            assertThat(client.openConnections()).isEqualTo(3);
        }
        Eventually.await(Duration.ofSeconds(5), () -> client.openConnections() == 0);
    }

    @Test
    void theDefaultCapLeavesHalfOfTheFreeDescriptorsLessAReserve() {
        long max = ((com.sun.management.UnixOperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getMaxFileDescriptorCount();

        int cap = UpstreamClient.connectionsForDescriptorLimit();

        assertThat(cap).isPositive().isLessThan((int) (max / 2));
    }
}
