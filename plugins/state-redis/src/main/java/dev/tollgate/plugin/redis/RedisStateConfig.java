package dev.tollgate.plugin.redis;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import io.lettuce.core.RedisURI;
import java.time.Duration;

/**
 * The settings of the {@code redis} state backend.
 *
 * @param uri            where Redis is ({@code redis://[:password@]host:port/db}, {@code rediss://} for TLS)
 * @param commandTimeout how long one operation may take before its stage fails
 * @param keyPrefix      put before every key and channel, so that several gateways' fleets or
 *                       other applications can share one Redis
 */
record RedisStateConfig(RedisURI uri, Duration commandTimeout, String keyPrefix) {

    static final String URI = "uri";
    static final String COMMAND_TIMEOUT = "command_timeout";
    static final String KEY_PREFIX = "key_prefix";
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(250);
    static final String DEFAULT_KEY_PREFIX = "tollgate:";

    RedisStateConfig {
        requireNonNull(uri, "uri is null");
        requireNonNull(commandTimeout, "commandTimeout is null");
        requireNonNull(keyPrefix, "keyPrefix is null");
    }

    static RedisStateConfig from(PluginConfig config) {
        RedisURI uri = parseUri(config, config.string(URI));
        Duration timeout = config.duration(COMMAND_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ConfigException(config.keyPath(COMMAND_TIMEOUT) + " must be positive");
        }
        String prefix = config.string(KEY_PREFIX, DEFAULT_KEY_PREFIX);
        config.requireAllRead();
        return new RedisStateConfig(uri, timeout, prefix);
    }

    /** Never echoes the value: it may hold a password. */
    private static RedisURI parseUri(PluginConfig config, String text) {
        String trimmed = text.trim();
        if (!trimmed.startsWith("redis://") && !trimmed.startsWith("rediss://")) {
            throw new ConfigException(config.keyPath(URI) + " must start with redis:// or rediss:// (value not shown)");
        }
        try {
            return RedisURI.create(trimmed);
        } catch (RuntimeException e) {
            throw new ConfigException(config.keyPath(URI) + " is not a valid Redis URI such as redis://host:6379/0 (value not shown)");
        }
    }
}
