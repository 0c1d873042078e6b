package dev.tollgate.it;

import dev.tollgate.kernel.Gateway;
import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.References;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A gateway started in this JVM from a YAML configuration, with plugins loaded by PF4J from the
 * assembled distribution (or another folder), on a free port.
 */
public final class TestGateway implements RunningGateway {

    private final Gateway gateway;

    private final Path dataDir;

    private TestGateway(Gateway gateway, Path dataDir) {
        this.gateway = gateway;
        this.dataDir = dataDir;
    }

    /** The unpacked distribution built by the distribution module. */
    public static Path distribution() {
        Path d = Path.of("..", "distribution", "target", "tollgate").toAbsolutePath().normalize();
        if (!Files.isDirectory(d.resolve("plugins"))) {
            throw new IllegalStateException("the unpacked distribution is missing at " + d
                    + "; run the tests from the repository root with ./mvnw verify, which assembles it first");
        }
        return d;
    }

    /** Starts a gateway on a free port; {@code plugins_dir} defaults to the distribution's plugins. */
    public static TestGateway start(String yaml) {
        return start(yaml, Map.of());
    }

    /** Like {@link #start(String)}, with extra environment variables for {@code ${env:…}} references. */
    public static TestGateway start(String yaml, Map<String, String> env) {
        Path data;
        try {
            data = Files.createTempDirectory("tollgate-it-data-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            return start(yaml, env, data, true);
        } catch (RuntimeException e) {
            deleteTree(data);
            throw e;
        }
    }

    /** Like {@link #start(String, Map)}, with the embedded store in {@code dataDir}, which outlives this gateway. */
    public static TestGateway startIn(Path dataDir, String yaml, Map<String, String> env) {
        return start(yaml, env, dataDir, false);
    }

    private static TestGateway start(String yaml, Map<String, String> env, Path data, boolean ownsData) {
        ConfigLoader loader = new ConfigLoader(new References(name -> env.containsKey(name) ? env.get(name) : System.getenv(name),
                distribution()), distribution());
        GatewayConfig config = loader.parse(yaml, null).withPort(0).withDataDir(data);
        return new TestGateway(Gateway.start(config, loader), ownsData ? data : null);
    }

    @Override
    public int port() {
        return gateway.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public Gateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        try {
            gateway.drain(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateway.close();
        if (dataDir != null) {
            deleteTree(dataDir);
        }
    }

    public static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException ignored) {
            // a leftover temp folder is harmless
        }
    }
}
