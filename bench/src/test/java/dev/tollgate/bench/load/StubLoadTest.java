package dev.tollgate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.bench.stub.UpstreamStub;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator's modes against the stub, in-process and short. */
class StubLoadTest {

    static UpstreamStub stub;
    static InetSocketAddress addr;
    static String host;

    @BeforeAll
    static void start() {
        stub = UpstreamStub.start(UpstreamStub.Config.defaults().withHold(3, 100));
        addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), stub.port());
        host = "127.0.0.1:" + stub.port();
    }

    @AfterAll
    static void stop() {
        stub.close();
    }

    private static RequestTemplate chat(String path, boolean stream) {
        return RequestTemplate.chat(host, path, "bench", stream, false, List.of());
    }

    @Test
    void closedLoopRunsBackToBackOnKeepAliveConnections() throws Exception {
        LoadResult r = LoadGenerator.run("stub", LoadSpec.closedLoop(addr, chat("/v1/chat/completions", false), 4,
                Duration.ofMillis(800), 2));
        assertThat(r.failures()).isZero();
        assertThat(r.ok).isGreaterThan(200);
        assertThat(r.reconnects).isZero();
        assertThat(r.latency.getTotalCount()).isEqualTo(r.ok);
    }

    @Test
    void openLoopSendsAtTheRequestedRate() throws Exception {
        LoadResult r = LoadGenerator.run("stub", LoadSpec.openLoop(addr, chat("/v1/chat/completions", false), 500, 8,
                Duration.ofSeconds(1), 0));
        assertThat(r.failures()).isZero();
        assertThat(r.ok).isEqualTo(500);
        assertThat(r.throughput()).isBetween(450.0, 550.0);
        assertThat(r.sendLag.getTotalCount()).isPositive();
    }

    @Test
    void openLoopCountsNon2xx() throws Exception {
        LoadResult r = LoadGenerator.run("stub", LoadSpec.openLoop(addr, chat("/nope", false), 100, 4,
                Duration.ofMillis(500), 0));
        assertThat(r.non2xx).isEqualTo(50);
        assertThat(r.firstNon2xxStatus).isEqualTo(404);
        assertThat(r.ok).isZero();
    }

    @Test
    void streamsRecordFirstAndLastEvent() throws Exception {
        // 5 content events 10 ms apart + finish + usage + [DONE]
        LoadResult r = LoadGenerator.run("stub", LoadSpec.openLoop(addr,
                chat("/v1/chat/completions?events=5&interval_ms=10", true), 40, 8, Duration.ofMillis(500), 8));
        assertThat(r.failures()).isZero();
        assertThat(r.ok).isEqualTo(20);
        assertThat(LoadResult.micros(r.firstEvent, 50)).isLessThan(20_000);
        assertThat(LoadResult.micros(r.lastEvent, 50)).isBetween(38_000.0, 200_000.0);
    }

    @Test
    void streamsWithTooFewEventsAreCountedAsBad() throws Exception {
        LoadResult r = LoadGenerator.run("stub", LoadSpec.openLoop(addr,
                chat("/v1/chat/completions?events=2&interval_ms=1", true), 20, 4, Duration.ofMillis(500), 8));
        assertThat(r.badStreams).isEqualTo(10);
        assertThat(r.ok).isZero();
    }

    @Test
    void holdKeepsStreamsOpenUntilTheirEnd() throws Exception {
        // hold path: 3 events 100 ms apart -> ~200 ms per stream
        LoadResult r = LoadGenerator.run("stub", LoadSpec.hold(addr, chat("/hold/v1/chat/completions", true), 300,
                Duration.ofMillis(300), 6, 3000));
        assertThat(r.failures()).isZero();
        assertThat(r.heldToEnd).isEqualTo(300);
        assertThat(r.peakOpenStreams).isGreaterThan(100);
        assertThat(LoadResult.micros(r.lastEvent, 50)).isGreaterThan(190_000);
    }

    @Test
    void embeddingsAndHealthAnswer() throws Exception {
        RequestTemplate emb = RequestTemplate.chat(host, "/v1/embeddings", "e", false, false, List.of());
        LoadResult r = LoadGenerator.run("stub", LoadSpec.openLoop(addr, emb, 100, 2, Duration.ofMillis(200), 0));
        assertThat(r.ok).isEqualTo(20);
        LoadResult h = LoadGenerator.run("stub", LoadSpec.openLoop(addr, RequestTemplate.get(host, "/health"), 100, 2,
                Duration.ofMillis(200), 0));
        assertThat(h.ok).isEqualTo(20);
    }

    @Test
    void refusesNonLoopbackTargets() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoadSpec.closedLoop(
                new InetSocketAddress("10.1.2.3", 80), chat("/", false), 1, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
