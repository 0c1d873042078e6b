package dev.tollgate.plugin.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of this test's own: Debian's binaries (on PATH or under
 * {@code /usr/lib/postgresql/<version>/bin}), a temporary data folder, a free port on 127.0.0.1 and
 * the unix socket in the same folder; {@code fsync=off}, since nothing need survive the test. Fails
 * (never skips) without the binaries. PostgreSQL refuses to run as root, so as root the server runs
 * as the {@code postgres} user that the Debian package creates.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "tollgate";
    public static final String PASSWORD = "test-password-7f3a";

    private final Path dir;
    private final Path bin;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("tollgate-pg-");
        boolean root = isRoot();
        if (root) {
            run(dir, List.of("chown", "postgres", dir.toString()), false);
        }
        Files.writeString(dir.resolve("pw"), PASSWORD);
        if (root) {
            run(dir, List.of("chown", "postgres", dir.resolve("pw").toString()), false);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PostgresServer server = new PostgresServer(dir, bin, port);
        run(dir, List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                "--pwfile=" + dir.resolve("pw"), "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync"), root);
        run(dir, List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"), root);
        return server;
    }

    /** initdb, pg_ctl and postgres, from PATH or Debian's folder (the newest version). */
    static Path binaries() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && hasAll(Path.of(dir))) {
                return Path.of(dir);
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                List<Path> found = versions.map(v -> v.resolve("bin")).filter(PostgresServer::hasAll)
                        .sorted(Comparator.comparing((Path p) -> versionOf(p)).reversed()).toList();
                if (!found.isEmpty()) {
                    return found.get(0);
                }
            } catch (IOException ignored) {
                // fall through to the failure below
            }
        }
        throw new AssertionError("PostgreSQL's initdb, pg_ctl and postgres were not found on PATH or under /usr/lib/postgresql/*/bin;"
                + " install PostgreSQL: apt-get install -y postgresql");
    }

    private static int versionOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean hasAll(Path dir) {
        return Stream.of("initdb", "pg_ctl", "postgres").allMatch(n -> Files.isExecutable(dir.resolve(n)));
    }

    private static boolean isRoot() {
        try {
            return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip());
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(Path dir, List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path out = Files.createTempFile(dir, "cmd-", ".log");
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 120 s");
        }
        if (p.exitValue() != 0) {
            String log = Files.readString(out);
            Path serverLog = dir.resolve("server.log");
            if (Files.exists(serverLog)) {
                log += "\n" + Files.readString(serverLog);
            }
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "):\n" + log);
        }
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database}. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A new, empty database; its URL. */
    public String newDatabase() {
        String name = "t" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return url(name);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run(dir, List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"),
                    isRoot());
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
