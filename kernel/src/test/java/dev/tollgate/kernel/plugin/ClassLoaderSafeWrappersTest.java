package dev.tollgate.kernel.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.spi.policy.RequestPolicy;
import dev.tollgate.spi.provider.ProviderAdapter;
import dev.tollgate.spi.provider.SupportsEmbeddings;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every method of an SPI interface the kernel calls into must be wrapped, default methods included. */
class ClassLoaderSafeWrappersTest {

    @Test
    void everySpiMethodIsOverriddenByItsWrapper() {
        Map<Class<?>, Class<?>> wrappers = Map.of(
                ProviderAdapter.class, ClassLoaderSafeProviderAdapter.class,
                SupportsEmbeddings.class, ClassLoaderSafeEmbeddings.class,
                RequestPolicy.class, ClassLoaderSafeRequestPolicy.class);
        List<String> missing = new ArrayList<>();
        wrappers.forEach((spi, wrapper) -> {
            for (Method m : spi.getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                try {
                    wrapper.getDeclaredMethod(m.getName(), m.getParameterTypes());
                } catch (NoSuchMethodException e) {
                    missing.add(wrapper.getSimpleName() + "." + m.getName());
                }
            }
        });
        assertThat(missing).isEmpty();
    }

    @Test
    void aWrappedCallRunsWithThePluginLoaderAndRestoresTheCallers() throws Exception {
        ClassLoader plugin = new java.net.URLClassLoader(new java.net.URL[0], null);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        ClassLoader[] seen = new ClassLoader[1];
        RequestPolicy policy = request -> {
            seen[0] = Thread.currentThread().getContextClassLoader();
            return dev.tollgate.spi.policy.Admission.PROCEED;
        };
        new ClassLoaderSafeRequestPolicy(policy, plugin).admit(null);
        assertThat(seen[0]).isSameAs(plugin);
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void isolatingLoaderSharesOnlyTheSpiLoggingAndPf4jPackages() {
        assertThat(IsolatingPluginClassLoader.isShared("dev.tollgate.spi.provider.ProviderAdapter")).isTrue();
        assertThat(IsolatingPluginClassLoader.isShared("org.slf4j.Logger")).isTrue();
        assertThat(IsolatingPluginClassLoader.isShared("dev.tollgate.kernel.Gateway")).isFalse();
        assertThat(IsolatingPluginClassLoader.isShared("com.fasterxml.jackson.databind.ObjectMapper")).isFalse();
        assertThat(IsolatingPluginClassLoader.isShared("io.undertow.Undertow")).isFalse();
    }
}
