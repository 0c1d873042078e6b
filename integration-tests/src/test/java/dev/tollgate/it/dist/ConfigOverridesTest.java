package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's port overrides and its Java version check, on the shipped configuration. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigOverridesTest {

    private static final Duration READY_LIMIT = Duration.ofSeconds(30);

    @Test
    void portFlagWinsOverTheEnvironment(@TempDir Path dir) throws Exception {
        int flagPort = Dist.freePort();
        int envPort = Dist.freePort();
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of("TOLLGATE_PORT", String.valueOf(envPort)),
                "--port", String.valueOf(flagPort))) {
            p.awaitReady(flagPort, READY_LIMIT);
            assertThat(Dist.get(Dist.client(), flagPort, "/health/live").statusCode()).isEqualTo(200);
            assertThat(Dist.answers(Dist.client(), envPort, "/health/live")).as("nothing listens on TOLLGATE_PORT").isFalse();
        }
    }

    @Test
    void tollgatePortFromTheEnvironmentIsUsedWithoutAFlag(@TempDir Path dir) throws Exception {
        int envPort = Dist.freePort();
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of("TOLLGATE_PORT", String.valueOf(envPort)))) {
            p.awaitReady(envPort, READY_LIMIT);
            assertThat(Dist.get(Dist.client(), envPort, "/v1/models").body()).contains("\"mock\"");
        }
    }

    @Test
    void refusesAJavaOlderThan21(@TempDir Path dir) throws Exception {
        // A stand-in JDK whose java reports version 17 the way a real one does, so the test needs no old JDK.
        Path oldJdk = dir.resolve("jdk-17");
        Files.createDirectories(oldJdk.resolve("bin"));
        Path java = oldJdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = 17' >&2\necho 'openjdk version \"17.0.15\"' >&2\nexit 0\n");
        java.toFile().setExecutable(true);
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of("JAVA_HOME", oldJdk.toString()), "--port", String.valueOf(Dist.freePort()))) {
            int exit = p.awaitExit(Duration.ofSeconds(20));
            assertThat(exit).as(p.output()).isNotZero();
            assertThat(p.stderr()).as(p.output()).contains("Java 21 or newer");
        }
    }
}
