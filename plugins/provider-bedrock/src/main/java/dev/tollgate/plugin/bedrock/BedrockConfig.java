package dev.tollgate.plugin.bedrock;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of one Bedrock deployment, with the credentials {@link CredentialsResolver} found.
 * {@link #toString()} and every message built here leave the secret and the session token out.
 */
final class BedrockConfig {

    static final String REGION = "region";
    static final String ENDPOINT = "endpoint";
    static final String ACCESS_KEY_ID = "access_key_id";
    static final String SECRET_ACCESS_KEY = "secret_access_key";
    static final String SESSION_TOKEN = "session_token";
    static final String PROFILE = "profile";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String READ_TIMEOUT = "read_timeout";
    static final String TIMEOUT = "timeout";
    static final String DEFAULT_MAX_TOKENS = "default_max_tokens";
    static final String MAX_EVENT_BYTES = "max_event_bytes";

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(600);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(600);
    private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9-]{2,32}");

    private final AwsCredentials credentials;
    private final String region;
    private final String problem;
    private final String endpoint;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration timeout;
    private final Integer defaultMaxTokens;
    private final int maxEventBytes;

    private BedrockConfig(AwsCredentials credentials, String region, String problem, String endpoint, Duration connectTimeout,
            Duration readTimeout, Duration timeout, Integer defaultMaxTokens, int maxEventBytes) {
        this.credentials = credentials;
        this.region = region;
        this.problem = problem;
        this.endpoint = endpoint;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.timeout = timeout;
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * @param env  the process environment (a parameter, so that tests pass their own)
     * @param home the user's home folder, where {@code .aws/} is looked for
     */
    static BedrockConfig from(PluginConfig config, Map<String, String> env, Path home) {
        String accessKeyId = config.optionalString(ACCESS_KEY_ID).orElse(null);
        String secret = config.optionalString(SECRET_ACCESS_KEY).orElse(null);
        String token = config.optionalString(SESSION_TOKEN).orElse(null);
        if ((accessKeyId == null) != (secret == null)) {
            throw new ConfigException(config.keyPath(ACCESS_KEY_ID) + " and " + config.keyPath(SECRET_ACCESS_KEY)
                    + " are set together, for example ${env:BEDROCK_KEY_ID} and ${env:BEDROCK_SECRET}");
        }
        if (token != null && accessKeyId == null) {
            throw new ConfigException(config.keyPath(SESSION_TOKEN) + " needs access_key_id and secret_access_key");
        }
        String profile = config.optionalString(PROFILE).map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        String region = config.optionalString(REGION).map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        String endpoint = config.optionalString(ENDPOINT).map(v -> endpoint(config.keyPath(ENDPOINT), v)).orElse(null);
        Duration connect = positive(config.keyPath(CONNECT_TIMEOUT), config.duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        Duration read = positive(config.keyPath(READ_TIMEOUT), config.duration(READ_TIMEOUT, DEFAULT_READ_TIMEOUT));
        Duration total = config.duration(TIMEOUT, DEFAULT_TIMEOUT);
        if (total.isNegative()) {
            throw new ConfigException(config.keyPath(TIMEOUT) + " must be a duration, 0 for no limit");
        }
        Integer maxTokens = null;
        if (config.has(DEFAULT_MAX_TOKENS)) {
            maxTokens = config.intValue(DEFAULT_MAX_TOKENS, 0);
            if (maxTokens < 1) {
                throw new ConfigException(config.keyPath(DEFAULT_MAX_TOKENS) + " must be a positive number of tokens");
            }
        }
        int maxEvent = config.intValue(MAX_EVENT_BYTES, EventStreamDecoder.DEFAULT_MAX_MESSAGE_BYTES);
        if (maxEvent < 1024 || maxEvent > 64 * 1024 * 1024) {
            throw new ConfigException(config.keyPath(MAX_EVENT_BYTES) + " must be between 1024 and 67108864 bytes");
        }
        config.requireAllRead();
        CredentialsResolver.Resolved found = CredentialsResolver.resolve(
                new CredentialsResolver.Configured(accessKeyId, secret, token, profile, region), env, home);
        String resolvedRegion = found.region();
        if (resolvedRegion != null && !REGION_NAME.matcher(resolvedRegion).matches()) {
            throw new ConfigException("the AWS region '" + resolvedRegion + "' is not a region name such as us-east-1");
        }
        return new BedrockConfig(found.credentials(), resolvedRegion, found.problem(), endpoint, connect, read, total, maxTokens, maxEvent);
    }

    private static String endpoint(String key, String value) {
        String base = value.trim();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            URI uri = new URI(base);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawQuery() != null
                    || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
                throw new ConfigException(key + " must be a plain http or https base URL, not '" + value + "'");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(key + " must be a plain http or https base URL, not '" + value + "'");
        }
        return base;
    }

    private static Duration positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(key + " must be a positive duration");
        }
        return d;
    }

    /** The credentials, or {@code null} when none were found ({@link #problem()} says why). */
    AwsCredentials credentials() {
        return credentials;
    }

    /** The region, or {@code null} when none was found. */
    String region() {
        return region;
    }

    /** Why requests cannot be signed, or {@code null} when they can. */
    String problem() {
        return problem;
    }

    /** The base URL: the configured {@code endpoint}, else {@code https://bedrock-runtime.<region>.amazonaws.com}. */
    String endpoint() {
        return endpoint != null ? endpoint : "https://bedrock-runtime." + region + ".amazonaws.com";
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

    Optional<Integer> defaultMaxTokens() {
        return Optional.ofNullable(defaultMaxTokens);
    }

    int maxEventBytes() {
        return maxEventBytes;
    }

    /** Replaces the secret and the session token in {@code text} with {@code ***}. */
    String redact(String text) {
        return credentials == null ? text : credentials.redact(text);
    }

    @Override
    public String toString() {
        return "BedrockConfig[region=" + region + ", endpoint=" + (region == null && endpoint == null ? "none" : endpoint())
                + ", credentials=" + (credentials == null ? "none (" + problem + ")" : credentials) + ", connect_timeout="
                + connectTimeout + ", read_timeout=" + readTimeout + ", timeout=" + timeout + "]";
    }
}
