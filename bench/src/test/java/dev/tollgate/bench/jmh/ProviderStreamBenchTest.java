package dev.tollgate.bench.jmh;

import static dev.tollgate.bench.jmh.Blackholes.BH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.plugin.anthropic.AnthropicProviderBench;
import dev.tollgate.plugin.bedrock.BedrockProviderBench;
import dev.tollgate.plugin.gemini.GeminiProviderBench;
import dev.tollgate.plugin.openai.OpenAiProviderBench;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Every provider benchmark runs, three times on the same state as JMH runs it. The benchmarks' sink
 * throws on a stream error, so this also proves the replayed pieces are reusable: a replay that had
 * drained them would end the stream truncated. What each stream delivers is checked by the
 * provider's own test.
 */
class ProviderStreamBenchTest {

    @ParameterizedTest
    @ValueSource(classes = {AnthropicProviderBench.class, BedrockProviderBench.class, GeminiProviderBench.class,
        OpenAiProviderBench.class})
    void everyBenchmarkRunsWithoutFailing(Class<? extends ProviderStreamBench> type) throws Throwable {
        ProviderStreamBench b = type.getConstructor().newInstance();
        for (Method setup : annotated(type, Setup.class)) {
            call(setup, b);
        }
        List<Method> benchmarks = annotated(type, Benchmark.class);
        assertThat(benchmarks).isNotEmpty();
        for (int i = 0; i < 3; i++) {
            for (Method m : benchmarks) {
                call(m, b);
            }
        }
    }

    private static List<Method> annotated(Class<?> type, Class<? extends java.lang.annotation.Annotation> annotation) {
        return Arrays.stream(type.getMethods()).filter(m -> m.isAnnotationPresent(annotation)).toList();
    }

    private static void call(Method m, Object target) throws Throwable {
        try {
            if (m.getParameterCount() == 0) {
                m.invoke(target);
            } else {
                assertThat(m.getParameterTypes()).as(m.getName()).containsExactly(Blackhole.class);
                m.invoke(target, BH);
            }
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
