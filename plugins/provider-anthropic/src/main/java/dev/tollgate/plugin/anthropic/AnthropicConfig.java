package dev.tollgate.plugin.anthropic;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of one Anthropic deployment. Holds the API key but never shows it: {@link #toString()}
 * and every exception thrown here leave it out.
 */
final class AnthropicConfig {

    static final String API_BASE = "api_base";
    static final String API_KEY = "api_key";
    static final String ANTHROPIC_VERSION = "anthropic_version";
    static final String ANTHROPIC_BETA = "anthropic_beta";
    static final String HEADERS = "headers";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String READ_TIMEOUT = "read_timeout";
    static final String TIMEOUT = "timeout";
    static final String DEFAULT_MAX_TOKENS = "default_max_tokens";
    static final String PROMPT_CACHING = "prompt_caching";
    static final String CACHE_MIN_TOKENS = "cache_min_tokens";

    static final String DEFAULT_API_BASE = "https://api.anthropic.com";
    static final String DEFAULT_VERSION = "2023-06-01";
    /** The output limit of a translated request that names none, when neither config nor catalog gives one. */
    static final int FALLBACK_MAX_TOKENS = 4096;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(600);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);

    /** Whether translated requests get cache breakpoints placed by the gateway. */
    enum PromptCaching { AUTO, OFF }

    private final String apiBase;
    private final String apiKey;
    private final boolean keyMissing;
    private final String version;
    private final List<String> betas;
    private final Headers baseHeaders;
    private final URI messagesUri;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration timeout;
    private final Integer defaultMaxTokens;
    private final PromptCaching promptCaching;
    private final Integer cacheMinTokens;

    private AnthropicConfig(Builder b) {
        this.apiBase = b.apiBase;
        this.apiKey = b.apiKey;
        this.keyMissing = b.keyMissing;
        this.version = b.version;
        this.betas = List.copyOf(b.betas);
        this.baseHeaders = b.baseHeaders;
        this.messagesUri = b.messagesUri;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.timeout = b.timeout;
        this.defaultMaxTokens = b.defaultMaxTokens;
        this.promptCaching = b.promptCaching;
        this.cacheMinTokens = b.cacheMinTokens;
    }

    static AnthropicConfig from(PluginConfig config) {
        Builder b = new Builder();
        b.apiBase = normalizeBase(config.keyPath(API_BASE), config.string(API_BASE, DEFAULT_API_BASE));
        Optional<String> configuredKey = config.optionalString(API_KEY);
        if (configuredKey.isEmpty()) {
            throw new ConfigException(config.keyPath(API_KEY) + " is required, for example ${env:ANTHROPIC_API_KEY}");
        }
        b.apiKey = configuredKey.filter(k -> !k.isBlank()).orElse(null);
        b.keyMissing = b.apiKey == null;
        b.version = config.string(ANTHROPIC_VERSION, DEFAULT_VERSION).trim();
        if (b.version.isEmpty()) {
            throw new ConfigException(config.keyPath(ANTHROPIC_VERSION) + " must not be empty");
        }
        for (String beta : config.stringList(ANTHROPIC_BETA)) {
            String s = beta.trim();
            if (s.isEmpty() || s.contains(",")) {
                throw new ConfigException(config.keyPath(ANTHROPIC_BETA) + " lists beta names, one per entry, not '" + beta + "'");
            }
            b.betas.add(s);
        }
        Map<String, String> extra = config.stringMap(HEADERS);
        b.connectTimeout = positive(config.keyPath(CONNECT_TIMEOUT), config.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        b.readTimeout = positive(config.keyPath(READ_TIMEOUT), config.duration(READ_TIMEOUT, DEFAULT_READ_TIMEOUT));
        b.timeout = config.duration(TIMEOUT, DEFAULT_TIMEOUT);
        if (b.timeout.isNegative()) {
            throw new ConfigException(config.keyPath(TIMEOUT) + " must be a duration, 0 for no limit");
        }
        if (config.has(DEFAULT_MAX_TOKENS)) {
            int n = config.intValue(DEFAULT_MAX_TOKENS, FALLBACK_MAX_TOKENS);
            if (n < 1) {
                throw new ConfigException(config.keyPath(DEFAULT_MAX_TOKENS) + " must be a positive number of tokens");
            }
            b.defaultMaxTokens = n;
        }
        String caching = config.string(PROMPT_CACHING, "auto").trim().toLowerCase(Locale.ROOT);
        b.promptCaching = switch (caching) {
            case "auto" -> PromptCaching.AUTO;
            case "off" -> PromptCaching.OFF;
            default -> throw new ConfigException(config.keyPath(PROMPT_CACHING) + " must be auto or off, not '" + caching + "'");
        };
        if (config.has(CACHE_MIN_TOKENS)) {
            int n = config.intValue(CACHE_MIN_TOKENS, 0);
            if (n < 1) {
                throw new ConfigException(config.keyPath(CACHE_MIN_TOKENS) + " must be a positive number of tokens");
            }
            b.cacheMinTokens = n;
        }
        config.requireAllRead();
        b.baseHeaders = headers(b.apiKey, b.version, extra, config.keyPath(HEADERS));
        try {
            b.messagesUri = new URI(b.apiBase + "/v1/messages");
        } catch (URISyntaxException e) {
            throw new ConfigException(config.keyPath(API_BASE) + " does not form a valid URL");
        }
        return new AnthropicConfig(b);
    }

    private static String normalizeBase(String key, String value) {
        String base = value.trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (base.endsWith("/v1")) {
            // a base copied from an SDK setting that already names the version: the path adds it
            base = base.substring(0, base.length() - 3);
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

    private static Headers headers(String apiKey, String version, Map<String, String> extra, String key) {
        Headers.Builder b = Headers.builder();
        if (apiKey != null) {
            b.add("x-api-key", apiKey);
        }
        b.add("anthropic-version", version);
        for (Map.Entry<String, String> e : extra.entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("x-api-key") || name.equals("anthropic-version") || name.equals("anthropic-beta")) {
                throw new ConfigException(key + "." + e.getKey() + " is set by its own key (api_key, anthropic_version, anthropic_beta)");
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

    String apiBase() {
        return apiBase;
    }

    /** The key, or {@code null} when the reference resolved empty. */
    String apiKey() {
        return apiKey;
    }

    /** Whether {@code api_key} resolved empty ({@code ${env:NAME:-}} of an unset variable): requests then fail with 502. */
    boolean keyMissing() {
        return keyMissing;
    }

    String version() {
        return version;
    }

    /** The configured {@code anthropic-beta} names, sent with every request. */
    List<String> betas() {
        return betas;
    }

    /** The key, the version and the configured extra headers. */
    Headers baseHeaders() {
        return baseHeaders;
    }

    URI messagesUri() {
        return messagesUri;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration readTimeout() {
        return readTimeout;
    }

    /** The limit of a whole exchange, streams included; zero for none. */
    Duration timeout() {
        return timeout;
    }

    /** {@code default_max_tokens}, when configured. */
    Optional<Integer> defaultMaxTokens() {
        return Optional.ofNullable(defaultMaxTokens);
    }

    PromptCaching promptCaching() {
        return promptCaching;
    }

    /** {@code cache_min_tokens}, when configured. */
    Optional<Integer> cacheMinTokens() {
        return Optional.ofNullable(cacheMinTokens);
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
        return "AnthropicConfig[api_base=" + apiBase + ", api_key=" + (apiKey == null ? "none" : "***")
                + ", anthropic_version=" + version + ", anthropic_beta=" + betas + ", connect_timeout=" + connectTimeout
                + ", read_timeout=" + readTimeout + ", timeout=" + timeout + ", default_max_tokens="
                + (defaultMaxTokens == null ? "catalog" : defaultMaxTokens) + ", prompt_caching="
                + promptCaching.name().toLowerCase(Locale.ROOT) + "]";
    }

    private static final class Builder {
        String apiBase;
        String apiKey;
        boolean keyMissing;
        String version;
        final List<String> betas = new ArrayList<>();
        Headers baseHeaders;
        URI messagesUri;
        Duration connectTimeout;
        Duration readTimeout;
        Duration timeout;
        Integer defaultMaxTokens;
        PromptCaching promptCaching;
        Integer cacheMinTokens;
    }
}
