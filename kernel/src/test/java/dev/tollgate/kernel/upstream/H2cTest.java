package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kernel.Eventually;
import dev.tollgate.kernel.config.UpstreamSettings;
import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.HttpProtocol;
import dev.tollgate.spi.http.UpstreamRequest;
import dev.tollgate.spi.http.UpstreamResponse;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/** HTTP/2 with prior knowledge: requests share a connection per I/O thread and origin, as streams. */
class H2cTest {

    private XnioWorker worker;
    private XnioIoThread thread;
    private UpstreamClient client;
    private H2cServer server;

    private void start(int maxStreamsPerConnection, int serverMaxStreams) throws Exception {
        worker = Xnio.getInstance().createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        thread = worker.getIoThread(0);
        client = new UpstreamClient(worker, null, 8, 30_000,
                new UpstreamSettings(32L << 20, 96L << 20, maxStreamsPerConnection, 0));
        server = new H2cServer(serverMaxStreams);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    private UpstreamRequest h2c(java.net.URI uri) {
        return UpstreamRequest.postJson(uri, Headers.EMPTY, Bytes.utf8("{\"q\":1}")).withProtocol(HttpProtocol.H2C_PRIOR_KNOWLEDGE);
    }

    private UpstreamResponse send(UpstreamRequest request) throws Exception {
        CompletableFuture<UpstreamResponse> out = new CompletableFuture<>();
        thread.execute(() -> client.send(thread, request, null).whenComplete((r, e) -> {
            if (e != null) {
                out.completeExceptionally(e);
            } else {
                out.complete(r);
            }
        }));
        return out.get(10, TimeUnit.SECONDS);
    }

    private RecordingHandler stream(String id, UpstreamClient.Handle[] handle) {
        RecordingHandler h = new RecordingHandler();
        UpstreamRequest request = h2c(server.uri("/held/" + id));
        thread.execute(() -> {
            UpstreamClient.Handle started = client.exchange(thread, request, h);
            if (handle != null) {
                handle[0] = started;
            }
        });
        return h;
    }

    @Test
    void aBufferedChatGoesOverHttp2() throws Exception {
        start(100, -1);

        UpstreamResponse r = send(h2c(server.uri("/chat")));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().utf8()).isEqualTo("{\"ok\":true}");
        assertThat(server.protocols()).containsExactly("HTTP/2.0");
    }

    @Test
    void aClearTextHttp11RequestIsNotUpgradedEvenWhenTheServerOffersH2c() throws Exception {
        start(100, -1);
        UpstreamRequest plain = UpstreamRequest.postJson(server.uri("/chat"), Headers.EMPTY, Bytes.utf8("{\"q\":1}"));

        UpstreamResponse first = send(plain);
        UpstreamResponse second = send(plain);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.body().utf8()).isEqualTo("{\"ok\":true}");
        assertThat(server.protocols()).as("http_version 1.1 means HTTP/1.1, no Upgrade: h2c")
                .containsExactly("HTTP/1.1", "HTTP/1.1");
    }

    @Test
    void aStreamArrivesEventByEventAndCompletes() throws Exception {
        start(100, -1);

        RecordingHandler h = stream("s1", null);
        assertThat(h.headers.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(h.chunks.poll(10, TimeUnit.SECONDS)).isEqualTo("data: first s1\n\n");
        assertThat(h.done).isNotDone();
        server.release("s1");

        assertThat(h.done.get(5, TimeUnit.SECONDS)).isEqualTo("data: first s1\n\ndata: last s1\n\n");
        assertThat(server.protocols()).containsExactly("HTTP/2.0");
    }

    @Test
    void twoHundredConcurrentStreamsShareOneConnection() throws Exception {
        start(256, -1);
        send(h2c(server.uri("/chat")));

        List<RecordingHandler> streams = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            streams.add(stream("c" + i, null));
        }
        Eventually.await(Duration.ofSeconds(10), () -> server.heldCount() == 200);
        assertThat(server.maxHeldOnOneConnection()).isEqualTo(200);
        for (int i = 0; i < 200; i++) {
            server.release("c" + i);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(streams.get(i).done.get(10, TimeUnit.SECONDS)).endsWith("data: last c" + i + "\n\n");
        }

        assertThat(server.connections()).isEqualTo(1);
        assertThat(client.openConnections()).isEqualTo(1);
    }

    @Test
    void aConnectionCarriesNoMoreStreamsThanTheServerAllows() throws Exception {
        start(256, 5);
        send(h2c(server.uri("/chat")));

        List<RecordingHandler> streams = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            streams.add(stream("l" + i, null));
        }
        Eventually.await(Duration.ofSeconds(10), () -> server.heldCount() == 12);
        for (int i = 0; i < 12; i++) {
            server.release("l" + i);
        }
        for (RecordingHandler s : streams) {
            assertThat(s.done.get(10, TimeUnit.SECONDS)).contains("data: last");
        }

        assertThat(server.maxHeldOnOneConnection()).isEqualTo(5);
        assertThat(server.connections()).isEqualTo(3);
    }

    @Test
    void aBurstBeforeTheServerSettingsAreKnownIsCappedAtOneHundredStreamsPerConnection() throws Exception {
        start(256, -1);

        List<RecordingHandler> streams = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            streams.add(stream("b" + i, null));
        }
        Eventually.await(Duration.ofSeconds(10), () -> server.heldCount() == 150);
        for (int i = 0; i < 150; i++) {
            server.release("b" + i);
        }
        for (RecordingHandler s : streams) {
            assertThat(s.done.get(10, TimeUnit.SECONDS)).contains("data: last");
        }

        assertThat(server.maxHeldOnOneConnection()).isEqualTo(ConnectionPools.STREAMS_BEFORE_SETTINGS);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void cancellingOneStreamResetsOnlyThatStream() throws Exception {
        start(100, -1);
        UpstreamClient.Handle[] second = new UpstreamClient.Handle[1];
        RecordingHandler a = stream("x1", null);
        RecordingHandler b = stream("x2", second);
        RecordingHandler c = stream("x3", null);
        for (RecordingHandler h : List.of(a, b, c)) {
            assertThat(h.chunks.poll(10, TimeUnit.SECONDS)).startsWith("data: first");
        }

        thread.execute(() -> second[0].cancel());
        // frames of one connection arrive in order: once this answer is back, the server has seen the reset
        assertThat(send(h2c(server.uri("/chat"))).status()).isEqualTo(200);
        server.release("x2");
        Eventually.await(Duration.ofSeconds(10), () -> server.held("x2").writeFailed);
        server.release("x1");
        server.release("x3");

        assertThat(a.done.get(10, TimeUnit.SECONDS)).endsWith("data: last x1\n\n");
        assertThat(c.done.get(10, TimeUnit.SECONDS)).endsWith("data: last x3\n\n");
        assertThat(b.done).isNotDone();
        assertThat(b.error).isNull();
        assertThat(b.chunks).isEmpty();
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aServerThatSpeaksOnlyHttp11FailsTheRequestWith502() throws Exception {
        start(100, -1);
        try (RawUpstream http11 = new RawUpstream((socket, index) -> {
            socket.getInputStream().read(new byte[64]);
            OutputStream out = socket.getOutputStream();
            out.write(RawUpstream.ascii("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
            out.flush();
        })) {
            try {
                send(h2c(http11.uri("/chat")));
                throw new AssertionError("expected a failure");
            } catch (ExecutionException e) {
                GatewayException g = (GatewayException) e.getCause();
                assertThat(g.status()).isEqualTo(502);
                assertThat(g.getMessage()).contains("h2c");
            }
        }
    }
}
