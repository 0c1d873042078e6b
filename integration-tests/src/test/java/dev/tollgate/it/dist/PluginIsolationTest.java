package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.it.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The jackson-probe plugin bundles Jackson 2.17.2 while the kernel bundles 2.23.0: answered from
 * inside the plugin, its content shows which Jackson the plugin's classes linked against and
 * whether the kernel set the plugin's loader as the thread context class loader.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginIsolationTest {

    private static final String KERNEL_JACKSON = "2.23.0";
    private static final String PROBE_ANSWER = "jackson=2.17.2 tccl=plugin";

    /** The two forms PF4J loads a plugin from. */
    enum Form {
        /** {@code plugins/jackson-probe.jar}: one shaded jar whose manifest names the plugin. */
        SINGLE_JAR {
            @Override
            void install(Path plugins) throws IOException {
                Files.copy(Dist.probePluginJar(), plugins.resolve("jackson-probe.jar"));
            }
        },
        /** {@code plugins/jackson-probe/}: plugin.properties and lib/*.jar. */
        DIRECTORY {
            @Override
            void install(Path plugins) {
                Dist.copyTree(Dist.probePluginDirectory(), plugins.resolve("jackson-probe"));
            }
        };

        abstract void install(Path plugins) throws IOException;
    }

    @Test
    void theTestJvmSeesTheKernelsJackson() {
        assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString()).isEqualTo(KERNEL_JACKSON);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void aCompletionIsBuiltWithThePluginsOwnJacksonUnderThePluginsContextLoader(Form form, @TempDir Path dir) throws Exception {
        try (TestGateway g = TestGateway.start(config(install(form, dir)))) {
            HttpResponse<String> r = Dist.client().send(Dist.chatRequest(g.port(), "probe", false), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = Dist.json(r.body());
            assertThat(body.path("object").asText()).isEqualTo("chat.completion");
            assertThat(body.path("model").asText()).isEqualTo("probe");
            assertThat(body.path("choices").path(0).path("message").path("content").asText()).isEqualTo(PROBE_ANSWER);
            assertThat(body.path("usage").path("prompt_tokens").asLong()).isEqualTo(1);
            assertThat(body.path("usage").path("completion_tokens").asLong()).isEqualTo(1);
            assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString()).isEqualTo(KERNEL_JACKSON);
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void aStreamIsBuiltWithThePluginsOwnJacksonUnderThePluginsContextLoader(Form form, @TempDir Path dir) throws Exception {
        try (TestGateway g = TestGateway.start(config(install(form, dir)))) {
            HttpClient client = Dist.client();
            HttpResponse<InputStream> r = client.send(Dist.chatRequest(g.port(), "probe", true), HttpResponse.BodyHandlers.ofInputStream());
            try (SseStream sse = new SseStream(r.body())) {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
                List<String> events = sse.readAll();
                assertThat(events.getLast()).isEqualTo(SseStream.DONE);
                assertThat(SseStream.content(events)).isEqualTo(PROBE_ANSWER);
            }
            assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString()).isEqualTo(KERNEL_JACKSON);
        }
    }

    private static Path install(Form form, Path dir) throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        form.install(plugins);
        return plugins;
    }

    private static String config(Path plugins) {
        return """
                plugins_dir: '%s'
                plugins: [jackson-probe]
                models:
                  probe:
                    deployments:
                      - provider: jackson-probe
                        model: probe-1
                """.formatted(plugins);
    }
}
