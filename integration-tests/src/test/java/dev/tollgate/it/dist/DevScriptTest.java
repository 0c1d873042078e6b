package dev.tollgate.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./dev} at the repository root: its usage, how {@code run} finds the configuration, and the
 * argument handling. {@code TOLLGATE_DEV_SKIP_BUILD=1} makes {@code run} start the distribution this
 * build already assembled instead of running Maven again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DevScriptTest {

    private static Path repository() {
        return Path.of("..").toAbsolutePath().normalize();
    }

    /** A process with stdout and stderr in files; {@link #close} kills it. */
    private static final class Script implements AutoCloseable {
        final Process process;
        final Path out;
        final Path err;

        Script(Path workDir, Map<String, String> env, List<String> command) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
            pb.environment().remove("TOLLGATE_PORT");
            pb.environment().remove("TOLLGATE_JAVA_OPTS");
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("TOLLGATE_DEV_SKIP_BUILD", "1");
            pb.environment().putAll(env);
            Path logs = Files.createTempDirectory(workDir, "logs");
            out = logs.resolve("out");
            err = logs.resolve("err");
            process = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        }

        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        String output() throws IOException {
            return "--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr();
        }

        int exit(Duration limit) throws Exception {
            assertThat(process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)).as("exited in time\n" + output()).isTrue();
            return process.exitValue();
        }

        void awaitReady(int port) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                assertThat(process.isAlive()).as("still running\n" + output()).isTrue();
                try {
                    if (Dist.get(Dist.client(), port, "/health/ready").statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            throw new AssertionError("not ready on " + port + "\n" + output());
        }

        /** SIGTERM, then the exit code of the graceful stop. */
        int stop() throws Exception {
            process.toHandle().destroy();
            return exit(Duration.ofSeconds(30));
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static List<String> command(Path script, String... args) {
        List<String> c = new ArrayList<>(List.of(script.toString()));
        c.addAll(List.of(args));
        return c;
    }

    @Test
    void withoutArgumentsPrintsTheUsageLinesOnlyAndExitsTwo(@TempDir Path dir) throws Exception {
        try (Script s = new Script(dir, Map.of(), command(repository().resolve("dev")))) {
            assertThat(s.exit(Duration.ofSeconds(20))).isEqualTo(2);
            List<String> lines = s.stdout().lines().toList();
            assertThat(lines.get(0)).startsWith("Developer entry point.");
            assertThat(lines).anyMatch(l -> l.startsWith("  ./dev run [gateway args]"))
                    .anyMatch(l -> l.startsWith("  ./dev bench-full"))
                    .anyMatch(l -> l.startsWith("TOLLGATE_DEV_SKIP_BUILD=1"))
                    .noneMatch(l -> l.contains("set -euo pipefail"))
                    .noneMatch(l -> l.startsWith("#"));
        }
    }

    @Test
    void aRelativeConfigIsResolvedAgainstTheCallersDirectory(@TempDir Path dir) throws Exception {
        int port = Dist.freePort();
        Path caller = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(caller.resolve("rel.yaml"), """
                server: {port: %d}
                plugins: [provider-mock]
                models:
                  from-rel-yaml:
                    deployments:
                      - provider: mock
                        model: m
                """.formatted(port));
        Path expected = caller.resolve("rel.yaml");
        try (Script s = new Script(caller, Map.of(), command(repository().resolve("dev"), "run", "--config", "rel.yaml"))) {
            s.awaitReady(port);
            assertThat(Dist.get(Dist.client(), port, "/v1/models").body()).contains("from-rel-yaml");
            assertThat(s.stderr()).contains("dev: configuration " + expected);
            assertThat(s.stdout()).contains("configuration " + expected);
            assertThat(s.stop()).as(s.output()).isZero();
        }
        assertThat(repository().resolve("rel.yaml")).doesNotExist();
    }

    @Test
    void theFirstRunCreatesTheUsersConfigAndLaterRunsKeepTheirEdits(@TempDir Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Files.copy(repository().resolve("dev"), repo.resolve("dev"));
        Path shipped = repository().resolve("distribution/src/conf/tollgate.yaml");
        Files.createDirectories(repo.resolve("distribution/src/conf"));
        Files.copy(shipped, repo.resolve("distribution/src/conf/tollgate.yaml"));
        Files.createDirectories(repo.resolve("distribution/target"));
        Files.createSymbolicLink(repo.resolve("distribution/target/tollgate"), Dist.home());
        Path users = repo.resolve("conf/tollgate.yaml");
        int port = Dist.freePort();
        Map<String, String> env = Map.of("TOLLGATE_PORT", String.valueOf(port));

        try (Script first = new Script(dir, env, command(repo.resolve("dev"), "run"))) {
            first.awaitReady(port);
            assertThat(first.stderr()).contains("created conf/tollgate.yaml").contains("dev: configuration " + users);
            assertThat(first.stdout()).contains("configuration " + users);
            assertThat(first.stop()).isZero();
        }
        assertThat(users).hasSameTextualContentAs(shipped);

        Files.writeString(users, Files.readString(users).replace("models:\n", """
                models:
                  added-by-me:
                    deployments:
                      - provider: mock
                        model: m
                """));
        try (Script second = new Script(dir, env, command(repo.resolve("dev"), "run"))) {
            second.awaitReady(port);
            HttpResponse<String> models = Dist.get(Dist.client(), port, "/v1/models");
            assertThat(models.body()).contains("added-by-me").contains("\"mock\"");
            assertThat(second.stderr()).doesNotContain("created").contains("dev: configuration " + users);
            assertThat(second.stop()).isZero();
        }
        assertThat(Files.readString(users)).contains("added-by-me");
    }

    @Test
    void sourcingTheScriptExposesTheArgumentHandlingWithoutRunningAnything(@TempDir Path dir) throws Exception {
        try (Script s = new Script(dir, Map.of(), List.of("bash", "-c",
                ". \"$1\"; absolute_config_args /caller --port 9 --config rel.yaml --config /abs.yaml --config ../up.yaml | tr '\\0' '|'",
                "bash", repository().resolve("dev").toString()))) {
            assertThat(s.exit(Duration.ofSeconds(20))).as(s.output()).isZero();
            assertThat(s.stdout()).isEqualTo("--port|9|--config|/caller/rel.yaml|--config|/abs.yaml|--config|/caller/../up.yaml|");
        }
    }

    @Test
    void mavenOptsAllowUnsafeOnlyOnJdksThatKnowTheFlag(@TempDir Path dir) throws Exception {
        try (Script s = new Script(dir, Map.of("MAVEN_OPTS", "-Xmx1g"), List.of("bash", "-c", """
                . "$1"
                quiet_unsafe_warnings 21; echo "21 [$MAVEN_OPTS]"
                quiet_unsafe_warnings 25; echo "25 [$MAVEN_OPTS]"
                quiet_unsafe_warnings 25; echo "again [$MAVEN_OPTS]"
                """, "bash", repository().resolve("dev").toString()))) {
            assertThat(s.exit(Duration.ofSeconds(20))).as(s.output()).isZero();
            assertThat(s.stdout()).isEqualTo("""
                    21 [-Xmx1g]
                    25 [-Xmx1g --sun-misc-unsafe-memory-access=allow]
                    again [-Xmx1g --sun-misc-unsafe-memory-access=allow]
                    """);
        }
    }
}
