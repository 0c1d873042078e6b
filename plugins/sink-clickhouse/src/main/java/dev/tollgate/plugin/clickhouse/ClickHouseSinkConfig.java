package dev.tollgate.plugin.clickhouse;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of the {@code clickhouse} sink.
 *
 * @param url            the server's HTTP interface, without credentials
 * @param database       created if missing
 * @param table          created if missing, in {@code database}
 * @param user           sent as {@code X-ClickHouse-User}; empty means the server's {@code default} user
 * @param password       sent as {@code X-ClickHouse-Key}; never logged nor put in a message
 * @param timeout        how long one statement (an insert of a batch) may take, from sending to the answer's head
 * @param connectTimeout how long connecting may take
 */
record ClickHouseSinkConfig(URI url, String database, String table, Optional<String> user, Optional<String> password,
        Duration timeout, Duration connectTimeout) {

    static final String URL = "url";
    static final String DATABASE = "database";
    static final String TABLE = "table";
    static final String USER = "user";
    static final String PASSWORD = "password";
    static final String TIMEOUT = "timeout";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String DEFAULT_URL = "http://127.0.0.1:8123";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** Names go into statements unquoted by the server's rules, so only plain identifiers are accepted. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    ClickHouseSinkConfig {
        requireNonNull(url, "url is null");
        requireNonNull(database, "database is null");
        requireNonNull(table, "table is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
    }

    static ClickHouseSinkConfig from(PluginConfig config) {
        URI url = url(config, config.string(URL, DEFAULT_URL));
        String database = identifier(config, DATABASE, config.string(DATABASE, "tollgate"));
        String table = identifier(config, TABLE, config.string(TABLE, "requests"));
        Optional<String> user = config.optionalString(USER).map(String::strip).filter(u -> !u.isEmpty());
        Optional<String> password = config.optionalString(PASSWORD).filter(p -> !p.isEmpty());
        Duration timeout = positive(config, TIMEOUT, config.duration(TIMEOUT, DEFAULT_TIMEOUT));
        Duration connectTimeout = positive(config, CONNECT_TIMEOUT, config.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        config.requireAllRead();
        return new ClickHouseSinkConfig(url, database, table, user, password, timeout, connectTimeout);
    }

    /** {@code database.table}, as statements name it. */
    String qualifiedTable() {
        return database + "." + table;
    }

    private static URI url(PluginConfig config, String text) {
        URI url;
        try {
            url = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new ConfigException(config.keyPath(URL) + " must be a URL such as " + DEFAULT_URL + ", not '" + text + "'");
        }
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new ConfigException(config.keyPath(URL) + " must be an http:// or https:// URL such as " + DEFAULT_URL);
        }
        if (url.getRawUserInfo() != null) {
            throw new ConfigException(config.keyPath(URL) + " must not hold credentials (value not shown): set "
                    + config.keyPath(USER) + " and " + config.keyPath(PASSWORD) + " instead");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new ConfigException(config.keyPath(URL) + " must have no query or fragment: the sink adds its own");
        }
        return url;
    }

    private static String identifier(PluginConfig config, String key, String value) {
        if (!IDENTIFIER.matcher(value).matches()) {
            throw new ConfigException(config.keyPath(key) + " must be a plain name (letters, digits, _; not starting with a digit), not '"
                    + value + "'");
        }
        return value;
    }

    private static Duration positive(PluginConfig config, String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(config.keyPath(key) + " must be positive");
        }
        return d;
    }
}
