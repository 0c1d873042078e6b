package dev.tollgate.it.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The wire fixtures a provider plugin keeps for its own tests ({@code plugins/<plugin>/src/test/resources/fixtures/<dir>}),
 * read from the repository so the end-to-end tests serve the very bytes the plugin's conformance tests were written against.
 */
final class PluginFixtures {

    private final Path dir;

    private PluginFixtures(Path dir) {
        this.dir = dir;
    }

    static PluginFixtures of(String plugin, String dir) {
        return new PluginFixtures(Path.of("..", "plugins", plugin, "src", "test", "resources", "fixtures", dir)
                .toAbsolutePath().normalize());
    }

    String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
