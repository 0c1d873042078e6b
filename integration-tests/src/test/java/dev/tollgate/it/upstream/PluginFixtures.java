package dev.tollgate.it.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Provider wire fixtures: those a provider plugin keeps for its own tests
 * ({@code plugins/<plugin>/src/test/resources/fixtures/<dir>}), read from the repository so the end-to-end
 * tests serve the very bytes the plugin's conformance tests were written against, and the few cases
 * only these tests need, kept in this module's test resources under {@code fixtures/<dir>} (see the
 * README there).
 */
final class PluginFixtures {

    private final Path pluginDir;
    private final String ownDir;

    private PluginFixtures(Path pluginDir, String ownDir) {
        this.pluginDir = pluginDir;
        this.ownDir = ownDir;
    }

    static PluginFixtures of(String plugin, String dir) {
        return new PluginFixtures(Path.of("..", "plugins", plugin, "src", "test", "resources", "fixtures", dir)
                .toAbsolutePath().normalize(), dir);
    }

    /** A fixture of the plugin's own set. */
    String read(String name) {
        try {
            return Files.readString(pluginDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture the plugin's set lacks, from this module's test resources. */
    String readOwn(String name) {
        String resource = "/fixtures/" + ownDir + "/" + name;
        try (InputStream in = PluginFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
