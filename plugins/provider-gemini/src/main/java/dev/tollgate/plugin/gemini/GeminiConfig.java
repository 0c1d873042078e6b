package dev.tollgate.plugin.gemini;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of one Gemini deployment. Holds the API key but never shows it: {@link #toString()} and
 * every exception thrown here leave it out, and the key travels only in the {@code x-goog-api-key}
 * header, never in a URL (which proxies and logs would keep).
 */
final class GeminiConfig {

    static final String API_BASE = "api_base";
    static final String API_KEY = "api_key";
    static final String API_VERSION = "api_version";
    static final String HEADERS = "headers";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String READ_TIMEOUT = "read_timeout";
    static final String TIMEOUT = "timeout";

    static final String DEFAULT_API_BASE = "https://generativelanguage.googleapis.com";
    static final String DEFAULT_API_VERSION = "v1beta";
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(600);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);

    private final String apiBase;
    private final String apiKey;
    private final String apiVersion;
    private final Headers baseHeaders;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration timeout;

    private GeminiConfig(String apiBase, String apiKey, String apiVersion, Headers baseHeaders, Duration connectTimeout,
            Duration readTimeout, Duration timeout) {
        this.apiBase = apiBase;
        this.apiKey = apiKey;
        this.apiVersion = apiVersion;
        this.baseHeaders = baseHeaders;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.timeout = timeout;
    }

    static GeminiConfig from(PluginConfig config) {
        String base = normalizeBase(config.keyPath(API_BASE), config.string(API_BASE, DEFAULT_API_BASE));
        Optional<String> configuredKey = config.optionalString(API_KEY);
        if (configuredKey.isEmpty()) {
            throw new ConfigException(config.keyPath(API_KEY) + " is required, for example ${env:GEMINI_API_KEY}");
        }
        String key = configuredKey.filter(k -> !k.isBlank()).orElse(null);
        String version = config.string(API_VERSION, DEFAULT_API_VERSION).trim();
        if (!version.matches("v[0-9]+[a-z0-9]*")) {
            throw new ConfigException(config.keyPath(API_VERSION) + " must be an API version such as v1beta or v1, not '" + version + "'");
        }
        Map<String, String> extra = config.stringMap(HEADERS);
        Duration connect = positive(config.keyPath(CONNECT_TIMEOUT), config.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        Duration read = positive(config.keyPath(READ_TIMEOUT), config.duration(READ_TIMEOUT, DEFAULT_READ_TIMEOUT));
        Duration total = config.duration(TIMEOUT, DEFAULT_TIMEOUT);
        if (total.isNegative()) {
            throw new ConfigException(config.keyPath(TIMEOUT) + " must be a duration, 0 for no limit");
        }
        config.requireAllRead();
        return new GeminiConfig(base, key, version, headers(key, extra, config.keyPath(HEADERS)), connect, read, total);
    }

    private static String normalizeBase(String key, String value) {
        String base = value.trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(base);
        } catch (URISyntaxException e) {
            throw new ConfigException(key + " must be an http or https URL, not '" + value + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new ConfigException(key + " must be an http or https URL, not '" + value + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new ConfigException(key + " must be a plain base URL without query, fragment or credentials");
        }
        return base;
    }

    private static Headers headers(String apiKey, Map<String, String> extra, String key) {
        Headers.Builder b = Headers.builder();
        if (apiKey != null) {
            b.add("x-goog-api-key", apiKey);
        }
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (e.getKey().equalsIgnoreCase("x-goog-api-key")) {
                throw new ConfigException(key + "." + e.getKey() + " is set by api_key");
            }
            try {
                b.set(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(key + "." + e.getKey() + " is not a valid header name or value");
            }
        }
        return b.build();
    }

    private static Duration positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(key + " must be a positive duration");
        }
        return d;
    }

    /** {@code {api_base}/{api_version}/models/{model}:generateContent}, or the streaming method with {@code alt=sse}. */
    URI uri(String model, boolean stream) {
        String m = model.startsWith("models/") ? model.substring("models/".length()) : model;
        String path = apiBase + "/" + apiVersion + "/models/" + URLEncoder.encode(m, StandardCharsets.UTF_8).replace("+", "%20")
                + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
        return URI.create(path);
    }

    /** Whether {@code api_key} resolved empty ({@code ${env:NAME:-}} of an unset variable): requests then fail with 502. */
    boolean keyMissing() {
        return apiKey == null;
    }

    /** The key and the configured extra headers. */
    Headers baseHeaders() {
        return baseHeaders;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration readTimeout() {
        return readTimeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Replaces every occurrence of the API key in {@code text} with {@code ***}. */
    String redact(String text) {
        if (text == null || apiKey == null) {
            return text;
        }
        return text.replace(apiKey, "***");
    }

    @Override
    public String toString() {
        return "GeminiConfig[api_base=" + apiBase + ", api_version=" + apiVersion + ", api_key=" + (apiKey == null ? "none" : "***")
                + ", connect_timeout=" + connectTimeout + ", read_timeout=" + readTimeout + ", timeout=" + timeout + "]";
    }
}
