package dev.tollgate.plugin.jsonl;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of the {@code jsonl} sink.
 *
 * @param dir           folder of the files; a relative {@code dir} is inside the gateway's data folder
 * @param timeZone      zone whose calendar day names a record's file (by the record's start)
 * @param maxFileBytes  a file that would grow past this is continued in the next numbered file
 * @param retentionDays files of days more than this many days before today are deleted; 0 keeps them all
 * @param fsync         whether a write forces its bytes to the disk before it returns
 */
record JsonlSinkConfig(Path dir, ZoneId timeZone, long maxFileBytes, int retentionDays, Fsync fsync) {

    /** When written bytes are forced to the storage device. */
    enum Fsync {
        /** After every batch, before {@code write} returns: a returned batch survives a power loss. */
        BATCH,
        /** Never by the sink: the operating system writes the bytes back when it likes. */
        NEVER
    }

    static final String DIR = "dir";
    static final String TIME_ZONE = "time_zone";
    static final String MAX_FILE_BYTES = "max_file_bytes";
    static final String RETENTION_DAYS = "retention_days";
    static final String FSYNC = "fsync";
    static final String DEFAULT_DIR = "logs";
    static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;
    static final int DEFAULT_RETENTION_DAYS = 30;

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

    JsonlSinkConfig {
        requireNonNull(dir, "dir is null");
        requireNonNull(timeZone, "timeZone is null");
        requireNonNull(fsync, "fsync is null");
    }

    static JsonlSinkConfig from(PluginConfig config, Path dataDir) {
        Path dir;
        String dirText = config.string(DIR, DEFAULT_DIR);
        try {
            dir = dataDir.resolve(dirText).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(config.keyPath(DIR) + " is not a valid path: " + e.getMessage());
        }
        String zone = config.string(TIME_ZONE, "UTC");
        ZoneId timeZone;
        try {
            timeZone = ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new ConfigException(config.keyPath(TIME_ZONE) + " must be a time zone such as UTC or Europe/Paris, not '" + zone + "'");
        }
        long maxFileBytes = size(config, MAX_FILE_BYTES, DEFAULT_MAX_FILE_BYTES);
        if (maxFileBytes <= 0) {
            throw new ConfigException(config.keyPath(MAX_FILE_BYTES) + " must be positive");
        }
        int retentionDays = config.intValue(RETENTION_DAYS, DEFAULT_RETENTION_DAYS);
        if (retentionDays < 0) {
            throw new ConfigException(config.keyPath(RETENTION_DAYS) + " must be 0 (keep every file) or a number of days, not " + retentionDays);
        }
        String fsyncText = config.string(FSYNC, "batch");
        Fsync fsync = switch (fsyncText.trim().toLowerCase(Locale.ROOT)) {
            case "batch" -> Fsync.BATCH;
            case "never" -> Fsync.NEVER;
            default -> throw new ConfigException(config.keyPath(FSYNC) + " must be batch or never, not '" + fsyncText + "'");
        };
        config.requireAllRead();
        return new JsonlSinkConfig(dir, timeZone, maxFileBytes, retentionDays, fsync);
    }

    /** A byte count: an integer, or a string such as {@code 64MiB} ({@code B}, {@code KiB}, {@code MiB}, {@code GiB}). */
    private static long size(PluginConfig config, String key, long defaultValue) {
        String text = config.optionalString(key).orElse(null);
        if (text == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigException(config.keyPath(key) + " must be a size such as 268435456, 64MiB or 1GiB, not '" + text + "'");
        }
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ConfigException(config.keyPath(key) + " is too large: '" + text + "'");
        }
    }
}
