package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution run with a low open-file limit, its descriptors exhausted by idle connections
 * long enough that XNIO's accept back-off would have grown to 16 s: once the connections are
 * released, a new request is served within a couple of seconds. ({@code max_connections} stays at
 * its default, far above what 256 descriptors allow, and the idle connections are released before
 * {@code request_start_timeout} would close them.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DescriptorExhaustionProcessTest {

    private static final int OPEN_FILES = 256;
    /** Failed accepts back off 250 ms, 1 s, 4 s, then 16 s: after 6 s of exhaustion the next retry was 16 s away. */
    private static final Duration EXHAUSTED_FOR = Duration.ofSeconds(6);
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @Test
    void acceptsAgainPromptlyOnceDescriptorsAreFree() throws Exception {
        int port = Dist.freePort();
        Path config = dir.resolve("tollgate.yaml");
        Files.writeString(config, """
                server:
                  host: 127.0.0.1
                  port: %d
                plugins: [provider-mock]
                models:
                  mock:
                    deployments:
                      - provider: mock
                        model: mock-1
                """.formatted(port));
        try (GatewayProcess gateway = GatewayProcess.startWithOpenFileLimit(dir, Map.of(), OPEN_FILES, "--config", config.toString())) {
            gateway.awaitReady(port, Duration.ofSeconds(30));
            List<Socket> idle = new ArrayList<>();
            int served = 0;
            try {
                for (int i = 0; i < 2 * OPEN_FILES; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    idle.add(s);
                }
                long until = System.nanoTime() + EXHAUSTED_FOR.toNanos();
                int probes = 0;
                while (System.nanoTime() < until) {
                    probes++;
                    if (liveWithin(port, Duration.ofMillis(500))) {
                        served++;
                    }
                }
                assertThat(served).as("requests served while %d idle connections held the descriptors (of %d probes)", idle.size(),
                        probes).isLessThan(probes);
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
            long released = System.nanoTime();
            boolean recovered = false;
            while (!recovered && System.nanoTime() - released < RECOVERY_LIMIT.toNanos()) {
                recovered = liveWithin(port, Duration.ofMillis(500));
            }
            assertThat(recovered).as("a request is served within %s of releasing the descriptors\n%s", RECOVERY_LIMIT,
                    gateway.output()).isTrue();
            assertThat(gateway.process().isAlive()).isTrue();
            String metrics = Dist.get(Dist.client(), port, "/metrics").body();
            assertThat(metrics).as("the process did run out of descriptors").containsPattern(
                    "(?m)^tollgate_server_descriptor_exhaustion_total [1-9]");
        }
    }

    private static boolean liveWithin(int port, Duration limit) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(limit).build();
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(Dist.uri(port, "/health/live")).timeout(limit).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException notServed) {
            return false;
        } finally {
            client.close();
        }
    }
}
