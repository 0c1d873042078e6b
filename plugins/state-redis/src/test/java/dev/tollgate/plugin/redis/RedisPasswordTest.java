package dev.tollgate.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.spi.state.StateBackend;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Redis with a password: the password in the URI works and never shows in an error. */
class RedisPasswordTest {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.launch("--requirepass", "s3cret-pass");
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Test
    void theRightPasswordConnects() {
        try (StateBackend state = TestBackends.open("redis://:s3cret-pass@127.0.0.1:" + redis.port() + "/1")) {
            assertThat(state.increment("k", 1, Duration.ofMinutes(1)).toCompletableFuture().join()).isEqualTo(1);
        }
    }

    @Test
    void aWrongPasswordFailsAtStartWithoutShowingIt() {
        assertThatThrownBy(() -> TestBackends.open("redis://:wr0ng-pass@127.0.0.1:" + redis.port() + "/1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot connect to the Redis state backend")
                .hasMessageContaining("WRONGPASS")
                .hasMessageNotContaining("wr0ng-pass");
    }

    @Test
    void anUnreachableRedisFailsAtStartWithoutShowingThePassword() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        int port = closedPort;
        assertThatThrownBy(() -> TestBackends.open("redis://:s3cret-pass@127.0.0.1:" + port + "/1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot connect to the Redis state backend")
                .hasMessageNotContaining("s3cret-pass");
    }
}
