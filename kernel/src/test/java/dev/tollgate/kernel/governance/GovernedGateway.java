package dev.tollgate.kernel.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.kernel.FakeProviderPlugin;
import dev.tollgate.kernel.Gateway;
import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.References;
import dev.tollgate.spi.TollgatePlugin;
import dev.tollgate.spi.testkit.ManualTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A gateway in this JVM with models {@code m} and {@code other} on the fake provider, the master
 * key {@link #MASTER} (unless the configuration says otherwise) and a manual wall clock.
 */
public final class GovernedGateway implements AutoCloseable {

    public static final String MASTER = "test-master-key-0123456789abcdef";
    public static final String MODELS = """
            plugins: [fake%s]
            models:
              m:
                deployments:
                  - provider: fake
                    model: up-m
              other:
                deployments:
                  - provider: fake
                    model: up-o
            """;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    public final ManualTime time = new ManualTime();
    private final Gateway gateway;
    private final Path dataDir;
    private final boolean ownsDataDir;

    private GovernedGateway(String yaml, Map<String, TollgatePlugin> plugins) {
        this(yaml, plugins, null);
    }

    private GovernedGateway(String yaml, Map<String, TollgatePlugin> plugins, Path givenDataDir) {
        ConfigLoader loader = new ConfigLoader(new References(Map.of("TG_TEST_MASTER", MASTER)::get, Path.of(".")), Path.of("."));
        ownsDataDir = givenDataDir == null;
        dataDir = ownsDataDir ? dev.tollgate.kernel.KernelHarness.freshDataDir() : givenDataDir;
        GatewayConfig config = loader.parse(yaml, null).withPort(0).withDataDir(dataDir);
        Map<String, TollgatePlugin> all = new HashMap<>(plugins);
        all.put("fake", new FakeProviderPlugin());
        try {
            gateway = Gateway.start(config, loader, all, time, time.clock(), null);
        } catch (RuntimeException e) {
            if (ownsDataDir) {
                dev.tollgate.kernel.KernelHarness.deleteTree(dataDir);
            }
            throw e;
        }
    }

    /** Like {@link #start}, with the embedded store in {@code dataDir}, which outlives this gateway (restart tests). */
    public static GovernedGateway startIn(Path dataDir, String extraYaml) {
        return new GovernedGateway(MODELS.formatted("") + extraYaml, Map.of(), dataDir);
    }

    /** A gateway with the master key set, listening on 127.0.0.1. */
    public static GovernedGateway withMasterKey() {
        return start("admin: {master_key: '${env:TG_TEST_MASTER}'}\n", Map.of());
    }

    /** {@code extraYaml} goes beside the models (server, admin, policies sections); {@code plugins} are in-code plugins. */
    public static GovernedGateway start(String extraYaml, Map<String, TollgatePlugin> plugins) {
        String ids = plugins.keySet().stream().map(k -> ", " + k).reduce("", String::concat);
        return new GovernedGateway(MODELS.formatted(ids) + extraYaml, plugins);
    }

    /** A gateway on {@code yaml}, a whole configuration with its own models and plugins list; the fake provider is registered beside {@code plugins}. */
    public static GovernedGateway startWith(String yaml, Map<String, TollgatePlugin> plugins) {
        return new GovernedGateway(yaml, plugins);
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The gateway's data directory. */
    public Path dataDir() {
        return dataDir;
    }

    public static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    public static String messages(String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** Sends a request; {@code headers} are name, value pairs; {@code body} null for none. */
    public HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An admin request with the master key. */
    public HttpResponse<String> admin(String method, String path, String body) {
        return send(method, path, body, "Authorization", "Bearer " + MASTER);
    }

    /** Creates a key through the admin API and returns its JSON ({@code key} holds the secret). */
    public JsonNode createKey(String body) {
        HttpResponse<String> r = admin("POST", "/admin/keys", body);
        if (r.statusCode() != 201) {
            throw new AssertionError("creating a key answered " + r.statusCode() + ": " + r.body());
        }
        return json(r.body());
    }

    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        gateway.close();
        if (ownsDataDir) {
            dev.tollgate.kernel.KernelHarness.deleteTree(dataDir);
        }
    }
}
