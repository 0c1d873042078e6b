package dev.tollgate.plugin.mock;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The failure a mock deployment injects, as the gateway would report the matching upstream failure. */
enum ErrorKind {
    /** Upstream 429: {@code RATE_LIMITED} 429, {@code rate_limit_exceeded}, retry after 1s. */
    RATE_LIMIT("rate_limit"),
    /** Upstream 500: {@code UPSTREAM_SERVER} 502, {@code upstream_error}. */
    SERVER("server"),
    /** No answer in time, raised after {@code ttft}: {@code UPSTREAM_SERVER} 504, {@code upstream_timeout}. */
    TIMEOUT("timeout"),
    /** Upstream 400: {@code UPSTREAM_CLIENT} 400, {@code invalid_request_error}. */
    BAD_REQUEST("bad_request");

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final String configName;

    ErrorKind(String configName) {
        this.configName = configName;
    }

    String configName() {
        return configName;
    }

    static Optional<ErrorKind> byConfigName(String name) {
        return Arrays.stream(values()).filter(k -> k.configName.equals(name)).findFirst();
    }

    static List<String> configNames() {
        return Arrays.stream(values()).map(ErrorKind::configName).toList();
    }

    GatewayException exception(long requestNumber) {
        String suffix = " (mock request " + requestNumber + ")";
        return switch (this) {
            case RATE_LIMIT -> GatewayException.builder(ErrorType.RATE_LIMITED, 429, "rate_limit_exceeded")
                    .message("mock: rate limit reached" + suffix)
                    .retryAfter(RETRY_AFTER)
                    .build();
            case SERVER -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_error")
                    .message("mock: upstream answered 500" + suffix)
                    .build();
            case TIMEOUT -> GatewayException.builder(ErrorType.UPSTREAM_SERVER, 504, "upstream_timeout")
                    .message("mock: upstream timed out" + suffix)
                    .build();
            case BAD_REQUEST -> GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "invalid_request_error")
                    .message("mock: upstream rejected the request" + suffix)
                    .build();
        };
    }
}
