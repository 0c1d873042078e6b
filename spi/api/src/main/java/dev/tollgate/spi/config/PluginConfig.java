package dev.tollgate.spi.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plugin's configuration section, with references already resolved by the kernel, and typed
 * accessors that name the full key path in every error.
 *
 * <p>Every accessor records the key as known; {@link #requireAllRead()} then fails if the section
 * holds a key nobody asked for, listing the allowed keys. A factory reads every key it supports
 * (with defaults for optional ones) and ends with {@code requireAllRead()}.
 *
 * <p>Values are JSON-like: {@code String}, {@code Number}, {@code Boolean}, {@code List},
 * {@code Map<String, ?>}. Strings are accepted for numbers, booleans and durations, since
 * environment references always produce strings.
 *
 * <p>Messages name the key and never show the value of a hidden key: the kernel hides the factory's
 * secret keys and every key whose value came from a {@code ${env:…}} or {@code ${file:…}} reference.
 * A hidden key's nested keys ({@code headers.X-Api-Key}) are hidden in its {@link #section}.
 */
public final class PluginConfig {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final String DURATION_TEXT = "a duration such as 500ms, 30s, 5m or 1h";
    private static final String INVALID_HIDDEN = "; the value given is invalid (not shown: it is a secret or comes from a reference)";

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> hiddenKeys;
    private final Set<String> read = new LinkedHashSet<>();

    private PluginConfig(String path, Map<String, ?> values, Set<String> hiddenKeys) {
        this.path = requireNonNull(path, "path is null");
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(values, "values is null")));
        this.hiddenKeys = Set.copyOf(hiddenKeys);
    }

    /** A section at {@code path} (used in messages, for example {@code models.gpt-4o.deployments[0].config}). */
    public static PluginConfig of(String path, Map<String, ?> values) {
        return new PluginConfig(path, values, Set.of());
    }

    /**
     * Like {@link #of(String, Map)}, but the values of {@code hiddenKeys} are never shown in
     * messages. A key may be a dotted path into nested maps ({@code headers.X-Api-Key}).
     */
    public static PluginConfig of(String path, Map<String, ?> values, Set<String> hiddenKeys) {
        return new PluginConfig(path, values, hiddenKeys);
    }

    public static PluginConfig empty(String path) {
        return new PluginConfig(path, Map.of(), Set.of());
    }

    public String path() {
        return path;
    }

    public boolean has(String key) {
        read.add(key);
        return values.get(key) != null;
    }

    public String string(String key) {
        return optionalString(key).orElseThrow(() -> missing(key, "a string"));
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public Optional<String> optionalString(String key) {
        Object v = get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return Optional.of(v.toString());
        }
        throw wrongType(key, "a string", v);
    }

    public long longValue(String key, long defaultValue) {
        Object v = get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n && (n instanceof Integer || n instanceof Long || n instanceof Short)) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw wrongType(key, "an integer", v);
            }
        }
        throw wrongType(key, "an integer", v);
    }

    public int intValue(String key, int defaultValue) {
        long v = longValue(key, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ConfigException(qualified(key) + " is out of range" + (hiddenKeys.contains(key) ? INVALID_HIDDEN : ": " + v));
        }
        return (int) v;
    }

    public double doubleValue(String key, double defaultValue) {
        Object v = get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw wrongType(key, "a number", v);
            }
        }
        throw wrongType(key, "a number", v);
    }

    public boolean booleanValue(String key, boolean defaultValue) {
        Object v = get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw wrongType(key, "true or false", v);
    }

    /** A duration written as {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, or an integer of milliseconds. */
    public Duration duration(String key, Duration defaultValue) {
        Object v = get(key);
        if (v == null) {
            return defaultValue;
        }
        if (hiddenKeys.contains(key)) {
            try {
                return parseDuration(qualified(key), v);
            } catch (ConfigException e) {
                throw new ConfigException(qualified(key) + " must be " + DURATION_TEXT + INVALID_HIDDEN);
            }
        }
        return parseDuration(qualified(key), v);
    }

    /** Parses a duration value; {@code name} is used in the error. */
    public static Duration parseDuration(String name, Object v) {
        if (v instanceof Integer || v instanceof Long) {
            return Duration.ofMillis(((Number) v).longValue());
        }
        if (v instanceof String s) {
            Matcher m = DURATION.matcher(s.trim());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            if (s.trim().matches("\\d+")) {
                return Duration.ofMillis(Long.parseLong(s.trim()));
            }
        }
        throw new ConfigException(name + " must be " + DURATION_TEXT + ", not '" + v + "'");
    }

    public Map<String, String> stringMap(String key) {
        Object v = get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw wrongType(key, "a map of strings", v);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String || e.getValue() instanceof Number || e.getValue() instanceof Boolean)) {
                throw new ConfigException(qualified(key) + "." + e.getKey() + " must be a string");
            }
            out.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }

    public List<String> stringList(String key) {
        Object v = get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw wrongType(key, "a list of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String || o instanceof Number)) {
                throw new ConfigException(qualified(key) + " must be a list of strings");
            }
            out.add(String.valueOf(o));
        }
        return List.copyOf(out);
    }

    /** A nested section; absent means empty. */
    public PluginConfig section(String key) {
        Object v = get(key);
        if (v == null) {
            return empty(qualified(key));
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw wrongType(key, "a map", v);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, val) -> copy.put(String.valueOf(k), val));
        String prefix = key + ".";
        Set<String> nestedHidden = new LinkedHashSet<>();
        for (String h : hiddenKeys) {
            if (h.startsWith(prefix)) {
                nestedHidden.add(h.substring(prefix.length()));
            }
        }
        return new PluginConfig(qualified(key), copy, nestedHidden);
    }

    /** Fails if the section holds a key that no accessor asked for. */
    public void requireAllRead() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown key " + qualified(unknown.iterator().next())
                    + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more: " + unknown + ")" : "")
                    + "; allowed keys: " + new TreeSet<>(read));
        }
    }

    private Object get(String key) {
        read.add(requireNonNull(key, "key is null"));
        return values.get(key);
    }

    /** The full path of {@code key} in the configuration file, for a plugin's own error messages. */
    public String keyPath(String key) {
        return qualified(key);
    }

    private String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ConfigException missing(String key, String what) {
        return new ConfigException("missing required key " + qualified(key) + " (" + what + ")");
    }

    private ConfigException wrongType(String key, String what, Object v) {
        String value = hiddenKeys.contains(key) ? INVALID_HIDDEN : ", not '" + v + "'";
        return new ConfigException(qualified(key) + " must be " + what + value);
    }
}
