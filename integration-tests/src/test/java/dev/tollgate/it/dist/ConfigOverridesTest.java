package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

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
    private static final Path JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

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
        assumeThat(Files.isExecutable(JAVA_17.resolve("bin/java"))).as("a Java 17 at " + JAVA_17).isTrue();
        try (GatewayProcess p = GatewayProcess.start(dir, Map.of("JAVA_HOME", JAVA_17.toString()), "--port", String.valueOf(Dist.freePort()))) {
            int exit = p.awaitExit(Duration.ofSeconds(20));
            assertThat(exit).as(p.output()).isNotZero();
            assertThat(p.stderr()).as(p.output()).contains("Java 21 or newer");
        }
    }
}
