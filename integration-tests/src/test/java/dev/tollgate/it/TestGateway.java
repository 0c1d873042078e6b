package dev.tollgate.it;

import dev.tollgate.kernel.Gateway;
import dev.tollgate.kernel.config.ConfigLoader;
import dev.tollgate.kernel.config.GatewayConfig;
import dev.tollgate.kernel.config.References;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A gateway started in this JVM from a YAML configuration, with plugins loaded by PF4J from the
 * assembled distribution (or another folder), on a free port.
 */
public final class TestGateway implements AutoCloseable {

    private final Gateway gateway;

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
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
        ConfigLoader loader = new ConfigLoader(new References(name -> env.containsKey(name) ? env.get(name) : System.getenv(name),
                distribution()), distribution());
        GatewayConfig config = loader.parse(yaml, null).withPort(0);
        return new TestGateway(Gateway.start(config, loader));
    }

    public int port() {
        return gateway.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
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
    }
}
