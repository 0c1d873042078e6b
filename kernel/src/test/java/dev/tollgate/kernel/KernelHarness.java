package dev.tollgate.kernel;

import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.References;
import dev.tollgate.spi.TollgatePlugin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A gateway in this JVM with in-code plugins only, on a free port. */
public final class KernelHarness implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Gateway gateway;
    private final Path dataDir;

    private KernelHarness(Gateway gateway, Path dataDir) {
        this.gateway = gateway;
        this.dataDir = dataDir;
    }

    public static KernelHarness start(String yaml, Map<String, TollgatePlugin> plugins) {
        ConfigLoader loader = new ConfigLoader(new References(System::getenv, Path.of(".")), Path.of("."));
        Path data = freshDataDir();
        GatewayConfig config = loader.parse(yaml, null).withPort(0).withDataDir(data);
        return started(() -> Gateway.start(config, loader, plugins), data);
    }

    /** A gateway whose request timers all run on {@code time}: nothing times out until the test advances it. */
    public static KernelHarness start(String yaml, Map<String, TollgatePlugin> plugins, ManualScheduler time) {
        ConfigLoader loader = new ConfigLoader(new References(System::getenv, Path.of(".")), Path.of("."));
        Path data = freshDataDir();
        GatewayConfig config = loader.parse(yaml, null).withPort(0).withDataDir(data);
        return started(() -> Gateway.start(config, loader, plugins, time, java.time.Clock.systemUTC(), time), data);
    }

    private static KernelHarness started(java.util.function.Supplier<Gateway> start, Path data) {
        try {
            return new KernelHarness(start.get(), data);
        } catch (RuntimeException e) {
            deleteTree(data);
            throw e;
        }
    }

    /** Sends without waiting. */
    public java.util.concurrent.CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A gateway with model {@code m} on the fake provider. */
    public static KernelHarness withFakeModel(String extraYaml, Map<String, TollgatePlugin> extraPlugins) {
        java.util.Map<String, TollgatePlugin> plugins = new java.util.HashMap<>(extraPlugins);
        plugins.put("fake", new FakeProviderPlugin());
        return start("""
                plugins: [fake%s]
                models:
                  m:
                    deployments:
                      - provider: fake
                        model: up-m
                %s
                """.formatted(extraPlugins.keySet().stream().map(k -> ", " + k).reduce("", String::concat), extraYaml), plugins);
    }

    public int port() {
        return gateway.port();
    }

    /** How often each kind of lossy translation happened so far. */
    public java.util.Map<String, Long> translationWarnings() {
        return gateway().translationWarnings().snapshot();
    }

    public Gateway gateway() {
        return gateway;
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    @Override
    public void close() {
        gateway.close();
        deleteTree(dataDir);
    }

    /** A fresh folder for the embedded store of one gateway, removed again by {@link #deleteTree}. */
    public static Path freshDataDir() {
        try {
            return java.nio.file.Files.createTempDirectory("tollgate-test-data-");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a leftover temp folder is harmless
        }
    }

}
