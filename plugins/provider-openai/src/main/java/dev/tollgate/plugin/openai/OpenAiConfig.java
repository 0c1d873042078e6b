package dev.tollgate.plugin.openai;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.http.Headers;
import dev.tollgate.spi.http.HttpProtocol;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one deployment. Holds the API key but never shows it: {@link #toString()} and
 * every exception thrown here leave it out.
 */
final class OpenAiConfig {

    static final String API_BASE = "api_base";
    static final String API_KEY = "api_key";
    static final String API_KEYS = "api_keys";
    static final String HEADERS = "headers";
    static final String QUERY = "query";
    static final String AUTH = "auth";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String READ_TIMEOUT = "read_timeout";
    static final String TIMEOUT = "timeout";
    static final String HTTP_VERSION = "http_version";
    static final String INCLUDE_USAGE = "include_usage";
    static final String MAX_TOKENS_FIELD = "max_tokens_field";
    static final String PRESET = "preset";
    static final String ENDPOINT = "endpoint";
    static final String DEPLOYMENT = "deployment";
    static final String API_VERSION = "api_version";
    static final String RESPONSES = "responses";

    static final String DEFAULT_API_BASE = "https://api.openai.com/v1";
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(600);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);

    enum Auth {
        BEARER("bearer"),
        API_KEY("api-key"),
        NONE("none");

        private final String configName;

        Auth(String configName) {
            this.configName = configName;
        }

        static Auth parse(String qualifiedKey, String value) {
            for (Auth a : values()) {
                if (a.configName.equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
            throw new ConfigException(qualifiedKey + " must be one of bearer, api-key, none, not '" + value + "'");
        }

        @Override
        public String toString() {
            return configName;
        }
    }

    private final Preset preset;
    private final String apiBase;
    private final String apiKey;
    private final java.util.List<String> apiKeys;
    private final Auth auth;
    private final Headers baseHeaders;
    private final Map<String, String> query;
    private final URI chatUri;
    private final URI embeddingsUri;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration timeout;
    private final HttpProtocol protocol;
    private final boolean includeUsage;
    private final boolean keyMissing;
    private final boolean authOverridden;
    private final String maxTokensField;
    private final boolean responsesNative;
    private final URI responsesUri;
    private final String responsesModel;

    private OpenAiConfig(Preset preset, String apiBase, java.util.List<String> apiKeys, boolean keyMissing, Auth auth, Map<String, String> headers,
            Map<String, String> query, Duration connectTimeout, Duration readTimeout, Duration timeout, HttpProtocol protocol,
            boolean includeUsage, String maxTokensField, boolean responsesNative,
            String path) {
        this.preset = preset;
        this.apiBase = apiBase;
        this.apiKeys = apiKeys;
        this.apiKey = apiKeys.isEmpty() ? null : apiKeys.get(0);
        this.keyMissing = keyMissing;
        this.maxTokensField = maxTokensField;
        this.auth = auth;
        this.query = query;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.timeout = timeout;
        this.protocol = protocol;
        this.includeUsage = includeUsage;
        this.baseHeaders = buildHeaders(auth, this.apiKey, headers, qualify(path, HEADERS));
        this.authOverridden = apiKey != null && headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase(authHeaderName(auth)));
        this.chatUri = endpoint(apiBase, "/chat/completions", query, qualify(path, QUERY));
        this.embeddingsUri = endpoint(apiBase, "/embeddings", query, qualify(path, QUERY));
        this.responsesNative = responsesNative;
        if (preset == Preset.AZURE) {
            // Azure serves Responses on its OpenAI-compatible v1 surface, not under the deployment's URL: the
            // deployment is named by the body's model, and v1 takes no api-version.
            String endpoint = apiBase.substring(0, apiBase.indexOf("/openai/deployments/"));
            Map<String, String> v1Query = new java.util.LinkedHashMap<>(query);
            v1Query.remove("api-version");
            this.responsesUri = endpoint(endpoint, "/openai/v1/responses", v1Query, qualify(path, QUERY));
            this.responsesModel = apiBase.substring(apiBase.lastIndexOf('/') + 1);
        } else {
            this.responsesUri = endpoint(apiBase, "/responses", query, qualify(path, QUERY));
            this.responsesModel = null;
        }
    }

    static OpenAiConfig from(PluginConfig config) {
        String path = config.path();
        java.util.Optional<Preset> preset = config.optionalString(PRESET).map(v -> Preset.parse(qualify(path, PRESET), v));
        Map<String, String> query = new java.util.LinkedHashMap<>();
        String apiBase;
        if (preset.orElse(null) == Preset.AZURE) {
            apiBase = azureBase(config, path, query);
        } else {
            String defaultBase = preset.map(Preset::apiBase).orElse(DEFAULT_API_BASE);
            apiBase = normalizeBase(qualify(path, API_BASE), config.string(API_BASE, defaultBase));
        }
        if (config.has(API_KEY) && config.has(API_KEYS)) {
            throw new ConfigException(qualify(path, API_KEY) + " and " + qualify(path, API_KEYS) + " are both set; set only one of them");
        }
        java.util.Optional<String> configuredKey = config.has(API_KEYS)
                ? java.util.Optional.of(String.join("", config.stringList(API_KEYS)))
                : config.optionalString(API_KEY);
        if (config.has(API_KEYS) && config.stringList(API_KEYS).isEmpty()) {
            throw new ConfigException(qualify(path, API_KEYS) + " must list at least one key reference");
        }
        java.util.List<String> apiKeys = config.has(API_KEYS)
                ? config.stringList(API_KEYS).stream().filter(k -> !k.isBlank()).distinct().toList()
                : configuredKey.filter(k -> !k.isBlank()).stream().toList();
        Map<String, String> headers = config.stringMap(HEADERS);
        for (Map.Entry<String, String> e : config.stringMap(QUERY).entrySet()) {
            if (query.containsKey(e.getKey())) {
                throw new ConfigException(qualify(path, QUERY) + "." + e.getKey() + " is set by " + qualify(path, API_VERSION)
                        + "; set only one of them");
            }
            query.put(e.getKey(), e.getValue());
        }
        query = java.util.Collections.unmodifiableMap(query);
        String defaultAuth = preset.orElse(null) == Preset.AZURE ? Auth.API_KEY.configName : Auth.BEARER.configName;
        Auth auth = Auth.parse(qualify(path, AUTH), config.string(AUTH, defaultAuth));
        Duration connect = positive(qualify(path, CONNECT_TIMEOUT), config.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        Duration read = positive(qualify(path, READ_TIMEOUT), config.duration(READ_TIMEOUT, DEFAULT_READ_TIMEOUT));
        Duration timeout = config.duration(TIMEOUT, DEFAULT_TIMEOUT);
        if (timeout.isNegative()) {
            throw new ConfigException(qualify(path, TIMEOUT) + " must be a duration, 0 for no limit");
        }
        HttpProtocol protocol = protocol(qualify(path, HTTP_VERSION), config.string(HTTP_VERSION, "1.1"), apiBase);
        boolean includeUsage = config.booleanValue(INCLUDE_USAGE, true);
        String maxTokensField = config.string(MAX_TOKENS_FIELD, "auto");
        if (!maxTokensField.equals("auto") && !maxTokensField.equals("max_tokens") && !maxTokensField.equals("max_completion_tokens")) {
            throw new ConfigException(qualify(path, MAX_TOKENS_FIELD) + " must be auto, max_tokens or max_completion_tokens");
        }
        String host = URI.create(apiBase).getHost().toLowerCase(Locale.ROOT);
        if (maxTokensField.equals("auto") && preset.isPresent()) {
            maxTokensField = preset.get().maxTokensField();
        } else if (maxTokensField.equals("auto")) {
            maxTokensField = host.equals("api.openai.com") || host.endsWith(".openai.azure.com") ? "max_completion_tokens" : "max_tokens";
        }
        boolean responsesNative = switch (config.string(RESPONSES, "auto").trim().toLowerCase(Locale.ROOT)) {
            case "native" -> true;
            case "translate" -> false;
            // Only OpenAI itself is known to serve /responses; OpenAI-compatible servers mostly do not, and Azure's
            // depends on the resource's region and API surface, so both stay on Chat Completions unless told.
            case "auto" -> host.equals("api.openai.com");
            default -> throw new ConfigException(qualify(path, RESPONSES) + " must be auto, native or translate, not '"
                    + config.string(RESPONSES) + "'");
        };
        config.requireAllRead();
        boolean keyMissing = configuredKey.isPresent() && apiKeys.isEmpty() && auth != Auth.NONE;
        if (auth == Auth.API_KEY && configuredKey.isEmpty()) {
            throw new ConfigException(qualify(path, API_KEY) + " is required when " + qualify(path, AUTH) + " is api-key");
        }
        if (preset.isPresent() && preset.get().keyRequired() && auth != Auth.NONE && configuredKey.isEmpty()) {
            throw new ConfigException(qualify(path, API_KEY) + " is required with " + qualify(path, PRESET) + " " + preset.get()
                    + " (for example ${env:" + preset.get().name() + "_API_KEY})");
        }
        return new OpenAiConfig(preset.orElse(null), apiBase, apiKeys, keyMissing, auth, headers, query, connect, read, timeout, protocol, includeUsage,
                maxTokensField, responsesNative, path);
    }

    /**
     * Azure OpenAI's deployment URL, {@code <endpoint>/openai/deployments/<deployment>}, and its
     * {@code api-version} query parameter, put into {@code query}.
     */
    private static String azureBase(PluginConfig config, String path, Map<String, String> query) {
        if (config.has(API_BASE)) {
            throw new ConfigException(qualify(path, API_BASE) + " is not used with " + qualify(path, PRESET)
                    + " azure; set " + qualify(path, ENDPOINT) + " (https://<resource>.openai.azure.com) and "
                    + qualify(path, DEPLOYMENT) + " instead");
        }
        String endpoint = normalizeBase(qualify(path, ENDPOINT), config.string(ENDPOINT));
        String deployment = config.string(DEPLOYMENT).trim();
        if (deployment.isEmpty() || !deployment.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigException(qualify(path, DEPLOYMENT)
                    + " must be the deployment's name: letters, digits, '.', '_' and '-' only");
        }
        String version = config.string(API_VERSION, Preset.AZURE_DEFAULT_API_VERSION).trim();
        if (version.isEmpty()) {
            throw new ConfigException(qualify(path, API_VERSION) + " must not be empty");
        }
        query.put("api-version", version);
        return endpoint + "/openai/deployments/" + deployment;
    }

    private static HttpProtocol protocol(String key, String value, String apiBase) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1.1":
                return HttpProtocol.HTTP_1_1;
            case "h2c":
                if (!apiBase.toLowerCase(Locale.ROOT).startsWith("http:")) {
                    throw new ConfigException(key + " h2c needs an http api_base; over https HTTP/2 is negotiated by itself");
                }
                return HttpProtocol.H2C_PRIOR_KNOWLEDGE;
            default:
                throw new ConfigException(key + " must be \"1.1\" or \"h2c\", not '" + value + "'");
        }
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
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigException(key + " must not carry a query or fragment; put query parameters under "
                    + QUERY + " instead");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigException(key + " must not carry credentials; use " + API_KEY + " or " + HEADERS);
        }
        return base;
    }

    private static Headers buildHeaders(Auth auth, String apiKey, Map<String, String> extra, String key) {
        Headers.Builder b = Headers.builder();
        if (apiKey != null) {
            switch (auth) {
                case BEARER -> b.add("Authorization", "Bearer " + apiKey);
                case API_KEY -> b.add("api-key", apiKey);
                case NONE -> { }
            }
        }
        for (Map.Entry<String, String> e : extra.entrySet()) {
            try {
                b.set(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(key + "." + e.getKey() + " is not a valid header name or value");
            }
        }
        return b.build();
    }

    private static URI endpoint(String base, String suffix, Map<String, String> query, String key) {
        StringBuilder s = new StringBuilder(base).append(suffix);
        char sep = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            s.append(sep)
                    .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        try {
            return new URI(s.toString());
        } catch (URISyntaxException e) {
            throw new ConfigException(key + " does not form a valid URL with the api_base");
        }
    }

    private static Duration positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(key + " must be a positive duration");
        }
        return d;
    }

    private static String qualify(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The preset named in the config, or {@code null}. */
    Preset preset() {
        return preset;
    }

    String apiBase() {
        return apiBase;
    }

    /** The key, or {@code null} when none is configured; with {@code api_keys}, the first. */
    String apiKey() {
        return apiKey;
    }

    /** Every non-empty configured key, in order: one for {@code api_key}, several for {@code api_keys}. */
    java.util.List<String> apiKeys() {
        return apiKeys;
    }

    /**
     * {@code headers} with the authentication header set for {@code key}, unless the configured
     * {@code headers} set that header themselves (then they win, as they do in {@link #baseHeaders}).
     */
    Headers.Builder withKey(Headers.Builder headers, String key) {
        if (key == null || authOverridden || auth == Auth.NONE) {
            return headers;
        }
        return auth == Auth.BEARER ? headers.set("Authorization", "Bearer " + key) : headers.set("api-key", key);
    }

    private static String authHeaderName(Auth auth) {
        return auth == Auth.API_KEY ? "api-key" : "Authorization";
    }

    Auth auth() {
        return auth;
    }

    /** Authentication and the configured extra headers, sent with every request. */
    Headers baseHeaders() {
        return baseHeaders;
    }

    Map<String, String> query() {
        return query;
    }

    URI chatUri() {
        return chatUri;
    }

    URI embeddingsUri() {
        return embeddingsUri;
    }

    /** Whether Responses clients pass through to the upstream's own {@code /responses} instead of being translated to chat. */
    boolean responsesNative() {
        return responsesNative;
    }

    URI responsesUri() {
        return responsesUri;
    }

    /** The model a passed-through Responses body names: Azure's deployment, or {@code null} for the deployment's model. */
    String responsesModel() {
        return responsesModel;
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

    HttpProtocol protocol() {
        return protocol;
    }

    boolean includeUsage() {
        return includeUsage;
    }

    /** Whether {@code api_key} is configured but resolved empty (an unset variable behind {@code ${env:NAME:-}}). */
    boolean keyMissing() {
        return keyMissing;
    }

    /** The request field for the output limit: {@code max_completion_tokens} (OpenAI, Azure) or {@code max_tokens}. */
    String maxTokensField() {
        return maxTokensField;
    }

    /** Replaces every occurrence of the API key in {@code text} with {@code ***}. */
    String redact(String text) {
        if (text == null) {
            return text;
        }
        for (String k : apiKeys) {
            text = text.replace(k, "***");
        }
        return text;
    }

    @Override
    public String toString() {
        return "OpenAiConfig[" + (preset == null ? "" : "preset=" + preset + ", ") + "api_base=" + apiBase + ", auth=" + auth + ", api_key=" + (apiKey == null ? "none" : apiKeys.size() == 1 ? "***" : apiKeys.size() + " keys, not shown")
                + ", headers=" + baseHeaders + ", query=" + query.keySet() + ", connect_timeout=" + connectTimeout
                + ", read_timeout=" + readTimeout + ", timeout=" + timeout + ", http_version=" + protocol
                + ", include_usage=" + includeUsage + ", responses=" + (responsesNative ? "native" : "translate") + "]";
    }
}
