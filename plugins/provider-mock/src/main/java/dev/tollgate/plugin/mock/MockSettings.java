package dev.tollgate.plugin.mock;

import dev.tollgate.spi.config.ConfigException;
import dev.tollgate.spi.config.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The bound configuration of one mock deployment; the keys are described on {@link MockProviderFactory}. */
record MockSettings(
        Duration ttft,
        double tokensPerSecond,
        int responseTokens,
        Optional<List<String>> reply,
        double errorRate,
        ErrorKind errorKind,
        long seed,
        int failAfterTokens,
        int embeddingDimensions) {

    static final Duration DEFAULT_TTFT = Duration.ZERO;
    static final int DEFAULT_RESPONSE_TOKENS = 16;
    static final long DEFAULT_SEED = 42;
    static final int DEFAULT_EMBEDDING_DIMENSIONS = 8;

    MockSettings {
        reply = reply.map(List::copyOf);
    }

    static MockSettings from(PluginConfig config) {
        Duration ttft = config.duration("ttft", DEFAULT_TTFT);

        double tokensPerSecond = config.doubleValue("tokens_per_second", 0);
        if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
            throw invalid(config, "tokens_per_second", "a finite number >= 0 (0 = send everything at once)", tokensPerSecond);
        }

        boolean hasResponseTokens = config.has("response_tokens");
        int responseTokens = config.intValue("response_tokens", DEFAULT_RESPONSE_TOKENS);
        if (responseTokens < 1) {
            throw invalid(config, "response_tokens", "a positive integer", responseTokens);
        }

        Optional<List<String>> reply = config.optionalString("reply").map(text -> List.of(text.trim().split("\\s+")));
        if (reply.isPresent() && reply.get().get(0).isEmpty()) {
            throw new ConfigException(qualified(config, "reply") + " must contain at least one word");
        }
        if (reply.isPresent() && hasResponseTokens) {
            throw new ConfigException(qualified(config, "response_tokens") + " and " + qualified(config, "reply")
                    + " exclude each other: the reply's words are the answer");
        }

        double errorRate = config.doubleValue("error_rate", 0);
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw invalid(config, "error_rate", "a number from 0 to 1", errorRate);
        }

        String kindName = config.string("error_kind", ErrorKind.SERVER.configName());
        ErrorKind errorKind = ErrorKind.byConfigName(kindName).orElseThrow(() -> new ConfigException(
                qualified(config, "error_kind") + " must be one of " + ErrorKind.configNames() + ", not '" + kindName + "'"));

        long seed = config.longValue("seed", DEFAULT_SEED);

        int failAfterTokens = config.intValue("fail_after_tokens", -1);
        if (failAfterTokens < -1) {
            throw invalid(config, "fail_after_tokens", "an integer >= 0, or -1 for never", failAfterTokens);
        }

        int embeddingDimensions = config.intValue("embedding_dimensions", DEFAULT_EMBEDDING_DIMENSIONS);
        if (embeddingDimensions < 1 || embeddingDimensions > EmbeddingsBody.MAX_DIMENSIONS) {
            throw invalid(config, "embedding_dimensions", "an integer from 1 to " + EmbeddingsBody.MAX_DIMENSIONS,
                    embeddingDimensions);
        }

        config.requireAllRead();
        return new MockSettings(ttft, tokensPerSecond, responseTokens, reply, errorRate, errorKind, seed,
                failAfterTokens, embeddingDimensions);
    }

    /** Nanoseconds between two streamed content chunks; 0 when they all go at once. */
    long tokenIntervalNanos() {
        return tokensPerSecond == 0 ? 0 : Math.round(1e9 / tokensPerSecond);
    }

    private static ConfigException invalid(PluginConfig config, String key, String allowed, Object value) {
        return new ConfigException(qualified(config, key) + " must be " + allowed + ", not '" + value + "'");
    }

    private static String qualified(PluginConfig config, String key) {
        return config.path().isEmpty() ? key : config.path() + "." + key;
    }
}
