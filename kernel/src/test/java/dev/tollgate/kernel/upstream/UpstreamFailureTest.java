package dev.tollgate.kernel.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.GatewayException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamFailureTest {

    @Test
    void aConnectWithoutADescriptorIsA503ToRetryLaterOnThisDeployment() {
        UpstreamFailure kind = UpstreamFailure.ofConnect(new IOException("connect failed", new SocketException("Too many open files")));

        GatewayException e = kind.toException("10.0.0.1:8000", (Throwable) null);
        assertThat(kind).isEqualTo(UpstreamFailure.NO_DESCRIPTORS);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("gateway_overloaded");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
        assertThat(e.fallbackAllowed()).isFalse();
        assertThat(e.getMessage()).contains("10.0.0.1:8000");
    }

    @Test
    void aRefusedConnectStaysUnreachable() {
        assertThat(UpstreamFailure.ofConnect(new ConnectException("Connection refused"))).isEqualTo(UpstreamFailure.CONNECT_REFUSED);
    }

    @Test
    void aTooLargeAnswerNamesTheBoundItPassed() {
        GatewayException one = UpstreamFailure.responseTooLarge("h:1", 1024);
        GatewayException shared = UpstreamFailure.bufferedTooLarge("h:1", 4096);

        assertThat(one.status()).isEqualTo(502);
        assertThat(one.code()).isEqualTo("upstream_response_too_large");
        assertThat(one.getMessage()).contains("upstream.max_response_bytes (1024 bytes)");
        assertThat(one.retryable()).isFalse();
        assertThat(shared.code()).isEqualTo("upstream_response_too_large");
        assertThat(shared.getMessage()).contains("upstream.max_buffered_response_bytes (4096 bytes)");
        assertThat(shared.retryable()).isTrue();
    }

    @Test
    void theTotalLimitSaysSoAndHowLong() {
        GatewayException e = UpstreamFailure.TOTAL_TIMEOUT.toException("h:1", Duration.ofSeconds(600));

        assertThat(e.status()).isEqualTo(504);
        assertThat(e.code()).isEqualTo("upstream_timeout");
        assertThat(e.getMessage()).contains("total time limit").contains("(600000 ms)");
    }
}
