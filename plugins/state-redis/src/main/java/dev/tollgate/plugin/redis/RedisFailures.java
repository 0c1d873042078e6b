package dev.tollgate.plugin.redis;

import dev.tollgate.spi.ErrorType;
import dev.tollgate.spi.GatewayException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns Lettuce's failures into {@link GatewayException}s whose message can reach a client: it
 * names neither the host nor any key; the cause keeps the details for the log.
 */
final class RedisFailures {

    static final String UNAVAILABLE = "state_unavailable";

    private RedisFailures() {}

    static Throwable translate(Throwable failure, Duration timeout) {
        Throwable cause = unwrap(failure);
        if (cause instanceof GatewayException) {
            return cause;
        }
        if (cause instanceof RedisCommandTimeoutException) {
            return unavailable("shared state (Redis) did not answer within " + timeout.toMillis() + " ms", cause);
        }
        if (cause instanceof RedisCommandExecutionException) {
            return GatewayException.builder(ErrorType.INTERNAL, 500, "state_error")
                    .message("shared state (Redis) refused a command").cause(cause).build();
        }
        return unavailable("shared state (Redis) is unavailable", cause);
    }

    private static GatewayException unavailable(String message, Throwable cause) {
        return GatewayException.builder(ErrorType.INTERNAL, 503, UNAVAILABLE).message(message).cause(cause).build();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
