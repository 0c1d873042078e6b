package dev.tollgate.plugin.clickhouse;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A throw-away {@code clickhouse-server} for one test class: free ports, its own data folder, a
 * {@code default} user with a password, listening on 127.0.0.1 only. {@link #stop} and
 * {@link #start} again keep ports and data, to simulate an outage.
 */
public final class ClickHouseServer implements AutoCloseable {

    public static final String PASSWORD = "ch-test-password-7f3a";

    private final List<String> command;
    private final Path dir;
    private final int httpPort;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private ClickHouseServer(List<String> command, Path dir, int httpPort) {
        this.command = command;
        this.dir = dir;
        this.httpPort = httpPort;
    }

    /** Starts a server; fails (never skips) when ClickHouse is not installed. */
    public static ClickHouseServer launch() throws IOException, InterruptedException {
        List<String> binary = binary().orElseThrow(() -> new AssertionError(
                "clickhouse-server is not on the PATH nor in /usr/sbin or /usr/bin; install ClickHouse: apt-get install -y clickhouse-server"));
        Path dir = Files.createTempDirectory("tollgate-clickhouse-test").toAbsolutePath();
        int httpPort = freePort();
        int tcpPort = freePort();
        Files.writeString(dir.resolve("config.xml"), config(dir, httpPort, tcpPort));
        Files.writeString(dir.resolve("users.xml"), users());
        List<String> command = new ArrayList<>(binary);
        command.add("--config-file=" + dir.resolve("config.xml"));
        ClickHouseServer server = new ClickHouseServer(List.copyOf(command), dir, httpPort);
        server.start();
        return server;
    }

    /** {@code clickhouse-server} (Debian's package), or the single {@code clickhouse} binary of current releases. */
    private static Optional<List<String>> binary() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/usr/local/bin"));
        for (String d : dirs) {
            if (Files.isExecutable(Path.of(d, "clickhouse-server"))) {
                return Optional.of(List.of(Path.of(d, "clickhouse-server").toString()));
            }
        }
        for (String d : dirs) {
            if (Files.isExecutable(Path.of(d, "clickhouse"))) {
                return Optional.of(List.of(Path.of(d, "clickhouse").toString(), "server"));
            }
        }
        return Optional.empty();
    }

    /** Only the HTTP and native ports, on loopback; no interserver, MySQL or PostgreSQL port is configured. */
    private static String config(Path dir, int httpPort, int tcpPort) {
        return """
                <?xml version="1.0"?>
                <yandex>
                  <logger><level>warning</level><log>%1$s/server.log</log><errorlog>%1$s/server.err.log</errorlog></logger>
                  <http_port>%2$d</http_port>
                  <tcp_port>%3$d</tcp_port>
                  <listen_host>127.0.0.1</listen_host>
                  <path>%1$s/data/</path>
                  <tmp_path>%1$s/tmp/</tmp_path>
                  <user_files_path>%1$s/user_files/</user_files_path>
                  <format_schema_path>%1$s/format_schemas/</format_schema_path>
                  <users_config>%1$s/users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <timezone>UTC</timezone>
                  <mark_cache_size>67108864</mark_cache_size>
                  <uncompressed_cache_size>67108864</uncompressed_cache_size>
                  <max_server_memory_usage>1073741824</max_server_memory_usage>
                </yandex>
                """.formatted(dir, httpPort, tcpPort);
    }

    private static String users() {
        return """
                <?xml version="1.0"?>
                <yandex>
                  <profiles><default></default></profiles>
                  <users>
                    <default>
                      <password>%s</password>
                      <networks><ip>127.0.0.1</ip></networks>
                      <profile>default</profile>
                      <quota>default</quota>
                    </default>
                  </users>
                  <quotas><default></default></quotas>
                </yandex>
                """.formatted(PASSWORD);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("clickhouse-server exited with " + process.exitValue() + ": " + tail("stdout.log") + tail("server.err.log"));
            }
            try {
                HttpResponse<String> ping = client.send(HttpRequest.newBuilder(URI.create(url() + "/ping")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ping.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new IOException("clickhouse-server did not answer on port " + httpPort + ": " + tail("server.err.log"));
    }

    /**
     * Kills the server and every process it started (SIGKILL: a graceful stop waits seconds for
     * idle keep-alive connections, and an outage is what the tests want anyway).
     */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            h.onExit().join();
        }
        process.waitFor();
        process = null;
    }

    /** Freezes the server (SIGSTOP): connections are accepted by the kernel but nothing is answered. */
    void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException("kill " + signal + " failed with " + exit);
        }
    }

    /** Runs a query as the {@code default} user and returns the answer; fails on an error answer. */
    public String query(String sql) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url() + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                .header("X-ClickHouse-User", "default").header("X-ClickHouse-Key", PASSWORD).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("query failed with " + r.statusCode() + ": " + r.body());
        }
        return r.body().strip();
    }

    private String tail(String file) {
        try {
            String text = Files.readString(dir.resolve(file));
            return text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
