package dev.tollgate.it.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.it.TestGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Paths of the built artifacts and small HTTP helpers shared by the distribution tests. */
final class Dist {

    static final ObjectMapper JSON = new ObjectMapper();

    private Dist() {}

    /** The unpacked distribution, {@code distribution/target/tollgate}. */
    static Path home() {
        return TestGateway.distribution();
    }

    static Path launcher() {
        return home().resolve("bin").resolve("tollgate");
    }

    private static Path probeTarget() {
        return Path.of("..", "plugins", "test-jackson-probe", "target").toAbsolutePath().normalize();
    }

    /** The probe plugin in its pre-expanded form: {@code plugin.properties} and {@code lib/*.jar}. */
    static Path probePluginDirectory() {
        Path d = probeTarget().resolve("plugin").resolve("jackson-probe");
        if (!Files.isRegularFile(d.resolve("plugin.properties"))) {
            throw new IllegalStateException("the jackson-probe plugin directory is missing at " + d
                    + "; build it first with ./mvnw install -DskipTests -pl '!bench,!integration-tests'");
        }
        return d;
    }

    /** The probe plugin as one shaded jar whose manifest names the plugin. */
    static Path probePluginJar() {
        Path j = probeTarget().resolve("tollgate-test-jackson-probe-0.1.0-SNAPSHOT-plugin.jar");
        if (!Files.isRegularFile(j)) {
            throw new IllegalStateException("the jackson-probe single-jar plugin is missing at " + j
                    + "; build it first with ./mvnw install -DskipTests -pl '!bench,!integration-tests'");
        }
        return j;
    }

    /** Copies a folder tree. */
    static void copyTree(Path from, Path to) {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port nobody listens on right now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static HttpResponse<String> get(HttpClient client, int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest chatRequest(int port, String model, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"say something\"}]}";
        return HttpRequest.newBuilder(uri(port, "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Whether something answers HTTP on {@code port}: false while nothing listens there. */
    static boolean answers(HttpClient client, int port, String path) throws InterruptedException {
        try {
            get(client, port, path);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
