package dev.tollgate.plugin.postgres;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.time.Duration;
import java.util.Locale;

/**
 * The settings of the {@code postgres} governance store.
 *
 * @param url              {@code jdbc:postgresql://host:port/database}, without credentials
 * @param user             the database user
 * @param password         the user's password (from a secret reference), or {@code null} for none
 * @param poolSize         connections kept open; callers beyond it wait at most {@code connectTimeout}
 * @param connectTimeout   how long opening a connection, or waiting for a free one, may take
 * @param statementTimeout how long one statement may run on the server before it is cancelled
 */
record PostgresStoreConfig(String url, String user, String password, int poolSize, Duration connectTimeout,
        Duration statementTimeout) {

    static final String URL = "url";
    static final String USER = "user";
    static final String PASSWORD = "password";
    static final String POOL_SIZE = "pool_size";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String STATEMENT_TIMEOUT = "statement_timeout";
    static final int DEFAULT_POOL_SIZE = 8;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    /** HikariCP's smallest wait for a connection. */
    static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(250);

    PostgresStoreConfig {
        requireNonNull(url, "url is null");
        requireNonNull(user, "user is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(statementTimeout, "statementTimeout is null");
    }

    static PostgresStoreConfig from(PluginConfig config) {
        String url = config.string(URL).strip();
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException(config.keyPath(URL) + " must start with jdbc:postgresql://, such as "
                    + "jdbc:postgresql://db.internal:5432/tollgate");
        }
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.contains("password=") || url.substring("jdbc:postgresql://".length()).contains("@")) {
            throw new ConfigException(config.keyPath(URL) + " must not carry credentials (value not shown): set "
                    + config.keyPath(PASSWORD) + " to a reference such as ${env:TOLLGATE_PG_PASSWORD}");
        }
        String user = config.string(USER).strip();
        if (user.isEmpty()) {
            throw new ConfigException(config.keyPath(USER) + " must not be empty");
        }
        String password = config.optionalString(PASSWORD).orElse(null);
        long pool = config.longValue(POOL_SIZE, DEFAULT_POOL_SIZE);
        if (pool < 1 || pool > 1000) {
            throw new ConfigException(config.keyPath(POOL_SIZE) + " must be between 1 and 1000, not " + pool);
        }
        Duration connect = config.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
        if (connect.compareTo(MIN_CONNECT_TIMEOUT) < 0 || connect.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigException(config.keyPath(CONNECT_TIMEOUT) + " must be between 250ms and 5m, not " + connect);
        }
        Duration statement = config.duration(STATEMENT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT);
        if (statement.compareTo(Duration.ofMillis(1)) < 0 || statement.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException(config.keyPath(STATEMENT_TIMEOUT) + " must be between 1ms and 1h, not " + statement);
        }
        config.requireAllRead();
        return new PostgresStoreConfig(url, user, password, (int) pool, connect, statement);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "PostgresStoreConfig[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "(set)")
                + ", poolSize=" + poolSize + ", connectTimeout=" + connectTimeout + ", statementTimeout=" + statementTimeout + "]";
    }
}
