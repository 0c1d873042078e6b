package dev.tollgate.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayExceptionTest {

    @Test
    void retryAndFallbackFlagsDefaultFromTheErrorType() {
        GatewayException server = GatewayException.builder(ErrorType.UPSTREAM_SERVER, 502, "upstream_error").build();
        assertThat(server.retryable()).isTrue();
        assertThat(server.fallbackAllowed()).isTrue();
        GatewayException client = GatewayException.builder(ErrorType.UPSTREAM_CLIENT, 400, "bad").build();
        assertThat(client.retryable()).isFalse();
        assertThat(client.fallbackAllowed()).isFalse();
        GatewayException quota = GatewayException.builder(ErrorType.RATE_LIMITED, 429, "insufficient_quota").retryable(false)
                .retryAfter(Duration.ofSeconds(2)).build();
        assertThat(quota.retryable()).isFalse();
        assertThat(quota.fallbackAllowed()).isTrue();
        assertThat(quota.retryAfter()).contains(Duration.ofSeconds(2));
    }

    @Test
    void onlyErrorStatusesAreAccepted() {
        assertThatThrownBy(() -> GatewayException.builder(ErrorType.CLIENT, 200, "ok")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesCompareByContentAndNeverExposeTheirArray() {
        byte[] raw = {1, 2, 3, 4};
        Bytes a = Bytes.wrapOwned(raw, 1, 2);
        assertThat(a).isEqualTo(Bytes.copyOf(new byte[] {2, 3}));
        assertThat(a.toArray()).containsExactly(2, 3);
        assertThat(a.asByteBuffer().isReadOnly()).isTrue();
        assertThat(Bytes.utf8("a\"usage\":{x").contains("\"usage\":{".getBytes())).isTrue();
    }

    @Test
    void headersRefuseHeaderInjection() {
        assertThatThrownBy(() -> dev.tollgate.spi.http.Headers.of("X-A", "v\r\nX-Injected: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dev.tollgate.spi.http.Headers.of("Content-Type", "a").first("content-type")).contains("a");
    }
}
