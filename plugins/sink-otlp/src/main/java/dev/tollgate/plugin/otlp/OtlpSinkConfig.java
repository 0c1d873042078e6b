package dev.tollgate.plugin.otlp;

import static java.util.Objects.requireNonNull;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of the {@code otlp} sink.
 *
 * @param endpoint      the collector's OTLP/HTTP traces URL; a URL without a path gets {@code /v1/traces}
 * @param headers       sent with every export (header name to value); values may be references
 * @param authorization the {@code Authorization} header's value, a secret; empty when not set
 * @param timeout       one export, from connecting until the collector has answered
 * @param serviceName   the resource's {@code service.name}
 * @param compression   of the request body
 */
record OtlpSinkConfig(URI endpoint, Map<String, String> headers, Optional<String> authorization, Duration timeout,
        String serviceName, Compression compression) {

    /** How an export's body is encoded. */
    enum Compression {
        NONE("none"),
        GZIP("gzip");

        final String otlpName;

        Compression(String otlpName) {
            this.otlpName = otlpName;
        }
    }

    static final String ENDPOINT = "endpoint";
    static final String HEADERS = "headers";
    static final String AUTHORIZATION = "authorization";
    static final String TIMEOUT = "timeout";
    static final String SERVICE_NAME = "service_name";
    static final String COMPRESSION = "compression";
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318/v1/traces";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    static final String DEFAULT_SERVICE_NAME = "tollgate";

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    OtlpSinkConfig {
        requireNonNull(endpoint, "endpoint is null");
        headers = Map.copyOf(requireNonNull(headers, "headers is null"));
        requireNonNull(authorization, "authorization is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(serviceName, "serviceName is null");
        requireNonNull(compression, "compression is null");
    }

    static OtlpSinkConfig from(PluginConfig config) {
        URI endpoint = endpoint(config);
        Map<String, String> headers = new LinkedHashMap<>();
        config.stringMap(HEADERS).forEach((name, value) -> {
            if (!TOKEN.matcher(name).matches()) {
                throw new ConfigException(config.keyPath(HEADERS) + ": '" + name + "' is not a valid header name");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new ConfigException(config.keyPath(HEADERS) + "." + name + " must not contain a line break");
            }
            headers.put(name, value);
        });
        Optional<String> authorization = config.optionalString(AUTHORIZATION).map(String::strip);
        if (authorization.isPresent()) {
            if (authorization.get().isEmpty()) {
                authorization = Optional.empty();
            } else if (authorization.get().indexOf('\r') >= 0 || authorization.get().indexOf('\n') >= 0) {
                throw new ConfigException(config.keyPath(AUTHORIZATION) + " must not contain a line break");
            }
            if (authorization.isPresent() && headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("authorization"))) {
                throw new ConfigException(config.keyPath(HEADERS) + " has an Authorization header and " + config.keyPath(AUTHORIZATION)
                        + " is set too; keep one (" + AUTHORIZATION + ", for a secret)");
            }
        }
        Duration timeout = config.duration(TIMEOUT, DEFAULT_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new ConfigException(config.keyPath(TIMEOUT) + " must be more than 0 and at most 5m, not " + timeout.toMillis() + "ms");
        }
        String serviceName = config.string(SERVICE_NAME, DEFAULT_SERVICE_NAME).strip();
        if (serviceName.isEmpty()) {
            throw new ConfigException(config.keyPath(SERVICE_NAME) + " must not be empty");
        }
        String compressionText = config.string(COMPRESSION, "none");
        Compression compression = switch (compressionText.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> Compression.NONE;
            case "gzip" -> Compression.GZIP;
            default -> throw new ConfigException(config.keyPath(COMPRESSION) + " must be none or gzip, not '" + compressionText + "'");
        };
        config.requireAllRead();
        return new OtlpSinkConfig(endpoint, headers, authorization, timeout, serviceName, compression);
    }

    private static URI endpoint(PluginConfig config) {
        String text = config.string(ENDPOINT, DEFAULT_ENDPOINT).strip();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(config.keyPath(ENDPOINT) + " is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new ConfigException(config.keyPath(ENDPOINT) + " must be an http:// or https:// URL with a host, such as "
                    + DEFAULT_ENDPOINT);
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigException(config.keyPath(ENDPOINT) + " must not hold credentials; use " + config.keyPath(AUTHORIZATION)
                    + " or " + config.keyPath(HEADERS));
        }
        if (uri.getRawFragment() != null) {
            throw new ConfigException(config.keyPath(ENDPOINT) + " must not have a fragment (#...)");
        }
        if (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")) {
            uri = uri.resolve("/v1/traces");
        }
        return uri;
    }

    /** Every header of an export, the secret one included. */
    Map<String, String> allHeaders() {
        Map<String, String> all = new LinkedHashMap<>(headers);
        authorization.ifPresent(a -> all.put("Authorization", a));
        return all;
    }

    /** Names the headers but never shows a value: they are often credentials. */
    @Override
    public String toString() {
        return "OtlpSinkConfig[endpoint=" + endpoint + ", headers=" + headers.keySet() + ", authorization="
                + (authorization.isPresent() ? "(set)" : "(none)") + ", timeout=" + timeout + ", serviceName=" + serviceName
                + ", compression=" + compression + "]";
    }
}
