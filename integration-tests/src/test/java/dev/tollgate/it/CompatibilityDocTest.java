package dev.tollgate.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.testkit.conformance.CompatibilityMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/compatibility.md} is generated from the conformance results the provider modules wrote
 * ({@code plugins/<module>/target/conformance/*.json}), which the reactor builds before this module.
 * The check never rewrites the tracked page on its own: it fails with the regenerated page and the
 * command that writes it ({@code -Dtollgate.compatibility.write=true}).
 */
class CompatibilityDocTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void compatibilityPageMatchesTheConformanceResults() throws IOException {
        List<Path> modules;
        try (Stream<Path> dirs = Files.list(ROOT.resolve("plugins"))) {
            modules = dirs.filter(Files::isDirectory).sorted().toList();
        }
        boolean write = Boolean.getBoolean("tollgate.compatibility.write");
        String problem = CompatibilityMatrix.check(modules, ROOT.resolve("docs").resolve("compatibility.md"), write);
        assertThat(problem).as("docs/compatibility.md").isNull();
    }
}
