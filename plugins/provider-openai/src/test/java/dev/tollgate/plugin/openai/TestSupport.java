package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tollgate.spi.Bytes;
import dev.tollgate.spi.GatewayException;
import dev.tollgate.spi.config.PluginConfig;
import dev.tollgate.spi.provider.ApiFormat;
import dev.tollgate.spi.provider.ChatRequest;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.testkit.FakePluginContext;
import dev.tollgate.spi.testkit.FakeProviderCall;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

final class TestSupport {

    static final String KEY = "sk-test-SECRET-0123456789abcdef";
    static final String PATH = "models.gpt-4o.deployments[0].config";
    static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private TestSupport() {}

    static PluginConfig config(Map<String, ?> values) {
        return PluginConfig.of(PATH, values, Set.of(OpenAiConfig.API_KEY));
    }

    static OpenAiAdapter adapter(Map<String, ?> values) {
        ProviderAdapter a = new OpenAiProviderFactory().create(config(values),
                new FakePluginContext("provider-openai", CLOCK, null));
        assertThat(a).isInstanceOf(OpenAiAdapter.class);
        return (OpenAiAdapter) a;
    }

    static OpenAiAdapter adapter() {
        return adapter(Map.of("api_key", KEY));
    }

    static ChatRequest chat(String body) {
        return chat("gpt-4o", "gpt-4o-2024-08-06", false, body);
    }

    static ChatRequest streamChat(String body) {
        return chat("gpt-4o", "gpt-4o-2024-08-06", true, body);
    }

    static ChatRequest chat(String model, String upstreamModel, boolean stream, String body) {
        return new ChatRequest("req-42", model, upstreamModel, stream, true, ApiFormat.OPENAI_CHAT, Bytes.utf8(body));
    }

    /** Starts {@code start} on the call's thread, as the kernel does, and waits for its stage. */
    static <T> T await(FakeProviderCall call, Supplier<CompletionStage<T>> start) {
        try {
            return stage(call, start).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("stage failed", e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Like {@link #await} but expects a failure, which must be the GatewayException itself. */
    static <T> GatewayException awaitFailure(FakeProviderCall call, Supplier<CompletionStage<T>> start) {
        try {
            Object value = stage(call, start).toCompletableFuture().get(5, TimeUnit.SECONDS);
            return fail("expected a failure, got " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(GatewayException.class);
            return (GatewayException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static <T> CompletionStage<T> stage(FakeProviderCall call, Supplier<CompletionStage<T>> start) {
        AtomicReference<CompletionStage<T>> ref = new AtomicReference<>();
        call.runOnCallThread(() -> ref.set(start.get()));
        return ref.get();
    }
}
