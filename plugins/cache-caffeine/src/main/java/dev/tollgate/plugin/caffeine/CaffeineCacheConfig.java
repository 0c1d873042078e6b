package dev.tollgate.plugin.caffeine;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of the {@code caffeine} tier.
 *
 * @param maxBytes what the entries may weigh together (keys and values, plus a fixed overhead per
 *                 entry); past it the least valuable entries are evicted
 */
record CaffeineCacheConfig(long maxBytes) {

    static final String MAX_BYTES = "max_bytes";
    static final long DEFAULT_MAX_BYTES = 64L << 20;
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    CaffeineCacheConfig {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("maxBytes must be at least 1 KiB");
        }
    }

    static CaffeineCacheConfig from(PluginConfig config) {
        String written = config.string(MAX_BYTES, Long.toString(DEFAULT_MAX_BYTES));
        Matcher m = SIZE.matcher(written.strip());
        if (!m.matches()) {
            throw new ConfigException(config.keyPath(MAX_BYTES) + " must be a size such as 256MiB or 1GiB, not '" + written + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ConfigException(config.keyPath(MAX_BYTES) + " is too large: '" + written + "'");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit) {
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            default -> 1L;
        };
        if (n > (1L << 44) / factor || n * factor < 1024) {
            throw new ConfigException(config.keyPath(MAX_BYTES) + " must be between 1KiB and 16TiB, not '" + written + "'");
        }
        config.requireAllRead();
        return new CaffeineCacheConfig(n * factor);
    }
}
