package dev.tollgate.it.dist;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.it.upstream.KeyReflections;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as shipped (bin/tollgate, conf/logback.xml): an upstream that reflects the key
 * in every way {@link KeyReflections} knows, then a graceful stop; the key is nowhere in what the
 * process wrote to stdout or stderr.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReflectedKeyProcessOutputTest {

    @Test
    void aReflectedKeyIsNotInTheProcessOutput(@TempDir Path dir) throws Exception {
        String key = KeyReflections.canary();
        WireMockServer wireMock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        int port = Dist.freePort();
        Path config = dir.resolve("reflecting.yaml");
        Files.writeString(config, "server: {port: %d}\nplugins: [provider-openai]\n".formatted(port)
                + KeyReflections.modelYaml("http://127.0.0.1:" + wireMock.port() + "/v1"));
        StringBuilder responses = new StringBuilder();
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of("CANARY_KEY", key), "--config", config.toString())) {
            p.awaitReady(port, Duration.ofSeconds(30));
            HttpClient client = Dist.client();
            for (KeyReflections.Case c : KeyReflections.cases(key)) {
                wireMock.resetAll();
                wireMock.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(c.upstream()));
                HttpResponse<String> r = client.send(Dist.chatRequest(port, KeyReflections.MODEL, c.stream()),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("%s: %s", c.name(), r.body()).isEqualTo(c.status());
                responses.append(r.body()).append('\n');
            }
            assertThat(p.process().toHandle().destroy()).as("SIGTERM sent").isTrue();
            assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isZero();

            String written = p.stdout() + p.stderr();
            assertThat(written).as("the failures were logged").contains("upstream_malformed_response").contains("upstream_error");
            assertThat(written).as(p.output()).doesNotContain(key).doesNotContain(key.substring(20));
            assertThat(responses.toString()).doesNotContain(key);
        } finally {
            wireMock.stop();
        }
    }
}
