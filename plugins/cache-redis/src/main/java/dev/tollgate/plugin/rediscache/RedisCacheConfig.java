package dev.tollgate.plugin.rediscache;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * The settings of the {@code redis} cache tier.
 *
 * @param uri            where Redis is ({@code redis://[:password@]host:port/db}, {@code rediss://} for TLS)
 * @param commandTimeout how long one command may take before its stage fails (the kernel's tier
 *                       {@code timeout} bounds a lookup too; this bounds every command, stores included)
 * @param connectTimeout how long connecting may take
 * @param keyPrefix      put before every key, so several fleets or other applications can share one Redis
 * @param maxPending     commands that may wait for a reply at once; more fail at once (a stalled Redis
 *                       cannot pile up memory)
 */
record RedisCacheConfig(RedisURI uri, Duration commandTimeout, Duration connectTimeout, String keyPrefix, int maxPending) {

    static final String URI = "uri";
    static final String COMMAND_TIMEOUT = "command_timeout";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String KEY_PREFIX = "key_prefix";
    static final String MAX_PENDING = "max_pending";

    RedisCacheConfig {
        requireNonNull(uri, "uri is null");
        requireNonNull(commandTimeout, "commandTimeout is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(keyPrefix, "keyPrefix is null");
    }

    static RedisCacheConfig from(PluginConfig config) {
        String text = config.string(URI).trim();
        if (!text.startsWith("redis://") && !text.startsWith("rediss://")) {
            throw new ConfigException(config.keyPath(URI) + " must start with redis:// or rediss:// (value not shown)");
        }
        RedisURI uri;
        try {
            uri = RedisURI.create(text);
        } catch (RuntimeException e) {
            throw new ConfigException(config.keyPath(URI) + " is not a valid Redis URI such as redis://host:6379/0 (value not shown)");
        }
        Duration command = positive(config, COMMAND_TIMEOUT, Duration.ofMillis(100));
        Duration connect = positive(config, CONNECT_TIMEOUT, Duration.ofSeconds(2));
        String prefix = config.string(KEY_PREFIX, "tollgate:cache:");
        int pending = config.intValue(MAX_PENDING, 10_000);
        if (pending < 1 || pending > 1_000_000) {
            throw new ConfigException(config.keyPath(MAX_PENDING) + " must be between 1 and 1000000, not " + pending);
        }
        config.requireAllRead();
        return new RedisCacheConfig(uri, command, connect, prefix, pending);
    }

    private static Duration positive(PluginConfig config, String key, Duration dflt) {
        Duration d = config.duration(key, dflt);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(config.keyPath(key) + " must be positive");
        }
        return d;
    }
}
