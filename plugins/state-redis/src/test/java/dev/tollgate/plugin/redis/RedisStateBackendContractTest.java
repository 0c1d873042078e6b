package dev.tollgate.plugin.redis;

import dev.tollgate.spi.state.StateBackend;
import dev.tollgate.spi.testkit.StateBackendContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on one real Redis; every instance is a separate client, like a separate gateway. */
class RedisStateBackendContractTest extends StateBackendContract {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.launch();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Override
    protected StateBackend open() {
        return TestBackends.open(redis.uri());
    }

    @Override
    protected void elapse(Duration d) throws Exception {
        redis.awaitServerTime(d);
    }
}
